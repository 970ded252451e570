package server

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ligue-mednum/ligue/content"
)

// TestBrowserComposer writes a reply with the composer's enhancements, as a
// Discourse user would: Lucie mentions Karim by picking him, with the
// keyboard, from the list that opens on "@ka"; the live preview shows the
// mention; she pastes a screenshot, which is uploaded and its markdown
// inserted; she bolds a word with the toolbar; then she publishes.
func TestBrowserComposer(t *testing.T) {
	ts, base := browserSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateMember("Kamel", content.RoleMember) // "@ka" offers two pseudos
	ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Capture d’écran de l’attestation CAF", "Comment la joindre à un message ?")
	ctx := browserContext(t)
	began := time.Now()
	ctx, cancel := context.WithDeadline(ctx, began.Add(60*time.Second))
	defer cancel()

	box := chromedp.ID("f-body")
	waitFor := func(what, cond string) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
		defer cancel()
		if _, err := chromedp.Run(sctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(browserStepTimeout))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	browse(t, ctx, "Lucie logs in and opens the topic",
		append(append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")}, logInSteps("Lucie", testPassword, "Lucie")...),
			chromedp.Navigate(base+topic.Path()),
			chromedp.WaitVisible(byHeading(topic.Title)),
			chromedp.WaitVisible(chromedp.Search(`//main//div[@role="toolbar"][@aria-label="Mise en forme"]`)),
		)...)
	// The page records what its status regions say, so the short-lived
	// « Envoi de l’image… » can be checked afterwards.
	browserEval[bool](t, ctx, "watch the status regions", `(() => {
		window.__said = [];
		new MutationObserver(() => document.querySelectorAll(".reply [role=status]").forEach(s => {
			if (s.textContent && window.__said[window.__said.length - 1] !== s.textContent) window.__said.push(s.textContent);
		})).observe(document.querySelector(".reply form"), {subtree: true, childList: true, characterData: true});
		return true;
	})()`)

	// 1. "@ka" opens the list; ArrowDown moves to Karim, Enter inserts him.
	browse(t, ctx, "Lucie types a mention", chromedp.SendKeys(box, "Bonjour @ka"))
	waitFor("the mention list opens with Kamel and Karim", `(() => {
		const l = document.getElementById("f-body-membres");
		return !!l && !l.hidden && [...l.querySelectorAll("[role=option]")].map(o => o.textContent).join() === "@Kamel,@Karim";
	})()`)
	state := `(() => {
		const b = document.getElementById("f-body"), a = b.getAttribute("aria-activedescendant");
		return [b.getAttribute("aria-autocomplete"), b.getAttribute("aria-controls"), a && document.getElementById(a).textContent,
			document.querySelector("#f-body-membres [aria-selected=true]").textContent].join(" ");
	})()`
	if got := browserEval[string](t, ctx, "read the combobox state", state); got != "list f-body-membres @Kamel @Kamel" {
		t.Errorf("with the list open: %q, want the first option active", got)
	}
	checkAxe(t, ctx, "with the mention list open")
	browse(t, ctx, "Lucie moves to Karim", chromedp.KeyEvent(kb.ArrowDown))
	if got := browserEval[string](t, ctx, "read the combobox state", state); got != "list f-body-membres @Karim @Karim" {
		t.Errorf("after ArrowDown: %q, want Karim active", got)
	}
	browse(t, ctx, "Lucie picks Karim with Enter", pressKey(kb.Enter))
	if v := browserValue(t, ctx, box); v != "Bonjour @Karim " {
		t.Fatalf("after picking Karim, the box holds %q", v)
	}
	if hidden := browserEval[bool](t, ctx, "read the list", `document.getElementById("f-body-membres").hidden && !document.getElementById("f-body").hasAttribute("aria-activedescendant")`); !hidden {
		t.Error("the mention list stays open after the choice")
	}
	// Escape closes the list without choosing.
	browse(t, ctx, "Lucie starts another mention", chromedp.SendKeys(box, "et @kam"))
	waitFor("the list opens on Kamel", `!document.getElementById("f-body-membres").hidden`)
	browse(t, ctx, "Lucie closes it with Escape", chromedp.KeyEvent(kb.Escape))
	if v := browserEval[string](t, ctx, "read the box", `document.getElementById("f-body-membres").hidden + " " + document.getElementById("f-body").value`); v != "true Bonjour @Karim et @kam" {
		t.Errorf("after Escape: %q, want the list closed and the text as typed", v)
	}
	browse(t, ctx, "Lucie goes on typing",
		chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace),
		chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace),
		chromedp.SendKeys(box, ", voici la capture :"))

	// 2. The live preview shows the mention, rendered by the server.
	waitFor("the live preview shows the mention link", `(() => {
		const a = document.querySelector(".reply section.preview .post-body a.mention");
		return !!a && a.getAttribute("href") === "/membres/Karim" && a.textContent === "@Karim";
	})()`)
	if h := browserText(t, ctx, chromedp.CSS(".reply section.preview h3#apercu")); h != "Aperçu" {
		t.Errorf("preview heading %q", h)
	}

	// 3. A pasted image is uploaded, its markdown inserted at the caret.
	png := base64.StdEncoding.EncodeToString(pngImage(t, 64, 48))
	browserEval[bool](t, ctx, "paste an image", `(() => {
		const bytes = Uint8Array.from(atob("`+png+`"), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "image.png", {type: "image/png"}));
		const box = document.getElementById("f-body");
		box.focus();
		box.setSelectionRange(box.value.length, box.value.length);
		return !box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
	})()`)
	waitFor("the image markdown is inserted", `document.getElementById("f-body").value.includes("[![image jointe par Lucie](/fichiers/")`)
	v := browserValue(t, ctx, box)
	if m := uploadLink.FindAllString(v, -1); !strings.HasPrefix(v, "Bonjour @Karim, voici la capture :\n\n[![image jointe par Lucie](/fichiers/") || len(m) != 2 {
		t.Errorf("after the paste, the box holds %q", v)
	}
	waitFor("the live preview shows the image", `!!document.querySelector(".reply section.preview .post-body a[href^='/fichiers/'] > img[src^='/fichiers/'][alt='image jointe par Lucie']")`)
	waitFor("the status says the image is added", `window.__said.some(s => s.startsWith("Image ajoutée"))`)
	if said := browserEval[string](t, ctx, "read the statuses", `window.__said.join(" | ")`); !strings.Contains(said, "Envoi de l’image…") {
		t.Errorf("the status never said « Envoi de l’image… »: %q", said)
	}

	// 4. The toolbar's « Gras » bolds the selected word.
	browse(t, ctx, "Lucie types a last line", typeAtEndSteps(box, "Merci d’avance.")...)
	browserEval[bool](t, ctx, "select « avance »", `(() => {
		const b = document.getElementById("f-body"), i = b.value.lastIndexOf("avance");
		b.setSelectionRange(i, i + 6);
		return true;
	})()`)
	browse(t, ctx, "Lucie clicks Gras", chromedp.Click(byButton("Gras")))
	if v := browserValue(t, ctx, box); !strings.HasSuffix(v, "Merci d’**avance**.") {
		t.Errorf("after Gras, the box ends with %q", v[max(0, len(v)-40):])
	}
	if sel := browserEval[string](t, ctx, "read focus and selection", `document.activeElement.id + " " + (b => b.value.slice(b.selectionStart, b.selectionEnd))(document.getElementById("f-body"))`); sel != "f-body avance" {
		t.Errorf("after Gras: focus and selection %q, want the word still selected in the box", sel)
	}
	// The toolbar is one tab stop; arrow keys move along it.
	browse(t, ctx, "Lucie moves along the toolbar", chromedp.Focus(byButton("Gras")), chromedp.KeyEvent(kb.ArrowRight))
	if got := browserEval[string](t, ctx, "read the toolbar", `document.activeElement.textContent + " " + [...document.querySelectorAll(".md-toolbar button")].map(b => b.tabIndex).join("")`); got != "Italique -10-1-1-1-1" {
		t.Errorf("after ArrowRight on Gras: %q, want Italique focused and the only tab stop", got)
	}

	// 5. Published, the post shows the mention, the image and the bold word.
	browse(t, ctx, "Lucie publishes",
		chromedp.Click(byButton("Publier la réponse")),
		chromedp.WaitVisible(byFlash("Votre réponse est publiée")),
		chromedp.WaitVisible(chromedp.Search(postOf("Lucie"))),
	)
	got := browserEval[string](t, ctx, "read Lucie's post", `(() => {
		const post = [...document.querySelectorAll("article.post")].find(a => a.querySelector(".post-author a").textContent.trim() === "Lucie");
		const body = post.querySelector(".post-body"), m = body.querySelector("a.mention"), img = body.querySelector("img");
		return [m && m.getAttribute("href"), m && m.textContent, img && img.getAttribute("src").replace(/[0-9a-f]{32}/, "H"), img && img.alt,
			img && img.complete && img.naturalWidth, body.querySelector("strong") && body.querySelector("strong").textContent].join(" ");
	})()`)
	if got != "/membres/Karim @Karim /fichiers/H.small.png image jointe par Lucie 64 avance" {
		t.Errorf("Lucie's post: %q", got)
	}
	t.Logf("composer journey took %s in the browser", time.Since(began).Round(time.Millisecond))
}

