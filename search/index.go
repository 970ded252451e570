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
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/ligue-mednum/ligue/content"
)

// LinkName is the index in the data folder: a symbolic link to the current
// generation folder, replaced atomically when a rebuild finishes.
const LinkName = "index.bleve"

const (
	keyVersion = "mapping_version"
	keyCursor  = "outbox_cursor" // last outbox entry applied to this index
	batchSize  = 500             // outbox entries applied per batch
	// rebuildBatch is the bulk build's batch size: larger batches make
	// fewer, larger segments.
	rebuildBatch = 2000
	// outboxKeep is how long applied outbox entries stay, so that a rebuild
	// started earlier can replay what changed while it ran.
	outboxKeep = 24 * time.Hour
)

// ErrRebuilding answers searches while there is no usable index yet.
var ErrRebuilding = errors.New("search index is being rebuilt")

// Index is the live search index of a running site.
type Index struct {
	dataDir string
	store   *content.Store
	log     *slog.Logger

	mu     sync.RWMutex
	idx    bleve.Index // nil until a usable index exists
	target string      // generation folder the link pointed to when opened
	cursor int64

	facets facetTables // of the current index

	needRebuild atomic.Bool
	rebuilding  atomic.Bool
	wake        chan struct{}
	applyMu     sync.Mutex // one applier at a time
}

// Open opens the index of dataDir. A missing, unreadable, outdated or
// inconsistent index does not stop the site: Run rebuilds it in the
// background and searches say so meanwhile.
func Open(ctx context.Context, dataDir string, store *content.Store, log *slog.Logger) *Index {
	ix := &Index{dataDir: dataDir, store: store, log: log, wake: make(chan struct{}, 1)}
	if err := ix.openCurrent(); err != nil {
		log.Warn("search index unusable, it will be rebuilt", "err", err)
		ix.needRebuild.Store(true)
		return ix
	}
	if err := ix.reconcile(ctx); err != nil {
		log.Warn("search index out of step with the database, it will be rebuilt", "err", err)
		ix.needRebuild.Store(true)
	}
	return ix
}

