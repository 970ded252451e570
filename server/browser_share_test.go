package server

import (
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/ligue-mednum/ligue/content"
)

// TestBrowserCopyLink: « Lien » copies the post's absolute permalink and
// says « Lien copié », without leaving the page.
func TestBrowserCopyLink(t *testing.T) {
	ts, base := browserSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Attestation CAF introuvable", "Où la trouver ?")
	ts.mustReply(lucie, topic, "Dans Mon Compte.", 0)
	ctx := browserContext(t)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: base}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	browse(t, ctx, "a visitor opens the topic", chromedp.Navigate(base+topic.Path()), chromedp.WaitVisible(chromedp.Search(postOf("Lucie"))))
	said := postOf("Lucie") + `//footer//*[@role="status"]`
	if n := xpathCount(t, ctx, said); n != 1 {
		t.Fatalf("%d status regions next to Lucie's « Lien », want 1 (ready before it speaks)", n)
	}
	browse(t, ctx, "the visitor clicks Lien under Lucie's post", chromedp.Click(byActionUnder("Lucie", "a", "Lien")))
	waitUntil(t, ctx, "« Lien copié » is said", `document.evaluate(`+jsString(said)+`, document, null, XPathResult.STRING_TYPE, null).stringValue === "Lien copié"`)
	clip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the clipboard: %v", err)
	}
	if want := base + topic.Path() + "?post=2"; clip != want {
		t.Errorf("the clipboard holds %q, want %q", clip, want)
	}
	if loc := browserEval[string](t, ctx, "read the URL", `location.href`); loc != base+topic.Path() {
		t.Errorf("copying the link left the page for %s", loc)
	}
	checkAxe(t, ctx, "after « Lien copié »")

	// When the clipboard refuses, the selection copies, or the link leads to
	// the post as without JavaScript.
	browserEval[bool](t, ctx, "make the clipboard refuse", `(navigator.clipboard.writeText = () => Promise.reject(new Error("refusé")), true)`)
	browse(t, ctx, "the visitor clicks Lien under Karim's post", chromedp.Click(byActionUnder("Karim", "a", "Lien")))
	waitUntil(t, ctx, "the link is copied or followed", `(() => {
		const s = document.evaluate(`+jsString(postOf("Karim")+`//footer//*[@role="status"]`)+`, document, null, XPathResult.STRING_TYPE, null).stringValue;
		return s === "Lien copié" || location.hash === "#post-1";
	})()`)
}
