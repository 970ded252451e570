package content

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/ligue-mednum/ligue/migrations"
)

// DB is the SQLite database: one writer connection, so writes never fight for
// the lock, and a pool of readers that work in parallel thanks to WAL.
type DB struct {
	W    *sqlx.DB
	R    *sqlx.DB
	path string
}

// OpenDB opens (or creates) the SQLite file at path and applies pending migrations.
func OpenDB(ctx context.Context, path string) (*DB, error) {
	// secure_delete zeroes what a DELETE or UPDATE removes, so an erased
	// account leaves nothing readable in the file (content.EraseAccount).
	pragmas := "_foreign_keys=on&_journal_mode=WAL&_busy_timeout=5000&_synchronous=NORMAL&_secure_delete=on"
	w, err := sqlx.Open("sqlite3", "file:"+url.PathEscape(path)+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := migrations.Apply(ctx, w, migrations.Files); err != nil {
		w.Close()
		return nil, err
	}
	if err := foldTags(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sqlx.Open("sqlite3", "file:"+url.PathEscape(path)+"?"+pragmas+"&_query_only=true")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	return &DB{W: w, R: r, path: path}, nil
}

// foldTags fills the accent-free key of tags made before it existed.
func foldTags(ctx context.Context, w *sqlx.DB) error {
	var tags []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := w.SelectContext(ctx, &tags, `SELECT id, name FROM tags WHERE fold IS NULL`); err != nil {
		return err
	}
	for _, t := range tags {
		if _, err := w.ExecContext(ctx, `UPDATE tags SET fold = ? WHERE id = ?`, FoldAccents(t.Name), t.ID); err != nil {
			return err
		}
	}
	return nil
}

// Close closes both pools; WAL content is checkpointed by SQLite on the last close.
func (db *DB) Close() error {
	return errors.Join(db.R.Close(), db.W.Close())
}

// Checkpoint copies the WAL into the database file and truncates it, so
// the former images of changed pages no longer lie in the WAL.
func (db *DB) Checkpoint(ctx context.Context) error {
	_, err := db.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// Ping tells whether the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.R.GetContext(ctx, &one, `SELECT 1`)
}

// Backup writes a consistent copy of the live database to dest using SQLite's
// online backup API, so it is safe while the server writes. The copy is the
// database as it was when Backup started: writes committed after that are
// not in it.
func (db *DB) Backup(ctx context.Context, dest string) error {
	destDB, err := sqlx.Open("sqlite3", "file:"+url.PathEscape(dest))
	if err != nil {
		return err
	}
	defer destDB.Close()
	destConn, err := destDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer destConn.Close()
	srcConn, err := db.R.Conn(ctx)
	if err != nil {
		return err
	}
	defer srcConn.Close()
	// A read transaction held across the steps pins one snapshot: without
	// it each write committed between two steps restarts the copy from the
	// first page, and a busy site may never finish. In WAL mode the
	// snapshot does not block writers.
	if _, err := srcConn.ExecContext(ctx, `BEGIN`); err != nil {
		return err
	}
	defer srcConn.ExecContext(context.Background(), `ROLLBACK`)
	var tables int // any read starts the transaction
	if err := srcConn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return err
	}
	return destConn.Raw(func(dc any) error {
		return srcConn.Raw(func(sc any) error {
			b, err := dc.(*sqlite3.SQLiteConn).Backup("main", sc.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			for {
				done, err := b.Step(256)
				if err != nil {
					b.Close()
					return err
				}
				if done {
					return b.Close()
				}
				if err := ctx.Err(); err != nil {
					b.Close()
					return err
				}
			}
		})
	})
}
