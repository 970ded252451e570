package server

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ligue-mednum/ligue/content"
)

// TestBrowserSearch searches as a visitor would: from the header's search
// box, with highlighted words and facets, one result per discussion, a
// category filter added then removed, a message found deep in a long topic
// (the link opens the right page of the topic, scrolled to the message),
// and a misspelled word the search corrects.
func TestBrowserSearch(t *testing.T) {
	ts, base := browserSite(t)

	const (
		cafTitle    = "Attestation CAF introuvable"
		printTitle  = "Imprimer une attestation CAF"
		seniorTitle = "Atelier smartphone pour seniors"
		// The answer, in the post numbered 23 of the first topic: on page 2
		// of the topic (20 posts a page).
		answer       = "rubrique Mes attestations dans l’espace Mon Compte"
		answerNumber = 23
		replies      = 24
	)

	// 1. Content: three topics in three categories, and a long discussion
	// under the first one. In production the indexer picks the posts up in
	// the background; here the index is brought up to date at once.
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	caf := ts.mustCreateTopic(karim, cafTitle, "Où trouver l’attestation de paiement pour une personne accompagnée ?",
		func(n *content.NewTopic) { n.Category, n.Tags = "demarches-en-ligne", "caf" })
	ts.mustCreateTopic(lucie, printTitle, "Avec quelle imprimante ? Celle de l’accueil ne marche plus.",
		func(n *content.NewTopic) { n.Category = "outils-et-materiel" })
	ts.mustCreateTopic(karim, seniorTitle, "Comment organisez-vous vos séances pour les plus de 70 ans ?",
		func(n *content.NewTopic) { n.Category, n.Kind = "accompagnement-des-publics", content.KindDiscussion })
	for i := 1; i <= replies; i++ {
		number := i + 1 // the topic's first post is number 1
		author := lucie
		if i%2 == 0 {
			author = karim
		}
		// Filler replies share no word with the searches below, and are
		// long enough for the page to scroll the answer to its top.
		body := fmt.Sprintf("Réponse n°%d : nous avons eu le même souci la semaine dernière, avec une dame venue sans rendez-vous.\n\n"+
			"Nous avons repris la démarche pas à pas sur son téléphone, en notant chaque étape dans son carnet.\n\n"+
			"Elle est repartie rassurée, et revient jeudi pour la suite.", number)
		if number == answerNumber {
			body = "Vous la trouverez dans la " + answer + " de la CAF : il faut se connecter, puis choisir le mois voulu."
		}
		if p := ts.mustReply(author, caf, body, 0); p.Number != number {
			t.Fatalf("reply %d has the number %d, want %d", i, p.Number, number)
		}
	}
	ts.syncIndex()

	ctx := browserContext(t)
	began := time.Now()
	lap := began
	timing := func(step string) {
		t.Logf("%-45s %s", step, time.Since(lap).Round(time.Millisecond))
		lap = time.Now()
	}

	// Selectors of this journey.
	count := chromedp.Search(`//main//p[contains(@class,"count")]`)
	notice := chromedp.Search(`//main//p[contains(@class,"notice")]`)
	facet := func(label string) chromedp.Search {
		return chromedp.Search(`//main//aside[contains(@class,"facets")]//a[` + textOf + `="` + label + `"]`)
	}
	activeFilter := func(label string) string {
		return `//main//ul[contains(@class,"active-filters")]/li[starts-with(` + textOf + `,"` + label + `")]`
	}
	messageResult := `//main//ol[contains(@class,"results")]/li[p[contains(@class,"result-type")][starts-with(` + textOf + `,"Message")]]//h2[contains(@class,"result-title")]/a`

	// spaces folds the no-break spaces of French typography.
	spaces := strings.NewReplacer("\u00a0", " ", "\u202f", " ")
	text := func(sel chromedp.Search) string { t.Helper(); return spaces.Replace(browserText(t, ctx, sel)) }
	countRe := regexp.MustCompile(`^(\d+) résultats?\.$`)
	resultCount := func() string {
		t.Helper()
		c := text(count)
		if !countRe.MatchString(c) {
			t.Fatalf("the result count reads %q", c)
		}
		return c
	}

	// 2. A visitor searches from the home page's header.
	browse(t, ctx, "open the home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("q-header")))
	leavePage(t, ctx, "search « attestations » from the header", `//main//p[contains(@class,"count")]`,
		chromedp.SendKeys(chromedp.ID("q-header"), "attestations"+kb.Enter),
	)
	browse(t, ctx, "the results page has its heading", chromedp.WaitVisible(byHeading("Recherche")))
	if v := browserEval[string](t, ctx, "read the page's search field", `document.getElementById("q-page").value`); v != "attestations" {
		t.Errorf("the page's search field holds %q, want the query", v)
	}
	total := resultCount()
	if total != "2 résultats." {
		// The two topics about the attestation; the answer comes with its
		// discussion.
		t.Errorf("search « attestations »: count %q, want « 2 résultats. »", total)
	}
	cafResult := `//main//ol[contains(@class,"results")]/li[h2[contains(@class,"result-title")][` + textOf + `="` + cafTitle + `"]]`
	if others := text(chromedp.Search(cafResult + `/p[contains(@class,"result-others")]/a`)); others != "1 autre message de cette discussion correspond" {
		t.Errorf("under « %s » the results read %q, want « 1 autre message de cette discussion correspond »", cafTitle, others)
	}
	marks := browserEval[string](t, ctx, "read the highlighted words", `[...document.querySelectorAll("main ol.results mark")].map(m => m.textContent).join("|")`)
	if marks == "" {
		t.Fatal("no highlighted word (mark) in the results")
	}
	// The highlight covers the whole word, with its elided article (« l’attestation »).
	elision := regexp.MustCompile(`^(?:[a-z]|qu)['’]`)
	for _, m := range strings.Split(marks, "|") {
		if !strings.HasPrefix(elision.ReplaceAllString(strings.ToLower(m), ""), "attestation") {
			t.Errorf("highlighted %q, which is not the word searched (marks: %s)", m, marks)
		}
	}
	if h := text(chromedp.Search(`//main//aside[contains(@class,"facets")]/h2`)); h != "Affiner" {
		t.Errorf("the facets block is titled %q, want Affiner", h)
	}
	facets := text(chromedp.Search(`//main//aside[contains(@class,"facets")]`))
	for _, want := range []string{"Catégorie", "Démarches en ligne (2)", "Outils et matériel (1)", "#caf (2)", "Messages (1)"} {
		if !strings.Contains(facets, want) {
			t.Errorf("the facets lack %q:\n%s", want, facets)
		}
	}
	timing("2. search from the header")

	// 3. Narrow to a category, then remove the filter.
	leavePage(t, ctx, "click the category facet « Outils et matériel »", activeFilter("Catégorie : Outils et matériel"),
		chromedp.Click(facet("Outils et matériel")),
	)
	if c := resultCount(); c != "1 résultat." {
		t.Errorf("with the category filter the count reads %q, want « 1 résultat. »", c)
	}
	if titles := browserEval[string](t, ctx, "read the result titles", `[...document.querySelectorAll("main ol.results .result-title")].map(h => h.textContent.trim()).join("|")`); titles != printTitle {
		t.Errorf("with the category filter the results are %q, want only %q", titles, printTitle)
	}
	if cur := browserEval[string](t, ctx, "read the current facet", `(document.querySelector('main aside.facets a[aria-current="true"]') || {}).textContent || ""`); cur != "Outils et matériel" {
		t.Errorf("the facet marked current is %q, want « Outils et matériel »", cur)
	}
	if loc, err := url.Parse(browserEval[string](t, ctx, "read the URL", `location.href`)); err != nil || loc.Query().Get("categorie") != "outils-et-materiel" || loc.Query().Get("q") != "attestations" {
		t.Errorf("with the category filter the URL is %v (%v)", loc, err)
	}
	leavePage(t, ctx, "remove the category filter", `//main[not(.//ul[contains(@class,"active-filters")])]//p[contains(@class,"count")]`,
		chromedp.Click(chromedp.Search(activeFilter("Catégorie : Outils et matériel")+`/a[starts-with(`+textOf+`,"retirer")]`)),
	)
	if c := resultCount(); c != total {
		t.Errorf("after removing the filter the count reads %q, want %q again", c, total)
	}
	if loc, err := url.Parse(browserEval[string](t, ctx, "read the URL", `location.href`)); err != nil || loc.Query().Has("categorie") || loc.Query().Get("q") != "attestations" {
		t.Errorf("after removing the filter the URL is %v (%v)", loc, err)
	}
	timing("3. category facet on and off")

	// 4. Search for the answer from the page's field, open the message: the
	// topic opens on its page 2, scrolled to the message.
	const query = "mes attestations espace"
	leavePage(t, ctx, "search « "+query+" » from the page's field", `//main//p[contains(@class,"count")]`,
		chromedp.Focus(chromedp.ID("q-page")),
		// Empty the field as with a keyboard, then type.
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.SendKeys(chromedp.ID("q-page"), query+kb.Enter),
	)
	if q := browserEval[string](t, ctx, "read the URL", `new URLSearchParams(location.search).get("q")`); q != query {
		t.Fatalf("the search ran for %q, want %q", q, query)
	}
	if n := browserEval[string](t, ctx, "count the message results", `String(document.evaluate('count(`+messageResult+`)', document, null, XPathResult.NUMBER_TYPE, null).numberValue)`); n != "1" {
		t.Fatalf("%s message results for « %s », want 1 (count: %s)", n, query, text(count))
	}
	if excerpt := text(chromedp.Search(`//main//ol[contains(@class,"results")]/li[p[contains(@class,"result-type")][starts-with(` + textOf + `,"Message")]]//p[contains(@class,"excerpt")]`)); !strings.Contains(excerpt, "espace Mon Compte") {
		t.Errorf("the message's excerpt reads %q", excerpt)
	}
	href := browserEval[string](t, ctx, "read the message's link", `document.evaluate('`+messageResult+`', document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.getAttribute("href")`)
	if want := fmt.Sprintf("%s?post=%d", caf.Path(), answerNumber); href != want {
		t.Errorf("the message's link goes to %q, want %q", href, want)
	}
	anchor := fmt.Sprintf("post-%d", answerNumber)
	leavePage(t, ctx, "open the message", `//main//article[@id="`+anchor+`"]`, chromedp.Click(chromedp.Search(messageResult)))
	if loc := browserEval[string](t, ctx, "read the URL", `location.href`); loc != base+caf.Path()+"?page=2#"+anchor {
		t.Errorf("the message opened %q, want %s", loc, base+caf.Path()+"?page=2#"+anchor)
	}
	browse(t, ctx, "the topic's page is shown", chromedp.WaitVisible(byHeading(cafTitle)))
	if body := text(chromedp.Search(`//main//article[@id="` + anchor + `"]//div[contains(@class,"post-body")]`)); !strings.Contains(body, answer) {
		t.Errorf("#%s reads %q, want the answer", anchor, body)
	}
	// The browser scrolls to the fragment once the page is laid out: wait
	// until the message is at the top of the window.
	inView := `(() => {
		const r = document.getElementById("` + anchor + `").getBoundingClientRect();
		return window.scrollY > 0 && r.top >= -1 && r.top <= window.innerHeight / 4 && r.bottom > 0;
	})()`
	pctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	_, err := chromedp.Run(pctx, chromedp.Poll[bool](inView, chromedp.WithPollingTimeout(browserStepTimeout)))
	cancel()
	measure := browserEval[string](t, ctx, "measure the message", `(() => { const r = document.getElementById("`+anchor+`").getBoundingClientRect(); return "top " + r.top + ", bottom " + r.bottom + ", window height " + innerHeight + ", scrollY " + scrollY + ", page height " + document.documentElement.scrollHeight; })()`)
	if err != nil {
		t.Errorf("#%s is not near the top of the window (%v): %s", anchor, err, measure)
	} else {
		t.Logf("#%s in the window: %s", anchor, measure)
	}
	timing("4. open a message on page 2 of its topic")

	// 5. A misspelled word: the search corrects it and says so.
	leavePage(t, ctx, "search « imprimnte » from the header", `//main//p[contains(@class,"notice")][starts-with(`+textOf+`,"Résultats pour")]`,
		chromedp.SendKeys(chromedp.ID("q-header"), "imprimnte"+kb.Enter),
	)
	if n := text(notice); n != "Résultats pour « imprimante » (au lieu de « imprimnte »). Rechercher quand même « imprimnte »" {
		t.Errorf("the correction notice reads %q", n)
	}
	if c := resultCount(); c != "1 résultat." {
		t.Errorf("after correction the count reads %q, want « 1 résultat. »", c)
	}
	if titles := browserEval[string](t, ctx, "read the result titles", `[...document.querySelectorAll("main ol.results .result-title")].map(h => h.textContent.trim()).join("|")`); titles != printTitle {
		t.Errorf("the corrected search found %q, want %q", titles, printTitle)
	}
	timing("5. misspelled word")
	t.Logf("the searches took %s in the browser", time.Since(began).Round(time.Millisecond))
}
