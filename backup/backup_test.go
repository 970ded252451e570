package backup

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/internal/flock"
)

// site is a data folder with its database open, as a running server has it.
type site struct {
	t     *testing.T
	dir   string
	db    *content.DB
	store *content.Store
	karim *content.User
}

func newSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	db, err := content.OpenDB(context.Background(), filepath.Join(dir, dbName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := content.NewStore(db)
	karim, err := store.CreateUser(context.Background(), content.NewUser{Pseudo: "Karim", Email: "karim@exemple.fr",
		Password: "une phrase assez longue", Role: content.RoleMember, Verified: true, Vouched: true, AcceptCharter: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, dir: dir, db: db, store: store, karim: karim}
}

// attach stores a small PDF as Karim attaching it would, and returns its name.
func (s *site) attach(text string) string {
	s.t.Helper()
	up, err := s.store.SaveUpload(context.Background(), s.karim, text+".pdf", []byte("%PDF-1.4\n% "+text+"\n%%EOF\n"), 0,
		filepath.Join(s.dir, storeName))
	if err != nil {
		s.t.Fatal(err)
	}
	return up.Name
}

func (s *site) backup(dir string, keep int) *content.Backup {
	s.t.Helper()
	rec, err := Run(context.Background(), s.db, s.store, Options{DataDir: s.dir, Dir: dir, Keep: keep})
	if err != nil {
		s.t.Fatalf("backup: %v", err)
	}
	return rec
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Keep 2 after 4 backups: the two newest folders remain; a file only the
// deleted backups listed (its account erased since) leaves the shared
// store, files the remaining ones list stay; a file already stored costs
// nothing the next time.
func TestRetentionKeepsTheNewestBackupsAndTheFilesTheyList(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	erased, kept := s.attach("erased"), s.attach("kept")
	first := s.backup(dir, 2)
	if !first.OK || first.FilesTotal != 2 || first.FilesCopied != 2 || first.SizeBytes == 0 {
		t.Fatalf("first backup: %+v", first)
	}
	second := s.backup(dir, 2)
	if second.FilesCopied != 0 || second.FilesTotal != 2 {
		t.Errorf("second backup copied %d of %d files, want 0 of 2", second.FilesCopied, second.FilesTotal)
	}
	os.Remove(filepath.Join(s.dir, storeName, erased)) // as erasing the account does
	third := s.backup(dir, 2)
	late := s.attach("late")
	fourth := s.backup(dir, 2)
	if fourth.FilesCopied != 1 || fourth.FilesTotal != 2 {
		t.Errorf("fourth backup copied %d of %d files, want 1 of 2", fourth.FilesCopied, fourth.FilesTotal)
	}

	want := []string{filepath.Base(third.Dir), filepath.Base(fourth.Dir), storeName}
	sort.Strings(want)
	if got := names(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("backup folder holds %q, want %q", got, want)
	}
	stored := strings.Join(names(t, filepath.Join(dir, storeName)), " ")
	if strings.Contains(stored, erased) || !strings.Contains(stored, kept) || !strings.Contains(stored, late) {
		t.Errorf("shared store holds %q: want %s and %s, not %s", stored, kept, late, erased)
	}
	list, err := s.store.ListBackups(context.Background(), 10)
	if err != nil || len(list) != 4 || list[0].ID != fourth.ID {
		t.Errorf("recorded runs: %d, %v", len(list), err)
	}
}

// A backup that cannot be made is recorded with why, in French, and
// leaves no folder that could pass for a backup.
func TestFailedBackupIsRecordedAndLeavesNothing(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	lock, err := flock.TryLock(filepath.Join(dir, ".lock")) // a cron's backup, running
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Run(context.Background(), s.db, s.store, Options{DataDir: s.dir, Dir: dir})
	lock.Release()
	if err == nil || rec.OK || !strings.Contains(rec.Error, "Une autre sauvegarde est en cours") {
		t.Fatalf("backup while another runs: %+v, %v", rec, err)
	}
	if got := names(t, dir); len(got) != 1 || got[0] != storeName {
		t.Errorf("backup folder holds %q", got)
	}
	blocked := filepath.Join(t.TempDir(), "fichier")
	os.WriteFile(blocked, []byte("pas un dossier"), 0o600)
	if rec, err := Run(context.Background(), s.db, s.store, Options{DataDir: s.dir, Dir: blocked}); err == nil ||
		!strings.Contains(rec.Error, "ne peut pas être créé") {
		t.Errorf("backup into a file: %+v, %v", rec, err)
	}
	latest, err := s.store.LatestBackup(context.Background())
	if err != nil || latest.OK || latest.Error == "" {
		t.Errorf("latest run: %+v, %v", latest, err)
	}
}

// Restore refuses a damaged backup, says why in French, and leaves the
// data folder as it was.
func TestRestoreRefusesADamagedBackup(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	file := s.attach("attestation")
	good := s.backup(dir, 5).Dir
	copyOf := func(t *testing.T) string { return s.backup(dir, 5).Dir }
	bare := filepath.Join(t.TempDir(), "copie.db")
	if err := s.db.Backup(context.Background(), bare); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T) string // returns the backup to restore
		want   string
	}{
		{"database changed", func(t *testing.T) string {
			folder := copyOf(t)
			flipByte(t, filepath.Join(folder, dbName), 5000)
			return folder
		}, "a changé depuis qu’elle a été faite"},
		{"shared file missing", func(t *testing.T) string {
			folder := copyOf(t)
			os.Remove(filepath.Join(dir, storeName, file))
			return folder
		}, "1 fichier(s) joint(s) manquent ou sont abîmés"},
		{"unfinished", func(t *testing.T) string {
			folder := copyOf(t)
			os.Remove(filepath.Join(folder, manifestName))
			return folder
		}, "n’est pas une sauvegarde terminée"},
		{"not a database", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "notes.db")
			os.WriteFile(path, []byte(strings.Repeat("des notes, pas une base\n", 400)), 0o600)
			return path
		}, "n’est pas une base de données SQLite lisible"},
		{"damaged pages", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "abimee.db")
			b, _ := os.ReadFile(bare)
			for i := 4096 * 3; i < 4096*3+3000 && i < len(b); i++ {
				b[i] = 0x5a
			}
			os.WriteFile(path, b, 0o600)
			return path
		}, "abîmée"},
		{"newer schema", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "future.db")
			b, _ := os.ReadFile(bare)
			os.WriteFile(path, b, 0o600)
			db, err := content.OpenDB(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			db.W.Exec(`INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`)
			db.Close()
			return path
		}, "version plus récente de Ligue (schéma 9999"},
		{"missing", func(t *testing.T) string { return filepath.Join(dir, "ligue-19990101-000000") }, "introuvable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := t.TempDir()
			os.WriteFile(filepath.Join(target, dbName), []byte("la base actuelle"), 0o600)
			_, err := Restore(context.Background(), tc.damage(t), target, quiet)
			var f *Failure
			if !errors.As(err, &f) || !strings.Contains(f.Msg, tc.want) {
				t.Fatalf("restore: %v, want a refusal saying %q", err, tc.want)
			}
			if got := names(t, target); len(got) != 1 || got[0] != dbName {
				t.Errorf("data folder after the refusal: %q", got)
			}
			if b, _ := os.ReadFile(filepath.Join(target, dbName)); string(b) != "la base actuelle" {
				t.Errorf("current database changed by a refused restore")
			}
		})
	}
	// The good backup still restores (the refusals were about the damage),
	// over a database kept aside.
	target := t.TempDir()
	before, err := content.OpenDB(context.Background(), filepath.Join(target, dbName))
	if err != nil {
		t.Fatal(err)
	}
	content.NewStore(before).CreateUser(context.Background(), content.NewUser{Pseudo: "Avant", Email: "avant@exemple.fr",
		Password: "une phrase assez longue", Role: content.RoleMember, Verified: true}, nil)
	before.Close()
	done, err := Restore(context.Background(), good, target, quiet)
	if err != nil || done.Files != 1 || !strings.Contains(done.Aside, dbName+".avant-restauration-") {
		t.Fatalf("restore of the good backup: %+v, %v", done, err)
	}
	for path, pseudo := range map[string]string{done.Aside: "Avant", filepath.Join(target, dbName): "Karim"} {
		db, err := content.OpenDB(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := content.NewStore(db).UserByPseudo(context.Background(), pseudo); err != nil {
			t.Errorf("%s: no %s (%v)", filepath.Base(path), pseudo, err)
		}
		db.Close()
	}
}

func flipByte(t *testing.T, path string, at int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	f.ReadAt(b, at)
	b[0] ^= 0xff
	f.WriteAt(b, at)
}
