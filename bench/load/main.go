// Command load is Ligue's load benchmark (`make bench`): it generates a
// community with `ligue gen`, starts the real `ligue serve` on it on a
// loopback port, and drives it with many connections for a bounded time —
// topic pages, lists, search, a feed, and a mixed scenario with replies
// whose search lag it measures — as a visitor and as a member, with and
// without compression. Beside each figure it measures its limit in the same
// run: the same server sending a file of the topic page's size, and the
// same search as a plain Bleve query outside HTTP. The Markdown table is
// printed and written to bench/results-<date>.md.
//
//	go run ./bench/load -ligue ./ligue            (BENCH_SIZE=small: 40,000 posts)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ligue-mednum/ligue/bench/gen"
	"github.com/ligue-mednum/ligue/search"
)

// size is one benchmark size: what to generate, how long each run lasts,
// and the time limits of the phases.
type size struct {
	name                           string
	topics, perTopic, members      int
	fiches, texts                  int
	warm, dur                      time.Duration
	genLimit, startLimit, allLimit time.Duration
}

// The limits leave room for a machine shared with other work: unattended,
// small takes under 5 minutes on two idle cores, default under 45.
var sizes = map[string]size{
	// tiny checks that the benchmark runs, in a minute; its figures mean little.
	"tiny": {name: "tiny", topics: 60, perTopic: 10, members: 50, fiches: 3, texts: 1,
		warm: 200 * time.Millisecond, dur: 500 * time.Millisecond, genLimit: 3 * time.Minute, startLimit: time.Minute, allLimit: 6 * time.Minute},
	"small": {name: "small", topics: 2000, perTopic: 20, members: 1000, fiches: 20, texts: 5,
		warm: 300 * time.Millisecond, dur: 1500 * time.Millisecond, genLimit: 15 * time.Minute, startLimit: 3 * time.Minute, allLimit: 25 * time.Minute},
	"default": {name: "default", topics: 50000, perTopic: 20, members: 20000, fiches: 500, texts: 50,
		warm: time.Second, dur: 8 * time.Second, genLimit: 60 * time.Minute, startLimit: 10 * time.Minute, allLimit: 90 * time.Minute},
}

func main() {
	ligue := flag.String("ligue", "./ligue", "the ligue binary to benchmark")
	dir := flag.String("dir", "bench", "folder for the generated data, the server's log and the results")
	flag.Parse()
	name := os.Getenv("BENCH_SIZE")
	if name == "" {
		name = "default"
	}
	sz, ok := sizes[name]
	if !ok {
		fail("BENCH_SIZE=%q : choisissez small, default ou tiny", name)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, sz.allLimit)
	defer cancel()
	if err := bench(ctx, sz, *ligue, *dir); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			fail("le banc d’essai a dépassé sa limite de %v : %v", sz.allLimit, err)
		}
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ÉCHEC du banc d’essai : "+format+"\n", args...)
	os.Exit(1)
}

