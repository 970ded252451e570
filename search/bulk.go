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
//
// Memory is what the batches in flight hold — their documents, analysed
// words with positions, the segment being built — about 0.3 MB a post, so
// a batch is bounded both in documents and in bytes of text (long posts
// make it smaller), and there are never more than writers+1 of them.
type bulkWriter struct {
	idx      bleve.Index
	size     int // documents per batch, at most
	maxBytes int // bytes of text per batch, at most
	bytes    int // of the batch being filled
	batch    *bleve.Batch
	queue    chan *bleve.Batch
	wg       sync.WaitGroup

	mu  sync.Mutex
	err error // first error of a writer
}

func newBulkWriter(idx bleve.Index, size, maxBytes int) *bulkWriter {
	w := &bulkWriter{idx: idx, size: size, maxBytes: maxBytes, batch: idx.NewBatch(), queue: make(chan *bleve.Batch)}
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
	w.bytes += len(d.Title) + len(d.Body)
	if w.batch.Size() >= w.size || w.bytes >= w.maxBytes {
		w.queue <- w.batch
		w.batch, w.bytes = w.idx.NewBatch(), 0
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
