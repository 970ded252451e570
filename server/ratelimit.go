package server

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// window limits the strikes of a key over a sliding period. Strikes are
// stored in the database, so a restart does not reset them.
type window struct {
	store  *content.Store
	log    *slog.Logger
	bucket string
	max    int
	period time.Duration
}

// wait returns how long key must wait before its next attempt, 0 if none.
// A database that does not answer lets the attempt through: the limits slow
// attackers down, they must not lock members out.
func (w *window) wait(ctx context.Context, key string) time.Duration {
	now := w.store.Now()
	n, oldest, err := w.store.Strikes(ctx, w.bucket, key, now.Add(-w.period))
	if err != nil {
		w.log.Error("rate limit", "bucket", w.bucket, "err", err)
		return 0
	}
	if n < w.max {
		return 0
	}
	return max(time.Second, oldest.Add(w.period).Sub(now))
}

// add records one strike for key.
func (w *window) add(ctx context.Context, key string) {
	if err := w.store.AddStrike(ctx, w.bucket, key); err != nil {
		w.log.Error("rate limit", "bucket", w.bucket, "err", err)
	}
}

// rateLimits are the windows on what an attacker would hammer.
type rateLimits struct {
	loginIP      *window // failed logins per IP (a library shares one IP: generous)
	loginAccount *window // failed logins per account, whatever name was typed
	register     *window // registrations per IP
	resetIP      *window // reset requests per IP
	resetAccount *window // reset and confirmation requests per account
	// Private messages per member: new conversations, replies.
	conversations *window
	messages      *window
	// Signature forms: per IP (a room of people may sign from one network:
	// generous), per address (each accepted visitor's form sends a mail).
	signIP    *window
	signEmail *window
	// Wrong second-factor codes per account, over every login challenge.
	secondFactor *window
	// Notices of illegal content, from anyone: per IP and per address
	// (each sends a receipt); flags per member.
	noticeIP    *window
	noticeEmail *window
	flags       *window
}

// longestPeriod is how long strikes are kept.
const longestPeriod = time.Hour

func newRateLimits(store *content.Store, log *slog.Logger) *rateLimits {
	w := func(bucket string, max int, period time.Duration) *window {
		return &window{store: store, log: log, bucket: bucket, max: max, period: period}
	}
	return &rateLimits{
		loginIP:       w("login-ip", 30, 15*time.Minute),
		loginAccount:  w("login-account", 10, 15*time.Minute),
		register:      w("register-ip", 20, longestPeriod),
		resetIP:       w("reset-ip", 10, 15*time.Minute),
		resetAccount:  w("reset-account", 3, 15*time.Minute),
		conversations: w("conversations-member", 10, longestPeriod),
		messages:      w("messages-member", 30, 10*time.Minute),
		signIP:        w("signature-ip", 30, 15*time.Minute),
		signEmail:     w("signature-email", 5, 15*time.Minute),
		secondFactor:  w("second-factor-account", 10, 15*time.Minute),
		noticeIP:      w("notice-ip", 10, longestPeriod),
		noticeEmail:   w("notice-email", 5, longestPeriod),
		flags:         w("flags-member", 30, longestPeriod),
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

// decoding runs fn (which decodes an image) when a slot is free: each decode
// may take tens of megabytes, so only a few run at once.
func (s *Server) decoding(fn func() error) error {
	select {
	case s.decodeSlots <- struct{}{}:
	case <-time.After(10 * time.Second):
		return errBusy
	}
	defer func() { <-s.decodeSlots }()
	return fn()
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
