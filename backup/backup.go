// Package backup makes full backups of a live Ligue site and restores them.
//
// A backup folder holds backup folders and one shared store of attached files:
//
//	DIR/ligue-20260302-030000/ligue.db       the database (SQLite's online backup)
//	DIR/ligue-20260302-030000/manifest.json  what the backup holds and needs, written last
//	DIR/fichiers/                            attached files, each once, named by content hash
//
// Each backup is verified (SQLite's integrity check, the hash of every file
// it lists) before it counts; backups beyond the number kept are deleted,
// then the shared files none of the remaining ones lists.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/internal/flock"
)

// Options says where one full backup goes.
type Options struct {
	DataDir string // the data folder: ligue.db and fichiers/
	Dir     string // the backup folder
	Keep    int    // verified backups kept, the newest (DefaultKeep when 0)
}

// DefaultKeep is how many backups are kept when told nothing.
const DefaultKeep = 14

// dbName is the database's name, in the data folder and in a backup.
const dbName = "ligue.db"

// Run makes one full backup of a live site, verifies it, deletes the backups
// beyond o.Keep, and records the run in the backups table, failed or not.
// The record's Error is in French, for the administration page.
func Run(ctx context.Context, db *content.DB, store *content.Store, o Options) (*content.Backup, error) {
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	rec := &content.Backup{StartedAt: store.Now()}
	m, folder, copied, err := makeBackup(ctx, db, o, rec.StartedAt)
	if err == nil {
		rec.Dir, rec.OK, rec.SizeBytes, rec.FilesTotal, rec.FilesCopied = folder, true, m.size(), len(m.Files), copied
		if perr := prune(o.Dir, o.Keep); perr != nil {
			// The new backup counts; the disk fills up if this goes on.
			rec.Error = "La sauvegarde est faite et vérifiée, mais les plus anciennes n’ont pas pu être supprimées (" + perr.Error() + ")."
		}
	} else {
		rec.Error = message(err)
	}
	rec.FinishedAt = store.Now()
	rec.DurationMS = rec.FinishedAt.Sub(rec.StartedAt).Milliseconds()
	if rerr := store.RecordBackup(context.WithoutCancel(ctx), rec); rerr != nil {
		err = errors.Join(err, fmt.Errorf("record the backup: %w", rerr))
	}
	return rec, err
}

// message is what the administration page says of a failed run.
func message(err error) string {
	var f *Failure
	switch {
	case errors.As(err, &f):
		return f.Error()
	case errors.Is(err, context.Canceled):
		return "La sauvegarde a été interrompue par l’arrêt du serveur."
	}
	return "La sauvegarde a échoué (" + err.Error() + ")."
}

// makeBackup makes and verifies one backup folder under o.Dir, holding the
// backup folder's lock so that two backups (the server's and a cron's)
// never run at once.
func makeBackup(ctx context.Context, db *content.DB, o Options, start time.Time) (m *manifest, folder string, copied int, err error) {
	if err := os.MkdirAll(filepath.Join(o.Dir, storeName), 0o750); err != nil {
		return nil, "", 0, fail(err, "Le dossier de sauvegarde %s ne peut pas être créé.", o.Dir)
	}
	lock, err := flock.TryLock(filepath.Join(o.Dir, ".lock"))
	if errors.Is(err, flock.ErrHeld) {
		return nil, "", 0, fail(nil, "Une autre sauvegarde est en cours dans %s : celle-ci n’a pas été faite.", o.Dir)
	} else if err != nil {
		return nil, "", 0, err
	}
	defer lock.Release()
	if folder, err = newFolder(o.Dir, start); err != nil {
		return nil, "", 0, fail(err, "Le dossier de sauvegarde %s n’accepte pas d’écriture.", o.Dir)
	}
	m, copied, err = fill(ctx, db, o.DataDir, folder, start)
	if err != nil {
		os.RemoveAll(folder) // an unfinished backup must not look like one
		return nil, "", 0, err
	}
	return m, folder, copied, nil
}

// newFolder creates the folder of a backup started at start, named by the
// time in UTC (with -2, -3… for a second backup in the same second).
func newFolder(dir string, start time.Time) (string, error) {
	base := filepath.Join(dir, "ligue-"+start.UTC().Format("20060102-150405"))
	for n := 1; ; n++ {
		folder := base
		if n > 1 {
			folder = fmt.Sprintf("%s-%d", base, n)
		}
		err := os.Mkdir(folder, 0o750)
		if !errors.Is(err, os.ErrExist) || n == 100 {
			return folder, err
		}
	}
}

// fill copies the database and the new attached files, writes the manifest
// and verifies the whole. It returns how many files were new to the store.
func fill(ctx context.Context, db *content.DB, dataDir, folder string, start time.Time) (*manifest, int, error) {
	dbPath := filepath.Join(folder, dbName)
	if err := db.Backup(ctx, dbPath); err != nil {
		return nil, 0, fail(err, "La copie de la base de données a échoué.")
	}
	schema, err := checkDatabase(ctx, dbPath)
	if err != nil {
		return nil, 0, err
	}
	dbEntry, err := hashFile(dbPath)
	if err != nil {
		return nil, 0, err
	}
	// Files are listed after the database is copied: an upload's file is
	// written before its row, so every file the copy names is there.
	uploads := filepath.Join(dataDir, storeName)
	files, copied, err := storeFiles(ctx, uploads, filepath.Join(filepath.Dir(folder), storeName))
	if err != nil {
		return nil, 0, err
	}
	m := &manifest{Format: manifestFormat, CreatedAt: start.UTC(), Schema: schema, Database: dbEntry, Files: files}
	if err := writeManifest(folder, m); err != nil {
		return nil, 0, fail(err, "Le manifeste de la sauvegarde n’a pas pu être écrit.")
	}
	if err := verifyWithRepair(folder, uploads); err != nil {
		return nil, 0, err
	}
	return m, copied, nil
}

// storeFiles puts each attached file of uploads into the shared store
// unless it is there already, and returns them all with their hashes.
func storeFiles(ctx context.Context, uploads, store string) (files []entry, copied int, err error) {
	names, err := listFiles(uploads)
	if err != nil {
		return nil, 0, fail(err, "Le dossier des fichiers joints %s est illisible.", uploads)
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		src, dst := filepath.Join(uploads, name), filepath.Join(store, name)
		var e entry
		if _, err = os.Stat(dst); err == nil {
			e, err = hashFile(src)
		} else {
			e, err = linkOrCopy(src, dst)
			copied++
		}
		if errors.Is(err, os.ErrNotExist) {
			continue // removed meanwhile with its erased account
		}
		if err != nil {
			return nil, 0, fail(err, "Le fichier joint %s n’a pas pu être sauvegardé.", name)
		}
		files = append(files, e)
	}
	return files, copied, nil
}

// verifyWithRepair verifies a backup; a shared file found damaged (a disk
// error since an earlier backup) is copied again from the site, once.
func verifyWithRepair(folder, uploads string) error {
	_, bad, err := verify(folder)
	if err != nil || len(bad) == 0 {
		return err
	}
	store := filepath.Join(filepath.Dir(folder), storeName)
	for _, name := range bad {
		os.Remove(filepath.Join(store, name)) // a hard link would share the damage
		if _, err := copyFile(filepath.Join(uploads, name), filepath.Join(store, name)); err != nil {
			return fail(err, "Le fichier joint %s n’a pas pu être sauvegardé.", name)
		}
	}
	if _, bad, err = verify(folder); err == nil && len(bad) > 0 {
		err = badFiles(store, bad)
	}
	return err
}
