package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// testSite is a real server on a fresh SQLite file in a temp dir.
type testSite struct {
	t       testing.TB
	srv     *Server
	logs    *syncBuffer
	factors sync.Map // user ID → *testFactor, the authenticator of moderators and administrators
	caching bool     // the background loops run: the page cache follows the writes
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newTestSite(t testing.TB, opts ...func(*Config)) *testSite {
	t.Helper()
	cfg := Config{DataDir: t.TempDir(), BaseURL: "http://ligue.test"}
	for _, o := range opts {
		o(&cfg)
	}
	logs := &syncBuffer{}
	srv, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &testSite{t: t, srv: srv, logs: logs}
}

func (ts *testSite) ctx() context.Context { return context.Background() }

// syncIndex applies pending changes to the search index, as the running
// indexer does within a second.
func (ts *testSite) syncIndex() {
	ts.t.Helper()
	if err := ts.srv.SyncIndex(context.Background()); err != nil {
		ts.t.Fatal(err)
	}
}

const testPassword = "une phrase assez longue"

// mustCreateMember creates a verified account with testPassword, an
// established member: vouched for (their posts are not held for review)
// and who accepted the charter. mustCreateNewcomer makes a new member.
func (ts *testSite) mustCreateMember(pseudo string, role content.Role) *content.User {
	ts.t.Helper()
	u, err := ts.srv.store.CreateUser(context.Background(), content.NewUser{Pseudo: pseudo, Email: strings.ToLower(pseudo) + "@exemple.fr",
		Password: testPassword, Role: role, Verified: true, Vouched: true, AcceptCharter: true}, nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	if content.TwoFactorRequired(u) {
		ts.mustEnableTwoFactor(u) // as their role demands
	}
	return u
}

// mustCreateNewcomer creates a verified member who just registered: the
// charter accepted, nobody vouching, no post yet.
func (ts *testSite) mustCreateNewcomer(pseudo string) *content.User {
	ts.t.Helper()
	u, err := ts.srv.store.CreateUser(context.Background(), content.NewUser{Pseudo: pseudo, Email: strings.ToLower(pseudo) + "@exemple.fr",
		Password: testPassword, Role: content.RoleMember, Verified: true, AcceptCharter: true}, nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	return u
}

// forgetLimits forgets what members wrote against their per-member limits:
// fixtures write far more in a second than a member ever would.
func (ts *testSite) forgetLimits() {
	ts.t.Helper()
	if _, err := ts.srv.DB().W.Exec(`DELETE FROM strikes WHERE bucket IN (?, ?, ?)`,
		content.LimitTopics.Bucket, content.LimitReplies.Bucket, content.LimitUploads.Bucket); err != nil {
		ts.t.Fatal(err)
	}
}

// client is a browser: it keeps cookies and sends the CSRF token of the
// last page it read, as a form would.
type client struct {
	site    *testSite
	cookies map[string]string
	csrf    string
	headers map[string]string
}

func (ts *testSite) client() *client {
	return &client{site: ts, cookies: map[string]string{}, headers: map[string]string{}}
}

// loggedIn returns a client with a session for u.
func (ts *testSite) loggedIn(u *content.User) *client {
	ts.t.Helper()
	cl := ts.client()
	r := cl.postForm("/connexion", url.Values{"login": {u.Email}, "password": {testPassword}})
	if r.status == http.StatusSeeOther && r.location == secondStepPath {
		r = cl.postForm(secondStepPath, url.Values{"code": {ts.nextCode(u)}})
	}
	if r.status != http.StatusSeeOther {
		ts.t.Fatalf("login of %s: status %d\n%s", u.Pseudo, r.status, r.body)
	}
	return cl
}

type response struct {
	status   int
	body     string // as read, no-break spaces as plain spaces (see plain)
	raw      string // as sent
	header   http.Header
	location string
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (cl *client) do(method, path string, body io.Reader, contentType string) *response {
	cl.site.t.Helper()
	req := httptest.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range cl.headers {
		req.Header.Set(k, v)
	}
	for k, v := range cl.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := cl.site.srv.App().Test(req, -1)
	if err != nil {
		cl.site.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	// Page visits are written by the background loop within a second; the
	// next request of a test sees them written, as a person's would.
	if err := cl.site.srv.visits.flush(context.Background()); err != nil {
		cl.site.t.Fatal(err)
	}
	if cl.site.caching {
		cl.site.caughtUp()
	}
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(cl.cookies, c.Name)
		} else {
			cl.cookies[c.Name] = c.Value
		}
	}
	r := &response{status: res.StatusCode, body: plain(string(b)), raw: string(b), header: res.Header, location: res.Header.Get("Location")}
	if m := csrfInput.FindStringSubmatch(r.body); m != nil {
		cl.csrf = m[1]
	}
	return r
}

func (cl *client) get(path string) *response { return cl.do("GET", path, nil, "") }

// postForm sends a form with the CSRF token, fetching a page first if the
// client has none yet.
func (cl *client) postForm(path string, form url.Values) *response {
	cl.site.t.Helper()
	if cl.csrf == "" {
		cl.get("/connexion")
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if f.Get("_csrf") == "" {
		f.Set("_csrf", cl.csrf)
	}
	return cl.do("POST", path, strings.NewReader(f.Encode()), "application/x-www-form-urlencoded")
}

// lastMail returns the newest queued mail to addr.
func (ts *testSite) lastMail(addr string) content.Mail {
	ts.t.Helper()
	mails, err := ts.srv.store.RecentMails(context.Background(), 50)
	if err != nil {
		ts.t.Fatal(err)
	}
	for _, m := range mails {
		if m.To == addr {
			return m
		}
	}
	ts.t.Fatalf("no mail to %s", addr)
	return content.Mail{}
}

var linkInMail = regexp.MustCompile(`http://ligue\.test(/\S+)`)

// linkPath extracts the local path of the link in a mail.
func linkPath(t *testing.T, m content.Mail) string {
	t.Helper()
	match := linkInMail.FindStringSubmatch(m.Body)
	if match == nil {
		t.Fatalf("no link in mail %q", m.Body)
	}
	return match[1]
}

func tokenOf(t *testing.T, path string) string {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("jeton")
}

// scenario is one row of a table test: who asks what, and what they see.
type scenario struct {
	name            string
	as              *client
	method          string
	path            string
	form            url.Values
	wantStatus      int
	wantContains    []string
	wantNotContains []string
	wantLocation    string
}

func runScenarios(t *testing.T, ts *testSite, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			cl := sc.as
			if cl == nil {
				cl = ts.client()
			}
			var r *response
			if sc.method == "POST" {
				r = cl.postForm(sc.path, sc.form)
			} else {
				r = cl.get(sc.path)
			}
			if r.status != sc.wantStatus {
				t.Fatalf("status %d, want %d\n%s", r.status, sc.wantStatus, r.body)
			}
			for _, s := range sc.wantContains {
				if !strings.Contains(r.body, s) {
					t.Errorf("body lacks %q\n%s", s, r.body)
				}
			}
			for _, s := range sc.wantNotContains {
				if strings.Contains(r.body, s) {
					t.Errorf("body contains %q", s)
				}
			}
			if sc.wantLocation != "" && r.location != sc.wantLocation {
				t.Errorf("location %q, want %q", r.location, sc.wantLocation)
			}
		})
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// plain reads a page as the tests' expectations are written: French
// typography's no-break spaces (before « ? ! : ; » and the like) as spaces.
func plain(s string) string { return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s) }
