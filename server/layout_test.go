package server

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ligue-mednum/ligue/content"
)

// phoneHeaderBudget is the most the site header may take on a 360 × 640
// phone: on a first screen of 640 px, several topics must show under it.
const phoneHeaderBudget = 130

// layoutScript measures the layout faults of issue "small layout faults" on
// the page in the tab, and returns them with the header's height.
const layoutScript = `(() => {
	const problems = [];
	const vw = document.documentElement.clientWidth;
	const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "");
	const header = document.querySelector(".site-header").getBoundingClientRect().height;

	// The page does not scroll sideways, and nothing is wider than it but
	// inside a box that scrolls (or clips) and fits.
	if (document.documentElement.scrollWidth > vw) problems.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " px for " + vw);
	const scrolled = e => {
		for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
			if (getComputedStyle(p).overflowX !== "visible") return p.getBoundingClientRect().width <= vw + 0.5;
		}
		return false;
	};
	for (const e of document.body.querySelectorAll("*")) {
		const r = e.getBoundingClientRect();
		if (r.width > vw + 0.5 && !scrolled(e)) { problems.push(name(e) + " is " + Math.round(r.width) + " px wide, wider than the " + vw + " px viewport"); break; }
	}

	// Each checkbox and radio sits on the first line of its label, which is
	// not bold.
	for (const input of document.querySelectorAll("input[type=checkbox], input[type=radio]")) {
		if (!input.getClientRects().length) continue;
		const label = input.labels && input.labels[0];
		if (!label) { problems.push(name(input) + " has no label"); continue; }
		const range = document.createRange();
		range.selectNodeContents(label);
		const line = range.getClientRects()[0], box = input.getBoundingClientRect();
		const middle = (box.top + box.bottom) / 2;
		if (!line || middle < line.top || middle > line.bottom) {
			problems.push(name(input) + " is not on the line of its label « " + label.textContent.trim() + " » (input middle " +
				Math.round(middle) + ", label line " + (line ? Math.round(line.top) + "–" + Math.round(line.bottom) : "none") + ")");
		}
		if (box.right > (line ? line.left : 0) + 1) problems.push(name(input) + " overlaps or follows its label « " + label.textContent.trim() + " »");
		if (parseInt(getComputedStyle(label).fontWeight, 10) >= 600) problems.push("the label « " + label.textContent.trim() + " » of " + name(input) + " is bold");
		const target = label.getBoundingClientRect();
		if (target.height < 24) problems.push("the label « " + label.textContent.trim() + " » is a " + Math.round(target.height) + " px high target");
	}

	// Relative dates (« il y a 9 jours ») stay on one line, links to a
	// message included.
	for (const time of document.querySelectorAll(".post-meta time, .topic-stats time")) {
		const e = time.closest("a") || time;
		if (e.getClientRects().length !== 1) problems.push("the date « " + e.textContent.trim() + " » breaks over " + e.getClientRects().length + " lines");
	}

	// An empty box of similar topics shows nothing.
	const similar = document.getElementById("similaires");
	if (similar && !similar.children.length) {
		const r = similar.getBoundingClientRect(), cs = getComputedStyle(similar);
		if (r.width * r.height > 0 || parseFloat(cs.paddingTop) > 0) problems.push("the empty box of similar topics shows (" + Math.round(r.width) + "×" + Math.round(r.height) + ")");
	}

	// The links at the foot of a list do not touch.
	const foot = document.querySelector(".list-footer");
	if (foot) {
		const items = Array.from(foot.querySelectorAll("a, button")).map(e => e.getBoundingClientRect());
		for (let i = 1; i < items.length; i++) {
			const a = items[i - 1], b = items[i];
			if (Math.abs(a.top - b.top) < 4 && b.left - a.right < 8) problems.push("the links at the foot of the list run together (" + Math.round(b.left - a.right) + " px apart)");
		}
	}
	return {header: Math.round(header), problems};
})()`

type layoutReport struct {
	Header   int      `json:"header"`
	Problems []string `json:"problems"`
}

