// Package content is Ligue's domain and its storage: types, validation,
// permissions, and the SQLite stores. It imports neither Fiber nor Bleve.
package content

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Store reads and writes every aggregate. Its clock can be replaced in tests.
type Store struct {
	db     *DB
	md     *Markdown
	now    atomic.Pointer[func() time.Time] // replaced while the server's background work reads it
	events *Outbox
	search *SearchSources

	threshold flagThreshold // weight of open flags that holds content
}

// NewStore returns a store over db using the wall clock.
func NewStore(db *DB) *Store {
	s := &Store{db: db, md: NewMarkdown()}
	s.SetClock(time.Now)
	s.events = NewOutbox(db, s.Now)
	s.search = &SearchSources{}
	s.search.Register(discussionSearch{s})
	s.search.Register(ficheSearch{s})
	s.search.Register(proposalSearch{s})
	return s
}

// SetClock replaces the store's clock (tests use it to jump past expiries).
func (s *Store) SetClock(now func() time.Time) { s.now.Store(&now) }

// SearchSources is the registry of searchable types, discussions first.
func (s *Store) SearchSources() *SearchSources { return s.search }

// Events is the event stream the store writes to.
func (s *Store) Events() *Outbox { return s.events }

// Now is the store's current time, in UTC.
func (s *Store) Now() time.Time { return (*s.now.Load())().UTC() }

// withTx runs fn in a write transaction, committing when it returns nil.
func (s *Store) withTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.W.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	var head int64 // the last event, to tell whether this transaction wrote one
	if err := tx.GetContext(ctx, &head, `SELECT coalesce(max(id), 0) FROM outbox`); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.events.committed(head) // consumers read what the transaction emitted, now
	return nil
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// randomToken returns n random bytes, base64url-encoded without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how every bearer secret (session, link, API token) is stored:
// a database leak does not hand out working credentials.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Secret returns the site's signing key, creating it on first use.
func (s *Store) Secret(ctx context.Context) ([]byte, error) {
	var v string
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &v, `SELECT value FROM settings WHERE key = 'secret'`)
		if errors.Is(err, sql.ErrNoRows) {
			v = randomToken(32)
			_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('secret', ?)`, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return base64.RawURLEncoding.DecodeString(v)
}

// Ping tells whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// audit records a privileged action inside the caller's transaction.
func audit(ctx context.Context, tx *sqlx.Tx, at time.Time, actorID int64, action, targetType string, targetID int64, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (actor_id, action, target_type, target_id, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, nullID(actorID), action, targetType, targetID, detail, at)
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