// bench runs every phase, each within its own limit.
func bench(ctx context.Context, sz size, ligue, dir string) error {
	began := time.Now()
	rep := &report{size: sz, machine: machine(), loadBefore: loadAverage(), date: began}
	ligue, err := filepath.Abs(ligue)
	if err != nil {
		return err
	}
	if _, err := os.Stat(ligue); err != nil {
		return fmt.Errorf("binaire %s introuvable (make build) : %w", ligue, err)
	}
	data := filepath.Join(dir, "data-"+sz.name)
	if err := os.RemoveAll(data); err != nil {
		return err
	}

	// 1. Generate.
	fmt.Printf("Génération (%s) : %d discussions × %d messages, %d membres…\n", sz.name, sz.topics, sz.perTopic, sz.members)
	genStart := time.Now()
	_, err = command(ctx, sz.genLimit, true, ligue, "gen", "--data", data, "--topics", itoa(sz.topics),
		"--posts-per-topic", itoa(sz.perTopic), "--members", itoa(sz.members), "--fiches", itoa(sz.fiches), "--texts", itoa(sz.texts))
	if err != nil {
		return fmt.Errorf("génération : %w", err)
	}
	rep.genSeconds = time.Since(genStart).Seconds()
	if rep.gen, err = gen.ReadManifest(data); err != nil {
		return err
	}

	// 2. A copy of the index for the plain Bleve limit (the server holds
	// the index's lock), and an API token for the replies.
	indexDir, err := filepath.EvalSymlinks(filepath.Join(data, search.LinkName))
	if err != nil {
		return fmt.Errorf("index introuvable : %w", err)
	}
	rawIndex := filepath.Join(dir, "data-"+sz.name+"-bleve")
	os.RemoveAll(rawIndex)
	if err := copyDir(indexDir, rawIndex); err != nil {
		return err
	}
	defer os.RemoveAll(rawIndex)
	tokenOut, err := command(ctx, time.Minute, false, ligue, "token", "create", "--data", data, "--pseudo", rep.gen.Writer, "--name", "banc d’essai")
	if err != nil {
		return fmt.Errorf("jeton d’API : %w\n%s", err, tokenOut)
	}
	token := strings.TrimSpace(tokenOut)

	// 3. Start the server.
	staticFile, err := filepath.Abs(filepath.Join(dir, "static-"+sz.name+".html"))
	if err != nil {
		return err
	}
	os.Remove(staticFile)
	defer os.Remove(staticFile)
	srv, err := startServer(ctx, sz, ligue, data, filepath.Join(dir, "server-"+sz.name+".log"), staticFile)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("Serveur prêt sur %s (démarré en %.1f s)\n", srv.base, srv.started.Seconds())

	// 4. Log the member in through the login form, find the pages.
	cookie, err := login(ctx, srv.base, rep.gen.Member, gen.Password)
	if err != nil {
		return fmt.Errorf("connexion du membre : %w", err)
	}
	long := rep.gen.LongTopic
	pages := long.Posts/20 + 1
	reads := []scenario{
		{name: "Topic, page 1", path: long.Path},
		{name: fmt.Sprintf("Topic, page %d of %d", (pages+1)/2, pages), path: long.Path + "?page=" + itoa((pages+1)/2)},
		{name: "/discussions", path: "/discussions"},
		{name: "Category", path: "/categories/" + rep.gen.Category},
		{name: "Search page", search: true, path: "/recherche?q="},
		{name: "Search API", search: true, path: "/api/v1/recherche?q="},
		{name: "Atom feed", path: "/discussions.atom"},
	}
	topicPage, err := fetch(ctx, srv.base+long.Path)
	if err != nil {
		return fmt.Errorf("page de la discussion : %w", err)
	}
	if err := os.WriteFile(staticFile, topicPage, 0o644); err != nil {
		return err
	}
	rep.staticBytes = len(topicPage)
	topics, err := recentTopics(ctx, srv.base)
	if err != nil {
		return fmt.Errorf("liste des discussions : %w", err)
	}

	// 5. The runs.
	proc := &process{pid: srv.cmd.Process.Pid}
	conns := []int{16, 64}
	encodings := []bool{false, true}
	for _, c := range conns {
		for _, gz := range encodings {
			cl := &client{base: srv.base, gzip: gz, httpCli: newHTTPClient(c)}
			r := load(ctx, cl, c, sz.warm, sz.dur, proc, fixed(staticPath), nil)
			rep.add(row{scenario: "Limit: static file", conns: c, gzip: gz, res: r, limit: true})
		}
		r, err := rawBleve(ctx, rawIndex, rep.gen.Queries, c, sz.warm, sz.dur)
		if err != nil {
			return fmt.Errorf("requête Bleve : %w", err)
		}
		rep.add(row{scenario: "Limit: Bleve query", conns: c, res: r, limit: true})
	}
	run := 0
	for _, sc := range append(reads, scenario{name: "Mixed: 95 % reads, 5 % replies", mixed: true}) {
		for _, member := range []bool{false, true} {
			for _, c := range conns {
				for _, gz := range encodings {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					cl := &client{base: srv.base, gzip: gz, httpCli: newHTTPClient(c), token: token}
					if member {
						cl.cookie = cookie
					}
					next := sc.next(rep.gen.Queries)
					var rs *replies
					if sc.mixed {
						run++
						rs = newReplies(ctx, srv.base, topics, run)
						next = mixedNext(reads, rep.gen.Queries, rs)
					}
					var onWrite func(int, target)
					if rs != nil {
						onWrite = rs.sent
					}
					r := load(ctx, cl, c, sz.warm, sz.dur, proc, next, onWrite)
					if rs != nil {
						rs.wait()
						r.Lag = rs.stats
					}
					rw := row{scenario: sc.name, member: member, conns: c, gzip: gz, res: r, search: sc.search}
					rep.add(rw)
					fmt.Println(rep.line(rw))
				}
			}
		}
	}
	rep.peakMB = proc.peakMB()
	rep.loadAfter = loadAverage()
	rep.total = time.Since(began)

	// 6. The report.
	md := rep.markdown()
	fmt.Println()
	fmt.Println(md)
	out := filepath.Join(dir, "results-"+began.Format("2006-01-02")+".md")
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Printf("Résultats écrits dans %s (%.0f s en tout).\n", out, rep.total.Seconds())
	if bad := rep.failures(); bad != "" {
		return errors.New(bad)
	}
	return nil
}

