package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A damaged index must never stop the site. Segment files carry a CRC of
// their content, checked before a generation is opened; Bleve's own reading
// of them may still fail or panic later, so every entry point runs guarded:
// a panic or a reading error marks the index damaged, searches answer
// ErrRebuilding, and the indexer builds a new generation from the database.

// errDamaged wraps what showed an index to be damaged.
var errDamaged = errors.New("search index damaged")

// rebuildPause is the shortest time between two rebuilds caused by errors,
// so a query that keeps failing cannot keep the machine rebuilding.
const rebuildPause = 10 * time.Minute

// guard runs fn, turning a panic into an error.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: panic: %v", errDamaged, r)
		}
	}()
	return fn()
}

// failed decides what an error of fn means for the index: cancelled
// requests and our own ErrRebuilding are passed on; anything else (a
// panic, a corrupt segment) takes the index out of service until it is
// rebuilt, and searches are told to wait.
func (ix *Index) failed(ctx context.Context, what string, err error) error {
	if err == nil || errors.Is(err, ErrRebuilding) || ctx.Err() != nil {
		return err
	}
	ix.log.Error("search index failed, it will be rebuilt", "during", what, "err", err)
	last, _ := ix.lastDamage.Load().(time.Time)
	if !errors.Is(err, errDamaged) && time.Since(last) < rebuildPause {
		return ErrRebuilding // rebuilt a moment ago: do not start again
	}
	ix.lastDamage.Store(time.Now())
	ix.needRebuild.Store(true)
	go ix.retire()
	return ErrRebuilding
}

// retire closes the damaged index, once searches in flight are done.
func (ix *Index) retire() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx != nil && ix.needRebuild.Load() {
		guard(ix.idx.Close)
		ix.idx = nil
	}
	select {
	case ix.rebuildNeeded <- struct{}{}:
	default:
	}
}

// verifySegments checks the CRC every segment file of folder ends with:
// Bleve does not, and a damaged segment can make it panic much later.
func verifySegments(folder string) error {
	return filepath.WalkDir(folder, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), ".zap") {
			return err
		}
		if err := verifyCRC(path); err != nil {
			return fmt.Errorf("%w: %s: %v", errDamaged, d.Name(), err)
		}
		return nil
	})
}

func verifyCRC(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() < 4 {
		return errors.New("truncated")
	}
	h := crc32.NewIEEE()
	if _, err := io.CopyN(h, f, info.Size()-4); err != nil {
		return err
	}
	var stored [4]byte
	if _, err := io.ReadFull(f, stored[:]); err != nil {
		return err
	}
	if h.Sum32() != binary.BigEndian.Uint32(stored[:]) {
		return errors.New("checksum mismatch")
	}
	return nil
}
