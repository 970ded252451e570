package server

import (
	"bufio"
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// live tells open topic pages that replies arrived (Server-Sent Events). It
// only says "something changed"; the page fetches nothing by itself and
// shows a link, so what the member is typing is never touched.
type live struct {
	mu     sync.Mutex
	subs   map[int64]map[chan struct{}]bool
	closed chan struct{}
}

func newLive() *live {
	return &live{subs: map[int64]map[chan struct{}]bool{}, closed: make(chan struct{})}
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
				t, err := s.store.TopicByID(ctx, nil, topicID)
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
