package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ligue-mednum/ligue/content"
)

// waitUntil polls the JavaScript condition cond on the page, failing the
// test with what it waited for.
func waitUntil(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(browserStepTimeout))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestBrowserTagCompletion types tags in the new topic form: "secu" offers
// « sécurité-sociale », picked with Enter; "ca" offers two tags, the second
// picked with ArrowDown and Enter; "c" no longer offers the tags already
// there, and Escape closes the list. The edit form completes tags too.
func TestBrowserTagCompletion(t *testing.T) {
	ts, base := browserSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Attestation CAF perdue", "Où la retrouver ?", func(n *content.NewTopic) { n.Tags = "caf, sécurité sociale" })
	ts.mustCreateTopic(karim, "Quotient familial de la CAF", "Comment le calculer ?", func(n *content.NewTopic) { n.Tags = "caf, carte vitale" })
	first, err := ts.srv.store.PostsPage(ts.ctx(), karim, topic.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := browserContext(t)
	tags := chromedp.ID("f-tags")
	browse(t, ctx, "Karim logs in and opens the new topic form",
		append(append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")}, logInSteps("Karim", testPassword, "Karim")...),
			chromedp.Navigate(base+"/discussions/nouvelle"),
			chromedp.WaitVisible(byHeading("Nouvelle discussion")),
			chromedp.WaitVisible(chromedp.Search(`//input[@id="f-tags"][@role="combobox"]`)),
		)...)
	options := `[...document.querySelectorAll("#f-tags-etiquettes [role=option]")].map(o => o.textContent).join(" | ")`
	state := `(() => {
		const f = document.getElementById("f-tags"), a = f.getAttribute("aria-activedescendant");
		return [f.getAttribute("aria-expanded"), f.getAttribute("aria-controls"), a && document.getElementById(a).textContent].join(" ");
	})()`

	browse(t, ctx, "Karim types « secu »", chromedp.SendKeys(tags, "secu"))
	waitUntil(t, ctx, "the tag list offers sécurité-sociale", `(() => {
		const l = document.getElementById("f-tags-etiquettes");
		return !!l && !l.hidden && `+options+` === "sécurité-sociale (1 discussion)";
	})()`)
	if got := browserEval[string](t, ctx, "read the combobox", state); got != "true f-tags-etiquettes sécurité-sociale (1 discussion)" {
		t.Errorf("with the list open: %q, want it expanded with its first option active", got)
	}
	// The list opens under the field, at the word being typed.
	var at struct{ DY, DX float64 }
	if err := json.Unmarshal(browserEval[[]byte](t, ctx, "measure the list", `(() => {
		const f = document.getElementById("f-tags").getBoundingClientRect(), l = document.getElementById("f-tags-etiquettes").getBoundingClientRect();
		return {dy: l.top - f.bottom, dx: l.left - f.left};
	})()`), &at); err != nil {
		t.Fatal(err)
	}
	if at.DY < -2 || at.DY > 4 || at.DX < 8 {
		t.Errorf("the tag list is %.0f px under the field and %.0f px from its left: want it just under, at the caret", at.DY, at.DX)
	}
	checkAxe(t, ctx, "with the tag list open")
	browse(t, ctx, "Karim picks it with Enter", pressKey(kb.Enter))
	if v := browserValue(t, ctx, tags); v != "sécurité-sociale, " {
		t.Errorf("after Enter the field holds %q, want « sécurité-sociale, »", v)
	}
	if got := browserEval[string](t, ctx, "read the combobox", state); got != "false f-tags-etiquettes " {
		t.Errorf("after the choice: %q, want the list closed", got)
	}

	browse(t, ctx, "Karim types « ca »", chromedp.SendKeys(tags, "ca"))
	waitUntil(t, ctx, "the list offers caf and carte-vitale", options+` === "caf (2 discussions) | carte-vitale (1 discussion)"`)
	browse(t, ctx, "Karim moves to carte-vitale and picks it", chromedp.KeyEvent(kb.ArrowDown), pressKey(kb.Enter))
	if v := browserValue(t, ctx, tags); v != "sécurité-sociale, carte-vitale, " {
		t.Errorf("after ArrowDown and Enter the field holds %q", v)
	}
	browse(t, ctx, "Karim types « c »", chromedp.SendKeys(tags, "c"))
	waitUntil(t, ctx, "the list offers only caf", `!document.getElementById("f-tags-etiquettes").hidden && `+options+` === "caf (2 discussions)"`)
	browse(t, ctx, "Karim closes it with Escape", chromedp.KeyEvent(kb.Escape))
	if got := browserEval[string](t, ctx, "read the field", `document.getElementById("f-tags-etiquettes").hidden + " " + document.getElementById("f-tags").value`); got != "true sécurité-sociale, carte-vitale, c" {
		t.Errorf("after Escape: %q, want the list closed and the text as typed", got)
	}

	// The edit form of the opening post completes tags the same way.
	browse(t, ctx, "Karim edits his topic",
		chromedp.Navigate(base+"/messages/"+itoa64(first[0].ID)+"/modifier"),
		chromedp.WaitVisible(chromedp.Search(`//input[@id="f-tags"][@role="combobox"]`)),
		chromedp.KeyEvent(kb.End),
	)
	browse(t, ctx, "Karim adds a tag", chromedp.SendKeys(tags, ", cart"))
	waitUntil(t, ctx, "the edit form offers carte-vitale", `!document.getElementById("f-tags-etiquettes").hidden && `+options+` === "carte-vitale (1 discussion)"`)
}

// TestBrowserMentionAtCaretAndQuotePreview: the @mention list opens at the
// line being typed, not under the box; quoting a selection updates the live
// preview as typing does, and so does a page that opens with a quote.
func TestBrowserMentionAtCaretAndQuotePreview(t *testing.T) {
	ts, base := browserSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Attestation CAF introuvable", "Dans l’espace Mon Compte, rubrique Mes attestations.")
	ctx := browserContext(t)
	box := chromedp.ID("f-body")
	browse(t, ctx, "Lucie logs in and opens the topic",
		append(append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")}, logInSteps("Lucie", testPassword, "Lucie")...),
			chromedp.Navigate(base+topic.Path()),
			chromedp.WaitVisible(chromedp.Search(`//main//div[@role="toolbar"][@aria-label="Mise en forme"]`)),
		)...)

	browse(t, ctx, "Lucie writes two lines and a mention on the third", chromedp.SendKeys(box, "Bonjour,\nune idée :\nvoir avec @ka"))
	waitUntil(t, ctx, "the mention list opens", `!document.getElementById("f-body-membres").hidden`)
	var at struct{ DY, DX, Line, Below float64 }
	if err := json.Unmarshal(browserEval[[]byte](t, ctx, "measure the list", `(() => {
		const b = document.getElementById("f-body"), cs = getComputedStyle(b), line = parseFloat(cs.lineHeight);
		const r = b.getBoundingClientRect(), l = document.getElementById("f-body-membres").getBoundingClientRect();
		const third = r.top + parseFloat(cs.borderTopWidth) + parseFloat(cs.paddingTop) + 3 * line;
		return {dy: l.top - third, dx: l.left - r.left, line: line, below: r.bottom - l.top};
	})()`), &at); err != nil {
		t.Fatal(err)
	}
	t.Logf("mention list: %.1f px from the bottom of the third line, %.0f px from the box's left, %.0f px above its bottom", at.DY, at.DX, at.Below)
	if at.DY < -2 || at.DY > 4 {
		t.Errorf("the mention list's top is %.1f px from the bottom of the line being typed, want under that line", at.DY)
	}
	if at.DX < 50 || at.Below < at.Line {
		t.Errorf("the mention list is %.0f px from the box's left and %.0f px above its bottom: want it at the caret, inside the box", at.DX, at.Below)
	}
	browse(t, ctx, "Lucie picks Karim", pressKey(kb.Enter))
	if v := browserValue(t, ctx, box); v != "Bonjour,\nune idée :\nvoir avec @Karim " {
		t.Fatalf("after picking Karim the box holds %q", v)
	}
	waitUntil(t, ctx, "the live preview shows the mention", `!!document.querySelector(".reply section.preview a.mention")`)

	// Quote a selection of Karim's post: the preview follows.
	browserEval[bool](t, ctx, "select part of Karim's post and click Citer", `(() => {
		const post = document.querySelector("article.post"), p = post.querySelector(".post-body p"), text = p.firstChild;
		const i = text.data.indexOf("rubrique");
		const r = document.createRange();
		r.setStart(text, i);
		r.setEnd(text, text.data.length);
		getSelection().removeAllRanges();
		getSelection().addRange(r);
		post.querySelector("a[data-quote]").click();
		return true;
	})()`)
	if v := browserValue(t, ctx, box); !strings.Contains(v, "\n> rubrique Mes attestations.") {
		t.Fatalf("after Citer the box holds %q", v)
	}
	waitUntil(t, ctx, "the live preview shows the quote", `(() => {
		const q = document.querySelector(".reply section.preview blockquote");
		return !!q && q.textContent.includes("rubrique Mes attestations");
	})()`)

	// A page that opens with a quote in the box previews it too.
	browse(t, ctx, "Lucie opens the quote link of the post",
		chromedp.Navigate(base+topic.Path()+"?citer=1#reponse"),
		chromedp.WaitVisible(chromedp.Search(`//main//div[@role="toolbar"]`)),
	)
	waitUntil(t, ctx, "the preview shows the quote", `(() => {
		const q = document.querySelector(".reply section.preview blockquote");
		return !!q && q.textContent.includes("Mes attestations");
	})()`)
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
