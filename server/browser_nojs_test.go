package server

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ligue-mednum/ligue/content"
)

// TestBrowserJourneysWithoutJavaScript walks the main journeys of the site
// with script execution disabled, as with a browser that blocks JavaScript:
// Nadia registers and confirms her address, logs in and asks a question;
// Lucie quotes her with the plain « Citer » link and answers; Nadia accepts
// the answer, saves a draft of her thanks and resumes it from « Mes
// brouillons »; then she searches and narrows the results with a facet.
// Every step is a real link, form post and redirect.
func TestBrowserJourneysWithoutJavaScript(t *testing.T) {
	ts, base := browserSite(t)
	lucieUser := ts.mustCreateMember("Lucie", content.RoleMember)
	// Another topic with the searched word, in another category, so that the
	// facet of step 7 has something to filter out.
	const otherTitle = "Imprimer une attestation depuis un smartphone"
	ts.mustCreateTopic(lucieUser, otherTitle, "Quelle application utilisez-vous pour imprimer une attestation ?",
		func(n *content.NewTopic) { n.Category = "outils-et-materiel" })

	const (
		pseudo   = "Nadia"
		email    = "nadia@exemple.fr"
		password = "un accueil sans script"
		title    = "Attestation de quotient familial introuvable sur le site de la CAF"
		// The body is typed: two paragraphs, the first one holding the words
		// Lucie selects before quoting.
		firstParagraph  = "Une personne que j’accompagne doit fournir son attestation de quotient familial à la mairie."
		secondParagraph = "Où la trouve-t-on dans son espace CAF ?"
		selected        = "attestation de quotient familial"
		answer          = "Dans Mon Compte, rubrique Mes attestations : choisissez « quotient familial »."
		thanks          = "Merci Lucie, nous l’avons trouvée tout de suite."
	)

	ctx := browserContext(t)
	// Disabled before the first page, for the whole tab.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	began := time.Now()
	// The whole journey gets 50 s; each step still gets at most
	// browserStepTimeout.
	ctx, cancel := context.WithDeadline(ctx, began.Add(50*time.Second))
	defer cancel()

	// Selectors of this journey.
	replyBox := chromedp.ID("f-body")

	logOut := func(who string) {
		t.Helper()
		browse(t, ctx, who+" logs out",
			chromedp.Click(byLogoutButton),
			chromedp.WaitVisible(byFlash("Vous êtes déconnecté·e")),
			chromedp.WaitVisible(byHeaderLink("Se connecter")),
		)
	}
	openTopic := func(who string) {
		t.Helper()
		browse(t, ctx, who+" opens the topic from Discussions",
			chromedp.Click(bySiteNav("Discussions")),
			chromedp.WaitVisible(byHeading("Discussions")),
			chromedp.Click(chromedp.Search(`//main//li[contains(@class,"topic-row")]/h3/a[`+textOf+`="`+title+`"]`)),
			chromedp.WaitVisible(byHeading(title)),
		)
	}

	// 1. Nadia registers from the header, and confirms her address with the
	// link of the mail.
	browse(t, ctx, "open the home page and the registration form", openRegistrationSteps(base)...)
	browse(t, ctx, "register", append(registrationFieldSteps(pseudo, email, password, "Centre social des Tilleuls"),
		chromedp.Click(byButton("Créer mon compte")),
		chromedp.WaitVisible(byFlash("Bienvenue "+pseudo)),
		chromedp.WaitVisible(byHeading("Mon compte")),
	)...)
	browse(t, ctx, "confirm the address",
		chromedp.Navigate(mailedLink(t, ts, email, verifyLinkInLog)),
		chromedp.Click(byButton("Confirmer mon adresse")),
		chromedp.WaitVisible(byFlash("votre adresse e-mail est confirmée")),
	)

	// 2. She logs out and in again.
	logOut(pseudo)
	browse(t, ctx, "Nadia logs in", logInSteps(email, password, pseudo)...)

	// 3. She asks her question.
	browse(t, ctx, "Nadia opens the new topic form", openNewTopicSteps()...)
	browse(t, ctx, "Nadia fills in the form",
		chromedp.SendKeys(chromedp.ID("f-title"), title),
		// Typing on a focused select picks the option, as with a keyboard.
		chromedp.SendKeys(chromedp.ID("f-category"), "Démarches"),
		chromedp.SendKeys(chromedp.ID("f-tags"), "caf, quotient familial"),
		chromedp.SendKeys(chromedp.ID("f-body"), firstParagraph+"\n\n"+secondParagraph),
	)
	if v := browserValue(t, ctx, chromedp.ID("f-category")); v != "demarches-en-ligne" {
		t.Fatalf("category select holds %q after typing, want demarches-en-ligne", v)
	}
	browse(t, ctx, "Nadia publishes her question",
		chromedp.Click(byButton("Publier")),
		chromedp.WaitVisible(byFlash("Votre discussion est publiée")),
		chromedp.WaitVisible(byHeading(title)),
	)
	if meta := browserText(t, ctx, chromedp.CSS(".topic-meta")); !strings.Contains(meta, "Question") || !strings.Contains(meta, "#caf") || !strings.Contains(meta, "#quotient-familial") {
		t.Errorf("the topic's meta reads %q, want a question tagged #caf and #quotient-familial", meta)
	}
	u, err := url.Parse(browserEval[string](t, ctx, "read the URL", `location.href`))
	if err != nil || !strings.HasPrefix(u.Path, "/discussions/") {
		t.Fatalf("after publishing, Nadia is at %v (%v)", u, err)
	}
	topicPath := u.Path
	logOut(pseudo)

	// 4. Lucie selects words of the question and clicks « Citer ». With
	// JavaScript, site.js would quote the selection without leaving the
	// page; without it, the link loads the page with the whole post quoted
	// by the server. This is the check that scripts are really off.
	browse(t, ctx, "Lucie logs in", logInSteps("Lucie", testPassword, "Lucie")...)
	openTopic("Lucie")
	if got := browserEval[string](t, ctx, "select words of Nadia's post", `(() => {
		const p = document.querySelector("article.post .post-body p");
		const part = `+strconv.Quote(selected)+`;
		const node = p.firstChild, i = node.data.indexOf(part);
		if (i < 0) return "";
		const range = document.createRange();
		range.setStart(node, i);
		range.setEnd(node, i + part.length);
		getSelection().removeAllRanges();
		getSelection().addRange(range);
		return getSelection().toString();
	})()`); got != selected {
		t.Fatalf("selected %q in Nadia's post, want %q", got, selected)
	}
	leavePage(t, ctx, "Lucie clicks Citer under Nadia's post: the server's page must load (is site.js off?)", `//main//p[contains(@class,"replying-to")]`,
		chromedp.Click(byActionUnder(pseudo, "a", "Citer")),
	)
	if loc := browserEval[string](t, ctx, "read the URL", `location.href`); loc != base+topicPath+"?citer=1#reponse" {
		t.Errorf("Citer led to %q, want %s", loc, base+topicPath+"?citer=1#reponse")
	}
	quoted := browserValue(t, ctx, replyBox)
	wantQuote := "> **@" + pseudo + "** [a écrit](" + topicPath + "?post=1#post-1) :\n> " + firstParagraph + "\n>\n> " + secondParagraph + "\n"
	if !strings.HasPrefix(quoted, wantQuote) {
		t.Errorf("after Citer, the reply box holds %q, want it to start with the whole post %q", quoted, wantQuote)
	}
	browse(t, ctx, "Lucie types her answer after the quote and publishes it", append(typeAtEndSteps(replyBox, answer),
		chromedp.Click(byButton("Publier la réponse")),
		chromedp.WaitVisible(byFlash("Votre réponse est publiée")),
		chromedp.WaitVisible(chromedp.Search(postOf("Lucie"))),
	)...)
	if quote := browserText(t, ctx, chromedp.Search(postOf("Lucie")+`//div[contains(@class,"post-body")]/blockquote`)); !strings.Contains(quote, firstParagraph) || !strings.Contains(quote, secondParagraph) {
		t.Errorf("Lucie's post quotes %q, want Nadia's whole post", quote)
	}
	if body := browserText(t, ctx, chromedp.Search(postOf("Lucie")+`//div[contains(@class,"post-body")]`)); !strings.Contains(body, "rubrique Mes attestations") {
		t.Errorf("Lucie's post reads %q, want her answer after the quote", body)
	}
	if meta := browserText(t, ctx, chromedp.Search(postOf("Lucie")+`//*[contains(@class,"post-meta")]`)); !strings.Contains(meta, "en réponse à @"+pseudo) {
		t.Errorf("Lucie's post meta reads %q, want « en réponse à @%s »", meta, pseudo)
	}
	logOut("Lucie")

	// 5. Nadia accepts the answer.
	browse(t, ctx, "Nadia logs in again", logInSteps(pseudo, password, pseudo)...)
	openTopic(pseudo)
	browse(t, ctx, "Nadia accepts Lucie's answer",
		chromedp.Click(byActionUnder("Lucie", "button", "Marquer comme réponse acceptée")),
		chromedp.WaitVisible(byFlash("Réponse acceptée")),
		chromedp.WaitVisible(chromedp.Search(`//main//section[contains(@class,"accepted-answer")]/h2[`+textOf+`="Réponse acceptée"]`)),
	)
	if accepted := browserText(t, ctx, chromedp.CSS("section.accepted-answer")); !strings.Contains(accepted, "Par Lucie") || !strings.Contains(accepted, "rubrique Mes attestations") {
		t.Errorf("the accepted answer section reads %q", accepted)
	}
	if badge := browserText(t, ctx, chromedp.CSS(".topic-meta .badge.ok")); badge != "Résolue" {
		t.Errorf("topic badge reads %q, want Résolue", badge)
	}
	if mark := browserText(t, ctx, chromedp.Search(postOf("Lucie")+`//*[contains(@class,"accepted-mark")]`)); !strings.Contains(mark, "Réponse acceptée") {
		t.Errorf("Lucie's post is marked %q", mark)
	}

	// 6. Nadia starts her thanks, saves it as a draft, leaves, and resumes
	// it from « Mes brouillons ».
	browse(t, ctx, "Nadia saves a draft of her reply",
		chromedp.SendKeys(replyBox, thanks),
		chromedp.Click(byButton("Enregistrer le brouillon")),
		chromedp.WaitVisible(byFlash("Brouillon enregistré")),
	)
	browse(t, ctx, "Nadia leaves for Mes brouillons",
		chromedp.Click(bySiteNav("Mes brouillons")),
		chromedp.WaitVisible(byHeading("Mes brouillons")),
	)
	if excerpt := browserText(t, ctx, chromedp.CSS("ul.drafts")); !strings.Contains(excerpt, thanks) {
		t.Errorf("Mes brouillons reads %q, want the draft", excerpt)
	}
	browse(t, ctx, "Nadia resumes the draft",
		chromedp.Click(chromedp.Search(`//main//ul[contains(@class,"drafts")]//a[`+textOf+`="Réponse à « `+title+` »"]`)),
		chromedp.WaitVisible(byHeading(title)),
	)
	if v := browserValue(t, ctx, replyBox); v != thanks {
		t.Errorf("after resuming, the reply box holds %q, want %q", v, thanks)
	}
	browse(t, ctx, "Nadia publishes her thanks",
		chromedp.Click(byButton("Publier la réponse")),
		chromedp.WaitVisible(byFlash("Votre réponse est publiée")),
		chromedp.Click(bySiteNav("Mes brouillons")),
		chromedp.WaitVisible(byHeading("Mes brouillons")),
		chromedp.WaitVisible(chromedp.Search(`//main/p[`+textOf+`="Aucun brouillon en cours."]`)),
	)

	// 7. She searches from the header, then narrows to a category with a
	// facet of the results page.
	ts.syncIndex()
	leavePage(t, ctx, "Nadia searches « attestation » from the header", `//main//p[contains(@class,"count")]`,
		chromedp.SendKeys(chromedp.ID("q-header"), "attestation"+kb.Enter),
	)
	results := chromedp.CSS("main ol.results")
	if got := browserText(t, ctx, results); !strings.Contains(got, title) || !strings.Contains(got, otherTitle) {
		t.Errorf("the results of « attestation » read %q, want both topics", got)
	}
	leavePage(t, ctx, "Nadia clicks the category facet « Démarches en ligne »",
		`//main//ul[contains(@class,"active-filters")]/li[starts-with(`+textOf+`,"Catégorie : Démarches en ligne")]`,
		chromedp.Click(chromedp.Search(`//main//aside[contains(@class,"facets")]//a[`+textOf+`="Démarches en ligne"]`)),
	)
	if got := browserText(t, ctx, results); !strings.Contains(got, title) || strings.Contains(got, otherTitle) {
		t.Errorf("the results filtered by category read %q, want only Nadia's topic", got)
	}
	if q, err := url.Parse(browserEval[string](t, ctx, "read the URL", `location.href`)); err != nil || q.Query().Get("categorie") != "demarches-en-ligne" || q.Query().Get("q") != "attestation" {
		t.Errorf("with the category filter the URL is %v (%v)", q, err)
	}
	t.Logf("the journeys took %s without JavaScript", time.Since(began).Round(time.Millisecond))
}
