package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a standard output written by the server while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// With --log-format json, serve writes one JSON object a line on standard
// output, where systemd's journal reads it.
func TestServeLogsJSONOnStandardOutput(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--data", filepath.Join(t.TempDir(), "d"), "--log-format", "json",
			"--trusted-proxies", " 127.0.0.1, ::1 ,10.0.0.0/8"}, nil, stdout, stderr, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	for i := 0; i < 200 && !strings.Contains(stdout.String(), `"serving"`); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if res, err := http.Get("http://" + addr + "/sante"); err != nil {
		t.Fatalf("serve did not start: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	} else {
		res.Body.Close()
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited with %d: %s", code, stderr)
	}
	var messages []string
	sc := bufio.NewScanner(strings.NewReader(stdout.String()))
	for sc.Scan() {
		var line struct {
			Time  time.Time `json:"time"`
			Level string    `json:"level"`
			Msg   string    `json:"msg"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.Time.IsZero() || line.Level == "" {
			t.Errorf("not a JSON log line: %q (%v)", sc.Text(), err)
		}
		messages = append(messages, line.Msg)
	}
	if joined := strings.Join(messages, "|"); !strings.Contains(joined, "serving") || !strings.Contains(joined, "shutting down") {
		t.Errorf("log messages on standard output: %q", messages)
	}
	if stderr.String() != "" {
		t.Errorf("standard error: %q", stderr)
	}
}

func TestServeRefusesBadLogFormatAndProxies(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown log format", []string{"--log-format", "xml"}, 2, `--log-format "xml" : text ou json`},
		{"log format from the environment", nil, 2, `--log-format "yaml"`},
		{"trusted proxy that is no address", []string{"--trusted-proxies", "127.0.0.1,proxy.local"}, 1, `trusted proxy "proxy.local"`},
		{"trusted range out of bounds", []string{"--trusted-proxies", "10.0.0.0/33"}, 1, `trusted proxy "10.0.0.0/33"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.args == nil {
				t.Setenv("LIGUE_LOG_FORMAT", "yaml")
			}
			r := runCLI(t, "", append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, tc.args...)...)
			if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantErr) {
				t.Errorf("code %d (want %d)\nstderr: %s", r.code, tc.wantCode, r.stderr)
			}
		})
	}
}
