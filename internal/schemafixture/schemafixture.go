// Package schemafixture builds databases as older versions of Ligue left
// them, from the fixtures of migrations/testdata, for the tests that upgrade
// them (see migrations/upgrade_test.go for how fixtures are made).
package schemafixture

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // the driver of the databases built

	"github.com/ligue-mednum/ligue/migrations"
)

// Name is the file name of the fixture of a database at schema version.
func Name(version int) string { return fmt.Sprintf("%04d.sql", version) }

// Through returns the files of set numbered up to version: the migrations
// an older binary shipped.
func Through(set fs.FS, version int) (fs.FS, error) {
	names, err := fs.Glob(set, "*.sql")
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for _, name := range names {
		prefix, _, _ := strings.Cut(name, "_")
		if v, err := strconv.Atoi(prefix); err == nil && v <= version {
			b, err := fs.ReadFile(set, name)
			if err != nil {
				return nil, err
			}
			out[name] = &fstest.MapFile{Data: b}
		}
	}
	return out, nil
}

// Open opens, creating it, the SQLite file at path as the site does.
func Open(path string) (*sqlx.DB, error) {
	return sqlx.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_journal_mode=WAL&_busy_timeout=5000")
}

// Create makes the SQLite file at path a database at schema version holding
// rows, the SQL of a fixture.
func Create(ctx context.Context, path string, version int, rows string) error {
	db, err := Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	set, err := Through(migrations.Files, version)
	if err != nil {
		return err
	}
	if _, err := migrations.Apply(ctx, db, set); err != nil {
		return err
	}
	return Exec(ctx, db, rows)
}

// Exec runs rows in one transaction, foreign keys checked at its end only:
// a fixture inserts its tables in the order of their names.
func Exec(ctx context.Context, db *sqlx.DB, rows string) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, rows); err != nil {
		return err
	}
	return tx.Commit()
}

// Dump writes, as INSERT statements, the rows of db that a database freshly
// migrated to the same schema lacks (so not the categories that migrations
// insert), table by table in the order of their names, rows in the order of
// their columns. The file at freshPath is created for the comparison.
func Dump(ctx context.Context, db *sqlx.DB, set fs.FS, freshPath string) (string, error) {
	fresh, err := Open(freshPath)
	if err != nil {
		return "", err
	}
	_, err = migrations.Apply(ctx, fresh, set)
	if closeErr := fresh.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return "", err
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS fresh`, "file:"+filepath.ToSlash(freshPath)+"?mode=ro"); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE fresh`)
	var tables []string
	if err := conn.SelectContext(ctx, &tables, `SELECT name FROM main.sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name`); err != nil {
		return "", err
	}
	var out strings.Builder
	for _, table := range tables {
		var cols []string
		if err := conn.SelectContext(ctx, &cols, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table); err != nil {
			return "", err
		}
		quoted, values := make([]string, len(cols)), make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = `"` + c + `"`
			values[i] = `quote("` + c + `")`
		}
		var rows []string
		if err := conn.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT %s FROM (SELECT * FROM main."%s" EXCEPT SELECT * FROM fresh."%s") ORDER BY %s`,
			strings.Join(values, ` || ', ' || `), table, table, strings.Join(quoted, ", "))); err != nil {
			return "", fmt.Errorf("dump %s: %w", table, err)
		}
		if len(rows) > 0 {
			fmt.Fprintf(&out, "INSERT INTO %s (%s) VALUES\n    (%s);\n", table, strings.Join(cols, ", "), strings.Join(rows, "),\n    ("))
		}
	}
	return out.String(), nil
}
