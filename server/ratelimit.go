package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// window counts events per key over a sliding period, in memory: Ligue runs
// as one process, and losing counts on restart is harmless.
type window struct {
	mu     sync.Mutex
	max    int
	period time.Duration
	hits   map[string][]time.Time
	now    func() time.Time
}

func newWindow(max int, period time.Duration) *window {
	return &window{max: max, period: period, hits: map[string][]time.Time{}, now: time.Now}
}

// wait returns how long key must wait before its next attempt, 0 if none.
func (w *window) wait(key string) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	hits := w.prune(key)
	if len(hits) < w.max {
		return 0
	}
	return hits[0].Add(w.period).Sub(w.now())
}

// add records one event for key.
func (w *window) add(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hits[key] = append(w.prune(key), w.now())
	if len(w.hits) > 10000 {
		for k := range w.hits {
			w.prune(k)
		}
	}
}

func (w *window) prune(key string) []time.Time {
	hits := w.hits[key]
	cut := w.now().Add(-w.period)
	i := 0
	for i < len(hits) && !hits[i].After(cut) {
		i++
	}
	hits = hits[i:]
	if len(hits) == 0 {
		delete(w.hits, key)
		return nil
	}
	w.hits[key] = hits
	return hits
}

// rateLimits are the windows on what an attacker would hammer.
type rateLimits struct {
	loginIP      *window // failed logins per IP (a library shares one IP: generous)
	loginAccount *window // failed logins per account
	register     *window // registrations per IP
	resetIP      *window // reset requests per IP
	resetAccount *window // reset requests per account
}

func newRateLimits() *rateLimits {
	return &rateLimits{
		loginIP:      newWindow(30, 15*time.Minute),
		loginAccount: newWindow(10, 15*time.Minute),
		register:     newWindow(20, time.Hour),
		resetIP:      newWindow(10, 15*time.Minute),
		resetAccount: newWindow(3, 15*time.Minute),
	}
}

// tooMany is the 429 answer, with a French delay.
func tooMany(c *fiber.Ctx, wait time.Duration) *httpError {
	minutes := int(wait.Minutes()) + 1
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return &httpError{fiber.StatusTooManyRequests, "rate_limited",
		"Trop de tentatives. Par sécurité, attendez " + strconv.Itoa(minutes) + "\u00a0" + unit + " avant de réessayer."}
}

// firstWait returns the longest wait among the windows for their keys.
func firstWait(checks ...func() time.Duration) time.Duration {
	var longest time.Duration
	for _, check := range checks {
		if d := check(); d > longest {
			longest = d
		}
	}
	return longest
}

// hashing runs fn (which hashes a password) when a slot is free, so a flood
// of logins cannot exhaust memory or CPU.
func (s *Server) hashing(c *fiber.Ctx, fn func() error) error {
	select {
	case s.hashSlots <- struct{}{}:
	case <-time.After(5 * time.Second):
		return errBusy
	}
	defer func() { <-s.hashSlots }()
	return fn()
}
