package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/emersion/go-smtp"
	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

func TestEveryPageHasTheLayoutAndSecurityHeaders(t *testing.T) {
	ts := newTestSite(t)
	admin := ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	for _, p := range []struct {
		as   *client
		path string
		want int
	}{
		{nil, "/", 200}, {nil, "/charte", 200}, {nil, "/accessibilite", 200}, {nil, "/inscription", 200},
		{nil, "/connexion", 200}, {nil, "/mot-de-passe-oublie", 200}, {nil, "/membres/Admin", 200},
		{nil, "/nulle-part", 404}, {nil, "/membres/personne", 404}, {nil, "/mot-de-passe/nouveau?jeton=x", 410},
		{admin, "/compte", 200}, {admin, "/compte/jetons", 200}, {admin, "/admin/membres", 200}, {admin, "/admin/courriels", 200}, {admin, "/admin/sauvegardes", 200},
	} {
		cl := p.as
		if cl == nil {
			cl = ts.client()
		}
		r := cl.get(p.path)
		if r.status != p.want {
			t.Errorf("%s: %d, want %d", p.path, r.status, p.want)
			continue
		}
		for _, want := range []string{`<html lang="fr">`, `href="#contenu">Aller au contenu</a>`, "CC BY-SA 4.0", `href="/charte"`, `href="/accessibilite"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s lacks %q", p.path, want)
			}
		}
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", p.path, csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing security headers %v", p.path, r.header)
		}
		if strings.Contains(r.body, "http://") && strings.Contains(r.body, "<script src=\"http") {
			t.Errorf("%s loads a script from another host", p.path)
		}
	}
	if r := ts.client().get("/nulle-part"); !strings.Contains(r.body, "Page introuvable") {
		t.Error("404 page is not in French")
	}
}

func TestInternalErrorShowsARequestID(t *testing.T) {
	ts := newTestSite(t)
	ts.srv.App().Get("/boom", func(c *fiber.Ctx) error { return errors.New("secret internal detail") })
	r := ts.client().get("/boom")
	if r.status != 500 {
		t.Fatalf("status %d", r.status)
	}
	id := r.header.Get("X-Request-Id")
	if id == "" || !strings.Contains(r.body, id) || !strings.Contains(r.body, "Erreur du serveur") {
		t.Errorf("500 page lacks the request ID %q:\n%s", id, r.body)
	}
	if strings.Contains(r.body, "secret internal detail") {
		t.Error("the internal error was shown to the user")
	}
	if !strings.Contains(ts.logs.String(), "secret internal detail") || !strings.Contains(ts.logs.String(), "request_id="+id) {
		t.Error("the internal error was not logged with its request ID")
	}
}

func TestHealthAndStatic(t *testing.T) {
	ts := newTestSite(t)
	if r := ts.client().get("/sante"); r.status != 200 || r.body != "ok" {
		t.Errorf("/sante: %d %q", r.status, r.body)
	}
	css := ts.srv.assets.URL("css/site.css")
	r := ts.client().get(css)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") ||
		!strings.Contains(r.header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: %d %v", css, r.status, r.header)
	}
	if r := ts.client().get("/static/css/site.css"); r.status != 404 {
		t.Errorf("unhashed asset name served: %d", r.status)
	}
	ts.srv.Close()
	if r := ts.client().get("/sante"); r.status != 503 {
		t.Errorf("/sante with the database closed: %d", r.status)
	}
}

func TestTotalAssetWeight(t *testing.T) {
	ts := newTestSite(t)
	total := 0
	for _, a := range ts.srv.assets.All() {
		total += len(a.Body)
	}
	if css := len(mustAsset(t, ts, "css/site.css")); css > 30*1024 {
		t.Errorf("stylesheet weighs %d bytes, budget 30 KB", css)
	}
	// Raw bytes, comments included: what a reader downloads is far less
	// (compressed, a first visit stays under the audit's 60 KB); this bounds
	// growth. 60 KB since the fiches' editor and the composer's completions.
	if total > 60*1024 {
		t.Errorf("own assets weigh %d bytes, budget 60 KB", total)
	}
}

func mustAsset(t *testing.T, ts *testSite, p string) []byte {
	t.Helper()
	url := ts.srv.assets.URL(p)
	asset, ok := ts.srv.assets.ByHashedPath(strings.TrimPrefix(url, "/static/"))
	if !ok {
		t.Fatalf("no asset %s", p)
	}
	return asset.Body
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestAPITokens(t *testing.T) {
	ts := newTestSite(t)
	u := ts.mustCreateMember("Karim", content.RoleModerator)
	cl := ts.loggedIn(u)

	r := cl.postForm("/compte/jetons", url.Values{"name": {"tableau de bord"}})
	if r.status != 201 {
		t.Fatalf("create token: %d", r.status)
	}
	value := ""
	if i := strings.Index(r.body, content.APITokenPrefix); i >= 0 {
		value = r.body[i : i+len(content.APITokenPrefix)+43]
	}
	if r := cl.postForm("/compte/jetons", url.Values{"name": {"  "}}); r.status != 422 || !strings.Contains(r.body, "Donnez un nom au jeton") {
		t.Errorf("nameless token: %d", r.status)
	}
	if r := cl.get("/compte/jetons"); strings.Contains(r.body, value) || !strings.Contains(r.body, "tableau de bord") {
		t.Error("the token list shows the secret value, or not the token")
	}

	api := func(auth string) (int, []byte) {
		req, _ := http.NewRequest("GET", "/api/v1/me", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := ts.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	status, body := api("Bearer " + value)
	var me apiMember
	if status != 200 || json.Unmarshal(body, &me) != nil || me.Pseudo != "Karim" || me.Role != "moderator" || !me.Verified {
		t.Fatalf("good token: %d %s", status, body)
	}
	if strings.Contains(string(body), "@") {
		t.Error("/api/v1/me exposes the e-mail address or password hash")
	}
	for _, auth := range []string{"", "Bearer ligue_faux", "Basic a2FyaW06eA=="} {
		status, body := api(auth)
		var e apiError
		if status != 401 || json.Unmarshal(body, &e) != nil || e.Error.Code != "unauthorized" || e.Error.Message == "" {
			t.Errorf("auth %q: %d %s", auth, status, body)
		}
	}

	tokens, _ := ts.srv.store.APITokens(context.Background(), u.ID)
	if tokens[0].LastUsedAt == nil {
		t.Error("last use not recorded")
	}
	if r := cl.postForm("/compte/jetons/"+itoa(int(tokens[0].ID))+"/revoquer", nil); r.status != 303 {
		t.Fatalf("revoke: %d", r.status)
	}
	if status, _ := api("Bearer " + value); status != 401 {
		t.Errorf("revoked token: %d", status)
	}
	other := ts.loggedIn(ts.mustCreateMember("Lucie", content.RoleMember))
	if r := other.postForm("/compte/jetons/"+itoa(int(tokens[0].ID))+"/revoquer", nil); r.status != 404 {
		t.Errorf("revoking someone else's token: %d", r.status)
	}
}

func TestAPIWithSessionAndErrors(t *testing.T) {
	ts := newTestSite(t)
	cl := ts.loggedIn(ts.mustCreateMember("Karim", content.RoleMember))
	r := cl.get("/api/v1/me")
	if r.status != 200 || !strings.Contains(r.body, `"pseudo":"Karim"`) {
		t.Errorf("session on the API: %d %s", r.status, r.body)
	}
	r = cl.get("/api/v1/nulle-part")
	var e apiError
	if r.status != 404 || json.Unmarshal([]byte(r.body), &e) != nil || e.Error.Code != "not_found" {
		t.Errorf("API 404: %d %s", r.status, r.body)
	}
}

// smtpSink is a real SMTP server in the test process that keeps what it gets.
type smtpSink struct {
	mu       sync.Mutex
	messages []string
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct{ sink *smtpSink }

func (s *sinkSession) Reset()                               {}
func (s *sinkSession) Logout() error                        { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.sink.mu.Lock()
	s.sink.messages = append(s.sink.messages, string(b))
	s.sink.mu.Unlock()
	return err
}

func TestMailIsSentBySMTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	ts := newTestSite(t, func(c *Config) { c.SMTPURL = "smtp://" + ln.Addr().String() + "?tls=none" })
	if r := ts.client().postForm("/inscription", registration("Lucie", "lucie@exemple.fr", "des mots pour entrer")); r.status != 303 {
		t.Fatalf("register: %d", r.status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.FlushMail(ctx); err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.messages) != 1 {
		t.Fatalf("the SMTP server got %d messages", len(sink.messages))
	}
	msg, err := mail.ReadMessage(strings.NewReader(sink.messages[0]))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if msg.Header.Get("To") != "<lucie@exemple.fr>" || !strings.Contains(subject, "Confirmez votre adresse") ||
		!strings.Contains(string(body), "http://ligue.test/verification?jeton=") {
		t.Errorf("mail: %v\n%s\n%s", msg.Header, subject, body)
	}
	if strings.Contains(ts.logs.String(), "jeton=") {
		t.Error("with SMTP configured, links must not be written to the log")
	}
	admin := ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	if r := admin.get("/admin/courriels"); !strings.Contains(r.body, "lucie@exemple.fr") || strings.Contains(r.body, "jeton=") {
		t.Error("the admin mail page hides the mail or shows its personal link while SMTP delivers")
	}
}

// Static files are compressed once, at start: each request sends the bytes
// made then, in the encoding the browser prefers.
func TestStaticFilesAreSentPrecompressed(t *testing.T) {
	ts := newTestSite(t)
	css := ts.srv.assets.URL("css/site.css")
	asset, _ := ts.srv.assets.ByHashedPath(strings.TrimPrefix(css, "/static/"))
	for _, tc := range []struct{ accept, encoding string }{
		{"br, gzip", "br"}, {"gzip, deflate", "gzip"}, {"gzip;q=0.5, br;q=1", "br"}, {"identity", ""}, {"", ""},
	} {
		cl := ts.client()
		cl.headers["Accept-Encoding"] = tc.accept
		r := cl.get(css)
		if r.status != 200 || r.header.Get("Content-Encoding") != tc.encoding || !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: %d, Content-Encoding %q, Vary %q", tc.accept, r.status, r.header.Get("Content-Encoding"), r.header.Get("Vary"))
			continue
		}
		var body []byte
		var err error
		switch tc.encoding {
		case "br":
			body, err = io.ReadAll(brotli.NewReader(strings.NewReader(r.raw)))
		case "gzip":
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(strings.NewReader(r.raw)); err == nil {
				body, err = io.ReadAll(zr)
			}
		default:
			body = []byte(r.raw)
		}
		if err != nil || string(body) != string(asset.Body) {
			t.Errorf("Accept-Encoding %q: the file does not decode to site.css (%v)", tc.accept, err)
		}
	}
	if len(asset.Brotli) >= len(asset.Body)/3 {
		t.Errorf("site.css: %d bytes in brotli for %d raw", len(asset.Brotli), len(asset.Body))
	}
}

// The access log keeps to server errors and slow requests unless told to
// write every request: a line per request fills a small server's disk.
// slowLine is an access log line of a request that took SlowRequest or more.
var slowLine = regexp.MustCompile(`msg=request .*duration_ms=(2[5-9][0-9]|[3-9][0-9]{2}|[0-9]{4,}) `)

func TestAccessLogKeepsToSlowRequestsByDefault(t *testing.T) {
	for _, tc := range []struct {
		setting string
		lines   int // for /discussions and a missing page
	}{{"", 0}, {"all", 2}, {"off", 0}} {
		ts := newTestSite(t, func(c *Config) { c.AccessLog = tc.setting })
		ts.client().get("/discussions")
		ts.client().get("/nulle-part")
		got := strings.Count(ts.logs.String(), "msg=request ")
		if tc.setting == "" {
			// A busy machine may make these two requests slow: those are logged.
			got -= len(slowLine.FindAllString(ts.logs.String(), -1))
		}
		if got != tc.lines {
			t.Errorf("access log %q: %d lines, want %d\n%s", tc.setting, got, tc.lines, ts.logs.String())
		}
	}
	for _, tc := range []struct {
		took   time.Duration
		status int
		logged bool
	}{{time.Millisecond, 200, false}, {time.Millisecond, 404, false}, {time.Millisecond, 500, true}, {SlowRequest, 200, true}} {
		if got := (&Server{cfg: Config{AccessLog: "slow"}}).logsRequest(tc.took, tc.status); got != tc.logged {
			t.Errorf("%v, %d: logged %v", tc.took, tc.status, got)
		}
	}
	if _, err := New(context.Background(), Config{DataDir: t.TempDir(), AccessLog: "tout"}, nil); err == nil {
		t.Error("an unknown access-log setting is accepted")
	}
}