// pressKey presses key as a keyboard does: one keyDown carrying its text,
// which the page may cancel, then keyUp (chromedp.KeyEvent sends the text
// in a separate char event, which a cancelled keydown does not stop).
func pressKey(key string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, target *chromedp.Target) (chromedp.Void, error) {
		var down, up input.DispatchKeyEventParams
		for _, e := range kb.Encode([]rune(key)[0]) {
			switch e.Type {
			case kb.KeyDown:
				down = *e
			case kb.KeyUp:
				up = *e
			case kb.KeyChar:
				down.Text = e.Text
			}
		}
		if _, err := cdp.Call(ctx, target, input.DispatchKeyEvent, down); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, target, input.DispatchKeyEvent, up)
		return chromedp.Void{}, err
	}
}

// checkAxe runs axe-core's WCAG A/AA rules on the page as it is now (the
// audit only sees pages as they load).
func checkAxe(t *testing.T, ctx context.Context, when string) {
	t.Helper()
	axe, err := os.ReadFile(filepath.Join(nodeModules, "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("LIGUE_REQUIRE_BROWSER") == "1" {
			t.Errorf("axe-core is missing (%v): make test installs it", err)
		}
		return
	}
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(axe))); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core %s: %v", when, err)
	}
	for _, v := range violations {
		t.Errorf("axe %s %s: %s — %s", when, v.ID, v.Help, strings.Join(v.Nodes, ", "))
	}
}
