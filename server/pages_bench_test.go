package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/ligue-mednum/ligue/bench/gen"
	"github.com/ligue-mednum/ligue/internal/cputime"
)

// benchCommunity serves a generated community (gen.Run, the generator of
// make bench): 200 discussions of 20 posts and one of 300, 200 members. Set
// LIGUE_BENCH_DATA to a folder of `ligue gen` to measure that one instead
// (it is written to: use a copy).
func benchCommunity(b *testing.B) (*testSite, *gen.Manifest) {
	b.Helper()
	dir := os.Getenv("LIGUE_BENCH_DATA")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "data")
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		if _, err := gen.Run(context.Background(), gen.Options{DataDir: dir, Topics: 200, PostsPerTopic: 20, Members: 200,
			LongTopic: 300, Seed: 1}, io.Discard, quiet); err != nil {
			b.Fatal(err)
		}
	}
	m, err := gen.ReadManifest(dir)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(context.Background(), Config{DataDir: dir, BaseURL: "http://ligue.test", AccessLog: "off"},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return &testSite{t: b, srv: srv, logs: &syncBuffer{}}, m
}

// BenchmarkPages measures the pages of make bench, for a visitor and a
// logged-in member, without the network: the server's own cost per page.
func BenchmarkPages(b *testing.B) {
	ts, m := benchCommunity(b)
	member := ts.client()
	if r := member.postForm("/connexion", url.Values{"login": {"membre0@exemple.fr"}, "password": {gen.Password}}); r.status != http.StatusSeeOther {
		b.Fatalf("login: %d %s", r.status, r.body)
	}
	pages := []struct{ name, path string }{
		{"topic", m.LongTopic.Path},
		{"topic-middle", m.LongTopic.Path + "?page=7"},
		{"discussions", "/discussions"},
		{"category", "/categories/" + m.Category},
		{"search", "/recherche?q=" + url.QueryEscape(m.Queries[0])},
		{"feed", "/discussions.atom"},
	}
	for _, p := range pages {
		for _, as := range []struct {
			name string
			cl   *client
		}{{"visitor", nil}, {"member", member}} {
			b.Run(p.name+"/"+as.name, func(b *testing.B) {
				b.ReportAllocs()
				cpu := cputime.Used()
				for b.Loop() {
					req := httptest.NewRequest("GET", p.path, nil)
					if as.cl != nil {
						for k, v := range as.cl.cookies {
							req.AddCookie(&http.Cookie{Name: k, Value: v})
						}
					}
					res, err := ts.srv.App().Test(req, -1)
					if err != nil || res.StatusCode != http.StatusOK {
						b.Fatalf("%s: %v %v", p.path, err, res)
					}
					res.Body.Close()
				}
				// The process's CPU time: unlike ns/op, it does not
				// grow when the machine is busy with other work.
				b.ReportMetric(float64((cputime.Used()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
