package backup

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// prune keeps the keep newest finished backups of dir, deletes the older
// ones and the folders of unfinished ones (no manifest: a crash or a full
// disk), then the shared files that no remaining backup lists. The caller
// holds the backup folder's lock.
func prune(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	type finished struct {
		folder string
		m      *manifest
	}
	var done []finished
	var errs []error
	unreadable := false
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "ligue-") {
			continue
		}
		folder := filepath.Join(dir, e.Name())
		m, err := readManifest(folder)
		switch {
		case errors.Is(err, os.ErrNotExist):
			errs = append(errs, os.RemoveAll(folder))
		case err == nil:
			done = append(done, finished{folder, m})
		default:
			unreadable = true // left for the administrator to look at
		}
	}
	sort.Slice(done, func(i, j int) bool {
		if !done[i].m.CreatedAt.Equal(done[j].m.CreatedAt) {
			return done[i].m.CreatedAt.After(done[j].m.CreatedAt)
		}
		return done[i].folder > done[j].folder
	})
	for _, old := range done[min(keep, len(done)):] {
		errs = append(errs, os.RemoveAll(old.folder))
	}
	if unreadable {
		return errors.Join(errs...) // the shared files it needs are not known: none is deleted
	}
	listed := map[string]bool{}
	for _, kept := range done[:min(keep, len(done))] {
		for _, f := range kept.m.Files {
			listed[f.Name] = true
		}
	}
	store := filepath.Join(dir, storeName)
	entries, err = os.ReadDir(store)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			errs = append(errs, os.Remove(filepath.Join(store, e.Name())))
		}
	}
	return errors.Join(errs...)
}
