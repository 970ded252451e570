package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ligue-mednum/ligue/content"
)

// The moderation journey in headless Chromium: Karim flags Léa's post,
// which gives a beneficiary's phone number, as personal data; it
// disappears at once; the moderator reviews it from the queue, removing
// the number with a reason; Léa reads the decision from her notifications.
// The same journey passes with JavaScript off.

func TestBrowserModerationJourney(t *testing.T) { moderationJourney(t, true) }

func TestBrowserModerationJourneyWithoutJavaScript(t *testing.T) { moderationJourney(t, false) }

func moderationJourney(t *testing.T, scripts bool) {
	ts, base := browserSite(t)
	sam := ts.mustCreateMember("Sam", content.RoleMember)
	lea := ts.mustCreateMember("Lea", content.RoleMember)
	ts.mustCreateMember("Karim", content.RoleMember)
	modoUser := ts.mustCreateMember("Modo", content.RoleModerator)
	topic := ts.mustCreateTopic(sam, "Accompagner une demande de RSA", "Comment aider une personne sans ordinateur ?")
	post := ts.mustReply(lea, topic, "Appelez Mme Durand au 06 12 34 56 78, elle a réussi la sienne.", 0)

	karim := browserContext(t)
	modo := ficheTab(t, karim, "Modo")
	leaTab := ficheTab(t, karim, "Lea")
	if !scripts {
		noScripts(t, karim)
		noScripts(t, modo)
		noScripts(t, leaTab)
	}

	// Karim flags the post: it is gone at once.
	browse(t, karim, "Karim logs in", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")},
		logInSteps("Karim", testPassword, "Karim")...)...)
	leavePage(t, karim, "Karim opens the discussion", `//main//h1`, chromedp.Navigate(base+topic.Path()))
	leavePage(t, karim, "Karim clicks « Signaler »", `//main//h1[normalize-space()="Signaler un contenu"]`,
		chromedp.Click(byActionUnder("Lea", "a", "Signaler")))
	browse(t, karim, "Karim says why",
		chromedp.Click(chromedp.Search(`//label[@for="f-reason-personal_data"]`)),
		chromedp.SendKeys(chromedp.ID("f-comment"), "Le téléphone d’une bénéficiaire."))
	leavePage(t, karim, "Karim sends the flag", `//main//h1[normalize-space()="Accompagner une demande de RSA"]`,
		chromedp.Click(byButton("Signaler")))
	browse(t, karim, "Karim is told it is hidden", chromedp.WaitVisible(byFlash("masqué dès maintenant")))
	if page := browserText(t, karim, chromedp.Search(`//main`)); strings.Contains(page, "06 12 34 56 78") {
		t.Error("the phone number is still shown after the flag")
	}

	// The moderator reviews it from the queue.
	browse(t, modo, "the moderator logs in", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")},
		logInWithCodeSteps("Modo", testPassword, "Modo", ts.nextCode(modoUser))...)...)
	leavePage(t, modo, "the moderator opens the queue", `//main//h1[normalize-space()="Modération"]`,
		chromedp.Click(byHeaderLink("Modération")))
	item := "contenu-post-" + itoa64(post.ID)
	if got := browserText(t, modo, chromedp.ID(item)); !strings.Contains(got, "Données personnelles") ||
		!strings.Contains(got, "Le téléphone d’une bénéficiaire.") || !strings.Contains(got, "Comment aider une personne sans ordinateur") {
		t.Errorf("the queue's item reads %q", got)
	}
	browse(t, modo, "the moderator edits the number out, with a reason",
		chromedp.Click(chromedp.Search(`//label[@for="`+item+`-edit"]`)),
		chromedp.Clear(chromedp.ID(item+"-body")),
		chromedp.SendKeys(chromedp.ID(item+"-body"), "Appelez la bénéficiaire de ma part, elle a réussi la sienne."),
		chromedp.SendKeys(chromedp.ID(item+"-reason"), "Le numéro de téléphone d’une bénéficiaire a été retiré."))
	leavePage(t, modo, "the moderator applies it", `//main//h1[normalize-space()="Modération"]`,
		chromedp.Click(chromedp.Search(`//main//button[starts-with(`+textOf+`,"Appliquer la décision")]`)))
	browse(t, modo, "the decision is recorded", chromedp.WaitVisible(byFlash("Décision enregistrée")))

	// Léa reads the decision.
	browse(t, leaTab, "Léa logs in", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")},
		logInSteps("Lea", testPassword, "Lea")...)...)
	if err := ts.srv.SyncNotifications(ts.ctx()); err != nil { // the notifier does it within a second
		t.Fatal(err)
	}
	leavePage(t, leaTab, "Léa opens her notifications", `//main//h1`, chromedp.Navigate(base+"/notifications"))
	leavePage(t, leaTab, "Léa opens the decision", `//main//h1[normalize-space()="Décision de la modération"]`,
		chromedp.Click(chromedp.Search(`//main//a[starts-with(`+textOf+`,"La modération a modifié votre contribution")]`)))
	if got := browserText(t, leaTab, chromedp.Search(`//main`)); !strings.Contains(got, "Le numéro de téléphone d’une bénéficiaire a été retiré.") {
		t.Errorf("the decision page reads %q", got)
	}
	leavePage(t, leaTab, "Léa goes back to the discussion", `//main//h1`, chromedp.Navigate(base+topic.Path()))
	if got := browserText(t, leaTab, chromedp.Search(postOf("Lea"))); !strings.Contains(got, "Appelez la bénéficiaire de ma part") ||
		strings.Contains(got, "06 12") {
		t.Errorf("Léa's post now reads %q", got)
	}
}