// staticPath is where the server sends LIGUE_BENCH_FILE (server.BenchFilePath).
const staticPath = "/banc/fichier"

type randT = rand.Rand

// scenario is one kind of request.
type scenario struct {
	name   string
	path   string
	search bool // path ends with "q=", the query is appended
	mixed  bool
}

func (sc scenario) next(queries []string) func(r *randT) target {
	return func(r *randT) target {
		p := sc.path
		if sc.search {
			p += url.QueryEscape(queries[r.IntN(len(queries))])
		}
		return target{method: http.MethodGet, path: p}
	}
}

// mixedNext is a read of one of reads 95 times in 100, a reply otherwise.
func mixedNext(reads []scenario, queries []string, rs *replies) func(r *randT) target {
	nexts := make([]func(*randT) target, len(reads))
	for i, sc := range reads {
		nexts[i] = sc.next(queries)
	}
	return func(r *randT) target {
		if r.IntN(100) < 5 {
			return rs.next(r)
		}
		return nexts[r.IntN(len(nexts))](r)
	}
}

func fixed(path string) func(*randT) target {
	return func(*randT) target { return target{method: http.MethodGet, path: path} }
}

// command runs the ligue binary within limit and returns its output (its
// standard error when it fails); echo shows both as they come.
func command(ctx context.Context, limit time.Duration, echo bool, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if echo {
		cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, os.Stdout), io.MultiWriter(&errOut, os.Stderr)
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		return errOut.String(), fmt.Errorf("%s %s : pas fini en %v", filepath.Base(name), args[0], limit)
	}
	if err != nil {
		return errOut.String(), err
	}
	return out.String(), nil
}

// server is the running `ligue serve`.
type server struct {
	cmd     *exec.Cmd
	base    string
	started time.Duration
	done    chan error
}

func startServer(ctx context.Context, sz size, ligue, data, logPath, staticFile string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s := &server{base: "http://" + addr, done: make(chan error, 1)}
	s.cmd = exec.Command(ligue, "serve", "--addr", addr, "--data", data, "--base-url", s.base)
	s.cmd.Env = append(os.Environ(), "LIGUE_BENCH_FILE="+staticFile)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() { s.done <- s.cmd.Wait(); logFile.Close() }()
	// Ready when the health check and a search both answer.
	deadline := time.Now().Add(sz.startLimit)
	for {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("le serveur s’est arrêté au démarrage (%v) : voir %s", err, logPath)
		default:
		}
		if ok(ctx, s.base+"/sante") && ok(ctx, s.base+"/api/v1/recherche?q=numerique") {
			s.started = time.Since(began)
			return s, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			return nil, fmt.Errorf("le serveur n’était pas prêt (santé et recherche) après %v : voir %s", sz.startLimit, logPath)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stop ends the server with SIGTERM, then SIGKILL after 15 s.
func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

func ok(ctx context.Context, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func fetch(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s : %d", u, resp.StatusCode)
	}
	return b, err
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login signs the member in through the login form, as a browser does, and
// returns the Cookie header of the session.
func login(ctx context.Context, base, pseudo, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := getWith(ctx, cl, base+"/connexion")
	if err != nil {
		return "", err
	}
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return "", errors.New("pas de jeton CSRF dans le formulaire de connexion")
	}
	form := url.Values{"login": {pseudo}, "password": {password}, "_csrf": {string(m[1])}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/connexion", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := cl.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("le formulaire a répondu %d", resp.StatusCode)
	}
	u, _ := url.Parse(base)
	var parts []string
	for _, c := range jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	cookie := strings.Join(parts, "; ")
	// Check the session: /compte answers 200 to a member only.
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, base+"/compte", nil)
	req.Header.Set("Cookie", cookie)
	resp, err = (&http.Client{Timeout: 30 * time.Second, CheckRedirect: cl.CheckRedirect}).Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("session refusée : /compte a répondu %d", resp.StatusCode)
	}
	return cookie, nil
}

func getWith(ctx context.Context, cl *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := cl.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// recentTopics lists the IDs of the first page of /api/v1/discussions:
// the mixed scenario replies to them.
func recentTopics(ctx context.Context, base string) ([]int64, error) {
	b, err := fetch(ctx, base+"/api/v1/discussions")
	if err != nil {
		return nil, err
	}
	var list struct {
		Discussions []struct {
			ID int64 `json:"id"`
		} `json:"discussions"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, err
	}
	var ids []int64
	for _, d := range list.Discussions {
		ids = append(ids, d.ID)
	}
	if len(ids) == 0 {
		return nil, errors.New("aucune discussion")
	}
	return ids, nil
}

// copyDir copies the files of folder src into a new folder dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
