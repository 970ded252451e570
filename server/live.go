package server

import (
	"bufio"
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// live tells open topic pages that replies arrived (Server-Sent Events). It
// only says "something changed"; the page fetches nothing by itself and
// shows a link, so what the member is typing is never touched. It follows
// the event stream like any consumer, but from memory: a page opened after
// a restart asks for the current state anyway, so it keeps no position.
type live struct {
	events *content.Outbox
	store  *content.Store
	log    *slog.Logger

	mu     sync.Mutex
	subs   map[int64]map[chan struct{}]bool
	closed chan struct{}
}

func newLive(events *content.Outbox, store *content.Store, log *slog.Logger) *live {
	return &live{events: events, store: store, log: log, subs: map[int64]map[chan struct{}]bool{}, closed: make(chan struct{})}
}

// follow publishes every event about a topic or its posts to the pages
// open on that topic, until ctx ends.
func (l *live) follow(ctx context.Context) {
	cursor, err := l.events.Head(ctx)
	if err != nil {
		l.log.Error("live updates", "err", err)
		return
	}
	tick := time.NewTicker(time.Second) // writes of other processes
	defer tick.Stop()
	for {
		changed := l.events.Changed()
		for {
			events, err := l.events.After(ctx, cursor, 500)
			if err != nil {
				if ctx.Err() == nil {
					l.log.Error("live updates", "err", err)
				}
				break
			}
			for _, e := range events {
				if id := topicOf(e); id != 0 {
					l.publish(id)
				}
				cursor = e.ID
			}
			if len(events) < 500 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
	}
}

// topicOf is the topic an event is about, or 0.
func topicOf(e content.Event) int64 {
	switch {
	case e.EntityType == content.EntityTopic:
		return e.EntityID
	case e.ParentType == content.EntityTopic:
		return e.ParentID
	}
	return 0
}

func (l *live) subscribe(topicID int64) chan struct{} {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs[topicID] == nil {
		l.subs[topicID] = map[chan struct{}]bool{}
	}
	l.subs[topicID][ch] = true
	return ch
}

func (l *live) unsubscribe(topicID int64, ch chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.subs[topicID], ch)
	if len(l.subs[topicID]) == 0 {
		delete(l.subs, topicID)
	}
}

func (l *live) publish(topicID int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.subs[topicID] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// close ends every stream, so shutdown does not wait for them.
func (l *live) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
}

// handleTopicEvents streams the topic's post count when it changes.
func (s *Server) handleTopicEvents(c *fiber.Ctx) error {
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	topicID := t.ID
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	ch := s.live.subscribe(topicID)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.live.unsubscribe(topicID, ch)
		keepAlive := time.NewTicker(25 * time.Second)
		defer keepAlive.Stop()
		w.WriteString("retry: 10000\n\n")
		if w.Flush() != nil {
			return
		}
		for {
			select {
			case <-s.live.closed:
				return
			case <-keepAlive.C:
				w.WriteString(": ping\n\n")
			case <-ch:
				// Not the request's context: fasthttp's races with the
				// server's shutdown, and the stream outlives the handler.
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				t, err := s.live.store.TopicByID(ctx, nil, topicID)
				cancel()
				if err != nil {
					return
				}
				w.WriteString("event: posts\ndata: " + strconv.Itoa(t.LastNumber) + "\n\n")
			}
			if w.Flush() != nil {
				return // the browser left
			}
		}
	})
	return nil
}
