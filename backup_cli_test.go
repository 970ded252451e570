package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// `ligue backup --dir` makes the same verified backup as the server's
// schedule; `ligue restore` puts it back, and refuses clearly (status 1)
// what it cannot restore.
func TestFullBackupAndRestoreFromTheCommandLine(t *testing.T) {
	data, backups := t.TempDir(), t.TempDir()
	if r := runCLI(t, "la ligue des mednum\n", "user", "create", "--pseudo", "Nadia", "--email", "nadia@exemple.fr", "--data", data); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := runCLI(t, "", "backup", "--dir", backups, "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "sauvegarde faite et vérifiée : "+filepath.Join(backups, "ligue-")) {
		t.Fatalf("backup --dir: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	folders, _ := filepath.Glob(filepath.Join(backups, "ligue-*"))
	if len(folders) != 1 {
		t.Fatalf("backup folders: %q", folders)
	}
	bare := filepath.Join(t.TempDir(), "copie.db")
	if r := runCLI(t, "", "backup", bare, "--data", data); r.code != 0 {
		t.Fatalf("backup FILE still works: %s", r.stderr)
	}

	fresh := filepath.Join(t.TempDir(), "nouvelle")
	r = runCLI(t, "", "restore", folders[0], "--data", fresh)
	if r.code != 0 || !strings.Contains(r.stdout, "restaurée dans "+fresh) || !strings.Contains(r.stdout, "index de recherche reconstruit") {
		t.Fatalf("restore: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "restore", bare, "--data", fresh)
	if r.code != 0 || !strings.Contains(r.stdout, "l’ancienne base de données est gardée dans "+filepath.Join(fresh, "ligue.db.avant-restauration-")) {
		t.Fatalf("restore of a bare file over a database: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	db, err := content.OpenDB(context.Background(), filepath.Join(fresh, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.NewStore(db).UserByPseudo(context.Background(), "nadia"); err != nil {
		t.Errorf("restored database: %v", err)
	}
	db.Close()

	notes := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notes, []byte(strings.Repeat("pas une base de données\n", 300)), 0o600)
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no backup named", []string{"restore", "--data", fresh}, 2, "nombre d’arguments"},
		{"missing backup", []string{"restore", filepath.Join(backups, "ligue-19990101-000000"), "--data", fresh}, 1, "est introuvable"},
		{"not a database", []string{"restore", notes, "--data", fresh}, 1, "n’est pas une base de données SQLite lisible"},
		{"backup folder is a file", []string{"backup", "--dir", notes, "--data", data}, 1, "ne peut pas être créé"},
		{"interval too short", []string{"serve", "--backup-every", "10s", "--data", data}, 2, "au moins une minute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantErr) {
				t.Errorf("code %d (want %d)\nstderr: %s", r.code, tc.wantCode, r.stderr)
			}
		})
	}
}
