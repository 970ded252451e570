package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver

	"github.com/ligue-mednum/ligue/migrations"
)

// Failure is a backup or restore that could not be done, explained in
// French for the administrator (with the system's own words in brackets).
type Failure struct {
	Msg string
	Err error
}

func (f *Failure) Error() string {
	if f.Err == nil {
		return f.Msg
	}
	// "… ne peut pas être créé (mkdir …: not a directory)."
	msg, stop := strings.CutSuffix(f.Msg, ".")
	msg += " (" + f.Err.Error() + ")"
	if stop {
		msg += "."
	}
	return msg
}

func (f *Failure) Unwrap() error { return f.Err }

func fail(err error, format string, args ...any) error {
	return &Failure{Msg: fmt.Sprintf(format, args...), Err: err}
}

// checkDatabase checks a copy of a database that nobody else uses: it turns
// it into a single file (no -wal beside it), runs SQLite's integrity check,
// and refuses a schema newer than this program's. It returns the schema
// version.
func checkDatabase(ctx context.Context, path string) (int, error) {
	db, err := sql.Open("sqlite3", "file:"+url.PathEscape(path)+"?_journal_mode=DELETE")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		return 0, fail(err, "%s n’est pas une base de données SQLite lisible.", filepath.Base(path))
	}
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return 0, fail(err, "La base de données est abîmée : SQLite ne peut pas la vérifier.")
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return 0, err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, fail(err, "La base de données est abîmée : SQLite ne peut pas la vérifier.")
	}
	if len(problems) > 0 {
		return 0, fail(errors.New(strings.Join(problems[:min(3, len(problems))], "; ")),
			"La base de données est abîmée : la vérification de SQLite a trouvé %d problème(s).", len(problems))
	}
	var version int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fail(err, "Cette base de données ne vient pas de Ligue : elle n’a pas de table des migrations.")
	}
	latest, err := migrations.Latest(migrations.Files)
	if err != nil {
		return 0, err
	}
	if version > latest {
		return 0, fail(nil, "Cette sauvegarde vient d’une version plus récente de Ligue (schéma %d, ce programme connaît le %d) : "+
			"installez cette version avant de restaurer.", version, latest)
	}
	return version, nil
}

// verify checks a finished backup folder against its manifest: the
// database has the bytes it had, and every file it lists is in the shared
// store with the right hash. It returns the manifest and the files that
// are missing or differ.
func verify(folder string) (m *manifest, bad []string, err error) {
	if m, err = readManifest(folder); errors.Is(err, os.ErrNotExist) {
		return nil, nil, fail(nil, "%s n’est pas une sauvegarde terminée : il n’y a pas de %s dedans.", folder, manifestName)
	} else if err != nil {
		return nil, nil, fail(err, "Le manifeste de la sauvegarde %s est illisible.", folder)
	}
	got, err := hashFile(filepath.Join(folder, m.Database.Name))
	if err != nil {
		return nil, nil, fail(err, "La base de données de la sauvegarde %s est introuvable ou illisible.", folder)
	}
	if got.Size != m.Database.Size || got.SHA256 != m.Database.SHA256 {
		return nil, nil, fail(nil, "La base de données de la sauvegarde %s a changé depuis qu’elle a été faite : elle est abîmée.", folder)
	}
	store := filepath.Join(filepath.Dir(folder), storeName)
	for _, f := range m.Files {
		if got, err := hashFile(filepath.Join(store, f.Name)); err != nil || got.Size != f.Size || got.SHA256 != f.SHA256 {
			bad = append(bad, f.Name)
		}
	}
	return m, bad, nil
}

// badFiles says which attached files a backup lacks.
func badFiles(store string, bad []string) error {
	shown := strings.Join(bad[:min(5, len(bad))], ", ")
	if len(bad) > 5 {
		shown += "…"
	}
	return fail(nil, "%d fichier(s) joint(s) manquent ou sont abîmés dans %s : %s.", len(bad), store, shown)
}
