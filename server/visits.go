package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// visits gathers what reading a topic page records (its view counter, the
// member's read mark) and writes it every second in one transaction, so a
// GET never waits for the single writer. A topic counts one view per reader
// and per day: a member by account, a visitor by a keyed hash of their
// address and browser that changes every day (nothing about them is kept).
type visits struct {
	store *content.Store
	log   *slog.Logger

	mu      sync.Mutex
	pending content.Visits
	day     string              // the day seen is about
	secret  []byte              // the day's key for visitors' hashes
	seen    map[[16]byte]bool   // reader × topic viewed today
	readers func(users []int64) // told once the members' reading is written
}

// maxSeen bounds the readers remembered in a day; past it, views of new
// readers are not counted until the next day.
const maxSeen = 200_000

func newVisits(store *content.Store, log *slog.Logger) *visits {
	return &visits{store: store, log: log, pending: content.NewVisits()}
}

// record notes that u (nil for a visitor, known by ip and agent) read topic
// topicID up to post number.
func (v *visits) record(u *content.User, ip, agent string, topicID int64, number int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pending.Read(u, topicID, number)
	if v.firstToday(u, ip, agent, content.EntityTopic, topicID) {
		v.pending.View(topicID)
	}
}

// recordFiche notes that u (nil for a visitor) opened fiche ficheID.
func (v *visits) recordFiche(u *content.User, ip, agent string, ficheID int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pending.ReadFiche(u, ficheID)
	if v.firstToday(u, ip, agent, content.EntityFiche, ficheID) {
		v.pending.ViewFiche(ficheID)
	}
}

// firstToday tells whether this reader opens this page for the first time
// today, and remembers they did; v.mu is held.
func (v *visits) firstToday(u *content.User, ip, agent, entity string, id int64) bool {
	if day := time.Now().UTC().Format("2006-01-02"); day != v.day {
		v.day, v.seen, v.secret = day, map[[16]byte]bool{}, randomBytes(32)
	}
	reader := "visitor:" + ip + "\x00" + agent
	if u != nil {
		reader = "member:" + strconv.FormatInt(u.ID, 10)
	}
	mac := hmac.New(sha256.New, v.secret)
	mac.Write([]byte(reader + "\x00" + content.DocID(entity, id)))
	var key [16]byte
	copy(key[:], mac.Sum(nil))
	if v.seen[key] || len(v.seen) >= maxSeen {
		return false
	}
	v.seen[key] = true
	return true
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
	if err := v.store.RecordVisits(ctx, batch); err != nil {
		return err
	}
	if v.readers != nil {
		v.readers(batch.Readers()) // their bells count less now
	}
	return nil
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

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
