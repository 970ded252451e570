package search

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// State is what the administrators' dashboard, health check and metrics
// tell of the index.
type State struct {
	Usable     bool   // an index answers searches
	Rebuilding bool   // a rebuild is running or waiting to
	Documents  uint64 // documents in the index answering (0 when none)
}

// State reads the index's state; it never fails, a damaged index reads as
// unusable.
func (ix *Index) State() State {
	st := State{Rebuilding: ix.rebuilding.Load() || ix.needRebuild.Load()}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return st
	}
	err := guard(func() (err error) { st.Documents, err = ix.idx.DocCount(); return err })
	st.Usable = err == nil
	return st
}

// SizeOnDisk adds up the files of the generation the index link points
// to; 0 before there is one.
func (ix *Index) SizeOnDisk() (int64, error) {
	target, err := os.Readlink(filepath.Join(ix.dataDir, LinkName))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var size int64
	err = filepath.WalkDir(filepath.Join(ix.dataDir, target), func(_ string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) { // a segment merged away while walking
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			size += info.Size()
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	})
	return size, err
}

// ConsumerName is the index's name among the consumers of the event
// stream, whose lag the health check reads.
const ConsumerName = consumerName
