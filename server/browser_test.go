package server

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Browser tests drive a real headless Chromium against the real server on a
// TCP port, clicking and typing as a person would. They are skipped when no
// Chromium is installed, unless LIGUE_REQUIRE_BROWSER=1 (set by make test).

// browserTimeout bounds everything one browser test does.
const browserTimeout = 90 * time.Second

// findChromium returns the path of a Chromium-like browser, or "".
func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// browserContext starts a headless Chromium for t and returns the context of
// its tab, bounded by browserTimeout. The browser is closed when t ends; if t
// failed, a screenshot and the HTML of the page are logged first.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	return browserContextFor(t, browserTimeout)
}

// requireTool fails the test when a tool it needs is missing under make test
// (LIGUE_REQUIRE_BROWSER=1), and skips it otherwise.
func requireTool(t *testing.T, what, hint string) {
	t.Helper()
	if os.Getenv("LIGUE_REQUIRE_BROWSER") == "1" {
		t.Fatalf("LIGUE_REQUIRE_BROWSER=1 but %s is missing: %s", what, hint)
	}
	t.Skipf("%s is missing (%s)", what, hint)
}

// browserContextFor is browserContext for a test that needs longer than
// browserTimeout.
func browserContextFor(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		requireTool(t, "Chromium", "make test installs it, or set CHROMIUM to the browser's path")
	}
	// The allocator's deadline is a backstop that kills a stuck browser; the
	// tests' own deadline comes first.
	outer, cancelOuter := context.WithTimeout(context.Background(), timeout+30*time.Second)
	t.Cleanup(cancelOuter)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(outer,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests may run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	// The first Do starts the browser and ties its life to tabCtx, which
	// outlives the tests' deadline: the screenshot below still works after a
	// timeout.
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			logBrowserState(t, tabCtx)
		}
	})
	ctx, cancel := context.WithTimeout(tabCtx, timeout)
	t.Cleanup(cancel)
	return ctx
}

// logBrowserState saves a screenshot of the page into a temp dir and logs its
// path, the URL and the start of the page's HTML.
func logBrowserState(t *testing.T, tabCtx context.Context) {
	ctx, cancel := context.WithTimeout(tabCtx, 10*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		t.Logf("browser was at %s", loc)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err != nil {
		t.Logf("no screenshot: %v", err)
	} else {
		dir, err := os.MkdirTemp("", "ligue-browser-")
		if err == nil {
			file := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".png")
			if err := os.WriteFile(file, png, 0o644); err == nil {
				t.Logf("screenshot: %s", file)
			}
		}
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err != nil {
		t.Logf("no HTML: %v", err)
	} else {
		const max = 6000
		if len(html) > max {
			html = html[:max] + "\n…(truncated)"
		}
		t.Logf("page HTML:\n%s", html)
	}
}

// browserSite starts the real server on a free TCP port of 127.0.0.1, with
// that address as its base URL, and returns it with the base URL. A test may
// add routes of its own.
func browserSite(t *testing.T, extraRoutes ...func(*fiber.App)) (*testSite, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ts := newTestSite(t, func(c *Config) { c.BaseURL = base })
	for _, add := range extraRoutes {
		add(ts.srv.App()) // before listening: Fiber builds its routes then
	}
	go ts.srv.App().Listener(ln)
	stop := ts.srv.startBackground()
	t.Cleanup(func() {
		ts.srv.live.close() // open event streams would hold the shutdown
		ts.srv.App().Shutdown()
		stop()
	})
	return ts, base
}

// browserStepTimeout bounds one call of browse or browserText: a missing element fails fast instead of
// using up the whole test's time.
const browserStepTimeout = 20 * time.Second

// logInSteps open the login form from the header, send it, and wait until
// the header shows the member.
func logInSteps(login, password, pseudo string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(byHeaderLink("Se connecter")),
		chromedp.WaitVisible(byHeading("Se connecter")),
		chromedp.SendKeys(chromedp.ID("f-login"), login),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.Click(byButton("Se connecter")),
		chromedp.WaitVisible(byFlash("vous êtes connecté·e")),
		chromedp.WaitVisible(byHeaderLink(pseudo)),
	}
}

