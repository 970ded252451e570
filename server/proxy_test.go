package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

func TestClientIP(t *testing.T) {
	trusted, err := parseTrustedProxies([]string{"127.0.0.1", "10.0.0.0/8", " ::1 ", "fd00::/8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		xff        []string // one value per header line
		want       string
	}{
		{"untrusted peer: header ignored", "198.51.100.9", []string{"203.0.113.7"}, "198.51.100.9"},
		{"untrusted peer without header", "198.51.100.9", nil, "198.51.100.9"},
		{"trusted peer, one client", "127.0.0.1", []string{"203.0.113.7"}, "203.0.113.7"},
		{"trusted peer, no header", "127.0.0.1", nil, "127.0.0.1"},
		{"trusted peer, empty header", "127.0.0.1", []string{""}, "127.0.0.1"},
		{"spoofed left part ignored", "127.0.0.1", []string{"1.2.3.4, 203.0.113.7"}, "203.0.113.7"},
		{"several trusted hops", "127.0.0.1", []string{"1.2.3.4, 203.0.113.7, 10.1.2.3, 10.9.9.9"}, "203.0.113.7"},
		{"spaces and tabs", "127.0.0.1", []string{"  203.0.113.7\t,\t10.1.2.3  "}, "203.0.113.7"},
		{"several header lines, in order", "127.0.0.1", []string{"1.2.3.4", "203.0.113.7, 10.1.2.3"}, "203.0.113.7"},
		{"IPv6 client", "::1", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv6 client with a port", "127.0.0.1", []string{"[2001:db8::7]:443"}, "2001:db8::7"},
		{"IPv4 client with a port", "127.0.0.1", []string{"203.0.113.7:51000"}, "203.0.113.7"},
		{"IPv4-mapped IPv6 client", "127.0.0.1", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"IPv6 trusted range", "fd00::5", []string{"203.0.113.7, fd12::1"}, "203.0.113.7"},
		{"IPv4-mapped trusted peer", "::ffff:127.0.0.1", []string{"203.0.113.7"}, "203.0.113.7"},
		{"all trusted: the first hop", "127.0.0.1", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"garbage at the right: the peer", "127.0.0.1", []string{"203.0.113.7, pas-une-adresse"}, "127.0.0.1"},
		{"garbage after trusted hops: the last trusted hop", "127.0.0.1", []string{"unknown, 10.0.0.6"}, "10.0.0.6"},
		{"garbage left of the client: ignored", "127.0.0.1", []string{"<script>, 203.0.113.7"}, "203.0.113.7"},
		{"empty entry at the right: the peer", "127.0.0.1", []string{"203.0.113.7,"}, "127.0.0.1"},
		{"zone refused", "127.0.0.1", []string{"fe80::1%eth0"}, "127.0.0.1"},
		{"a hostname is not an address", "127.0.0.1", []string{"ligue.example.org"}, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var values [][]byte
			for _, v := range tc.xff {
				values = append(values, []byte(v))
			}
			if got := trusted.client(netip.MustParseAddr(tc.peer), values); got.String() != tc.want {
				t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", tc.peer, tc.xff, got, tc.want)
			}
		})
	}
	var nobody proxies
	if got := nobody.client(netip.MustParseAddr("127.0.0.1"), [][]byte{[]byte("203.0.113.7")}); got.String() != "127.0.0.1" {
		t.Errorf("no trusted proxy configured: %s", got)
	}
}

// A typo in the list stops the start, naming the entry.
func TestInvalidTrustedProxyStopsTheStart(t *testing.T) {
	for _, entry := range []string{"10.0.0.0/33", "127.0.0.256", "proxy.local", "fe80::1%eth0", ""} {
		_, err := New(context.Background(), Config{DataDir: t.TempDir(), TrustedProxies: []string{"127.0.0.1", entry}}, nil)
		if err == nil || !strings.Contains(err.Error(), strconv.Quote(entry)) {
			t.Errorf("trusted proxy %q: %v", entry, err)
		}
	}
}

// listeningSite starts the real server on a free port of 127.0.0.1, that
// address as its base URL unless an option sets another, with its
// background work (live updates) running.
func listeningSite(t *testing.T, opts ...func(*Config)) (*testSite, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	ts := newTestSite(t, append([]func(*Config){func(c *Config) { c.BaseURL = addr }}, opts...)...)
	go ts.srv.App().Listener(ln)
	stop := ts.srv.startBackground()
	t.Cleanup(func() {
		ts.srv.live.close() // open event streams would hold the shutdown
		ts.srv.App().Shutdown()
		stop()
	})
	return ts, addr
}

// webClient is a browser over real HTTP: it keeps cookies, sends the CSRF
// token of the last page read and the site's Origin, as a form would.
type webClient struct {
	t       *testing.T
	base    string // where requests go
	origin  string // the site's public origin
	http    *http.Client
	headers map[string]string // sent with every request
	csrf    string
}

type webResponse struct {
	status int
	body   string
	header http.Header
}

// newWebClient is a browser reaching base, whose connections leave from
// the loopback address from ("" for any).
func newWebClient(t *testing.T, base, origin, from string) *webClient {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{}
	if from != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	transport := &http.Transport{DialContext: dialer.DialContext, DisableCompression: true}
	t.Cleanup(transport.CloseIdleConnections)
	return &webClient{t: t, base: base, origin: origin, headers: map[string]string{}, http: &http.Client{Jar: jar, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (w *webClient) do(req *http.Request) *webResponse {
	w.t.Helper()
	for k, v := range w.headers {
		req.Header.Set(k, v)
	}
	res, err := w.http.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := &webResponse{status: res.StatusCode, body: plain(string(b)), header: res.Header}
	if m := csrfInput.FindStringSubmatch(r.body); m != nil {
		w.csrf = m[1]
	}
	return r
}

func (w *webClient) get(path string) *webResponse {
	req, _ := http.NewRequest("GET", w.base+path, nil)
	return w.do(req)
}

// send posts a body of the given type from the site's own page.
func (w *webClient) send(path, contentType string, body io.Reader) *webResponse {
	req, _ := http.NewRequest("POST", w.base+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", w.origin)
	return w.do(req)
}

// postForm sends a form with the CSRF token, reading the login page first
// if the client has none yet.
func (w *webClient) postForm(path string, form url.Values) *webResponse {
	w.t.Helper()
	if w.csrf == "" {
		w.get("/connexion")
	}
	form.Set("_csrf", w.csrf)
	return w.send(path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// failLogins sends n failed logins, each for another unknown account so
// that only the per-address limit counts them, and returns the statuses.
func failLogins(w *webClient, n int, before func(i int)) []int {
	var statuses []int
	for i := 0; i < n; i++ {
		if before != nil {
			before(i)
		}
		r := w.postForm("/connexion", url.Values{"login": {"inconnu" + strconv.Itoa(i)}, "password": {"pas le bon"}})
		statuses = append(statuses, r.status)
	}
	return statuses
}

// loginIPLimit is how many failed logins an address gets (rateLimits).
const loginIPLimit = 30

// Nobody is trusted but a proxy elsewhere: a visitor who makes up
// X-Forwarded-For at each attempt is still one address to the limiter, and
// a made-up X-Forwarded-Proto does not make cookies Secure.
func TestSpoofedForwardedHeadersFromAnUntrustedPeer(t *testing.T) {
	_, base := listeningSite(t, func(c *Config) { c.TrustedProxies = []string{"192.0.2.1"} })
	attacker := newWebClient(t, base, base, "")
	for i, status := range failLogins(attacker, loginIPLimit, func(i int) {
		attacker.headers["X-Forwarded-For"] = "203.0.113." + strconv.Itoa(i+1)
	}) {
		if status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	attacker.headers["X-Forwarded-For"] = "198.51.100.200"
	if r := attacker.postForm("/connexion", url.Values{"login": {"encore-un"}, "password": {"x"}}); r.status != http.StatusTooManyRequests ||
		!strings.Contains(r.body, "Trop de tentatives") {
		t.Errorf("after %d failures under as many made-up addresses: %d, want 429", loginIPLimit, r.status)
	}

	visitor := newWebClient(t, base, base, "")
	visitor.headers["X-Forwarded-Proto"] = "https"
	r := visitor.get("/connexion")
	if cookies := r.header.Values("Set-Cookie"); len(cookies) == 0 || secureCookies(r) || r.header.Get("Strict-Transport-Security") != "" {
		t.Errorf("https claimed by an untrusted peer: cookies %q, HSTS %q", cookies, r.header.Get("Strict-Transport-Security"))
	}
}

// secureCookies tells whether every cookie r sets is marked Secure.
func secureCookies(r *webResponse) bool {
	cookies := r.header.Values("Set-Cookie")
	for _, c := range cookies {
		if !strings.Contains(strings.ToLower(c), "; secure") {
			return false
		}
	}
	return len(cookies) > 0
}

// Behind a trusted proxy (127.0.0.1), each forwarded client has its own
// limit, the address kept with a contribution is the client's, and an
// https request forwarded gets Secure cookies and HSTS.
func TestForwardedClientsBehindATrustedProxy(t *testing.T) {
	ts, base := listeningSite(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	first := newWebClient(t, base, base, "")
	first.headers["X-Forwarded-For"] = "1.2.3.4, 203.0.113.7" // the left part made up by the client
	for i, status := range failLogins(first, loginIPLimit, nil) {
		if status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	if r := first.postForm("/connexion", url.Values{"login": {"encore-un"}, "password": {"x"}}); r.status != http.StatusTooManyRequests {
		t.Errorf("203.0.113.7 after %d failures: %d, want 429", loginIPLimit, r.status)
	}
	second := newWebClient(t, base, base, "")
	second.headers["X-Forwarded-For"] = "1.2.3.4, 203.0.113.8"
	if r := second.postForm("/connexion", url.Values{"login": {"encore-un"}, "password": {"x"}}); r.status != http.StatusUnauthorized {
		t.Errorf("another client behind the same proxy: %d, want 401", r.status)
	}

	nadia := ts.mustCreateMember("Nadia", content.RoleMember)
	member := newWebClient(t, base, base, "")
	member.headers["X-Forwarded-For"] = "198.51.100.23"
	member.headers["X-Forwarded-Proto"] = "https"
	r := member.postForm("/connexion", url.Values{"login": {nadia.Email}, "password": {testPassword}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("login through the proxy: %d", r.status)
	}
	if !secureCookies(r) {
		t.Errorf("cookies of an https request forwarded by a trusted proxy: %q", r.header.Values("Set-Cookie"))
	}
	if r.header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS on an https request forwarded by a trusted proxy")
	}
	member.get("/discussions/nouvelle")
	if r := member.postForm("/discussions/nouvelle", topicForm("Des ateliers pour les seniors", "Qui anime des ateliers le mardi ?",
		"demarches-en-ligne", "", "question")); r.status != http.StatusSeeOther {
		t.Fatalf("new topic through the proxy: %d\n%s", r.status, r.body)
	}
	traces, err := ts.srv.store.ContributionIPs(ts.ctx(), nadia.ID)
	if err != nil || len(traces) == 0 {
		t.Fatalf("traces: %v %v", traces, err)
	}
	for _, trace := range traces {
		if trace.IP != "198.51.100.23" {
			t.Errorf("address kept with the %s %d: %s, want the forwarded client's", trace.EntityType, trace.EntityID, trace.IP)
		}
	}
}
