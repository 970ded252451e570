package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// fillDisk caps the database at its current size, as a full disk would:
// every write that needs a new page fails with SQLITE_FULL. It returns the
// function that frees the space again.
func fillDisk(t *testing.T, ts *testSite) (free func()) {
	t.Helper()
	ctx := context.Background()
	var pages int
	if err := ts.srv.db.W.GetContext(ctx, &pages, `PRAGMA page_count`); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.db.W.ExecContext(ctx, `PRAGMA max_page_count = `+strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := ts.srv.db.W.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDiskFullKeepsTheTextAndServesReads(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic, err := ts.srv.store.CreateTopic(ts.ctx(), karim, content.NewTopic{Title: "Imprimer une attestation CAF",
		Body: "Comment faites-vous ?", Category: "demarches-en-ligne"})
	if err != nil {
		t.Fatal(err)
	}
	ts.syncIndex()
	cl := ts.loggedIn(karim)
	cl.get(topic.Path())
	free := fillDisk(t, ts)

	long := strings.Repeat("Nous passons par le site de la CAF, rubrique « Mon compte ». ", 300)
	for i := 0; i < 5; i++ {
		cl.get(topic.Path())
		r := cl.postForm("/discussions/"+strconv.FormatInt(topic.ID, 10)+"/reponses", url.Values{"body": {long + strconv.Itoa(i)}, "action": {"publier"}})
		if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "manque de place") ||
			!strings.Contains(r.body, "rubrique « Mon compte »") {
			t.Fatalf("reply %d on a full disk: %d\n%.600s", i, r.status, r.body)
		}
	}
	// The same through the API: the JSON error shape, no 500.
	cl.headers["X-CSRF-Token"] = cl.csrf
	r := cl.do("POST", "/api/v1/discussions/"+strconv.FormatInt(topic.ID, 10)+"/reponses", strings.NewReader(`{"body": "`+strings.Repeat("a", 20000)+`"}`), "application/json")
	var apiErr struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if r.status != http.StatusServiceUnavailable || json.Unmarshal([]byte(r.body), &apiErr) != nil || apiErr.Error.Code != "disk_full" {
		t.Errorf("API reply on a full disk: %d %s", r.status, r.body)
	}
	// Reads go on.
	for _, path := range []string{"/", topic.Path(), "/discussions", "/recherche?q=caf"} {
		if r := ts.client().get(path); r.status >= 500 {
			t.Errorf("GET %s on a full disk: %d", path, r.status)
		}
	}
	free()
	cl.get(topic.Path())
	if r := cl.postForm("/discussions/"+strconv.FormatInt(topic.ID, 10)+"/reponses", url.Values{"body": {long}, "action": {"publier"}}); r.status != http.StatusSeeOther {
		t.Errorf("reply once space is back: %d", r.status)
	}
}