// openCurrent opens the generation the link points to, checking its mapping
// version.
func (ix *Index) openCurrent() error {
	link := filepath.Join(ix.dataDir, LinkName)
	target, err := os.Readlink(link)
	if err != nil {
		return fmt.Errorf("no index yet: %w", err)
	}
	idx, err := bleve.Open(link)
	if err != nil {
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
	want, err := ix.store.CountSearchDocs(ctx)
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

// Poke asks the indexer to apply the outbox now.
func (ix *Index) Poke() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// Run keeps the index up to date until ctx ends: it rebuilds when needed,
// applies the outbox when poked and every second, follows rebuilds swapped
// in by `ligue reindex`, prunes the outbox, and prepares the facet tables
// of new segments.
func (ix *Index) Run(ctx context.Context) {
	if ix.needRebuild.Load() {
		ix.rebuildNow(ctx)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	prune := time.NewTicker(10 * time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ix.wake:
		case <-tick.C:
			ix.followLink()
		case <-prune.C:
			ix.mu.RLock()
			cursor := ix.cursor
			ix.mu.RUnlock()
			if err := ix.store.PruneOutbox(ctx, cursor, outboxKeep); err != nil && ctx.Err() == nil {
				ix.log.Error("outbox prune", "err", err)
			}
		}
		if err := ix.apply(ctx); err != nil && ctx.Err() == nil {
			ix.log.Error("search indexing", "err", err)
		}
		if err := ix.warmFacets(); err != nil && ctx.Err() == nil {
			ix.log.Warn("search facet tables", "err", err)
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
	if err := Rebuild(ctx, ix.dataDir, ix.store, ix.log); err != nil {
		if ctx.Err() == nil {
			ix.log.Error("search index rebuild failed", "err", err)
		}
		return
	}
	if err := ix.openCurrent(); err != nil {
		ix.log.Error("open rebuilt search index", "err", err)
		return
	}
	ix.needRebuild.Store(false)
}

// followLink switches to a generation swapped in by another process.
func (ix *Index) followLink() {
	target, err := os.Readlink(filepath.Join(ix.dataDir, LinkName))
	ix.mu.RLock()
	same := err != nil || target == ix.target
	ix.mu.RUnlock()
	if same {
		return
	}
	previous := ix.target
	if err := ix.openCurrent(); err != nil {
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

// apply indexes the outbox entries after the index's cursor, in batches;
// the cursor is saved in the same Bleve batch, so a crash at any point
// replays from the last applied entry.
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
		entries, err := ix.store.OutboxAfter(ctx, cursor, batchSize)
		if err != nil || len(entries) == 0 {
			return err
		}
		b := idx.NewBatch()
		seen := map[string]bool{}
		for _, e := range entries {
			key := e.EntityType + ":" + strconv.FormatInt(e.EntityID, 10)
			if seen[key] {
				continue
			}
			seen[key] = true
			docs, remove, err := ix.store.SearchDocsFor(ctx, e.EntityType, e.EntityID)
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
		last := entries[len(entries)-1].ID
		b.SetInternal([]byte(keyCursor), []byte(strconv.FormatInt(last, 10)))
		if err := idx.Batch(b); err != nil {
			return err
		}
		ix.mu.Lock()
		if ix.idx == idx {
			ix.cursor = last
		}
		ix.mu.Unlock()
	}
}

// indexable is the document as Bleve maps it: "text" is what words match
// (tags included, so "adresse caf" finds a topic only tagged caf) and
// "exact" gives the same words to prefixes and spelling suggestions.
func indexable(d content.SearchDoc) map[string]any {
	text := d.Title + "\n" + d.Body + "\n" + strings.Join(d.Tags, " ")
	return map[string]any{
		"title": d.Title, "body": d.Body, "text": text, "exact": text,
		"facets": facetValues(d.Type, d.Category, d.Tags),
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

// Rebuild builds a complete index from the database into a new generation
// folder, then points the link at it atomically. A server running meanwhile
// keeps answering from the old generation and switches when it sees the
// link move; changes made during the rebuild are replayed from the outbox.
func Rebuild(ctx context.Context, dataDir string, store *content.Store, log *slog.Logger) error {
	m, err := newMapping()
	if err != nil {
		return err
	}
	name := "index-" + time.Now().UTC().Format("20060102T150405.000000000") + ".bleve"
	tmp := filepath.Join(dataDir, name+".tmp")
	os.RemoveAll(tmp)
	idx, err := newBulkIndex(tmp, m)
	if err != nil {
		return err
	}
	total, err := store.CountSearchDocs(ctx)
	if err != nil {
		idx.Close()
		return err
	}
	start, lastLog, done := time.Now(), time.Now(), 0
	w := newBulkWriter(idx, rebuildBatch)
	cursor, err := store.EachSearchDoc(ctx, func(docs []content.SearchDoc) error {
		for _, d := range docs {
			if err := w.Add(d); err != nil {
				return err
			}
		}
		done += len(docs)
		if time.Since(lastLog) > 2*time.Second {
			lastLog = time.Now()
			rate := float64(done) / time.Since(start).Seconds()
			eta := time.Duration(float64(int(total)-done)/rate) * time.Second
			log.Info("search index rebuild", "done", done, "total", total, "docs_per_s", int(rate), "eta", eta.Round(time.Second).String())
		}
		return ctx.Err()
	})
	if werr := w.Close(); err == nil {
		err = werr
	}
	if err == nil {
		b := idx.NewBatch()
		b.SetInternal([]byte(keyVersion), []byte(mappingVersion))
		b.SetInternal([]byte(keyCursor), []byte(strconv.FormatInt(cursor, 10)))
		err = idx.Batch(b)
	}
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	final := filepath.Join(dataDir, name)
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	link := filepath.Join(dataDir, LinkName)
	previous, _ := os.Readlink(link)
	if err := swapLink(dataDir, name); err != nil {
		return err
	}
	log.Info("search index rebuilt", "documents", done, "seconds", int(time.Since(start).Seconds()), "folder", name)
	// Generations nobody points at any more (older rebuilds, a broken index
	// left as a plain folder) are removed; the one just replaced is left to
	// the running server, which removes it once it has switched.
	cleanGenerations(dataDir, name, previous)
	return nil
}

// newBulkIndex creates an index for a full build. (Scorch's "unsafe_batch"
// was tried: it was not faster here and lost the last batch on Close.)
func newBulkIndex(path string, m mapping.IndexMapping) (bleve.Index, error) {
	return bleve.New(path, m)
}

// swapLink points index.bleve at folder with one rename.
func swapLink(dataDir, folder string) error {
	tmpLink := filepath.Join(dataDir, LinkName+".new")
	os.Remove(tmpLink)
	if err := os.Symlink(folder, tmpLink); err != nil {
		return err
	}
	link := filepath.Join(dataDir, LinkName)
	if fi, err := os.Lstat(link); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		// A real folder from elsewhere (or damaged): move it aside first.
		if err := os.RemoveAll(link); err != nil {
			return err
		}
	}
	return os.Rename(tmpLink, link)
}

func cleanGenerations(dataDir string, keep ...string) {
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, "index-") || !strings.HasSuffix(n, ".bleve") {
			continue
		}
		kept := false
		for _, k := range keep {
			kept = kept || n == k
		}
		if !kept {
			os.RemoveAll(filepath.Join(dataDir, n))
		}
	}
}
