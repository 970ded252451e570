// Package migrations holds the numbered SQL files that shape the database and
// the small runner that applies them in order, each in its own transaction.
package migrations

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

//go:embed *.sql
var files embed.FS

// Files is the embedded migration set shipped with the binary.
var Files fs.FS = files

// Migration is one numbered file of a set.
type Migration struct {
	Version int
	Name    string // the file name, 0007_email_undo.sql
}

// Status is what a database holds against a migration set.
type Status struct {
	Current int         // highest version the database recorded; 0: none
	Latest  int         // highest version of the set
	Pending []Migration // files of the set the database has not recorded, in order
}

// NewerSchemaError says the database was upgraded by a newer Ligue than
// this binary: running it could break what that version wrote.
type NewerSchemaError struct {
	Database, Binary int
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("Cette base de données a été mise à jour par une version plus récente de Ligue (schéma %d) que ce programme (schéma %d) : "+
		"installez la version récente ou restaurez une sauvegarde. / This database was upgraded by a newer Ligue (schema %d) than this binary (schema %d): "+
		"install the newer version or restore a backup.", e.Database, e.Binary, e.Database, e.Binary)
}

// Latest is the highest version of set.
func Latest(set fs.FS) (int, error) {
	all, err := List(set)
	if err != nil || len(all) == 0 {
		return 0, err
	}
	return all[len(all)-1].Version, nil
}

// Check reads, without writing anything, which files of set the database
// lacks. It returns a *NewerSchemaError if the database recorded a version
// higher than any of set.
func Check(ctx context.Context, db sqlx.QueryerContext, set fs.FS) (Status, error) {
	all, err := List(set)
	if err != nil {
		return Status{}, err
	}
	var st Status
	if len(all) > 0 {
		st.Latest = all[len(all)-1].Version
	}
	var tables int
	if err := sqlx.GetContext(ctx, db, &tables, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`); err != nil {
		return Status{}, err
	}
	applied := map[int]bool{}
	if tables > 0 {
		var versions []int
		if err := sqlx.SelectContext(ctx, db, &versions, `SELECT version FROM schema_migrations`); err != nil {
			return Status{}, err
		}
		for _, v := range versions {
			applied[v] = true
			st.Current = max(st.Current, v)
		}
	}
	if st.Current > st.Latest {
		return st, &NewerSchemaError{Database: st.Current, Binary: st.Latest}
	}
	for _, m := range all {
		if !applied[m.Version] {
			st.Pending = append(st.Pending, m)
		}
	}
	return st, nil
}

// Apply runs, in order, every NNNN_name.sql file of set that the database has
// not recorded yet, each with its schema_migrations row in one transaction: a
// file that fails leaves the database as it was before it. Applying an
// up-to-date database writes nothing; a database newer than set is refused
// (*NewerSchemaError) before anything runs. It returns the versions it applied.
//
// Files run with foreign keys off, as SQLite's procedure for rebuilding a
// table asks (with them on, dropping the old table would delete, or cascade
// to, the rows that refer to it), and are checked before committing: a file
// that leaves a row pointing nowhere fails.
func Apply(ctx context.Context, db *sqlx.DB, set fs.FS) (done []int, err error) {
	st, err := Check(ctx, db, set)
	if err != nil || len(st.Pending) == 0 {
		return nil, err
	}
	bodies := make([]string, len(st.Pending))
	for i, m := range st.Pending {
		b, err := fs.ReadFile(set, m.Name)
		if err != nil {
			return nil, err
		}
		if err := checkTransactional(string(b)); err != nil {
			return nil, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		bodies[i] = string(b)
	}
	// PRAGMA foreign_keys is a no-op inside a transaction and belongs to a
	// connection: the files run on one connection, set before their transactions.
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var foreignKeys int
	if err := conn.GetContext(ctx, &foreignKeys, `PRAGMA foreign_keys`); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return nil, err
	}
	defer func() {
		if _, restoreErr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = `+strconv.Itoa(foreignKeys)); restoreErr != nil {
			// A connection left with its keys off must not go back to the pool.
			conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, restoreErr)
		}
	}()
	for i, m := range st.Pending {
		applied, err := applyOne(ctx, conn, m, bodies[i])
		if err != nil {
			return done, err
		}
		if applied {
			done = append(done, m.Version)
		}
	}
	return done, nil
}

// List is the files of set, in the order of their versions.
func List(set fs.FS) ([]Migration, error) {
	names, err := fs.Glob(set, "*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[int]string{}
	for _, name := range names {
		prefix, _, ok := strings.Cut(path.Base(name), "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive number and '_'", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %q and %q share version %d", other, name, v)
		}
		seen[v] = name
		out = append(out, Migration{Version: v, Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// applyOne runs one file and records it in one transaction. It reports
// false if another process recorded it first.
func applyOne(ctx context.Context, conn *sqlx.Conn, m Migration, body string) (bool, error) {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var recorded int
	if err := tx.GetContext(ctx, &recorded, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version); err != nil || recorded > 0 {
		return false, err
	}
	before, err := danglingRows(ctx, tx)
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	after, err := danglingRows(ctx, tx)
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	for row := range after {
		if !before[row] {
			return false, fmt.Errorf("migration %s: a row of %s refers to a missing row of %s", m.Name, row.Table, row.Parent)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
		return false, fmt.Errorf("record migration %s: %w", m.Name, err)
	}
	return true, tx.Commit()
}

type danglingRow struct {
	Table  string        `db:"table"`
	RowID  sql.NullInt64 `db:"rowid"`
	Parent string        `db:"parent"`
	FKID   int           `db:"fkid"`
}

// danglingRows lists the rows whose foreign keys point nowhere. Only those a
// migration adds fail it: a database that already held some (written while
// the keys were off, by hand) can still be upgraded.
func danglingRows(ctx context.Context, tx *sqlx.Tx) (map[danglingRow]bool, error) {
	var rows []danglingRow
	if err := tx.SelectContext(ctx, &rows, `PRAGMA foreign_key_check`); err != nil {
		return nil, fmt.Errorf("check foreign keys: %w", err)
	}
	set := make(map[danglingRow]bool, len(rows))
	for _, r := range rows {
		set[r] = true
	}
	return set, nil
}
