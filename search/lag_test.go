package search

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Under a continuous stream of writes, each batch of the running indexer
// takes every event written before it started: a write is searchable after
// the next batch, while the stream goes on, not once it stops; and no
// backlog is left when writing stops.
func TestEachWriteIsIndexedInTheNextBatch(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("Karim", "Un fil très actif", "Le début.")
	ix := f.open()
	var mu sync.Mutex
	type batch struct{ head, last int64 }
	var batches []batch
	ix.batchApplied = func(head, last int64) {
		mu.Lock()
		batches = append(batches, batch{head, last})
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	const writes = 150
	var firstFoundDuringStream bool
	for i := range writes {
		f.reply("Lucie", topic, "Réponse motclef"+strconv.Itoa(i)+" pour le fil.")
		if !firstFoundDuringStream {
			res, err := ix.Search(context.Background(), Request{Q: "motclef0"})
			firstFoundDuringStream = err == nil && res.Total > 0
		}
	}
	head, err := f.store.Events().Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for ix.position() < head && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if ix.position() < head {
		t.Fatalf("a backlog is left once writing stopped: cursor %d, head %d", ix.position(), head)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches) < 2 || !firstFoundDuringStream {
		t.Errorf("%d batches for %d writes, the first write found during the stream: %v — indexing waited for the stream to end",
			len(batches), writes, firstFoundDuringStream)
	}
	for i, b := range batches {
		if b.last < b.head {
			t.Errorf("batch %d stopped at event %d, with %d written before it started", i, b.last, b.head)
		}
	}
	if res := f.search(Request{Q: "motclef" + strconv.Itoa(writes-1)}); res.Total != 1 {
		t.Errorf("the last reply is not found: %d", res.Total)
	}
}

func (ix *Index) position() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.cursor
}
