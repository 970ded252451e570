package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The page checks of issue #5, shared by the crawler (audit_test.go) and by
// the test that proves they catch a bad page. Each page is opened in headless
// Chromium and checked for:
//   - accessibility: axe-core's WCAG 2.1 A/AA rules (node_modules/axe-core);
//   - validity: the Nu HTML Checker (node_modules/vnu-jar, run on Java) on
//     the HTML exactly as the server sent it;
//   - reflow: no horizontal scrolling at 320 CSS pixels (which also covers
//     text enlarged to 200 % on a 640 px window);
//   - weight: HTML plus the site's CSS, JS and icons it loads, compressed as
//     served, for a first visit.
// Known exceptions live in testdata/audit-exceptions.txt, a reason each.

// firstVisitBudget is what a first visit of any page may download,
// compressed: the HTML and the site's own assets, user images excluded.
const firstVisitBudget = 60 * 1024

// auditTimeout bounds the whole crawl, every role included (on a shared
// 2-core machine, 250 pages take about eight minutes).
const auditTimeout = 12 * time.Minute

// wcagTags are the axe-core rule tags of WCAG 2.1 levels A and AA.
var wcagTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// nodeModules is where make test installs the checkers (npm ci, from
// package-lock.json at the root of the repository).
const nodeModules = "../node_modules"

// auditPage is one page checked, and what the checks found.
type auditPage struct {
	Role     string
	Path     string // path and query, or "POST /path" for a form's answer
	Status   int
	HTML     []byte // as the server sent it
	DocBytes int    // the HTML as transferred (compressed)
	Assets   int    // the site's own CSS, JS and icons the page loads, compressed
	Problems []string
}

func (p *auditPage) weight() int { return p.DocBytes + p.Assets }

func (p *auditPage) problemf(format string, args ...any) {
	p.Problems = append(p.Problems, fmt.Sprintf(format, args...))
}

// auditor drives one Chromium tab through the pages and runs the checks.
type auditor struct {
	t          *testing.T
	ctx        context.Context
	base       string
	cookies    []*http.Cookie // the role's session, for the HTTP link checks
	client     *http.Client
	exceptions []auditException

	mu      sync.Mutex
	lastDoc network.RequestID
	docs    map[network.RequestID]*docLoad

	assetSizes map[string]int // compressed size by asset URL
}

// docLoad is an HTML document the tab loaded.
type docLoad struct {
	status int
	bytes  int
}

// newAuditor opens a tab with axe-core loaded into every page.
func newAuditor(t *testing.T, base string) *auditor {
	t.Helper()
	axe, err := os.ReadFile(filepath.Join(nodeModules, "axe-core", "axe.min.js"))
	if err != nil {
		requireTool(t, "axe-core", "run make test, which installs it with npm ci")
	}
	if _, err := exec.LookPath("java"); err != nil {
		requireTool(t, "java", "run make test, which installs default-jre-headless")
	}
	ctx := browserContextFor(t, auditTimeout)
	a := &auditor{t: t, ctx: ctx, base: base, client: &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, docs: map[network.RequestID]*docLoad{}, assetSizes: map[string]int{}, exceptions: loadAuditExceptions(t)}
	if err := chromedp.Listen(ctx, a.record); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: string(axe)}); err != nil {
		t.Fatal(err)
	}
	return a
}

// record keeps the status and transferred size of every HTML document, so
// that a page's own bytes can be read after it loaded.
func (a *auditor) record(ev any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument {
			a.lastDoc = ev.RequestID
			a.docs[ev.RequestID] = &docLoad{status: int(ev.Response.Status)}
		}
	case *network.EventLoadingFinished:
		if d, ok := a.docs[ev.RequestID]; ok {
			d.bytes = int(ev.EncodedDataLength)
		}
	}
}

// actAs makes the tab and the HTTP checks use this session ("" for a
// visitor), with the colour scheme ("light" or "dark") the browser asks for.
func (a *auditor) actAs(session, scheme string) {
	a.t.Helper()
	if _, err := chromedp.Call(a.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
		a.t.Fatal(err)
	}
	if _, err := chromedp.Call(a.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		a.t.Fatal(err)
	}
	a.cookies = nil
	if session == "" {
		return
	}
	if _, err := chromedp.Call(a.ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: session, URL: a.base}); err != nil {
		a.t.Fatal(err)
	}
	a.cookies = []*http.Cookie{{Name: sessionCookie, Value: session}}
}

// open loads path in the tab and checks the page.
func (a *auditor) open(role, path string) *auditPage {
	a.t.Helper()
	return a.load(role, path, chromedp.Navigate(a.base+path))
}

