package server

import (
	"context"
	"encoding/json"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
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

// damageIndex overwrites bytes in every file of the site's search index.
func damageIndex(t *testing.T, dataDir string, seed int64) {
	t.Helper()
	target, err := os.Readlink(filepath.Join(dataDir, search.LinkName))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(seed))
	filepath.Walk(filepath.Join(dataDir, target), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || info.Size() <= 64 {
			return nil
		}
		junk := make([]byte, 64)
		r.Read(junk)
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err == nil {
			f.WriteAt(junk, r.Int63n(info.Size()-64))
			f.Close()
		}
		return nil
	})
}

// The site starts on a damaged index: every page is served, searches say
// the index is being rebuilt (503, in French), and are back once it is.
func TestDamagedIndexAtStartKeepsTheSiteUp(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		dir := t.TempDir()
		ts := newTestSite(t, func(c *Config) { c.DataDir = dir })
		karim := ts.mustCreateMember("Karim", content.RoleMember)
		for i := 0; i < 10; i++ {
			ts.mustCreateTopic(karim, "Sauvegarder ses photos, épisode "+strconv.Itoa(i), "Sur une clé USB ?")
		}
		ts.syncIndex()
		ts.srv.Close()
		damageIndex(t, dir, seed)

		again := newTestSite(t, func(c *Config) { c.DataDir = dir })
		for _, path := range []string{"/", "/discussions", "/discussions/1/sauvegarder-ses-photos-episode-0"} {
			if r := again.client().get(path); r.status != 200 {
				t.Errorf("seed %d: GET %s on a damaged index: %d", seed, path, r.status)
			}
		}
		r := again.client().get("/recherche?q=photos")
		if r.status != 200 && !(r.status == 503 && strings.Contains(r.body, "en reconstruction")) {
			t.Errorf("seed %d: search on a damaged index: %d", seed, r.status)
		}
		if r := again.client().get("/api/v1/recherche?q=photos"); r.status != 200 && r.status != 503 {
			t.Errorf("seed %d: API search on a damaged index: %d %s", seed, r.status, r.body)
		}
		again.syncIndex() // the rebuild the running server does in the background
		if r := again.client().get("/recherche?q=photos"); r.status != 200 || !strings.Contains(r.body, "épisode 9") {
			t.Errorf("seed %d: search after the rebuild: %d", seed, r.status)
		}
	}
}
