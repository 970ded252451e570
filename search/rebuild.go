package search

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/ligue-mednum/ligue/content"
)

// Rebuild builds a complete index from the database into a new generation
// folder, then points the link at it atomically. A server running meanwhile
// keeps answering from the old generation and switches when it sees the
// link move; changes made during the rebuild are replayed from the outbox.
func Rebuild(ctx context.Context, dataDir string, sources Sources, events Events, log *slog.Logger) (err error) {
	// Documents are read after this position: events after it are replayed
	// on top, so they are held back from pruning until a server opens the
	// new generation.
	cursor, err := events.Head(ctx)
	if err != nil {
		return err
	}
	if err := events.Ack(ctx, rebuildHold, cursor); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			events.Release(context.Background(), rebuildHold)
		}
	}()
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
	total, err := sources.Count(ctx)
	if err != nil {
		idx.Close()
		return err
	}
	start, lastLog, done := time.Now(), time.Now(), 0
	w := newBulkWriter(idx, rebuildBatch, rebuildBatchBytes)
	err = sources.Each(ctx, func(docs []content.SearchDoc) error {
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
	if err == nil {
		err = forgetBuildOptions(tmp)
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

// rebuildMaxSegment bounds, in documents, the segments merged during a
// full build. A merge reads its segments through memory maps, which count
// as the process's memory: unbounded, the last merges of a million posts
// read gigabytes. The server opens the result with Bleve's usual merging.
const rebuildMaxSegment = 20_000

// newBulkIndex creates an index for a full build. (Scorch's "unsafe_batch"
// was tried: it was not faster here and lost the last batch on Close.)
func newBulkIndex(path string, m mapping.IndexMapping) (bleve.Index, error) {
	return bleve.NewUsing(path, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, map[string]any{
		"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": rebuildMaxSegment},
	})
}

// forgetBuildOptions removes the build's options from the index's
// metadata, where Bleve saved them for whoever opens it next. The file is
// JSON followed by its length; plain JSON is read as well.
func forgetBuildOptions(path string) error {
	file := filepath.Join(path, "index_meta.json")
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var meta map[string]any
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&meta); err != nil {
		return err
	}
	delete(meta, "config")
	if b, err = json.Marshal(meta); err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o600)
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
