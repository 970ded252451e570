package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// visits gathers what reading a topic page records (its view counter, the
// member's read mark) and writes it every second in one transaction, so a
// GET never waits for the single writer.
type visits struct {
	store *content.Store
	log   *slog.Logger

	mu      sync.Mutex
	pending content.Visits
}

func newVisits(store *content.Store, log *slog.Logger) *visits {
	return &visits{store: store, log: log, pending: content.NewVisits()}
}

// record notes that u (nil for a visitor) read topic t up to post number.
func (v *visits) record(u *content.User, topicID int64, number int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pending.Add(u, topicID, number)
}

// overlay shows u the topics as read as they are, pending marks included:
// a member back on a list a moment after reading sees no stale badge.
func (v *visits) overlay(u *content.User, topics ...*content.Topic) {
	if u == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, t := range topics {
		if n := v.pending.ReadUpTo(u, t.ID); n > t.ReadUpTo {
			t.ReadUpTo = n
			if t.Following {
				t.Unread = max(0, t.LastNumber-n)
			}
		}
	}
}

// flush writes what was gathered.
func (v *visits) flush(ctx context.Context) error {
	v.mu.Lock()
	batch := v.pending
	v.pending = content.NewVisits()
	v.mu.Unlock()
	return v.store.RecordVisits(ctx, batch)
}

func (v *visits) run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := v.flush(ctx); err != nil && ctx.Err() == nil {
			v.log.Error("recording visits", "err", err)
		}
	}
}
