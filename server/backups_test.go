package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/ligue-mednum/ligue/backup"
	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
)

// waitFor polls cond until it holds; the bound only keeps a broken test
// from hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
	}
}

func (ts *testSite) backupRuns() []content.Backup {
	ts.t.Helper()
	list, err := ts.srv.store.ListBackups(ts.ctx(), 100)
	if err != nil {
		ts.t.Fatal(err)
	}
	return list
}

// marker is the word of the n-th write, found by searching for it.
func marker(n int) string {
	// The closing q: the French stemmer cuts an ending e, s or x, so
	// « jalonabe » and « jalonabs » would be one word to search.
	return "jalon" + string(rune('a'+n/676%26)) + string(rune('a'+n/26%26)) + string(rune('a'+n%26)) + "q"
}

type ackedPost struct {
	id   int64
	word string
}

// The restore drill: a site served with its background work, a member
// replying continuously, a backup asked for from the administration page
// mid-stream (the schedule's code path), writes going on after it; the
// backup restored into a fresh folder holds every write acknowledged
// before it started, a search index that agrees with the database, the
// attached files, and serves.
func TestRestoreDrill(t *testing.T) {
	backups := t.TempDir()
	ts := newTestSite(t, func(c *Config) { c.BackupDir = backups })
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	karim, lea := ts.mustCreateMember("Karim", content.RoleMember), ts.mustCreateMember("Lea", content.RoleMember)
	pdf := []byte("%PDF-1.4\n% attestation de la CAF\n%%EOF\n")
	up, err := ts.srv.store.SaveUpload(ts.ctx(), karim, "attestation.pdf", pdf, 0, ts.srv.uploadDir())
	if err != nil {
		t.Fatal(err)
	}
	topic := ts.mustCreateTopic(karim, "Une attestation de la CAF à imprimer", "La voici : "+up.Markdown("attestation"))
	stopBackground := ts.srv.startBackground()
	defer stopBackground()
	// No backup recorded yet: the schedule makes one at start.
	waitFor(t, "the backup made at start", func() bool { return len(ts.backupRuns()) == 1 })

	var mu sync.Mutex
	var acked []ackedPost
	stop, writerDone := make(chan struct{}), make(chan error, 1)
	go func() {
		for n := 0; ; n++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			// Fixtures write faster than any member: forget the limit.
			if _, err := ts.srv.db.W.Exec(`DELETE FROM strikes WHERE bucket = ?`, content.LimitReplies.Bucket); err != nil {
				writerDone <- err
				return
			}
			p, err := ts.srv.store.Reply(context.Background(), lea, topic.ID,
				content.NewReply{Body: fmt.Sprintf("Réponse numéro %d, repère %s.", n, marker(n))})
			if err != nil {
				writerDone <- err
				return
			}
			mu.Lock()
			acked = append(acked, ackedPost{p.ID, marker(n)})
			mu.Unlock()
		}
	}()
	written := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	waitFor(t, "writes before the backup", func() bool { return written() >= 30 })

	cl := ts.loggedIn(admin)
	cl.get("/admin/sauvegardes")
	mu.Lock()
	before := append([]ackedPost(nil), acked...) // acknowledged before the backup was asked for
	mu.Unlock()
	if r := cl.postForm("/admin/sauvegardes", nil); r.status != 303 {
		t.Fatalf("Sauvegarder maintenant: %d", r.status)
	}
	waitFor(t, "the backup asked for", func() bool { return len(ts.backupRuns()) == 2 })
	made := ts.backupRuns()[0]
	if !made.OK {
		t.Fatalf("backup: %+v", made)
	}
	afterBackup := written()
	waitFor(t, "writes after the backup", func() bool { return written() >= afterBackup+30 })
	close(stop)
	if err := <-writerDone; err != nil {
		t.Fatalf("writer: %v", err)
	}
	stopBackground()
	ts.srv.Close()

	restored := filepath.Join(t.TempDir(), "restauree")
	done, err := backup.Restore(context.Background(), made.Dir, restored, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil || done.Files != 1 {
		t.Fatalf("restore: %+v, %v", done, err)
	}

	// Every write acknowledged before the backup is there; the last ones,
	// after it finished, are not: the backup is the site as it was.
	db, err := content.OpenDB(context.Background(), filepath.Join(restored, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	store := content.NewStore(db)
	var ids []int64
	if err := db.R.Select(&ids, `SELECT id FROM posts WHERE topic_id = ?`, topic.ID); err != nil {
		t.Fatal(err)
	}
	have := map[int64]bool{}
	for _, id := range ids {
		have[id] = true
	}
	for _, p := range before {
		if !have[p.id] {
			t.Errorf("reply %d (%s), acknowledged before the backup, is not in the restored site", p.id, p.word)
		}
	}
	mu.Lock()
	last := acked[len(acked)-1]
	mu.Unlock()
	if have[last.id] {
		t.Errorf("reply %d, written after the backup finished, is in it", last.id)
	}
	// The index agrees with the database.
	want, err := store.SearchSources().Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.Open(filepath.Join(restored, search.LinkName))
	if err != nil {
		t.Fatal(err)
	}
	got, err := idx.DocCount()
	idx.Close()
	db.Close()
	if err != nil || got != want {
		t.Errorf("restored index holds %d documents, the database %d (%v)", got, want, err)
	}

	// The restored site serves: the topic, the attached file, and a
	// search for the last write acknowledged before the backup.
	site := newTestSite(t, func(c *Config) { c.DataDir = restored })
	visitor := site.client()
	if r := visitor.get(topic.Path()); r.status != 200 || !strings.Contains(r.body, "Une attestation de la CAF") ||
		!strings.Contains(r.body, `href="/fichiers/`+up.Name+`"`) {
		t.Errorf("topic page on the restored site: %d", r.status)
	}
	if r := visitor.get("/fichiers/" + up.Name); r.status != 200 || r.raw != string(pdf) {
		t.Errorf("attached file on the restored site: %d, %d bytes", r.status, len(r.raw))
	}
	word := before[len(before)-1].word
	if r := visitor.get("/recherche?q=" + word); r.status != 200 || !strings.Contains(r.body, "<mark>"+word+"</mark>") || !strings.Contains(r.body, topic.Path()) {
		t.Errorf("search for %q on the restored site: %d\n%s", word, r.status, r.body)
	}
}

// The administration page: how to set backups up when none is configured;
// with a folder, a failed backup shown in French, then retried and shown
// « vérifiée »; administrators only.
func TestBackupPage(t *testing.T) {
	plain := newTestSite(t)
	admin := plain.loggedIn(plain.mustCreateMember("Admin", content.RoleAdmin))
	member := plain.loggedIn(plain.mustCreateMember("Karim", content.RoleMember))
	runScenarios(t, plain, []scenario{
		{name: "visitor sent to login", path: "/admin/sauvegardes", wantStatus: 303, wantLocation: "/connexion?retour=/admin/sauvegardes"},
		{name: "member refused", as: member, path: "/admin/sauvegardes", wantStatus: 403},
		{name: "member cannot start one", as: member, method: "POST", path: "/admin/sauvegardes", wantStatus: 403},
		{name: "how to set one up", as: admin, path: "/admin/sauvegardes", wantStatus: 200,
			wantContains:    []string{"Aucune sauvegarde automatique", "--backup-dir", "LIGUE_BACKUP_DIR", "Aucune sauvegarde n’a encore été faite"},
			wantNotContains: []string{"Sauvegarder maintenant"}},
		{name: "nothing to start", as: admin, method: "POST", path: "/admin/sauvegardes", wantStatus: 303, wantLocation: "/admin/sauvegardes"},
		{name: "and told why", as: admin, path: "/admin/sauvegardes", wantStatus: 200, wantContains: []string{"Aucun dossier de sauvegarde n’est configuré"}},
		{name: "from the members' page", as: admin, path: "/admin/membres", wantStatus: 200, wantContains: []string{`href="/admin/sauvegardes"`}},
	})

	// A folder where a file is in the way: the first backup fails.
	blocked := filepath.Join(t.TempDir(), "sauvegardes")
	os.WriteFile(blocked, []byte("un fichier, pas un dossier"), 0o600)
	ts := newTestSite(t, func(c *Config) { c.BackupDir = blocked; c.BackupEvery = 6 * time.Hour; c.BackupKeep = 3 })
	cl := ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	stop := ts.srv.startBackground()
	defer stop()
	waitFor(t, "the first backup", func() bool { return len(ts.backupRuns()) == 1 })
	r := cl.get("/admin/sauvegardes")
	if !strings.Contains(r.body, "Intervalle entre deux sauvegardes : 6 heures ; les 3 plus récentes sont gardées") ||
		!strings.Contains(r.body, "ne peut pas être créé (mkdir") || strings.Contains(r.body, `badge ok">vérifiée`) || !strings.Contains(r.body, "Sauvegarder maintenant") {
		t.Fatalf("page after a failed backup:\n%s", r.body)
	}
	if !strings.Contains(ts.logs.String(), "backup failed") {
		t.Errorf("the failure is not logged")
	}
	// Fixed, and asked for again: the schedule survived the failure.
	os.Remove(blocked)
	if r := cl.postForm("/admin/sauvegardes", url.Values{}); r.status != 303 {
		t.Fatalf("Sauvegarder maintenant: %d", r.status)
	}
	waitFor(t, "the backup asked for", func() bool { return len(ts.backupRuns()) == 2 })
	if r := cl.get("/admin/sauvegardes"); !strings.Contains(r.body, `badge ok">vérifiée`) || !strings.Contains(r.body, "La sauvegarde a commencé") {
		t.Errorf("page after the backup asked for:\n%s", r.body)
	}
	// Without the form's token, nothing starts.
	cl.csrf = "faux"
	if r := cl.postForm("/admin/sauvegardes", url.Values{}); r.status != 403 {
		t.Errorf("POST without a valid token: %d", r.status)
	}
}

// While a server runs on a data folder, a second one and a restore are
// refused with a clear message, and the folder is left as it was; once
// stopped, the restore goes through and keeps the database aside.
func TestDataFolderIsHeldWhileServing(t *testing.T) {
	dir, backups := t.TempDir(), t.TempDir()
	ts := newTestSite(t, func(c *Config) { c.DataDir = dir; c.BackupDir = backups })
	ts.mustCreateMember("Karim", content.RoleMember)
	ts.srv.backupNow(ts.ctx())
	made := ts.backupRuns()[0]
	if !made.OK {
		t.Fatalf("backup: %+v", made)
	}
	if _, err := New(context.Background(), Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil ||
		!strings.Contains(err.Error(), "un autre serveur Ligue utilise déjà le dossier de données") {
		t.Errorf("second server on the folder: %v", err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := backup.Restore(context.Background(), made.Dir, dir, quiet)
	var f *backup.Failure
	if !errors.As(err, &f) || !strings.Contains(f.Msg, "Un serveur Ligue utilise le dossier de données") {
		t.Fatalf("restore while serving: %v", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "ligue.db.*")); len(matches) != 0 {
		t.Errorf("a refused restore left %q", matches)
	}
	if r := ts.client().get("/membres/Karim"); r.status != 200 {
		t.Errorf("the site after a refused restore: %d", r.status)
	}

	ts.srv.Close()
	done, err := backup.Restore(context.Background(), made.Dir, dir, quiet)
	if err != nil || !strings.HasPrefix(filepath.Base(done.Aside), "ligue.db.avant-restauration-") {
		t.Fatalf("restore once stopped: %+v, %v", done, err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "ligue.db.avant-restauration-*-wal")); len(matches) != 0 {
		t.Errorf("the database kept aside still has a WAL beside it: %q", matches)
	}
	again := newTestSite(t, func(c *Config) { c.DataDir = dir })
	if r := again.client().get("/membres/Karim"); r.status != 200 {
		t.Errorf("the restored site: %d", r.status)
	}
}