func TestPhoneLayout(t *testing.T) {
	ts, base := browserSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Attestation CAF introuvable pour une personne accompagnée",
		"Où trouver l’attestation de paiement pour une personne accompagnée ?", func(n *content.NewTopic) { n.Tags = "caf, attestation" })
	// Authors of various structures, so that the line of a post's date
	// wraps at various places.
	for i, structure := range []string{"Médiathèque de Quimper", "EPN de Brest", "Centre social", "France Services de Morlaix", "Mairie"} {
		u := ts.mustCreateMember(fmt.Sprintf("Membre%d", i), content.RoleMember)
		if err := ts.srv.store.UpdateProfile(ts.ctx(), u.ID, content.Profile{Structure: structure, Departement: "29"}); err != nil {
			t.Fatal(err)
		}
		ts.mustReply(u, topic, "Dans l’espace **Mon Compte** de la CAF, rubrique Mes attestations.", 0)
	}
	ts.mustReply(lucie, topic, "Merci à toutes et à tous.", 0)
	ts.mustCreateTopic(lucie, "Imprimer une attestation sans imprimante", "Celle de l’accueil ne marche plus.",
		func(n *content.NewTopic) { n.Category, n.Tags = "outils-et-materiel", "impression" })
	ts.mustCreateTopic(karim, "Atelier smartphone pour les seniors", "Comment leur montrer où télécharger leurs attestations ?",
		func(n *content.NewTopic) { n.Category, n.Kind = "accompagnement-des-publics", content.KindDiscussion })
	ts.mustCreateTopic(lucie, "Carte Vitale perdue : que faire ?", "Une personne a perdu sa carte, elle n’a pas de compte ameli.")
	// Karim's header counts unread messages and notifications: the longest
	// account menu, with hidden words for screen readers in it.
	if _, err := ts.srv.store.StartConversation(ts.ctx(), lucie, content.NewConversation{Participants: "Karim", Title: "Atelier de jeudi",
		Body: "Tu peux me remplacer ?"}); err != nil {
		t.Fatal(err)
	}
	ts.mustReply(lucie, topic, "@Karim tu as vu ?", 0)
	// Nine days ago: « il y a 9 jours » is the longest relative date. (The
	// store's clock is not changed: the server's background work reads it.)
	old := time.Now().Add(-9*24*time.Hour - time.Hour).UTC()
	for _, q := range []string{`UPDATE posts SET created_at = ?1`, `UPDATE topics SET created_at = ?1, last_activity_at = ?1`} {
		if _, err := ts.srv.db.W.ExecContext(ts.ctx(), q, old); err != nil {
			t.Fatal(err)
		}
	}
	ts.syncIndex()

	dir := os.Getenv("LIGUE_LAYOUT_SHOTS") // to keep the screenshots
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browserContextFor(t, 3*time.Minute)

	size := func(width, height int64) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: height, DeviceScaleFactor: 1, Mobile: width < 600}); err != nil {
			t.Fatal(err)
		}
	}
	scheme := func(s string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}}}); err != nil {
			t.Fatal(err)
		}
	}
	measure := func(what string) layoutReport {
		t.Helper()
		var r layoutReport
		if err := json.Unmarshal(browserEval[[]byte](t, ctx, "measure "+what, layoutScript), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	full := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// check opens path (prepare then runs on it) and measures it on a phone
	// 360 and 320 px wide, then takes screenshots of it on a phone and on a
	// desktop, light and dark.
	check := func(who, path, prepare string) {
		t.Helper()
		name := strings.NewReplacer("/", "_", "?", "_", "=", "-", "&", "_").Replace(who + path)
		size(360, 640)
		scheme("light")
		leavePage(t, ctx, "open "+path, "//main//h1", chromedp.Navigate(base+path))
		if prepare != "" {
			browserEval[any](t, ctx, "prepare "+path, prepare)
		}
		r := measure(path + " at 360 px")
		t.Logf("%s %s: header %d px at 360 px", who, path, r.Header)
		if r.Header > phoneHeaderBudget {
			t.Errorf("%s %s: the header takes %d px at 360 px, budget %d", who, path, r.Header, phoneHeaderBudget)
		}
		for _, p := range r.Problems {
			t.Errorf("%s %s at 360 px: %s", who, path, p)
		}
		shot(name + "-360-light")
		full(name + "-360-light-full")
		scheme("dark")
		shot(name + "-360-dark")
		size(320, 640)
		for _, p := range measure(path + " at 320 px").Problems {
			t.Errorf("%s %s at 320 px: %s", who, path, p)
		}
		size(1280, 900)
		shot(name + "-1280-dark")
		scheme("light")
		shot(name + "-1280-light")
		for _, p := range measure(path + " at 1280 px").Problems {
			t.Errorf("%s %s at 1280 px: %s", who, path, p)
		}
	}

	const openOptions = `document.querySelectorAll("details").forEach(d => d.open = true)`
	check("visitor", "/discussions", openOptions)
	check("visitor", "/recherche?q=x", openOptions)
	check("visitor", "/recherche?q=attestation&tri=recent", "")
	check("visitor", topic.Path(), "")

	// Log in from the phone's header.
	size(360, 640)
	browse(t, ctx, "Karim logs in on a phone", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")},
		logInSteps("Karim", testPassword, "Karim")...)...)
	check("member", "/discussions", "")
	check("member", "/discussions/nouvelle", "")
	check("member", topic.Path(), "")

	// The box of similar topics shows once the script has found some, and
	// hides again when it finds none.
	size(360, 640)
	similarShown := `(() => { const e = document.getElementById("similaires"); return !!e && e.children.length > 0 && e.getBoundingClientRect().height > 20; })()`
	poll := func(what, cond string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(browserStepTimeout))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	browse(t, ctx, "type a title with similar topics",
		chromedp.Navigate(base+"/discussions/nouvelle"),
		chromedp.WaitVisible(chromedp.ID("f-title")),
		chromedp.SendKeys(chromedp.ID("f-title"), "attestation CAF"),
	)
	poll("wait for the similar topics", similarShown)
	shot("member_similar-360-light")
	browse(t, ctx, "type a title like no topic",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-title").value = ""`),
		chromedp.SendKeys(chromedp.ID("f-title"), "zzzyyyxxx wwwvvv"),
	)
	poll("wait for no similar topic", `document.getElementById("similaires").children.length === 0`)
	for _, p := range measure("the new topic form after an empty search").Problems {
		t.Errorf("after a title like no topic: %s", p)
	}

	// Without JavaScript, the phone's header is the same, and the keyboard
	// reaches the links scrolled out of sight.
	browse(t, ctx, "Karim logs out", chromedp.Navigate(base+"/"), chromedp.Click(byLogoutButton),
		chromedp.WaitVisible(byFlash("Vous êtes déconnecté·e")))
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	leavePage(t, ctx, "open /discussions without JavaScript", "//main//h1", chromedp.Navigate(base+"/discussions"))
	if r := measure("/discussions without JavaScript"); r.Header > phoneHeaderBudget {
		t.Errorf("without JavaScript, the header takes %d px at 360 px, budget %d", r.Header, phoneHeaderBudget)
	}
	for range 8 { // the skip link, the brand, Discussions, Fiches, Propositions, Recherche, Se connecter, Créer un compte
		browse(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
	}
	focused := browserEval[string](t, ctx, "read the focus", `(() => {
		const a = document.activeElement, r = a.getBoundingClientRect();
		// Chromium scrolls a focused link into view only when less than 32 px
		// of it shows: a link at the edge may stay cut, not hidden (WCAG
		// 2.4.11, focus not obscured). At least half of it must show.
		const shown = Math.min(r.right, innerWidth) - Math.max(r.left, 0);
		return a.textContent.trim() + (shown >= r.width / 2 ? "" : " (off screen, " + Math.round(r.left) + "–" + Math.round(r.right) + " px)");
	})()`)
	if focused != "Créer un compte" {
		t.Errorf("the eighth Tab on a phone focuses %q, want « Créer un compte », in view", focused)
	}
	shot("visitor_focus-360-light")
	t.Logf("screenshots in %s", dir)

}
