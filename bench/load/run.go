package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A target is what one request asks: a method, a path, a body.
type target struct {
	method string
	path   string
	body   string
	write  bool // a reply: counted apart in the mixed scenario
}

// client is how requests are sent: as whom, with which encoding.
type client struct {
	base    string
	cookie  string // the member's session; empty: a visitor
	token   string // Bearer token, for API writes
	gzip    bool
	httpCli *http.Client
}

func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 15 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
			DisableCompression: true, // Accept-Encoding is ours to send; bodies are counted as they travel
			IdleConnTimeout:    30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends t and returns the status and the bytes received (body as sent).
func (c *client) do(ctx context.Context, t target) (int, int64, error) {
	var body io.Reader
	if t.body != "" {
		body = strings.NewReader(t.body)
	}
	req, err := http.NewRequestWithContext(ctx, t.method, c.base+t.path, body)
	if err != nil {
		return 0, 0, err
	}
	if c.gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if c.cookie != "" && !t.write { // writes go by token: a cookie would ask for a CSRF token too
		req.Header.Set("Cookie", c.cookie)
	}
	if t.write {
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.httpCli.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, n, err
}

// result is what one timed run measured.
type result struct {
	Requests int
	Errors   int // transport errors and statuses other than 2xx
	Seconds  float64
	Bytes    int64
	P50, P99 time.Duration
	CPUms    float64 // server CPU per request
	RSSMB    float64 // server resident memory at the end
	Writes   int     // replies sent (mixed scenario)
	Lag      *lagStats
	FirstErr string
}

func (r result) RPS() float64 { return float64(r.Requests) / r.Seconds }

// load runs conns workers sending next() for warm+dur; only requests answered
// after the warm-up are counted. proc, when set, is the server process whose
// CPU and memory are read around the counted part.
func load(ctx context.Context, c *client, conns int, warm, dur time.Duration, proc *process, next func(r *rand.Rand) target,
	onWrite func(status int, t target)) result {
	ctx, cancel := context.WithTimeout(ctx, warm+dur+30*time.Second)
	defer cancel()
	var counting, stop atomic.Bool
	var answered atomic.Int64 // within the window
	type worker struct {
		lat          []time.Duration
		errs, writes int
		bytes        int64
		firstErr     string
	}
	workers := make([]worker, conns)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func(w *worker, seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 99))
			for !stop.Load() && ctx.Err() == nil {
				t := next(r)
				start := time.Now()
				status, n, err := c.do(ctx, t)
				took := time.Since(start)
				if t.write && onWrite != nil && err == nil {
					onWrite(status, t)
				}
				// Counted: the requests answered within the measured window.
				if !counting.Load() || stop.Load() {
					continue
				}
				answered.Add(1)
				w.lat = append(w.lat, took)
				w.bytes += n
				if t.write {
					w.writes++
				}
				if err != nil || status < 200 || status > 299 {
					w.errs++
					if w.firstErr == "" {
						if err != nil {
							w.firstErr = err.Error()
						} else {
							w.firstErr = fmt.Sprintf("%s %s : %d", t.method, t.path, status)
						}
					}
				}
			}
		}(&workers[i], uint64(i))
	}
	sleep(ctx, warm)
	before := proc.cpu()
	began := time.Now()
	counting.Store(true)
	sleep(ctx, dur)
	// A slow page under many connections may answer nothing in dur: the
	// window stretches, by 10 s at most, until each connection had about
	// one answer.
	for answered.Load() < int64(conns) && time.Since(began) < dur+10*time.Second && ctx.Err() == nil {
		sleep(ctx, 20*time.Millisecond)
	}
	stop.Store(true)
	elapsed := time.Since(began)
	after := proc.cpu()
	rss := proc.rssMB()
	wg.Wait()

	res := result{Seconds: elapsed.Seconds(), RSSMB: rss}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Errors += w.errs
		res.Bytes += w.bytes
		res.Writes += w.writes
		if res.FirstErr == "" {
			res.FirstErr = w.firstErr
		}
	}
	res.Requests = len(all)
	if res.Requests > 0 {
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		res.P50, res.P99 = all[len(all)/2], all[len(all)*99/100]
		res.CPUms = float64(after-before) / float64(res.Requests)
	}
	return res
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}
