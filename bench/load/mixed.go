package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// The mixed scenario: 95 % reads spread over the read scenarios, 5 %
// replies through the API, each holding a word no other post has; a poller
// asks the search API for that word until it is found, and the delay from
// the reply's answer to the first search finding it is the search lag.

const (
	lagPollEvery = 25 * time.Millisecond
	lagGiveUp    = 10 * time.Second
	lagPollers   = 8 // replies followed at once; others are sent, not followed
)

// lagStats is what the pollers measured.
type lagStats struct {
	mu        sync.Mutex
	lags      []time.Duration
	sent      int // replies answered 201
	lost      int // not found within lagGiveUp
	unwatched int // sent while every poller was busy
	failed    int // the reply was refused
}

// merge adds other's figures to l.
func (l *lagStats) merge(other *lagStats) {
	l.lags = append(l.lags, other.lags...)
	l.sent += other.sent
	l.lost += other.lost
	l.unwatched += other.unwatched
	l.failed += other.failed
}

func (l *lagStats) percentiles() (p50, p99, worst time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lags) == 0 {
		return 0, 0, 0
	}
	s := append([]time.Duration(nil), l.lags...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2], s[len(s)*99/100], s[len(s)-1]
}

// replies makes reply targets with unique words, and follows them.
type replies struct {
	topics  []int64
	counter atomic.Int64
	prefix  string
	stats   *lagStats
	slots   chan struct{}
	poller  *client
	wg      sync.WaitGroup
	ctx     context.Context
}

func newReplies(ctx context.Context, base string, topics []int64, run int) *replies {
	return &replies{topics: topics, prefix: "bancmixte" + letters(run), stats: &lagStats{},
		slots: make(chan struct{}, lagPollers), ctx: ctx,
		poller: &client{base: base, httpCli: newHTTPClient(lagPollers)}}
}

// letters writes n in base 26 with the letters a–z: a word the analyzers
// keep whole.
func letters(n int) string {
	s := ""
	for {
		s = string(rune('a'+n%26)) + s
		n /= 26
		if n == 0 {
			return s
		}
	}
}

// next is a reply to one of the topics, with its own word.
func (rs *replies) next(r *rand.Rand) target {
	word := rs.prefix + "x" + letters(int(rs.counter.Add(1)))
	body, _ := json.Marshal(map[string]string{"body": "Réponse du banc d’essai : le mot " + word + " n’apparaît qu’ici."})
	return target{method: http.MethodPost, path: fmt.Sprintf("/api/v1/discussions/%d/reponses", rs.topics[r.IntN(len(rs.topics))]),
		body: string(body), write: true}
}

// sent follows a reply the server answered, when a poller is free.
func (rs *replies) sent(status int, t target) {
	if status != http.StatusCreated {
		rs.stats.mu.Lock()
		rs.stats.failed++
		rs.stats.mu.Unlock()
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	json.Unmarshal([]byte(t.body), &in)
	word := wordOf(in.Body, rs.prefix)
	answered := time.Now()
	rs.stats.mu.Lock()
	rs.stats.sent++
	rs.stats.mu.Unlock()
	select {
	case rs.slots <- struct{}{}:
	default:
		rs.stats.mu.Lock()
		rs.stats.unwatched++
		rs.stats.mu.Unlock()
		return
	}
	rs.wg.Add(1)
	go func() {
		defer rs.wg.Done()
		defer func() { <-rs.slots }()
		lag, ok := rs.poll(word, answered)
		rs.stats.mu.Lock()
		defer rs.stats.mu.Unlock()
		if ok {
			rs.stats.lags = append(rs.stats.lags, lag)
		} else {
			rs.stats.lost++
		}
	}()
}

// poll asks the search API for word until it finds it.
func (rs *replies) poll(word string, since time.Time) (time.Duration, bool) {
	path := "/api/v1/recherche?exact=1&q=" + url.QueryEscape(word)
	for time.Since(since) < lagGiveUp && rs.ctx.Err() == nil {
		req, err := http.NewRequestWithContext(rs.ctx, http.MethodGet, rs.poller.base+path, nil)
		if err != nil {
			return 0, false
		}
		if resp, err := rs.poller.httpCli.Do(req); err == nil {
			var out struct {
				Total int `json:"total"`
			}
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if out.Total > 0 {
				return time.Since(since), true
			}
		}
		time.Sleep(lagPollEvery)
	}
	return 0, false
}

// wait lets the pollers finish, within lagGiveUp.
func (rs *replies) wait() { rs.wg.Wait() }

func wordOf(body, prefix string) string {
	for i := 0; i+len(prefix) <= len(body); i++ {
		if body[i:i+len(prefix)] == prefix {
			j := i
			for j < len(body) && body[j] >= 'a' && body[j] <= 'z' {
				j++
			}
			return body[i:j]
		}
	}
	return ""
}
