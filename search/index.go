package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/ligue-mednum/ligue/content"
)

// LinkName is the index in the data folder: a symbolic link to the current
// generation folder, replaced atomically when a rebuild finishes.
const LinkName = "index.bleve"

const (
	keyVersion = "mapping_version"
	keyCursor  = "outbox_cursor" // last event applied to this index
	// batchSize bounds the events applied in one batch: each batch takes
	// every event written before it started (up to that bound), so under a
	// continuous stream of writes each one is indexed in the next batch.
	batchSize = 2000
	// rebuildBatch and rebuildBatchBytes bound the bulk build's batches
	// (see bulkWriter): larger ones make fewer segments to merge, but 2,000
	// posts, with two writers, held 1.5 GB; smaller ones cost more merging.
	rebuildBatch      = 1000
	rebuildBatchBytes = 2 << 20
)

// Names of the index's positions in the event stream. The index keeps its
// own position inside Bleve, in the batch that applies the events, so a
// crash never applies a batch without its position; it reports it to the
// outbox for pruning. A rebuild holds the events from where it started
// until a server has opened what it built.
const (
	consumerName = "search"
	rebuildHold  = "search-rebuild"
)

// Sources is what the index needs to know of the searchable types.
type Sources interface {
	Changed(ctx context.Context, e content.Event) (docs []content.SearchDoc, remove []string, err error)
	Each(ctx context.Context, fn func([]content.SearchDoc) error) error
	Count(ctx context.Context) (uint64, error)
}

// Events is what the index needs of the event stream.
type Events interface {
	Head(ctx context.Context) (int64, error)
	After(ctx context.Context, cursor int64, limit int) ([]content.Event, error)
	Ack(ctx context.Context, consumer string, cursor int64) error
	Release(ctx context.Context, consumer string) error
	Changed() <-chan struct{}
}

// ErrRebuilding answers searches while there is no usable index yet.
var ErrRebuilding = errors.New("search index is being rebuilt")

// Index is the live search index of a running site.
type Index struct {
	dataDir string
	sources Sources
	events  Events
	log     *slog.Logger

	mu     sync.RWMutex
	idx    bleve.Index // nil until a usable index exists
	target string      // generation folder the link pointed to when opened
	cursor int64

	facets facetTables // of the current index

	needRebuild   atomic.Bool
	rebuilding    atomic.Bool
	rebuildNeeded chan struct{} // wakes Run when the index was found damaged
	lastDamage    atomic.Value  // time.Time of the last rebuild an error asked for
	applyMu       sync.Mutex    // one applier at a time
	// batchApplied, when set (tests), is told after each batch the head of
	// the stream when the batch started and the last event it applied.
	batchApplied func(head, last int64)
}

// Open opens the index of dataDir. A missing, unreadable, outdated or
// inconsistent index does not stop the site: Run rebuilds it in the
// background and searches say so meanwhile.
func Open(ctx context.Context, dataDir string, sources Sources, events Events, log *slog.Logger) *Index {
	ix := &Index{dataDir: dataDir, sources: sources, events: events, log: log, rebuildNeeded: make(chan struct{}, 1)}
	if err := ix.openCurrent(ctx); err != nil {
		log.Warn("search index unusable, it will be rebuilt", "err", err)
		ix.needRebuild.Store(true)
		return ix
	}
	if err := guard(func() error { return ix.reconcile(ctx) }); err != nil {
		log.Warn("search index out of step with the database, it will be rebuilt", "err", err)
		ix.needRebuild.Store(true)
		if errors.Is(err, errDamaged) {
			ix.retire() // a mismatch alone keeps the old index answering meanwhile
		}
	}
	return ix
}

// openCurrent opens the generation the link points to, checking its mapping
// version, and takes its position in the event stream.
func (ix *Index) openCurrent(ctx context.Context) error {
	link := filepath.Join(ix.dataDir, LinkName)
	target, err := os.Readlink(link)
	if err != nil {
		return fmt.Errorf("no index yet: %w", err)
	}
	if err := verifySegments(filepath.Join(ix.dataDir, target)); err != nil {
		return err
	}
	var idx bleve.Index
	if err := guard(func() (err error) { idx, err = bleve.Open(link); return err }); err != nil {
		return fmt.Errorf("open %s: %w", target, err)
	}
	version, err := idx.GetInternal([]byte(keyVersion))
	if err != nil || string(version) != mappingVersion {
		idx.Close()
		return fmt.Errorf("mapping version %q, want %q", version, mappingVersion)
	}
	raw, err := idx.GetInternal([]byte(keyCursor))
	if err != nil {
		idx.Close()
		return err
	}
	cursor, _ := strconv.ParseInt(string(raw), 10, 64)
	if err := ix.events.Ack(ctx, consumerName, cursor); err != nil {
		idx.Close()
		return err
	}
	if err := ix.events.Release(ctx, rebuildHold); err != nil {
		idx.Close()
		return err
	}
	ix.mu.Lock()
	old := ix.idx
	ix.idx, ix.target, ix.cursor = idx, target, cursor
	ix.mu.Unlock()
	if old != nil {
		old.Close()
	}
	if err := ix.warmFacets(); err != nil {
		ix.log.Warn("search facet tables", "err", err)
	}
	return nil
}

// reconcile catches up with the outbox, then compares document counts with
// the database: Bleve does not always notice a damaged segment on open.
func (ix *Index) reconcile(ctx context.Context) error {
	if err := ix.apply(ctx); err != nil {
		return err
	}
	want, err := ix.sources.Count(ctx)
	if err != nil {
		return err
	}
	ix.mu.RLock()
	got, err := ix.idx.DocCount()
	ix.mu.RUnlock()
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("index holds %d documents, the database %d", got, want)
	}
	return nil
}