// load runs a step that leads to a new page (a navigation, a form sent) and
// checks the page it leads to.
func (a *auditor) load(role, path string, step chromedp.Action[chromedp.Void]) *auditPage {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(a.ctx, browserStepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, step); err != nil {
		a.t.Fatalf("%s: open %s: %v", role, path, err)
	}
	p := &auditPage{Role: role, Path: path}
	a.mu.Lock()
	id, doc := a.lastDoc, a.docs[a.lastDoc]
	a.mu.Unlock()
	if doc == nil {
		a.t.Fatalf("%s: %s: the browser saw no HTML document", role, path)
	}
	p.Status, p.DocBytes = doc.status, doc.bytes
	body, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
	if err != nil {
		a.t.Fatalf("%s: %s: read the HTML: %v", role, path, err)
	}
	p.HTML = body.Body
	a.check(ctx, p)
	return p
}

// axeViolation is what axe-core reports for one rule.
type axeViolation struct {
	ID    string   `json:"id"`
	Help  string   `json:"help"`
	Nodes []string `json:"nodes"`
}

var axeRun = `axe.run(document, {runOnly: {type: "tag", values: ` + jsonString(wcagTags) + `}, resultTypes: ["violations"]})
	.then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})))`

// overflowAt320 lists the elements that stick out of a 320 px wide window.
const overflowAt320 = `(() => {
	const w = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= w) return [];
	return Array.from(document.body.querySelectorAll("*"))
		.filter(e => e.getBoundingClientRect().right > w + 1 && e.getClientRects().length)
		.slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).split(" ").join(".") : ""));
})()`

