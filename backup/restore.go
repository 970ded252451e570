package backup

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/internal/flock"
	"github.com/ligue-mednum/ligue/search"
)

// LockData takes the lock of a data folder, held by a server for as long as
// it runs and by a restore: it returns flock.ErrHeld while someone else has it.
func LockData(dataDir string) (*flock.Lock, error) {
	return flock.TryLock(filepath.Join(dataDir, ".lock"))
}

// Restored is what a restore did.
type Restored struct {
	CreatedAt time.Time // when the backup was made; zero for a bare database file
	Files     int       // attached files put back into the data folder
	Aside     string    // where the previous database was kept; empty if there was none
}

// Restore puts the backup from (a backup folder, or a bare database file
// made by `ligue backup FILE`) into dataDir, with no server running on it:
// it checks the backup, keeps the current database aside as
// ligue.db.avant-restauration-<date>, restores the database and the
// attached files, and rebuilds the search index. A refusal is a *Failure
// and changes nothing.
func Restore(ctx context.Context, from, dataDir string, log *slog.Logger) (*Restored, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fail(err, "Le dossier de données %s ne peut pas être créé.", dataDir)
	}
	lock, err := LockData(dataDir)
	if errors.Is(err, flock.ErrHeld) {
		return nil, fail(nil, "Un serveur Ligue utilise le dossier de données %s : arrêtez-le avant de restaurer. Rien n’a été changé.", dataDir)
	} else if err != nil {
		return nil, err
	}
	defer lock.Release()

	info, err := os.Stat(from)
	if err != nil {
		return nil, fail(err, "La sauvegarde %s est introuvable.", from)
	}
	var m *manifest
	srcDB := from
	if info.IsDir() {
		var bad []string
		if m, bad, err = verify(from); err != nil {
			return nil, err
		}
		if len(bad) > 0 {
			return nil, badFiles(filepath.Join(filepath.Dir(from), storeName), bad)
		}
		srcDB = filepath.Join(from, m.Database.Name)
	}
	// Checks run on a copy: the backup itself is never opened for writing.
	incoming := filepath.Join(dataDir, dbName+".restauration")
	if _, err := copyFile(srcDB, incoming); err != nil {
		return nil, fail(err, "La base de données de la sauvegarde n’a pas pu être copiée dans %s.", dataDir)
	}
	defer os.Remove(incoming)
	if _, err := checkDatabase(ctx, incoming); err != nil {
		return nil, err
	}

	done := &Restored{}
	if m != nil {
		done.CreatedAt = m.CreatedAt
		if done.Files, err = restoreFiles(filepath.Join(filepath.Dir(from), storeName), filepath.Join(dataDir, storeName), m.Files); err != nil {
			return nil, err
		}
	}
	if done.Aside, err = setAside(ctx, dataDir, time.Now()); err != nil {
		return nil, fail(err, "La base de données actuelle n’a pas pu être mise de côté : rien n’a été remplacé.")
	}
	if err := os.Rename(incoming, filepath.Join(dataDir, dbName)); err != nil {
		return nil, fail(err, "La base de données restaurée n’a pas pu prendre sa place.")
	}
	if err := rebuildIndex(ctx, dataDir, log); err != nil {
		return done, fail(err, "La base de données est restaurée, mais l’index de recherche n’a pas pu être reconstruit : lancez « ligue reindex ».")
	}
	return done, nil
}

// restoreFiles copies the files a backup lists into the data folder, but
// those already there with the right bytes.
func restoreFiles(store, uploads string, files []entry) (int, error) {
	if err := os.MkdirAll(uploads, 0o750); err != nil {
		return 0, fail(err, "Le dossier des fichiers joints %s ne peut pas être créé.", uploads)
	}
	n := 0
	for _, f := range files {
		dst := filepath.Join(uploads, f.Name)
		if have, err := hashFile(dst); err == nil && have.SHA256 == f.SHA256 {
			continue
		}
		if _, err := copyFile(filepath.Join(store, f.Name), dst); err != nil {
			return n, fail(err, "Le fichier joint %s n’a pas pu être restauré.", f.Name)
		}
		n++
	}
	return n, nil
}

// setAside renames the current database, if any, to
// ligue.db.avant-restauration-<date>, its WAL folded in first (a clean
// switch to SQLite's rollback journal leaves one file); a database too
// damaged for that goes aside with its -wal and -shm as they are.
func setAside(ctx context.Context, dataDir string, now time.Time) (string, error) {
	current := filepath.Join(dataDir, dbName)
	if _, err := os.Stat(current); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if db, err := sql.Open("sqlite3", "file:"+url.PathEscape(current)+"?_journal_mode=DELETE"); err == nil {
		db.PingContext(ctx) // best effort: the files move either way
		db.Close()
	}
	aside := current + ".avant-restauration-" + now.Format("20060102-150405")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		err := os.Rename(current+suffix, aside+suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return aside, nil
}

// rebuildIndex opens the restored database (applying the migrations this
// program has and the backup had not) and rebuilds the search index from
// it, as `ligue reindex` does.
func rebuildIndex(ctx context.Context, dataDir string, log *slog.Logger) error {
	db, err := content.OpenDB(ctx, filepath.Join(dataDir, dbName))
	if err != nil {
		return err
	}
	store := content.NewStore(db)
	return errors.Join(search.Rebuild(ctx, dataDir, store.SearchSources(), store.Events(), log), db.Close())
}
