package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
)

// serveOnLoopback serves the site on a real loopback listener, so requests
// come from 127.0.0.1; it returns the base URL.
func (ts *testSite) serveOnLoopback() string {
	ts.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.t.Fatal(err)
	}
	go ts.srv.app.Listener(ln)
	ts.t.Cleanup(func() { ts.srv.app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func readHealth(t *testing.T, body string) healthReport {
	t.Helper()
	var h healthReport
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("not a health report: %v\n%s", err, body)
	}
	return h
}

// /sante?detail=1 tells administrators and the server itself how each part
// fares; anyone else, a proxy's headers claiming loopback included, gets
// the short answer.
func TestHealthDetailForAdminsAndLoopbackOnly(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateTopic(karim, "Imprimer une attestation CAF", "Avec quelle imprimante ?")
	ts.syncIndex()

	spoofing := ts.client()
	spoofing.headers["X-Forwarded-For"] = "127.0.0.1"
	spoofing.headers["X-Real-Ip"] = "127.0.0.1"
	for name, cl := range map[string]*client{"visitor": ts.client(), "member": ts.loggedIn(karim),
		"moderator": ts.loggedIn(ts.mustCreateMember("Lucie", content.RoleModerator)), "spoofed loopback": spoofing} {
		if r := cl.get("/sante?detail=1"); r.status != 200 || r.body != "ok" {
			t.Errorf("%s from elsewhere: %d %q", name, r.status, r.body)
		}
	}

	admin := ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	r := admin.get("/sante?detail=1")
	h := readHealth(t, r.body)
	if r.status != 200 || h.Status != "ok" || len(h.Failing) != 0 {
		t.Fatalf("admin: %d %s", r.status, r.body)
	}
	if !h.Database.OK || h.Database.SchemaVersion < 30 || h.Database.SizeBytes <= 0 {
		t.Errorf("database: %+v", h.Database)
	}
	if !h.Index.OK || h.Index.Documents != 1 || h.Index.DatabaseDocuments != 1 || h.Index.Rebuilding || h.Index.EventsBehind != 0 {
		t.Errorf("index: %+v", h.Index)
	}
	if !h.Mail.OK || h.Mail.Failed24h != 0 || h.Mail.LastErrorAt != nil {
		t.Errorf("mail: %+v", h.Mail)
	}
	if r := admin.get("/sante"); r.body != "ok" {
		t.Errorf("/sante without detail, for an admin: %q", r.body)
	}

	base := ts.serveOnLoopback()
	status, body := getWithToken(t, base+"/sante?detail=1", "")
	if h := readHealth(t, body); status != 200 || h.Status != "ok" || h.Index.Documents != 1 {
		t.Errorf("from loopback: %d %s", status, body)
	}
	// A reverse proxy on the server connects from loopback for anyone; its
	// forwarding header tells the request came from elsewhere.
	req, _ := http.NewRequest("GET", base+"/sante?detail=1", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if b, _ := io.ReadAll(res.Body); res.StatusCode != 200 || string(b) != "ok" {
		t.Errorf("through a proxy on loopback: %d %q", res.StatusCode, b)
	}
}

// A missing index (it is rebuilt in the background) makes the detailed
// check fail, naming the index, until the rebuild is done.
func TestHealthDetailNamesABrokenIndex(t *testing.T) {
	dir := t.TempDir()
	first := newTestSite(t, func(c *Config) { c.DataDir = dir })
	karim := first.mustCreateMember("Karim", content.RoleMember)
	first.mustCreateTopic(karim, "Sauvegarder ses photos", "Sur une clé USB ?")
	first.syncIndex()
	first.srv.Close()
	target, err := os.Readlink(filepath.Join(dir, search.LinkName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, target)); err != nil {
		t.Fatal(err)
	}

	ts := newTestSite(t, func(c *Config) { c.DataDir = dir })
	admin := ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	r := admin.get("/sante?detail=1")
	h := readHealth(t, r.body)
	if r.status != 503 || h.Status != "failing" || !slices.Equal(h.Failing, []string{"index"}) || h.Index.Problem == "" {
		t.Errorf("on a missing index: %d %s", r.status, r.body)
	}
	if r := ts.client().get("/sante"); r.status != 200 || r.body != "ok" {
		t.Errorf("the liveness check on a missing index: %d %q", r.status, r.body)
	}
	ts.syncIndex() // the rebuild the running server does in the background
	if r := admin.get("/sante?detail=1"); r.status != 200 {
		t.Errorf("once rebuilt: %d %s", r.status, r.body)
	}
}

// An SMTP server that refuses every mail makes the detailed check fail,
// naming the mail, until a mail goes out again.
func TestHealthDetailNamesFailingMail(t *testing.T) {
	sink, ts, _ := startSink(t)
	ts.syncIndex()
	admin := ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	sink.set(451)
	if r := ts.client().postForm("/inscription", registration("Lucie", "lucie@exemple.fr", "des mots pour entrer")); r.status != 303 {
		t.Fatalf("register: %d", r.status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.FlushMail(ctx); err != nil {
		t.Fatal(err)
	}
	r := admin.get("/sante?detail=1")
	h := readHealth(t, r.body)
	if r.status != 503 || !slices.Equal(h.Failing, []string{"mail"}) || h.Mail.Queued != 1 || h.Mail.Failed24h != 1 || h.Mail.LastErrorAt == nil {
		t.Errorf("with SMTP refusing: %d %s", r.status, r.body)
	}

	sink.set(0)
	ts.srv.store.SetClock(func() time.Time { return time.Now().Add(5 * time.Minute) }) // the retry is due
	if err := ts.srv.FlushMail(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sink.takeFor(t, "lucie@exemple.fr")) != 1 {
		t.Fatal("the mail was not delivered on its retry")
	}
	if r := admin.get("/sante?detail=1"); r.status != 200 || readHealth(t, r.body).Mail.Queued != 0 {
		t.Errorf("once delivered: %d %s", r.status, r.body)
	}
}