// check runs axe-core, the reflow check and the weight on the page in the tab.
func (a *auditor) check(ctx context.Context, p *auditPage) {
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		a.t.Fatalf("%s: %s: axe-core: %v", p.Role, p.Path, err)
	}
	for _, v := range violations {
		if !a.excepted("axe", v.ID, p.Path) {
			p.problemf("axe %s: %s — %s", v.ID, v.Help, strings.Join(v.Nodes, ", "))
		}
	}

	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 320, Height: 640, DeviceScaleFactor: 1}); err != nil {
		a.t.Fatal(err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowAt320))
	if err != nil {
		a.t.Fatalf("%s: %s: reflow: %v", p.Role, p.Path, err)
	}
	if _, err := chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		a.t.Fatal(err)
	}
	if len(wide) > 0 && !a.excepted("reflow", "320px", p.Path) {
		p.problemf("reflow: the page scrolls sideways at 320 px (%s)", strings.Join(wide, ", "))
	}

	assets, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("link[rel=stylesheet], link[rel~=icon], script[src]"), e => e.href || e.src)`))
	if err != nil {
		a.t.Fatal(err)
	}
	for _, u := range assets {
		p.Assets += a.assetSize(u)
	}
	if p.weight() > firstVisitBudget && !a.excepted("weight", "60KB", p.Path) {
		p.problemf("weight: a first visit downloads %s, over the %s budget", kbytes(p.weight()), kbytes(firstVisitBudget))
	}
}

// assetSize is the compressed size of one of the site's assets, as a
// browser asking for gzip downloads it.
func (a *auditor) assetSize(u string) int {
	if n, ok := a.assetSizes[u]; ok {
		return n
	}
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip") // set by hand: the body stays compressed
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("asset %s: %v", u, err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		a.t.Errorf("asset %s answers %d", u, resp.StatusCode)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" && n > 1024 {
		a.t.Errorf("asset %s is sent uncompressed (%d bytes)", u, n)
	}
	if !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=31536000") {
		a.t.Errorf("asset %s is not cached for long: Cache-Control %q", u, resp.Header.Get("Cache-Control"))
	}
	a.assetSizes[u] = int(n)
	return int(n)
}

// status fetches an internal URL over plain HTTP with the role's session, as
// the broken-link check does for every link found, and tells where it
// redirects to, if it does.
func (a *auditor) status(u string) (status int, contentType, location string) {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return 0, "", ""
	}
	for _, c := range a.cookies {
		req.AddCookie(c)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Errorf("GET %s: %v", u, err)
		return 0, "", ""
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Location")
}

// validate runs the Nu HTML Checker once over every page (the JVM takes
// seconds to start) and adds its errors to each page's problems.
func validate(t *testing.T, exceptions []auditException, pages []*auditPage) {
	t.Helper()
	jar := filepath.Join(nodeModules, "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		requireTool(t, "the Nu HTML Checker (vnu-jar)", "run make test, which installs it with npm ci")
	}
	dir := t.TempDir()
	files := make([]string, len(pages))
	byFile := map[string]*auditPage{}
	for i, p := range pages {
		files[i] = filepath.Join(dir, strconv.Itoa(i)+".html")
		if err := os.WriteFile(files[i], p.HTML, 0o644); err != nil {
			t.Fatal(err)
		}
		byFile[filepath.Base(files[i])] = p
	}
	cmd := exec.Command("java", append([]string{"-Xss8m", "-jar", jar, "--errors-only", "--format", "json", "--exit-zero-always"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("vnu: %v\n%s", err, out)
	}
	var report struct {
		Messages []struct {
			Type, URL, Message, Extract string
			LastLine                    int
		}
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("vnu output: %v\n%s", err, out)
	}
	for _, m := range report.Messages {
		p := byFile[filepath.Base(m.URL)]
		if p == nil {
			t.Errorf("vnu: %s (%s)", m.Message, m.URL)
			continue
		}
		if !slices.ContainsFunc(exceptions, func(e auditException) bool {
			return e.check == "html" && strings.Contains(m.Message, e.rule) && e.matches(p.Path)
		}) {
			p.problemf("html line %d: %s «%s»", m.LastLine, m.Message, strings.Join(strings.Fields(m.Extract), " "))
		}
	}
}

// auditException lets a known problem through: "check rule path-prefix —
// reason" in testdata/audit-exceptions.txt.
type auditException struct {
	check, rule, prefix, reason string
}

func (e auditException) matches(path string) bool {
	return e.prefix == "*" || strings.HasPrefix(path, e.prefix)
}

func (a *auditor) excepted(check, rule, path string) bool {
	return slices.ContainsFunc(a.exceptions, func(e auditException) bool {
		return e.check == check && e.rule == rule && e.matches(path)
	})
}

var exceptionLine = regexp.MustCompile(`^(axe|html|reflow|weight)\s+(\S+)\s+(\S+)\s+—\s+(\S.*)$`)

func loadAuditExceptions(t *testing.T) []auditException {
	f, err := os.Open("testdata/audit-exceptions.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var list []auditException
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := exceptionLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("testdata/audit-exceptions.txt:%d: want «check rule path-prefix — reason», got %q", n, line)
		}
		rule := m[2]
		if m[1] == "html" {
			rule = strings.ReplaceAll(rule, "_", " ") // validator messages have spaces
		}
		list = append(list, auditException{check: m[1], rule: rule, prefix: m[3], reason: m[4]})
	}
	return list
}

// auditTable prints a line a page: role, status, weight and problems.
func auditTable(pages []*auditPage) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %-6s %9s %9s  %s\n", "role", "status", "html", "1st visit", "page")
	for _, p := range pages {
		fmt.Fprintf(&b, "%-10s %-6d %9s %9s  %s\n", p.Role, p.Status, kbytes(p.DocBytes), kbytes(p.weight()), p.Path)
		for _, pr := range p.Problems {
			fmt.Fprintf(&b, "%28s✗ %s\n", "", pr)
		}
	}
	return b.String()
}

func kbytes(n int) string { return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB" }

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sameSite reports whether u (absolute) is a page of the site under test.
func sameSite(base, u string) bool {
	b, err1 := url.Parse(base)
	x, err2 := url.Parse(u)
	return err1 == nil && err2 == nil && x.Host == b.Host && (x.Scheme == "http" || x.Scheme == "https")
}

// TestAuditCatchesABadPage feeds the checks a page with a known fault of
// each kind, and expects each to be reported: the crawl's silence means
// something only if the checks can fail.
func TestAuditCatchesABadPage(t *testing.T) {
	noise := make([]byte, 90*1024) // does not compress: the page goes over budget
	for i := range noise {
		noise[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(i*7919+i*i)%36]
	}
	bad := `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Page ratée</title></head><body>
<main><h1>Page ratée</h1>
<p>Un paragraphe <div>avec un bloc dedans</div></p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" name="sans-etiquette">
<p style="color:#bbb;background:#fff">Texte trop pâle.</p>
<div style="width:900px">Trop large pour un téléphone.</div>
<p hidden>` + string(noise) + `</p></main></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, bad)
	}))
	defer srv.Close()

	a := newAuditor(t, srv.URL)
	p := a.open("visiteur", "/")
	validate(t, a.exceptions, []*auditPage{p})
	report := strings.Join(p.Problems, "\n")
	for _, want := range []string{"axe image-alt", "axe label", "axe color-contrast", "html line", "reflow:", "weight:"} {
		if !strings.Contains(report, want) {
			t.Errorf("the checks missed %q on the bad page; they reported:\n%s", want, report)
		}
	}
}
