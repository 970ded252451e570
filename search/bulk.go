package search

import (
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/ligue-mednum/ligue/content"
)

// bulkWriter indexes documents for a full build. Bleve analyses a batch on
// every core but then builds and persists its segment on one, so batches
// are handed to several writers: one builds its segment while the next is
// analysed. Batches are written in no set order: a document added twice
// may keep either version.
type bulkWriter struct {
	idx   bleve.Index
	size  int
	batch *bleve.Batch
	queue chan *bleve.Batch
	wg    sync.WaitGroup

	mu  sync.Mutex
	err error // first error of a writer
}

func newBulkWriter(idx bleve.Index, size int) *bulkWriter {
	w := &bulkWriter{idx: idx, size: size, batch: idx.NewBatch(), queue: make(chan *bleve.Batch)}
	for range max(2, runtime.GOMAXPROCS(0)) {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for b := range w.queue {
				if err := w.idx.Batch(b); err != nil {
					w.fail(err)
				}
			}
		}()
	}
	return w
}

func (w *bulkWriter) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

func (w *bulkWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Add indexes d, or returns the error a writer met.
func (w *bulkWriter) Add(d content.SearchDoc) error {
	if err := w.batch.Index(d.ID, indexable(d)); err != nil {
		return err
	}
	if w.batch.Size() >= w.size {
		w.queue <- w.batch
		w.batch = w.idx.NewBatch()
	}
	return w.failed()
}

// Close writes what is left and waits for the writers.
func (w *bulkWriter) Close() error {
	if w.batch.Size() > 0 {
		w.queue <- w.batch
	}
	close(w.queue)
	w.wg.Wait()
	return w.failed()
}
