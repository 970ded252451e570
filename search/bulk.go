package search

import (
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/ligue-mednum/ligue/content"
)

// bulkWriter indexes documents for a full build: one goroutine writes a
// batch (Bleve analyses it on every core, then builds its segment on one)
// while the caller reads and fills the next, and Bleve's merger uses the
// other core meanwhile. Two writers, tried, held twice the memory and cost
// more CPU a post, for no gain in time on two cores.
//
// Memory is what the batches in flight hold — their documents, analysed
// words with positions, the segment being built — so a batch is bounded
// both in documents and in bytes of text (long posts make it smaller).
type bulkWriter struct {
	idx      bleve.Index
	size     int // documents per batch, at most
	maxBytes int // bytes of text per batch, at most
	bytes    int // of the batch being filled
	batch    *bleve.Batch
	queue    chan *bleve.Batch
	wg       sync.WaitGroup

	mu  sync.Mutex
	err error // first error of the writer
}

func newBulkWriter(idx bleve.Index, size, maxBytes int) *bulkWriter {
	w := &bulkWriter{idx: idx, size: size, maxBytes: maxBytes, batch: idx.NewBatch(), queue: make(chan *bleve.Batch)}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for b := range w.queue {
			if err := w.idx.Batch(b); err != nil {
				w.fail(err)
			}
		}
	}()
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

// Add indexes d, or returns the error the writer met.
func (w *bulkWriter) Add(d content.SearchDoc) error {
	if err := w.batch.Index(d.ID, indexable(d)); err != nil {
		return err
	}
	w.bytes += len(d.Title) + len(d.Body)
	if w.batch.Size() >= w.size || w.bytes >= w.maxBytes {
		w.queue <- w.batch
		w.batch, w.bytes = w.idx.NewBatch(), 0
	}
	return w.failed()
}

// Close writes what is left and waits for the writer.
func (w *bulkWriter) Close() error {
	if w.batch.Size() > 0 {
		w.queue <- w.batch
	}
	close(w.queue)
	w.wg.Wait()
	return w.failed()
}