// Rebuilding tells whether searches must wait for a rebuild.
func (ix *Index) Rebuilding() bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.idx == nil || ix.rebuilding.Load() && ix.needRebuild.Load()
}

// Run keeps the index up to date until ctx ends: it rebuilds when needed,
// applies new events as soon as a write of this process commits (and every
// second, for writes of other processes such as the command line), follows
// rebuilds swapped in by `ligue reindex`, and prepares the facet tables of
// new segments.
func (ix *Index) Run(ctx context.Context) {
	if ix.needRebuild.Load() {
		ix.rebuildNow(ctx)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		changed := ix.events.Changed()
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-ix.rebuildNeeded:
		case <-tick.C:
			ix.followLink(ctx)
		}
		if ix.needRebuild.Load() {
			ix.rebuildNow(ctx)
		}
		if err := guard(func() error { return ix.apply(ctx) }); err != nil {
			ix.failed(ctx, "indexing", err)
		}
		if err := guard(ix.warmFacets); err != nil {
			ix.failed(ctx, "facet tables", err)
		}
	}
}

// Sync rebuilds the index if it is unusable, then applies the outbox.
func (ix *Index) Sync(ctx context.Context) error {
	if ix.needRebuild.Load() {
		ix.rebuildNow(ctx)
	}
	return ix.apply(ctx)
}

func (ix *Index) rebuildNow(ctx context.Context) {
	ix.rebuilding.Store(true)
	defer ix.rebuilding.Store(false)
	if err := Rebuild(ctx, ix.dataDir, ix.sources, ix.events, ix.log); err != nil {
		if ctx.Err() == nil {
			ix.log.Error("search index rebuild failed", "err", err)
		}
		return
	}
	if err := ix.openCurrent(ctx); err != nil {
		ix.log.Error("open rebuilt search index", "err", err)
		return
	}
	ix.needRebuild.Store(false)
}

// followLink switches to a generation swapped in by another process.
func (ix *Index) followLink(ctx context.Context) {
	target, err := os.Readlink(filepath.Join(ix.dataDir, LinkName))
	ix.mu.RLock()
	same := err != nil || target == ix.target
	ix.mu.RUnlock()
	if same {
		return
	}
	previous := ix.target
	if err := ix.openCurrent(ctx); err != nil {
		ix.log.Error("switch to rebuilt search index", "err", err)
		return
	}
	ix.log.Info("search index switched to a rebuilt generation", "folder", target)
	ix.removeGeneration(previous)
}

func (ix *Index) removeGeneration(folder string) {
	if folder == "" || strings.Contains(folder, "/") {
		return
	}
	if err := os.RemoveAll(filepath.Join(ix.dataDir, folder)); err != nil {
		ix.log.Warn("remove old search index", "folder", folder, "err", err)
	}
}

// apply indexes the events after the index's position, in batches; the
// position is saved in the same Bleve batch, so a crash at any point
// replays from the last applied event, then reported to the outbox.
func (ix *Index) apply(ctx context.Context) error {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	for {
		ix.mu.RLock()
		idx, cursor := ix.idx, ix.cursor
		ix.mu.RUnlock()
		if idx == nil {
			return nil
		}
		head, err := ix.events.Head(ctx)
		if err != nil {
			return err
		}
		events, err := ix.events.After(ctx, cursor, batchSize)
		if err != nil || len(events) == 0 {
			return err
		}
		b := idx.NewBatch()
		seen := map[string]bool{}
		for _, e := range events {
			key := content.DocID(e.EntityType, e.EntityID)
			if seen[key] {
				continue
			}
			seen[key] = true
			docs, remove, err := ix.sources.Changed(ctx, e)
			if err != nil {
				return err
			}
			for _, id := range remove {
				b.Delete(id)
			}
			for _, d := range docs {
				if err := b.Index(d.ID, indexable(d)); err != nil {
					return err
				}
			}
		}
		last := events[len(events)-1].ID
		b.SetInternal([]byte(keyCursor), []byte(strconv.FormatInt(last, 10)))
		if err := idx.Batch(b); err != nil {
			return err
		}
		ix.mu.Lock()
		current := ix.idx == idx
		if current {
			ix.cursor = last
		}
		ix.mu.Unlock()
		if current {
			if err := ix.events.Ack(ctx, consumerName, last); err != nil {
				return err
			}
		}
		if ix.batchApplied != nil {
			ix.batchApplied(head, last)
		}
	}
}

// indexable is the document as Bleve maps it: "text" is what words match
// (tags included, so "adresse caf" finds a topic only tagged caf) and
// "exact" gives the same words to prefixes and spelling suggestions; the
// group goes with the facets, whose tables then tell each match's group.
func indexable(d content.SearchDoc) map[string]any {
	text := d.Title + "\n" + d.Body + "\n" + strings.Join(d.Tags, " ")
	facets := facetValues(d)
	if d.Group != "" {
		facets = append(facets, facetGroup+d.Group)
	}
	return map[string]any{
		"title": d.Title, "body": d.Body, "text": text, "exact": text,
		"type": d.Type, "facets": facets,
		"author": d.Author, "access": d.Access, "resolved": d.Resolved, "accepted": d.Accepted, "date": d.Date,
	}
}

// Close closes the index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx == nil {
		return nil
	}
	err := ix.idx.Close()
	ix.idx = nil
	return err
}
