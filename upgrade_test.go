package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/internal/schemafixture"
	"github.com/ligue-mednum/ligue/migrations"
)

// folderState is every file under dir with a hash of its bytes.
func folderState(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFolder(t *testing.T, before, after map[string][32]byte) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
	for path, sum := range before {
		if after[path] != sum {
			t.Errorf("%s changed", filepath.Base(path))
		}
	}
}

// olderData is a data folder whose database is at schema version, holding
// that schema's fixture.
func olderData(t *testing.T, version int) string {
	t.Helper()
	rows, err := os.ReadFile(filepath.Join("migrations", "testdata", schemafixture.Name(version)))
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if err := schemafixture.Create(context.Background(), filepath.Join(data, "ligue.db"), version, string(rows)); err != nil {
		t.Fatal(err)
	}
	return data
}

func latestSchema(t *testing.T) int {
	t.Helper()
	latest, err := migrations.Latest(migrations.Files)
	if err != nil {
		t.Fatal(err)
	}
	return latest
}

func TestMigrateDryRunChangesNothing(t *testing.T) {
	latest := latestSchema(t)
	data := olderData(t, latest-2)
	before := folderState(t, data)
	r := runCLI(t, "", "migrate", "--dry-run", "--data", data)
	if r.code != 0 {
		t.Fatalf("dry run: %d %s", r.code, r.stderr)
	}
	for _, m := range []int{latest - 1, latest} {
		if want := fmt.Sprintf("  %04d  %04d_", m, m); !strings.Contains(r.stdout, want) {
			t.Errorf("the pending migration %d is not listed:\n%s", m, r.stdout)
		}
	}
	if want := fmt.Sprintf("schéma %d → %d : 2 migration(s) en attente", latest-2, latest); !strings.Contains(r.stdout, want) {
		t.Errorf("no %q in:\n%s", want, r.stdout)
	}
	sameFolder(t, before, folderState(t, data))
	if r := runCLI(t, "", "version", "--data", data); !strings.Contains(r.stdout, fmt.Sprintf("schéma %d (2 migration(s) en attente", latest-2)) {
		t.Errorf("the migrations ran anyway: %s", r.stdout)
	}

	// The real run applies them, and a dry run then has nothing to list.
	if r := runCLI(t, "", "migrate", "--data", data); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, "", "migrate", "--dry-run", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "aucune migration en attente") {
		t.Errorf("up to date: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// Where there is no database, it lists them all and creates nothing.
	empty := filepath.Join(t.TempDir(), "nouveau")
	if r := runCLI(t, "", "migrate", "--dry-run", "--data", empty); r.code != 0 || !strings.Contains(r.stdout, "0001  0001_accounts.sql") {
		t.Errorf("no database: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("the dry run created %s: %v", empty, err)
	}
}

func TestNewerDatabaseStopsEveryCommand(t *testing.T) {
	data := t.TempDir()
	if r := runCLI(t, "", "migrate", "--data", data); r.code != 0 {
		t.Fatal(r.stderr)
	}
	latest := latestSchema(t)
	db, err := schemafixture.Open(filepath.Join(data, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	// A newer Ligue ran three more migrations, then this older binary came back.
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name) VALUES (?, '9999_future.sql')`, latest+3); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := folderState(t, data)
	backup := filepath.Join(t.TempDir(), "copie.db")
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0"},
		{"migrate"},
		{"migrate", "--dry-run"},
		{"user", "create", "--pseudo", "Nadia", "--email", "nadia@exemple.fr"},
		{"token", "create", "--pseudo", "Nadia"},
		{"backup", backup},
		{"rerender"},
		{"reindex"},
	} {
		r := runCLI(t, "la ligue des mednum\n", append(args, "--data", data)...)
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1", args[0], r.code)
		}
		for _, want := range []string{fmt.Sprintf("une version plus récente de Ligue (schéma %d) que ce programme (schéma %d)", latest+3, latest),
			fmt.Sprintf("upgraded by a newer Ligue (schema %d) than this binary (schema %d)", latest+3, latest)} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: no %q in %s", strings.Join(args, " "), want, r.stderr)
			}
		}
		sameFolder(t, before, folderState(t, data))
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Errorf("a backup was written: %v", err)
	}
	if r := runCLI(t, "", "version", "--data", data); r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("schéma %d, plus récent que ce programme", latest+3)) {
		t.Errorf("version: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestVersion(t *testing.T) {
	latest := latestSchema(t)
	version, commit, buildDate = "v1.4.0", "0123abcd", "2026-11-30T10:00:00Z"
	t.Cleanup(func() { version, commit, buildDate = "", "", "" })
	r := runCLI(t, "", "version")
	if want := fmt.Sprintf("ligue v1.4.0\ncommit : 0123abcd\nconstruit le : 2026-11-30T10:00:00Z\nschéma : %d\n", latest); r.code != 0 || r.stdout != want {
		t.Errorf("version: %d\n%s\nwant\n%s", r.code, r.stdout, want)
	}
	missing := filepath.Join(t.TempDir(), "rien")
	if r := runCLI(t, "", "version", "--data", missing); !strings.Contains(r.stdout, "base de données : aucune dans "+missing) {
		t.Errorf("without a database: %s", r.stdout)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("version created %s", missing)
	}
	data := olderData(t, latest-1)
	before := folderState(t, data)
	if r := runCLI(t, "", "version", "--data", data); !strings.Contains(r.stdout, fmt.Sprintf("base de données : schéma %d (1 migration(s) en attente : ligue migrate)", latest-1)) {
		t.Errorf("an older database: %s", r.stdout)
	}
	sameFolder(t, before, folderState(t, data))

	// A test binary carries no version control settings: « dev ».
	version, commit, buildDate = "", "", ""
	if r := runCLI(t, "", "version"); !strings.HasPrefix(r.stdout, "ligue dev\ncommit : dev\n") {
		t.Errorf("without -ldflags: %s", r.stdout)
	}
}

// The Makefile's build target stamps the binary with the checkout it was built from.
func TestBuiltBinaryTellsItsVersion(t *testing.T) {
	for _, tool := range []string{"make", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	bin := filepath.Join(t.TempDir(), "ligue")
	if out, err := exec.Command("make", "-s", "build", "BIN="+bin).CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	describe, _ := exec.Command("git", "describe", "--always", "--dirty").Output()
	head, _ := exec.Command("git", "rev-parse", "HEAD").Output()
	for _, want := range []string{"ligue " + strings.TrimSpace(string(describe)) + "\n", "commit : " + strings.TrimSpace(string(head)) + "\n", "construit le : 20"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}
