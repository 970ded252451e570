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
	// A moderator who knows her vouches for her: her first posts go
	// through instead of waiting for review.
	if _, err := ts.srv.store.Vouch(ts.ctx(), ts.mustCreateMember("Modo", content.RoleModerator), ts.mustUser(pseudo).ID); err != nil {
		t.Fatal(err)
	}

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

// TestBrowserMoreJourneysWithoutJavaScript walks more journeys of a member
// with script execution disabled: Nadia renames and retags her question and
// finds the former title in the history of its opening post; she previews a
// reply with the « Aperçu » button, then publishes it; she saves Lucie's
// answer for later, finds it in « Mes enregistrements » and takes it off;
// then she searches a word of several messages of her discussion, which
// comes once, and follows the link to its other matching messages.
func TestBrowserMoreJourneysWithoutJavaScript(t *testing.T) {
	ts, base := browserSite(t)
	const (
		pseudo   = "Nadia"
		oldTitle = "Où est passé le simulateur des aides au logement ?"
		newTitle = "Simulateur des aides au logement de la CAF introuvable"
		newTag   = "aide-au-logement"
		opening  = "Une personne accompagnée veut estimer son aide au logement, mais je ne trouve plus le simulateur sur le site de la CAF."
		// Lucie's two answers hold the searched word too.
		answer    = "Le simulateur est dans la rubrique « Faire une simulation », en bas de la page d’accueil."
		precision = "Précision : le simulateur demande les ressources des douze derniers mois."
		// Typed in the reply box: markdown and a mention.
		typed      = "**gras** et @Lucie"
		otherTitle = "Un simulateur de retraite à montrer en atelier"
		word       = "simulateur"
	)
	nadia := ts.mustCreateMember(pseudo, content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(nadia, oldTitle, opening, func(n *content.NewTopic) { n.Tags = "caf" })
	ts.mustReply(lucie, topic, answer, 0)
	ts.mustReply(lucie, topic, precision, 0)
	// Another discussion with the word, so that the search of step 4 finds
	// more than Nadia's and the restriction to hers shows.
	ts.mustCreateTopic(lucie, otherTitle, "Quel simulateur de retraite utilisez-vous avec les seniors ?",
		func(n *content.NewTopic) { n.Category = "outils-et-materiel" })

	ctx := browserContext(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	began := time.Now()
	ctx, cancel := context.WithDeadline(ctx, began.Add(50*time.Second))
	defer cancel()
	replyBox := chromedp.ID("f-body")

	browse(t, ctx, "Nadia logs in",
		append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")}, logInSteps(pseudo, testPassword, pseudo)...)...)
	browse(t, ctx, "Nadia opens her topic from Discussions",
		chromedp.Click(bySiteNav("Discussions")),
		chromedp.WaitVisible(byHeading("Discussions")),
		chromedp.Click(chromedp.Search(`//main//li[contains(@class,"topic-row")]/h3/a[`+textOf+`="`+oldTitle+`"]`)),
		chromedp.WaitVisible(byHeading(oldTitle)),
	)

	// 1. She renames and retags her topic with the « Modifier » link of its
	// opening post.
	browse(t, ctx, "Nadia follows Modifier under her opening post",
		chromedp.Click(byActionUnder(pseudo, "a", "Modifier")),
		chromedp.WaitVisible(byHeading("Modifier le message n°1")),
		chromedp.WaitVisible(chromedp.Search(`//main//label[@for="f-title"][starts-with(`+textOf+`,"Titre de la discussion")]`)),
		chromedp.WaitVisible(chromedp.Search(`//main//label[@for="f-tags"][starts-with(`+textOf+`,"Étiquettes")]`)),
	)
	if loc := browserEval[string](t, ctx, "read the URL", `location.pathname`); !strings.HasPrefix(loc, "/messages/") || !strings.HasSuffix(loc, "/modifier") {
		t.Errorf("Modifier led to %q, want /messages/{id}/modifier", loc)
	}
	if v := browserValue(t, ctx, chromedp.ID("f-title")); v != oldTitle {
		t.Errorf("the title field holds %q, want %q", v, oldTitle)
	}
	if v := browserValue(t, ctx, chromedp.ID("f-tags")); v != "caf" {
		t.Errorf("the tags field holds %q, want caf", v)
	}
	browse(t, ctx, "Nadia changes the title and the tags and saves",
		chromedp.Clear(chromedp.ID("f-title")),
		chromedp.SendKeys(chromedp.ID("f-title"), newTitle),
		chromedp.Clear(chromedp.ID("f-tags")),
		chromedp.SendKeys(chromedp.ID("f-tags"), "caf, aide au logement"),
		chromedp.Click(byButton("Enregistrer")),
		chromedp.WaitVisible(byFlash("Le message est modifié")),
		chromedp.WaitVisible(byHeading(newTitle)),
	)
	u, err := url.Parse(browserEval[string](t, ctx, "read the URL", `location.href`))
	if err != nil || u.Path == topic.Path() || !strings.HasPrefix(u.Path, "/discussions/"+strconv.FormatInt(topic.ID, 10)+"/") {
		t.Errorf("after the edit Nadia is at %v (%v), want the topic under its new slug (not %s)", u, err, topic.Path())
	}
	topicPath := topic.Path()
	if err == nil {
		topicPath = u.Path
	}
	if n := xpathCount(t, ctx, `//main//p[contains(@class,"topic-meta")]/a[contains(@class,"tag")][@href="/etiquettes/`+newTag+`"][`+textOf+`="#`+newTag+`"]`); n != 1 {
		t.Errorf("the topic's meta reads %q, want one link to #%s", browserText(t, ctx, chromedp.CSS(".topic-meta")), newTag)
	}
	// Only the title and the tags changed, not the text: the history of the
	// opening post still keeps the former title. A member reaches it by the
	// « modifié » link of the post.
	edited := postOf(pseudo) + `//*[contains(@class,"post-meta")]//a[` + textOf + `="modifié"]`
	if xpathCount(t, ctx, edited) == 0 {
		t.Errorf("after a change of title and tags, the opening post has no « modifié » link: nothing on %s leads to the former title", topicPath)
		browse(t, ctx, "Nadia opens the history of her opening post by its address",
			chromedp.Navigate(base+topicPath+"/posts/1/versions"),
			chromedp.WaitVisible(byHeading("Historique du message n°1")),
		)
	} else {
		browse(t, ctx, "Nadia follows the modifié link of her opening post",
			chromedp.Click(chromedp.Search(edited)),
			chromedp.WaitVisible(byHeading("Historique du message n°1")),
		)
	}
	if loc := browserEval[string](t, ctx, "read the URL", `location.pathname`); loc != topicPath+"/posts/1/versions" {
		t.Errorf("the history is at %q, want %s/posts/1/versions", loc, topicPath)
	}
	former := browserText(t, ctx, chromedp.Search(`//main//section[h2[`+textOf+`="Titres, catégories et étiquettes précédents"]]`))
	if !strings.Contains(former, "« "+oldTitle+" »") || !strings.Contains(former, "étiquettes caf") || strings.Contains(former, newTitle) {
		t.Errorf("the former titles read %q, want « %s » tagged caf", former, oldTitle)
	}
	browse(t, ctx, "Nadia goes back to her topic",
		chromedp.Click(chromedp.Search(`//main/p/a[`+textOf+`="`+newTitle+`"]`)),
		chromedp.WaitVisible(byHeading(newTitle)),
	)

	// 2. She previews a reply: the server renders it and gives the form
	// back as typed.
	browse(t, ctx, "Nadia types a reply and presses Aperçu",
		chromedp.SendKeys(replyBox, typed),
		chromedp.Click(byButton("Aperçu")),
		chromedp.WaitVisible(chromedp.Search(`//main//form//section[contains(@class,"preview")]/h3[`+textOf+`="Aperçu"]`)),
	)
	preview := `//main//form//section[contains(@class,"preview")]/div[contains(@class,"post-body")]`
	if n := xpathCount(t, ctx, preview+`//strong[`+textOf+`="gras"]`); n != 1 {
		t.Errorf("the preview reads %q, want « gras » in bold", browserText(t, ctx, chromedp.Search(preview)))
	}
	if n := xpathCount(t, ctx, preview+`//a[contains(@class,"mention")][@href="/membres/Lucie"]`); n != 1 {
		t.Errorf("the preview reads %q, want @Lucie linked to her profile", browserText(t, ctx, chromedp.Search(preview)))
	}
	if v := browserValue(t, ctx, replyBox); v != typed {
		t.Errorf("after Aperçu, the reply box holds %q, want %q", v, typed)
	}
	if n := xpathCount(t, ctx, postOf(pseudo)+`//div[contains(@class,"post-body")]//strong`); n != 0 {
		t.Errorf("the previewed reply is already among the posts (%d)", n)
	}
	browse(t, ctx, "Nadia publishes the previewed reply",
		chromedp.Click(byButton("Publier la réponse")),
		chromedp.WaitVisible(byFlash("Votre réponse est publiée")),
		chromedp.WaitVisible(chromedp.Search(postOf(pseudo)+`//div[contains(@class,"post-body")]//strong[`+textOf+`="gras"]`)),
	)
	if n := xpathCount(t, ctx, `//main//section[contains(@class,"preview")]`); n != 0 {
		t.Errorf("after publishing, the page still shows a preview")
	}

	// 3. She saves Lucie's answer for later, finds it in « Mes
	// enregistrements », and takes it off the list.
	browse(t, ctx, "Nadia presses Enregistrer under Lucie's answer",
		chromedp.Click(byActionUnder("Lucie", "button", "Enregistrer")),
		chromedp.WaitVisible(byFlash("Message enregistré")),
	)
	if n := xpathCount(t, ctx, postOf("Lucie")+`//footer//button[@aria-pressed="true"][starts-with(`+textOf+`,"Enregistré le message n°2")]`); n != 1 {
		t.Errorf("after saving it, Lucie's answer shows no pressed « Enregistré » button")
	}
	browse(t, ctx, "Nadia opens Mes enregistrements from Mon compte",
		chromedp.Click(byHeaderLink("Mon compte")),
		chromedp.WaitVisible(byHeading("Mon compte")),
		chromedp.Click(chromedp.Search(`//main//a[`+textOf+`="mes enregistrements"]`)),
		chromedp.WaitVisible(byHeading("Mes enregistrements")),
	)
	saved := `//main//ul[contains(@class,"drafts")]/li[a[` + textOf + `="` + newTitle + `"]]`
	if got := browserText(t, ctx, chromedp.Search(saved)); !strings.Contains(got, "message de Lucie") || !strings.Contains(got, answer) {
		t.Errorf("the saved post reads %q, want Lucie's answer", got)
	}
	if href := browserEval[string](t, ctx, "read the link of the saved post", `document.evaluate(`+strconv.Quote(saved+`/a`)+`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.getAttribute("href")`); href != topicPath+"?post=2" {
		t.Errorf("the saved post links to %q, want %s?post=2", href, topicPath)
	}
	browse(t, ctx, "Nadia follows the link to the saved post",
		chromedp.Click(chromedp.Search(saved+`/a`)),
		chromedp.WaitVisible(byHeading(newTitle)),
		chromedp.WaitVisible(chromedp.Search(postOf("Lucie")+`[@id="post-2"]`)),
	)
	// The permalink redirects to the page of the post, at the post.
	if loc := browserEval[string](t, ctx, "read the URL", `location.pathname + location.search + location.hash`); loc != topicPath+"#post-2" {
		t.Errorf("the saved post's link led to %q, want %s#post-2", loc, topicPath)
	}
	browse(t, ctx, "Nadia comes back to Mes enregistrements",
		chromedp.Click(byHeaderLink("Mon compte")),
		chromedp.WaitVisible(byHeading("Mon compte")),
		chromedp.Click(chromedp.Search(`//main//a[`+textOf+`="mes enregistrements"]`)),
		chromedp.WaitVisible(byHeading("Mes enregistrements")),
	)
	browse(t, ctx, "Nadia takes the post off with Retirer",
		chromedp.Click(chromedp.Search(saved+`//button[starts-with(`+textOf+`,"Retirer")]`)),
		chromedp.WaitVisible(byFlash("Le message est retiré de vos enregistrements")),
		chromedp.WaitVisible(byHeading("Mes enregistrements")),
		chromedp.WaitVisible(chromedp.Search(`//main/p[starts-with(`+textOf+`,"Aucun message enregistré.")]`)),
	)

	// 4. She searches a word of three messages of her discussion: it comes
	// once, with a link to its other matching messages.
	ts.syncIndex()
	leavePage(t, ctx, "Nadia searches « "+word+" » from the header", `//main//p[contains(@class,"count")]`,
		chromedp.SendKeys(chromedp.ID("q-header"), word+kb.Enter),
	)
	mine := `//main//ol[contains(@class,"results")]/li[h2[contains(@class,"result-title")][` + textOf + `="` + newTitle + `"]]`
	if n := xpathCount(t, ctx, mine); n != 1 {
		t.Errorf("Nadia's discussion comes %d times in the results of « %s », want once:\n%s", n, word, browserText(t, ctx, chromedp.CSS("main ol.results")))
	}
	if n := xpathCount(t, ctx, `//main//ol[contains(@class,"results")]/li[h2[`+textOf+`="`+otherTitle+`"]]`); n != 1 {
		t.Errorf("the other discussion comes %d times in the results of « %s », want once", n, word)
	}
	if got := browserText(t, ctx, chromedp.CSS("main p.count")); got != "2 résultats." {
		t.Errorf("the count reads %q, want 2 résultats. (two discussions)", got)
	}
	others := mine + `/p[contains(@class,"result-others")]/a`
	if got := browserText(t, ctx, chromedp.Search(others)); got != "2 autres messages de cette discussion correspondent" {
		t.Errorf("Nadia's discussion reads %q under it, want « 2 autres messages de cette discussion correspondent »", got)
	}
	leavePage(t, ctx, "Nadia follows the link to the other messages of her discussion",
		`//main//ul[contains(@class,"active-filters")]/li[starts-with(`+textOf+`,"Discussion : « `+newTitle+` »")]`,
		chromedp.Click(chromedp.Search(others)),
	)
	if q, err := url.Parse(browserEval[string](t, ctx, "read the URL", `location.href`)); err != nil || q.Query().Get("discussion") != strconv.FormatInt(topic.ID, 10) || q.Query().Get("q") != word {
		t.Errorf("within the discussion the URL is %v (%v), want q=%s&discussion=%d", q, err, word, topic.ID)
	}
	within := browserText(t, ctx, chromedp.CSS("main ol.results"))
	if n := xpathCount(t, ctx, `//main//ol[contains(@class,"results")]/li`); n != 3 || strings.Contains(within, otherTitle) {
		t.Errorf("within the discussion, %d results read %q, want its 3 matching messages only", n, within)
	}
	for _, want := range []string{"accompagnée", "Faire une simulation", "douze derniers mois"} {
		if !strings.Contains(within, want) {
			t.Errorf("within the discussion, the results lack %q:\n%s", want, within)
		}
	}
	if n := xpathCount(t, ctx, `//main//p[contains(@class,"result-others")]`); n != 0 {
		t.Errorf("within the discussion, %d results still link to other messages", n)
	}
	t.Logf("the journeys took %s without JavaScript", time.Since(began).Round(time.Millisecond))
}

// xpathCount is how many nodes of the page the XPath expression xp finds.
func xpathCount(t *testing.T, ctx context.Context, xp string) int {
	t.Helper()
	return browserEval[int](t, ctx, "count "+xp, `document.evaluate("count("+`+strconv.Quote(xp)+`+")", document, null, XPathResult.NUMBER_TYPE, null).numberValue`)
}