// openRegistrationSteps open the home page at base, then the registration
// form from the header.
func openRegistrationSteps(base string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/"),
		chromedp.Click(byHeaderLink("Créer un compte")),
		chromedp.WaitVisible(byHeading("Créer un compte")),
	}
}

// registrationFieldSteps type the required fields of the registration form.
func registrationFieldSteps(pseudo, email, password, structure string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.ID("f-pseudo"), pseudo),
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.SendKeys(chromedp.ID("f-structure"), structure),
		chromedp.Click(chromedp.ID("f-charte")), // « J’ai lu la charte… et je l’accepte »
	}
}

// openNewTopicSteps open Discussions from the site navigation, then its new
// topic form.
func openNewTopicSteps() []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(bySiteNav("Discussions")),
		chromedp.WaitVisible(byHeading("Discussions")),
		chromedp.Click(chromedp.Search(`//main//a[` + textOf + `="Nouvelle discussion"]`)),
		chromedp.WaitVisible(byHeading("Nouvelle discussion")),
	}
}

// typeAtEndSteps focus the field sel, go to the end of its text as with a
// keyboard (Ctrl+End), and type text there.
func typeAtEndSteps(sel chromedp.ID, text string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Focus(sel),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.SendKeys(sel, text),
	}
}

// browse runs browser steps, failing the test with what it was doing.
func browse(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// browserText returns the visible text of the first element sel finds.
func browserText[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("read text of %v: %v", sel, err)
	}
	return plain(s) // no-break spaces read as spaces, as expectations are written
}

// browserEval evaluates the JavaScript expression expr on the page, bounded
// as a step, and returns its value; it fails the test with what it was doing.
// (DevTools' own evaluation runs even when page scripts are disabled.)
func browserEval[T any](t *testing.T, ctx context.Context, what, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// browserValue returns the value of the form field sel, bounded as a step.
func browserValue(t *testing.T, ctx context.Context, sel chromedp.ID) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(sel))
	if err != nil {
		t.Fatalf("read the value of #%s: %v", sel, err)
	}
	return v
}

