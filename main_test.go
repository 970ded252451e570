package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

type cli struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) cli {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return cli{code, out.String(), errb.String()}
}

func TestCommandLine(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		name      string
		stdin     string
		args      []string
		wantCode  int
		wantOut   string
		wantErr   string
		wantNoOut bool
	}{
		{name: "no command", args: nil, wantCode: 2, wantErr: "Usage"},
		{name: "unknown command", args: []string{"danse"}, wantCode: 2, wantErr: "commande inconnue"},
		{name: "wrong flag", args: []string{"serve", "--port", "80"}, wantCode: 2, wantErr: "-addr"},
		{name: "help", args: []string{"backup", "--help"}, wantCode: 0, wantErr: "-data"},
		{name: "metrics open to every machine", args: []string{"serve", "--data", data, "--metrics-addr", "0.0.0.0:9100"}, wantCode: 1,
			wantErr: "--metrics-token"},
		{name: "migrate", args: []string{"migrate", "--data", data}, wantCode: 0, wantOut: "à jour"},
		{name: "user without e-mail", args: []string{"user", "create", "--pseudo", "Nadia", "--data", data}, wantCode: 2, wantErr: "obligatoires"},
		{name: "weak password", stdin: "123456789\n", args: []string{"user", "create", "--pseudo", "Nadia", "--email", "nadia@exemple.fr", "--data", data},
			wantCode: 1, wantErr: "au moins 10 caractères"},
		{name: "common password", stdin: "motdepasse1\n", args: []string{"user", "create", "--pseudo", "Nadia", "--email", "nadia@exemple.fr", "--data", data},
			wantCode: 1, wantErr: "plus courants"},
		{name: "create admin", stdin: "la ligue des mednum\n", args: []string{"user", "create", "--pseudo", "Nadia", "--email", "nadia@exemple.fr", "--role", "admin", "--data", data},
			wantCode: 0, wantOut: "compte Nadia créé (Administrateur·rice)"},
		{name: "duplicate", stdin: "la ligue des mednum\n", args: []string{"user", "create", "--pseudo", "nadia", "--email", "autre@exemple.fr", "--data", data},
			wantCode: 1, wantErr: "déjà pris"},
		{name: "token for nobody", args: []string{"token", "create", "--pseudo", "Personne", "--data", data}, wantCode: 1, wantErr: "Personne"},
		{name: "token", args: []string{"token", "create", "--pseudo", "Nadia", "--data", data}, wantCode: 0, wantOut: content.APITokenPrefix},
		{name: "reindex", args: []string{"reindex", "--data", data}, wantCode: 0, wantOut: "index de recherche reconstruit"},
		{name: "rerender", args: []string{"rerender", "--data", data}, wantCode: 0, wantOut: "0 message(s) mis à jour"},
		{name: "backup without file", args: []string{"backup", "--data", data}, wantCode: 2},
		{name: "gen into a used folder", args: []string{"gen", "--data", data}, wantCode: 1, wantErr: "n’est pas vide"},
		{name: "gen", args: []string{"gen", "--data", filepath.Join(data, "gen"), "--topics", "5", "--posts-per-topic", "4", "--members", "5", "--long-topic", "8"},
			wantCode: 0, wantOut: "messages : 20 dans 5 discussions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, tc.args...)
			if r.code != tc.wantCode || !strings.Contains(r.stdout, tc.wantOut) || !strings.Contains(r.stderr, tc.wantErr) {
				t.Errorf("code %d (want %d)\nstdout: %s\nstderr: %s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "la ligue des mednum") {
				t.Error("the password was printed")
			}
		})
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	data := t.TempDir()
	if r := runCLI(t, "la ligue des mednum\n", "user", "create", "--pseudo", "Nadia", "--email", "nadia@exemple.fr", "--data", data); r.code != 0 {
		t.Fatal(r.stderr)
	}
	dest := filepath.Join(t.TempDir(), "copie.db")
	if r := runCLI(t, "", "backup", dest, "--data", data); r.code != 0 {
		t.Fatalf("backup: %s", r.stderr)
	}
	if r := runCLI(t, "", "backup", dest, "--data", data); r.code != 1 || !strings.Contains(r.stderr, "existe déjà") {
		t.Errorf("backup over an existing file: %d %s", r.code, r.stderr)
	}
	db, err := content.OpenDB(context.Background(), dest)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := content.NewStore(db).UserByPseudo(context.Background(), "nadia")
	if err != nil || u.Email != "nadia@exemple.fr" {
		t.Errorf("backup content: %v %v", u, err)
	}
}

func TestRerenderUpdatesStoredHTML(t *testing.T) {
	data := t.TempDir()
	runCLI(t, "la ligue des mednum\n", "user", "create", "--pseudo", "Nadia", "--email", "nadia@exemple.fr", "--data", data)
	ctx := context.Background()
	db, err := content.OpenDB(ctx, filepath.Join(data, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	store := content.NewStore(db)
	nadia, _ := store.UserByPseudo(ctx, "nadia")
	topic, err := store.CreateTopic(ctx, nadia, content.NewTopic{Title: "Un sujet à rendre", Body: "Du **gras**", Category: "vie-de-la-ligue"})
	if err != nil {
		t.Fatal(err)
	}
	// Simulate HTML stored by an older renderer.
	if _, err := db.W.Exec(`UPDATE posts SET html = '<p>ancien rendu</p>' WHERE topic_id = ?`, topic.ID); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if r := runCLI(t, "", "rerender", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "1 message(s) mis à jour") {
		t.Fatalf("rerender: %d %s %s", r.code, r.stdout, r.stderr)
	}
	db, _ = content.OpenDB(ctx, filepath.Join(data, "ligue.db"))
	defer db.Close()
	var html string
	db.R.Get(&html, `SELECT html FROM posts WHERE topic_id = ?`, topic.ID)
	if html != "<p>Du <strong>gras</strong></p>\n" {
		t.Errorf("html after rerender: %q", html)
	}
}

func TestServeAndGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data := filepath.Join(t.TempDir(), "nouveau")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--data", data}, nil, io.Discard, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	var res *http.Response
	for i := 0; i < 100; i++ {
		if res, err = http.Get("http://" + addr + "/sante"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "ok" {
		t.Fatalf("/sante: %q", body)
	}
	if _, err := os.Stat(filepath.Join(data, "ligue.db")); err != nil {
		t.Errorf("data folder not created: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited with %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}
