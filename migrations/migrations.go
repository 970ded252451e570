// Package migrations holds the numbered SQL files that shape the database and
// the small runner that applies them in order, each in its own transaction.
package migrations

import (
	"context"
	"embed"
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

// Apply runs, in order, every NNNN_name.sql file of set that the database has
// not recorded yet. Applying an up-to-date database is a no-op. It returns the
// versions it applied.
func Apply(ctx context.Context, db *sqlx.DB, set fs.FS) ([]int, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	pending, err := list(set)
	if err != nil {
		return nil, err
	}
	var done []int
	for _, m := range pending {
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version); err != nil {
			return done, err
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(set, m.name)
		if err != nil {
			return done, err
		}
		if err := applyOne(ctx, db, m, string(body)); err != nil {
			return done, err
		}
		done = append(done, m.version)
	}
	return done, nil
}

type migration struct {
	version int
	name    string
}

func list(set fs.FS) ([]migration, error) {
	names, err := fs.Glob(set, "*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
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
		out = append(out, migration{version: v, name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

func applyOne(ctx context.Context, db *sqlx.DB, m migration, body string) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
		return fmt.Errorf("record migration %s: %w", m.name, err)
	}
	return tx.Commit()
}