// leavePage runs steps that load another page, and waits until that new
// page shows arrival (an XPath from //). The page being left is marked
// first, so that nothing of it is taken for the new page.
func leavePage(t *testing.T, ctx context.Context, what, arrival string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	all := []chromedp.Action[chromedp.Void]{chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.left = "1"`)}
	all = append(all, steps...)
	all = append(all, chromedp.WaitVisible(chromedp.Search(`/html[not(@data-left)]`+arrival)))
	browse(t, ctx, what, all...)
}

// Selectors a person would go by: the visible labels of links, buttons and
// headings (XPath, resolved by the browser's DOM search).

// byHeaderLink is a link of the site header.
func byHeaderLink(label string) chromedp.Search {
	return chromedp.Search(`//header//a[` + textOf + `="` + label + `"]`)
}

// byButton is a button in the page's main content.
func byButton(label string) chromedp.Search {
	return chromedp.Search(`//main//button[` + textOf + `="` + label + `"]`)
}

// byLogoutButton is the "Se déconnecter" button of the header.
const byLogoutButton = chromedp.Search(`//header//button[` + textOf + `="Se déconnecter"]`)

// byFlash selects the flash message holding text (it only exists on the page
// after a redirect, so waiting for it waits for the navigation).
func byFlash(text string) chromedp.Search {
	return chromedp.Search(`//p[contains(@class,"flash")][contains(` + textOf + `, "` + text + `")]`)
}

// byHeading is the page's main heading.
func byHeading(text string) chromedp.Search {
	return chromedp.Search(`//main//h1[` + textOf + `="` + text + `"]`)
}

// bySiteNav is a link of the site's navigation, in its header.
func bySiteNav(label string) chromedp.Search {
	return chromedp.Search(`//header[contains(@class,"site-header")]//a[` + textOf + `="` + label + `"]`)
}

// postOf is the XPath of the (first) post of a member, found by its
// author's name.
func postOf(pseudo string) string {
	return `//article[contains(concat(" ",normalize-space(@class)," ")," post ")][.//*[contains(@class,"post-author")]/a[` + textOf + `="` + pseudo + `"]]`
}

// byActionUnder is a link or button (tag) under the post of pseudo whose
// label starts with label (their labels end with a visually hidden
// precision).
func byActionUnder(pseudo, tag, label string) chromedp.Search {
	return chromedp.Search(postOf(pseudo) + `//footer//` + tag + `[starts-with(` + textOf + `,"` + label + `")]`)
}

var verifyLinkInLog = regexp.MustCompile(`https?://[A-Za-z0-9.:\[\]-]+/verification\?jeton=[A-Za-z0-9_-]+`)

// mailedLink flushes the mail queue and returns the last link matching re in
// a mail to addr, as written to the server log (no SMTP in tests).
func mailedLink(t *testing.T, ts *testSite, addr string, re *regexp.Regexp) string {
	t.Helper()
	if err := ts.srv.FlushMail(context.Background()); err != nil {
		t.Fatalf("flush mail: %v", err)
	}
	link := ""
	for _, line := range strings.Split(ts.logs.String(), "\n") {
		if !strings.Contains(line, "msg=\"mail ") || !strings.Contains(line, "to="+addr) {
			continue
		}
		if m := re.FindAllString(line, -1); m != nil {
			link = m[len(m)-1]
		}
	}
	if link == "" {
		t.Fatalf("no mail to %s with a link matching %s in the log:\n%s", addr, re, ts.logs.String())
	}
	return link
}

func TestBrowserAccountJourney(t *testing.T) {
	ts, base := browserSite(t)
	ctx := browserContext(t)
	began := time.Now()

	const (
		// An accented pseudo: its profile URL is percent-encoded on the way.
		pseudo    = "Maëlle_29"
		email     = "maelle@exemple.fr"
		password  = "le numérique pour tous"
		structure = "Médiathèque de Quimper"
		renamed   = "Espace public numérique de Brest"
	)

	// 1. Register from the home page.
	browse(t, ctx, "open the home page and the registration form", openRegistrationSteps(base)...)
	browse(t, ctx, "fill in the registration form", append(registrationFieldSteps(pseudo, email, password, structure),
		chromedp.SendKeys(chromedp.ID("f-departement"), "Finistère"),
		// Typing on a focused select picks the option, as with a keyboard.
		chromedp.SendKeys(chromedp.ID("f-metier"), "Conseill"),
	)...)
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-metier"))); err != nil || v != "conseiller" {
		t.Fatalf("métier select holds %q (%v) after typing, want conseiller", v, err)
	}
	browse(t, ctx, "send the registration form",
		chromedp.Click(byButton("Créer mon compte")),
		chromedp.WaitVisible(byFlash("Bienvenue")),
	)
	if got := browserText(t, ctx, chromedp.CSS("p.flash")); !strings.Contains(got, "Bienvenue "+pseudo) || !strings.Contains(got, email) {
		t.Errorf("flash after registration: %q", got)
	}
	if got := browserText(t, ctx, chromedp.CSS(".notice")); !strings.Contains(got, "pas encore confirmée") {
		t.Errorf("no unconfirmed-address notice: %q", got)
	}
	browse(t, ctx, "land on Mon compte", chromedp.WaitVisible(byHeading("Mon compte")))

	// 2. Confirm the address with the link of the mail.
	link := mailedLink(t, ts, email, verifyLinkInLog)
	if !strings.HasPrefix(link, base+"/verification?jeton=") {
		t.Fatalf("verification link %q does not use the base URL %s", link, base)
	}
	browse(t, ctx, "open the verification link and confirm",
		chromedp.Navigate(link),
		chromedp.Click(byButton("Confirmer mon adresse")),
		chromedp.WaitVisible(byFlash("votre adresse e-mail est confirmée")),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".notice").length`)); err != nil || n != 0 {
		t.Errorf("unconfirmed notice still shown after confirmation (%d, %v)", n, err)
	}

	// 3. Log out, then log in again with the pseudo.
	browse(t, ctx, "log out",
		chromedp.Click(byLogoutButton),
		chromedp.WaitVisible(byFlash("Vous êtes déconnecté·e")),
		chromedp.WaitVisible(byHeaderLink("Se connecter")),
	)
	browse(t, ctx, "log in", logInSteps(pseudo, password, pseudo)...)

	// 4. Change the structure on Mon compte.
	browse(t, ctx, "open Mon compte",
		chromedp.Click(byHeaderLink("Mon compte")),
		chromedp.WaitVisible(byHeading("Mon compte")),
	)
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-structure"))); err != nil || v != structure {
		t.Errorf("structure field holds %q (%v), want %q", v, err, structure)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-metier"))); err != nil || v != "conseiller" {
		t.Errorf("métier select holds %q (%v), want conseiller", v, err)
	}
	browse(t, ctx, "change the structure",
		chromedp.Clear(chromedp.ID("f-structure")),
		chromedp.SendKeys(chromedp.ID("f-structure"), renamed),
		chromedp.Click(byButton("Enregistrer le profil")),
		chromedp.WaitVisible(byFlash("Votre profil est enregistré")),
	)
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-structure"))); err != nil || v != renamed {
		t.Errorf("after saving, structure field holds %q (%v), want %q", v, err, renamed)
	}

	// 5. The public profile shows it.
	browse(t, ctx, "open the public profile from the header",
		chromedp.Click(byHeaderLink(pseudo)),
		chromedp.WaitVisible(byHeading(pseudo)),
	)
	profile := browserText(t, ctx, chromedp.CSS("article.profile"))
	for _, want := range []string{renamed, "29 – Finistère", "Conseiller·ère numérique"} {
		if !strings.Contains(profile, want) {
			t.Errorf("public profile lacks %q:\n%s", want, profile)
		}
	}
	if strings.Contains(profile, structure) {
		t.Errorf("public profile still shows the old structure:\n%s", profile)
	}

	// 6. Log out: the header offers to log in, and Mon compte is closed.
	browse(t, ctx, "log out again",
		chromedp.Click(byLogoutButton),
		chromedp.WaitVisible(byFlash("Vous êtes déconnecté·e")),
		chromedp.WaitVisible(byHeaderLink("Se connecter")),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("header a[href='/compte']").length`)); err != nil || n != 0 {
		t.Errorf("header still links to Mon compte after logout (%d, %v)", n, err)
	}
	browse(t, ctx, "open /compte logged out",
		chromedp.Navigate(base+"/compte"),
		chromedp.WaitVisible(byHeading("Se connecter")),
	)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasPrefix(loc, base+"/connexion") {
		t.Errorf("/compte after logout ended at %q (%v), want %s/connexion…", loc, err, base)
	}
	if strings.Contains(ts.logs.String(), password) {
		t.Error("the password was written to the server log")
	}
	t.Logf("journey took %s in the browser", time.Since(began).Round(time.Millisecond))
}

