package server

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ligue-mednum/ligue/content"
)

// TestBrowserQuestionAnswered follows a question from its publication to its
// accepted answer, with two people in two tabs that share no cookies: Karim
// asks, Lucie quotes him and answers, Karim sees the unread reply, accepts
// it, and is told live of a further reply while he types.
func TestBrowserQuestionAnswered(t *testing.T) {
	ts, base := browserSite(t)
	ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateMember("Lucie", content.RoleMember)

	const (
		title = "Comment aider une personne sans adresse e-mail à faire sa demande de RSA ?"
		// The body is typed; its first paragraph is the one Lucie selects a
		// part of.
		firstParagraph  = "Une dame que j’accompagne n’a pas d’adresse e-mail et doit faire sa demande de RSA en ligne."
		secondParagraph = "Faut-il lui créer une adresse, ou existe-t-il une autre solution ?"
		selected        = "n’a pas d’adresse e-mail"
		// Lucie's answer mentions Karim in lower case.
		answer     = "@karim nous créons l’adresse avec elle sur place, et nous notons le mot de passe dans son carnet."
		karimDraft = "Merci Lucie, je teste ça demain avec elle."
		lateReply  = "Pensez aussi au compte France Connect : il évite un mot de passe de plus."
	)

	// Each person has a tab of their own, in separate browser contexts of
	// one Chromium (separate cookie jars, as two browsers; starting a second
	// Chromium would cost seconds). Karim's pages count the EventSource
	// streams they open, so the test knows when his page listens (a reply
	// published before that would never be announced).
	karim := browserContext(t)
	lucieTab, cancelLucieTab := chromedp.NewContext(karim, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelLucieTab)
	if err := chromedp.Do(lucieTab); err != nil {
		t.Fatalf("open Lucie's tab: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("Lucie's tab:")
			logBrowserState(t, lucieTab)
		}
	})
	lucie := lucieTab
	if _, err := chromedp.Call(karim, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		if (window.EventSource) {
			window.__streams = [];
			window.EventSource = class extends window.EventSource {
				constructor(...args) { super(...args); window.__streams.push(this); }
			};
		}`}); err != nil {
		t.Fatalf("watch Karim's EventSource streams: %v", err)
	}
	began := time.Now()
	// The whole journey gets 45 s; each step still gets at most
	// browserStepTimeout.
	deadline := began.Add(45 * time.Second)
	karim, cancelK := context.WithDeadline(karim, deadline)
	defer cancelK()
	lucie, cancelL := context.WithDeadline(lucie, deadline)
	defer cancelL()
	lap := began
	timing := func(step string) {
		t.Logf("%-40s %s", step, time.Since(lap).Round(time.Millisecond))
		lap = time.Now()
	}

	// Selectors of this journey.
	topicRow := `//li[contains(@class,"topic-row")][.//h3/a[` + textOf + `="` + title + `"]]`
	replyBox := chromedp.ID("f-body")
	// jsString is s as a JavaScript string literal.
	jsString := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	// step bounds one look at a page as browse bounds a step.
	step := func(ctx context.Context) (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, browserStepTimeout)
	}
	// waitFor polls a JavaScript condition of the page, bounded as a step.
	waitFor := func(ctx context.Context, what, cond string) {
		t.Helper()
		ctx, cancel := step(ctx)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(browserStepTimeout))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	logIn := func(ctx context.Context, pseudo string) {
		t.Helper()
		browse(t, ctx, pseudo+" logs in from the header",
			append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")}, logInSteps(pseudo, testPassword, pseudo)...)...)
	}
	openTopicFromList := func(ctx context.Context, who string) {
		t.Helper()
		browse(t, ctx, who+" opens the topic from Discussions",
			chromedp.Click(bySiteNav("Discussions")),
			chromedp.WaitVisible(byHeading("Discussions")),
			chromedp.Click(chromedp.Search(topicRow+`/h3/a[`+textOf+`="`+title+`"]`)),
			chromedp.WaitVisible(byHeading(title)),
		)
	}

	// 1. Karim asks his question.
	logIn(karim, "Karim")
	browse(t, karim, "Karim opens the new topic form", openNewTopicSteps()...)
	browse(t, karim, "Karim fills in the form",
		chromedp.SendKeys(chromedp.ID("f-title"), title),
		// Typing on a focused select picks the option, as with a keyboard.
		chromedp.SendKeys(chromedp.ID("f-category"), "Démarches"),
		chromedp.SendKeys(chromedp.ID("f-body"), firstParagraph+"\n\n"+secondParagraph),
	)
	if v := browserValue(t, karim, chromedp.ID("f-category")); v != "demarches-en-ligne" {
		t.Fatalf("category select holds %q after typing, want demarches-en-ligne", v)
	}
	if checked := browserEval[string](t, karim, "read the kind", `String(document.getElementById("kind-question").checked)`); checked != "true" {
		t.Errorf("the kind « question » is not checked by default (checked: %s)", checked)
	}
	browse(t, karim, "Karim publishes his question",
		chromedp.Click(byButton("Publier")),
		chromedp.WaitVisible(byFlash("Votre discussion est publiée")),
		chromedp.WaitVisible(byHeading(title)),
	)
	loc := browserEval[string](t, karim, "read Karim's URL", `location.href`)
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(u.Path, "/discussions/") {
		t.Fatalf("after publishing, Karim is at %q (%v)", loc, err)
	}
	topicPath := u.Path
	if got := browserText(t, karim, chromedp.CSS("article.post .post-body")); !strings.Contains(got, firstParagraph) || !strings.Contains(got, secondParagraph) {
		t.Errorf("Karim's post shows %q", got)
	}
	timing("1. Karim asks")

	// 2. Lucie quotes Karim (no selection: the server quotes the whole
	// post) and answers with a mention.
	logIn(lucie, "Lucie")
	openTopicFromList(lucie, "Lucie")
	browse(t, lucie, "Lucie clicks Citer under Karim's post",
		chromedp.Click(byActionUnder("Karim", "a", "Citer")),
		// Only the server's page says which message the reply answers.
		chromedp.WaitVisible(chromedp.CSS("p.replying-to")),
	)
	quoted := browserValue(t, lucie, replyBox)
	wantQuote := "> **@Karim** [a écrit](" + topicPath + "?post=1#post-1) :\n> " + firstParagraph + "\n>\n> " + secondParagraph + "\n"
	if !strings.HasPrefix(quoted, wantQuote) {
		t.Errorf("after Citer, the reply box holds %q, want it to start with %q", quoted, wantQuote)
	}
	browse(t, lucie, "Lucie types her answer after the quote", typeAtEndSteps(replyBox, answer)...)
	if v := browserValue(t, lucie, replyBox); v != quoted+answer {
		t.Errorf("before publishing, the reply box holds %q, want the quote then the answer", v)
	}
	browse(t, lucie, "Lucie publishes her answer",
		chromedp.Click(byButton("Publier la réponse")),
		chromedp.WaitVisible(byFlash("Votre réponse est publiée")),
		chromedp.WaitVisible(chromedp.Search(postOf("Lucie"))),
	)
	if meta := browserText(t, lucie, chromedp.Search(postOf("Lucie")+`//*[contains(@class,"post-meta")]`)); !strings.Contains(meta, "en réponse à @Karim") {
		t.Errorf("Lucie's post meta reads %q, want « en réponse à @Karim »", meta)
	}
	if quote := browserText(t, lucie, chromedp.Search(postOf("Lucie")+`//div[contains(@class,"post-body")]/blockquote`)); !strings.Contains(quote, firstParagraph) {
		t.Errorf("Lucie's post quotes %q", quote)
	}
	// The mention she typed (not the one of the quote) links to Karim.
	mention := chromedp.Search(postOf("Lucie") + `//div[contains(@class,"post-body")]/p//a[contains(concat(" ",normalize-space(@class)," ")," mention ")]`)
	mctx, cancel := step(lucie)
	href, err := chromedp.Run(mctx, chromedp.AttributeValue(mention, "href"))
	cancel()
	if err != nil || href.Value != "/membres/Karim" {
		t.Errorf("mention link of Lucie's answer points to %q (%v), want /membres/Karim", href.Value, err)
	}
	if text := browserText(t, lucie, mention); text != "@Karim" {
		t.Errorf("mention link reads %q, want @Karim", text)
	}
	timing("2. Lucie quotes and answers")

	// 3. With JavaScript, Citer quotes only the selected words of a post,
	// without leaving the page.
	if v := browserValue(t, lucie, replyBox); v != "" {
		t.Errorf("after publishing, the reply box still holds %q", v)
	}
	got := browserEval[string](t, lucie, "select words of Karim's post", `(() => {
		const post = [...document.querySelectorAll("article.post")].find(a => a.querySelector(".post-author a").textContent.trim() === "Karim");
		const p = post.querySelector(".post-body p");
		const part = `+jsString(selected)+`;
		const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const i = node.data.indexOf(part);
			if (i < 0) continue;
			const range = document.createRange();
			range.setStart(node, i);
			range.setEnd(node, i + part.length);
			const sel = getSelection();
			sel.removeAllRanges();
			sel.addRange(range);
			window.__samePage = true;
			return sel.toString();
		}
		return "";
	})()`)
	if got != selected {
		t.Fatalf("selected %q in Karim's post, want %q", got, selected)
	}
	before := browserEval[string](t, lucie, "read Lucie's URL", `location.href`)
	browse(t, lucie, "Lucie clicks Citer with a selection", chromedp.Click(byActionUnder("Karim", "a", "Citer")))
	waitFor(lucie, "the selection is quoted in the reply box", `document.querySelector("#f-body").value !== ""`)
	wantSelection := "> **@Karim** [a écrit](" + topicPath + "?post=1#post-1) :\n> " + selected + "\n\n"
	if v := browserValue(t, lucie, replyBox); v != wantSelection {
		t.Errorf("after Citer with a selection, the reply box holds %q, want %q", v, wantSelection)
	}
	if same := browserEval[string](t, lucie, "check the page stayed", `String(window.__samePage === true) + " " + location.href + " " + (document.activeElement && document.activeElement.id) + " " + document.querySelector('input[name="reply_to"]').value`); same != "true "+before+" f-body 1" {
		t.Errorf("after Citer with a selection: page kept, URL, focus, reply_to = %q, want %q", same, "true "+before+" f-body 1")
	}
	timing("3. Lucie quotes a selection (JS)")

	// 4. Karim sees the unread answer, accepts it, and the list shows the
	// question resolved.
	browse(t, karim, "Karim opens Discussions",
		chromedp.Click(bySiteNav("Discussions")),
		chromedp.WaitVisible(byHeading("Discussions")),
		chromedp.WaitVisible(chromedp.Search(topicRow)),
	)
	if badge := browserText(t, karim, chromedp.Search(topicRow+`//a[contains(@class,"new")]`)); !strings.HasPrefix(badge, "1 nouveau") {
		t.Errorf("unread badge of Karim's topic reads %q, want « 1 nouveau »", badge)
	}
	browse(t, karim, "Karim opens his topic and accepts Lucie's answer",
		chromedp.Click(chromedp.Search(topicRow+`/h3/a[`+textOf+`="`+title+`"]`)),
		chromedp.WaitVisible(byHeading(title)),
		chromedp.Click(byActionUnder("Lucie", "button", "Marquer comme réponse acceptée")),
		chromedp.WaitVisible(byFlash("Réponse acceptée : la question est marquée comme résolue")),
		chromedp.WaitVisible(chromedp.Search(`//main//section[contains(@class,"accepted-answer")]/h2[`+textOf+`="Réponse acceptée"]`)),
	)
	accepted := browserText(t, karim, chromedp.CSS("section.accepted-answer"))
	if !strings.Contains(accepted, "Par Lucie") || !strings.Contains(accepted, "nous notons le mot de passe") {
		t.Errorf("the accepted answer section reads %q", accepted)
	}
	// The question first, then the solution in short, then the answers.
	if order := browserEval[string](t, karim, "place of the accepted answer", `(() => {
		const q = document.querySelector("#post-1"), s = document.querySelector("section.accepted-answer"), a = document.querySelector("#post-2");
		return String(!!(q.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING) && !!(s.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING));
	})()`); order != "true" {
		t.Error("the accepted answer is not summed up between the question and the answers")
	}
	if badge := browserText(t, karim, chromedp.CSS(".topic-meta .badge.ok")); badge != "Résolue" {
		t.Errorf("topic badge reads %q, want Résolue", badge)
	}
	if mark := browserText(t, karim, chromedp.Search(postOf("Lucie")+`//*[contains(@class,"accepted-mark")]`)); !strings.Contains(mark, "Réponse acceptée") {
		t.Errorf("Lucie's post is marked %q", mark)
	}
	browse(t, karim, "Karim goes back to Discussions",
		chromedp.Click(bySiteNav("Discussions")),
		chromedp.WaitVisible(byHeading("Discussions")),
		chromedp.WaitVisible(chromedp.Search(topicRow)),
	)
	if n := browserEval[string](t, karim, "count unread badges", `String(document.querySelectorAll(".topic-row a.badge.new").length)`); n != "0" {
		t.Errorf("%s unread badges left after reading the topic", n)
	}
	if badge := browserText(t, karim, chromedp.Search(topicRow+`//span[contains(@class,"badge")]`)); badge != "Résolue" {
		t.Errorf("the topic's row shows the badge %q, want Résolue", badge)
	}
	timing("4. Karim accepts the answer")

	// 5. While Karim types on his topic's page, Lucie replies again: his page
	// announces it without reloading, and keeps his text.
	openTopicFromList(karim, "Karim")
	waitFor(karim, "Karim's page listens for new replies", `window.__streams && window.__streams.length > 0 && window.__streams.every(s => s.readyState === EventSource.OPEN)`)
	browse(t, karim, "Karim starts a reply", chromedp.SendKeys(replyBox, karimDraft))
	openTopicFromList(lucie, "Lucie")
	browse(t, lucie, "Lucie replies again",
		// Empty the box (a draft of the quote may have been saved), as with a
		// keyboard.
		chromedp.Focus(replyBox),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.SendKeys(replyBox, lateReply),
		chromedp.Click(byButton("Publier la réponse")),
		chromedp.WaitVisible(byFlash("Votre réponse est publiée")),
	)
	browse(t, karim, "Karim's page announces the reply", chromedp.WaitVisible(chromedp.CSS(".live-notice a")))
	if notice := browserText(t, karim, chromedp.CSS(".live-notice a")); notice != "1 nouvelle réponse — afficher" {
		t.Errorf("live notice reads %q", notice)
	}
	if v := browserValue(t, karim, replyBox); v != karimDraft {
		t.Errorf("Karim's reply box holds %q after the notice, want %q", v, karimDraft)
	}
	if loc := browserEval[string](t, karim, "read Karim's URL", `location.href`); loc != base+topicPath {
		t.Errorf("Karim's page moved to %q", loc)
	}
	browse(t, karim, "Karim shows the new reply",
		chromedp.Click(chromedp.CSS(".live-notice a")),
		chromedp.WaitVisible(chromedp.Search(`//article[@id="post-3"][.//div[contains(@class,"post-body")][contains(., "France Connect")]]`)),
	)
	timing("5. live notice")
	t.Logf("the journey took %s in the browsers", time.Since(began).Round(time.Millisecond))
}
