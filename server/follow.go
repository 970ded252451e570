package server

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// followEvents hands apply every event written from now on, in order, until
// ctx ends: woken at each commit of this process, and every second for the
// writes of other processes (the command line). Its position is kept in
// memory: the consumers using it (live updates, the page cache) start
// empty and need no event from before. After each pass, caught (when not
// nil) holds the commit count taken before it: every event of those commits
// has been applied.
func followEvents(ctx context.Context, events *content.Outbox, log *slog.Logger, what string,
	apply func(content.Event), caught *atomic.Uint64) {
	commits := events.Commits()
	cursor, err := events.Head(ctx)
	if err != nil {
		log.Error(what, "err", err)
		return
	}
	if caught != nil {
		caught.Store(commits)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		changed := events.Changed()
		commits := events.Commits()
		ok := true
		for {
			batch, err := events.After(ctx, cursor, 500)
			if err != nil {
				if ctx.Err() == nil {
					log.Error(what, "err", err)
				}
				ok = false
				break
			}
			for _, e := range batch {
				apply(e)
				cursor = e.ID
			}
			if len(batch) < 500 {
				break
			}
		}
		if ok && caught != nil {
			caught.Store(commits)
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
	}
}
