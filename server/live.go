package server

import (
	"bufio"
	"context"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// live tells open pages that what they show changed (Server-Sent Events):
// a topic that replies arrived, a fiche's editors that someone saved a
// revision or opened the editor too. It only says "something changed"; the
// page fetches nothing by itself and shows a notice, so what the member is
// typing is never touched. It follows the event stream like any consumer,
// but from memory: a page opened after a restart asks for the current
// state anyway, so it keeps no position.
type live struct {
	events *content.Outbox
	store  *content.Store
	log    *slog.Logger

	mu      sync.Mutex
	subs    map[string]map[chan struct{}]bool // by subject: "topic:12", "fiche:3"
	editors map[int64]map[int64]int           // fiche → member → editor pages open
	pseudos map[int64]string
	closed  chan struct{}
}

func newLive(events *content.Outbox, store *content.Store, log *slog.Logger) *live {
	return &live{events: events, store: store, log: log, subs: map[string]map[chan struct{}]bool{},
		editors: map[int64]map[int64]int{}, pseudos: map[int64]string{}, closed: make(chan struct{})}
}

// follow publishes every event about a topic (or its posts) or a fiche to
// the pages open on it, until ctx ends.
func (l *live) follow(ctx context.Context) {
	followEvents(ctx, l.events, l.log, "live updates", func(e content.Event) {
		if subject := subjectOf(e); subject != "" {
			l.publish(subject)
		}
	}, nil)
}

// subjectOf is the page subject an event is about, or "".
func subjectOf(e content.Event) string {
	switch {
	case e.EntityType == content.EntityTopic, e.EntityType == content.EntityFiche:
		return content.DocID(e.EntityType, e.EntityID)
	case e.ParentType == content.EntityTopic:
		return content.DocID(content.EntityTopic, e.ParentID)
	}
	return ""
}

// subscribe returns a channel woken when any of the subjects changes.
func (l *live) subscribe(subjects ...string) chan struct{} {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, subject := range subjects {
		if l.subs[subject] == nil {
			l.subs[subject] = map[chan struct{}]bool{}
		}
		l.subs[subject][ch] = true
	}
	return ch
}

func (l *live) unsubscribe(ch chan struct{}, subjects ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, subject := range subjects {
		delete(l.subs[subject], ch)
		if len(l.subs[subject]) == 0 {
			delete(l.subs, subject)
		}
	}
}

func (l *live) publish(subject string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notify(subject)
}

// notify wakes the pages open on subject; l.mu is held.
func (l *live) notify(subject string) {
	for ch := range l.subs[subject] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// editing notes that member u opened (delta 1) or left (-1) the editor of
// fiche id, and tells the fiche's other pages.
func (l *live) editing(id int64, u *content.User, delta int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.editors[id] == nil {
		l.editors[id] = map[int64]int{}
	}
	l.editors[id][u.ID] += delta
	l.pseudos[u.ID] = u.Pseudo
	if l.editors[id][u.ID] <= 0 {
		delete(l.editors[id], u.ID)
		if len(l.editors[id]) == 0 {
			delete(l.editors, id)
		}
	}
	l.notify(content.DocID(content.EntityFiche, id))
}

// editorsOf lists the pseudos of members with fiche id open in the editor,
// but for member self.
func (l *live) editorsOf(id, self int64) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for uid := range l.editors[id] {
		if uid != self {
			out = append(out, l.pseudos[uid])
		}
	}
	sort.Strings(out)
	return out
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
	topicID, u := t.ID, currentUser(c)
	return s.stream(c, content.DocID(content.EntityTopic, topicID), nil, func(ctx context.Context, w *bufio.Writer) bool {
		t, err := s.live.store.TopicByID(ctx, u, topicID)
		if err != nil {
			return false
		}
		w.WriteString("event: posts\ndata: " + strconv.Itoa(t.LastNumber) + "\n\n")
		return true
	})
}

// streamKeepAlive is how often a stream writes when nothing happens: a page
// that left is noticed when a write fails, so an editor who left stops
// being listed within a few of these.
const streamKeepAlive = 10 * time.Second

// stream answers an event stream on subject: say writes the page's news
// each time the subject changes (false ends the stream); leave runs when
// the page is gone. A member's stream also carries their unread count
// ("unread"), so a page needs one connection for everything live (browsers
// allow few per site).
func (s *Server) stream(c *fiber.Ctx, subject string, leave func(), say func(ctx context.Context, w *bufio.Writer) bool) error {
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	subjects := []string{subject}
	u := currentUser(c)
	if u != nil {
		subjects = append(subjects, content.DocID(content.EntityUser, u.ID))
	}
	ch := s.live.subscribe(subjects...)
	ch <- struct{}{} // the current state first
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.live.unsubscribe(ch, subjects...)
		if leave != nil {
			defer leave()
		}
		keepAlive := time.NewTicker(streamKeepAlive)
		defer keepAlive.Stop()
		first := true
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
				ok := say(ctx, w)
				if ok && u != nil && !first { // the page came with its count
					n, err := s.store.UnreadNotifications(ctx, u)
					ok = err == nil
					w.WriteString("event: unread\ndata: " + strconv.Itoa(n) + "\n\n")
				}
				first = false
				cancel()
				if !ok {
					return
				}
			}
			if w.Flush() != nil {
				return // the browser left
			}
		}
	})
	return nil
}