// TestBrowserLoginWithoutJavaScript logs in and out with script execution
// disabled: every form of the path must work as plain HTML.
func TestBrowserLoginWithoutJavaScript(t *testing.T) {
	ts, base := browserSite(t)
	u := ts.mustCreateMember("Karim", content.RoleMember)
	ctx := browserContext(t)

	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	// Page scripts really are off (DevTools' own evaluation still runs).
	browse(t, ctx, "load a page with a script",
		chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script><p>x</p>`),
		chromedp.WaitVisible(chromedp.CSS("p")),
	)
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != "off" {
		t.Fatalf("scripts still run: title %q (%v)", title, err)
	}
	browse(t, ctx, "log in without JavaScript",
		append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")}, logInSteps(u.Email, testPassword, "Karim")...)...)
	browse(t, ctx, "go to Mon compte",
		chromedp.Click(byHeaderLink("Mon compte")),
		chromedp.WaitVisible(byHeading("Mon compte")),
	)
	browse(t, ctx, "log out without JavaScript",
		chromedp.Click(byLogoutButton),
		chromedp.WaitVisible(byFlash("Vous êtes déconnecté·e")),
		chromedp.WaitVisible(byHeaderLink("Se connecter")),
	)
}

// textOf is an element's text in XPath as the tests write it: spaces
// normalised, French typography's no-break spaces read as spaces.
const textOf = `normalize-space(translate(., "` + "\u00a0\u202f" + `", "  "))`
