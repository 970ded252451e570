package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// The fault suite runs the real binary (this test binary, re-executed as
// `ligue serve`) and kills it as a crash, a power cut or a deploy would.

// TestHelperServe is the server process of the fault tests; it does nothing
// in a normal run.
func TestHelperServe(t *testing.T) {
	args := os.Getenv("LIGUE_FAULT_SERVE")
	if args == "" {
		t.Skip("run by the fault tests only")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	stop()
	os.Exit(code)
}

// server is one `ligue serve` process on a data folder.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
}

func startServer(t *testing.T, data string) *process {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$")
	cmd.Env = append(os.Environ(), "LIGUE_FAULT_SERVE="+strings.Join([]string{"serve", "--addr", addr, "--data", data}, "\x1f"))
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &process{t: t, cmd: cmd, base: "http://" + addr, logs: logs}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.base + "/sante"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server did not start:\n%s", logs)
	return nil
}

// api sends a JSON request with a token and decodes the answer into out.
func (s *process) api(method, path, token string, body any, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode, nil
}

func setUpMember(t *testing.T, data string) string {
	t.Helper()
	if c := runCLI(t, "la ligue des mednum\n", "user", "create", "--pseudo", "Nadia", "--email", "nadia@exemple.fr", "--data", data); c.code != 0 {
		t.Fatalf("user create: %s", c.stderr)
	}
	c := runCLI(t, "", "token", "create", "--pseudo", "Nadia", "--data", data)
	if c.code != 0 {
		t.Fatalf("token create: %s", c.stderr)
	}
	return strings.TrimSpace(c.stdout[strings.Index(c.stdout, content.APITokenPrefix):])
}

// Killed with SIGKILL while eight writers post: every reply the server
// acknowledged is there after the restart, and the search index catches up.
func TestKillDuringWritesLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("fault suite")
	}
	data := t.TempDir()
	token := setUpMember(t, data)
	srv := startServer(t, data)
	var topic struct{ ID int64 }
	if status, err := srv.api("POST", "/api/v1/discussions", token, map[string]string{"title": "Sauvegarder avant une coupure",
		"body": "Que faire ?", "category": "demarches-en-ligne"}, &topic); err != nil || status != 201 {
		t.Fatalf("create topic: %d %v", status, err)
	}

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				marker := fmt.Sprintf("temoin%dx%d", w, i)
				status, err := srv.api("POST", fmt.Sprintf("/api/v1/discussions/%d/reponses", topic.ID), token,
					map[string]string{"body": "Réponse " + marker + " avant la coupure."}, nil)
				if err != nil {
					return // the server is gone
				}
				if status == 201 {
					mu.Lock()
					acked = append(acked, marker)
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d replies acknowledged before the kill", len(acked))
	}

	again := startServer(t, data)
	db, err := content.OpenDB(context.Background(), filepath.Join(data, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, marker := range acked {
		var n int
		if err := db.R.Get(&n, `SELECT count(*) FROM posts WHERE body LIKE ?`, "%"+marker+" %"); err != nil || n != 1 {
			t.Errorf("acknowledged reply %s: %d rows after the restart (%v)", marker, n, err)
		}
	}
	// The index catches up from the event stream after the restart.
	last := acked[len(acked)-1]
	deadline := time.Now().Add(30 * time.Second)
	for {
		var res struct{ Total int }
		if status, err := again.api("GET", "/api/v1/recherche?q="+last, token, nil, &res); err == nil && status == 200 && res.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the last acknowledged reply is not found by search after the restart")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d replies acknowledged before SIGKILL, all found after the restart", len(acked))
}

// SIGTERM while an upload is on its way and live streams are open: the
// server stops in bounded time, exits 0, and the database is sound.
func TestTermDuringUploadsAndLiveStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("fault suite")
	}
	data := t.TempDir()
	token := setUpMember(t, data)
	srv := startServer(t, data)
	var topic struct{ ID int64 }
	if status, err := srv.api("POST", "/api/v1/discussions", token, map[string]string{"title": "Un atelier photo",
		"body": "Vos photos ?", "category": "demarches-en-ligne"}, &topic); err != nil || status != 201 {
		t.Fatalf("create topic: %d %v", status, err)
	}
	for i := 0; i < 4; i++ { // live streams
		res, err := http.Get(fmt.Sprintf("%s/discussions/%d/evenements", srv.base, topic.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
	}
	// A slow upload of announced length: its body trickles in for longer
	// than the server waits for requests in flight.
	const chunks = 400
	head := "--b\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"photo.jpg\"\r\n\r\n"
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprint(pw, head)
		for i := 0; i < chunks; i++ {
			if _, err := pw.Write(bytes.Repeat([]byte{0xff}, 1024)); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		pw.Close()
	}()
	uploadDone := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/discussions/%d/reponses", srv.base, topic.ID), pr)
		req.ContentLength = int64(len(head) + chunks*1024)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		uploadDone <- err
	}()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	srv.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- srv.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM\n%s", err, srv.logs)
		}
	case <-time.After(25 * time.Second):
		t.Fatalf("serve did not stop within 25 s of SIGTERM\n%s", srv.logs)
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	pw.CloseWithError(io.ErrClosedPipe)
	select {
	case <-uploadDone:
	case <-time.After(10 * time.Second):
		t.Error("the upload's client hangs after the server stopped")
	}
	db, err := content.OpenDB(context.Background(), filepath.Join(data, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.R.Get(&check, `PRAGMA integrity_check`); err != nil || check != "ok" {
		t.Errorf("integrity check after SIGTERM: %q %v", check, err)
	}
}
