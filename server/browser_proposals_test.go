package server

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ligue-mednum/ligue/content"
)

// The proposal journey in headless Chromium: Léa starts a brouillon, writes
// a proposition, publishes version 1 after confirming, and Karim, in a
// browser of his own, signs it in one click. The same journey passes with
// JavaScript off.

func TestBrowserProposalJourney(t *testing.T) { proposalJourney(t, true) }

func TestBrowserProposalJourneyWithoutJavaScript(t *testing.T) { proposalJourney(t, false) }

func proposalJourney(t *testing.T, scripts bool) {
	ts, base := browserSite(t)
	ts.mustCreateMember("Lea", content.RoleMember)
	ts.mustCreateMember("Karim", content.RoleMember)
	const title = "10 propositions pour un numérique à échelle humaine"
	lea := browserContext(t)
	karim := ficheTab(t, lea, "Karim")
	if !scripts {
		noScripts(t, lea)
		noScripts(t, karim)
	}

	browse(t, lea, "Léa logs in", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")},
		logInSteps("Lea", testPassword, "Lea")...)...)
	leavePage(t, lea, "Léa opens the proposals", `//main//h1`, chromedp.Click(bySiteNav("Propositions")))
	leavePage(t, lea, "Léa starts a text", `//main//h1`, chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Nouveau texte"]`)))
	browse(t, lea, "Léa types the title and the préambule",
		chromedp.SendKeys(chromedp.ID("f-title"), title),
		chromedp.SendKeys(chromedp.ID("f-preamble"), "Nous, médiateurs et médiatrices du réseau, proposons…"))
	leavePage(t, lea, "Léa creates the brouillon", `//main//h1[normalize-space()="`+title+`"]`, chromedp.Click(byButton("Créer le brouillon")))
	if got := browserText(t, lea, chromedp.Search(`//main//*[contains(@class,"badge")]`)); got != "Brouillon" {
		t.Errorf("the new text's badge reads %q", got)
	}

	leavePage(t, lea, "Léa adds a proposition", `//main//h1`, chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Ajouter une proposition"]`)))
	browse(t, lea, "Léa writes it",
		chromedp.SendKeys(chromedp.ID("f-title"), "Un accueil physique dans chaque commune"),
		chromedp.SendKeys(chromedp.ID("f-body"), "Que chaque commune garde un lieu où être accompagné·e en personne."))
	leavePage(t, lea, "Léa saves it", `//main//h1[normalize-space()="`+title+`"]`, chromedp.Click(byButton("Enregistrer")))
	browse(t, lea, "the proposition is number 1", chromedp.WaitVisible(chromedp.ID("proposition-1")))

	// A brouillon: Karim does not see it.
	browse(t, karim, "Karim logs in", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")},
		logInSteps("Karim", testPassword, "Karim")...)...)
	path := browserEval[string](t, lea, "read the address", `location.pathname`)
	leavePage(t, karim, "Karim guesses the address", `//main//h1`, chromedp.Navigate(base+path))
	if got := browserText(t, karim, chromedp.Search(`//main//h1`)); got != "Page introuvable" {
		t.Errorf("Karim reading Léa's brouillon sees %q", got)
	}

	// Léa publishes version 1, confirming.
	leavePage(t, lea, "Léa manages the text", `//main//h1`, chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Gérer le texte"]`)))
	leavePage(t, lea, "Léa asks to publish", `//main//h1`, chromedp.Click(byButton("Publier la version 1…")))
	leavePage(t, lea, "Léa confirms", `//main//h1[normalize-space()="`+title+`"]`, chromedp.Click(byButton("Confirmer : Publier la version 1")))
	if got := browserText(t, lea, chromedp.Search(`//main//*[contains(@class,"badge")]`)); got != "Publié" {
		t.Errorf("after publishing, the badge reads %q", got)
	}

	// Karim now reads it and signs in one click.
	leavePage(t, karim, "Karim opens the text", `//main//h1[normalize-space()="`+title+`"]`, chromedp.Navigate(base+path))
	leavePage(t, karim, "Karim signs", `//main//h1[normalize-space()="`+title+`"]`, chromedp.Click(byButton("Signer ce texte")))
	if got := browserText(t, karim, chromedp.Search(`//section[@aria-labelledby="signer"]//p[1]/strong`)); got != "1 signature" {
		t.Errorf("after Karim signs, the count reads %q", got)
	}
	browse(t, karim, "Karim sees his signature", chromedp.WaitVisible(byButton("Retirer ma signature")))
}
