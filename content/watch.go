package content

import (
	"context"
	"os"
	"time"
)

// What the administrators watch: how far behind each consumer of the event
// stream is, how the mail queue fares, how big the database has grown. The
// health check, the metrics and the dashboard read these at the time they
// are asked, with small indexed queries.

// ConsumerLag is how far a consumer of the event stream is behind.
type ConsumerLag struct {
	Name   string     `db:"name"`
	Cursor int64      `db:"cursor"`
	Oldest *time.Time `db:"oldest"` // when the first event it has not applied was written; nil: none
	Behind int64      `db:"-"`      // events written that it has not applied
}

// Age is how long the oldest event the consumer has not applied has waited.
func (l ConsumerLag) Age(now time.Time) time.Duration {
	if l.Oldest == nil {
		return 0
	}
	return max(now.Sub(*l.Oldest), 0)
}

// Lag lists the registered consumers, by name, with how far behind each
// is. Event IDs are consecutive above every position (pruning deletes only
// below the slowest), so the head minus a position counts what is left.
func (o *Outbox) Lag(ctx context.Context) ([]ConsumerLag, error) {
	head, err := o.Head(ctx)
	if err != nil {
		return nil, err
	}
	var lags []ConsumerLag
	if err := o.db.R.SelectContext(ctx, &lags, `SELECT c.name, c.cursor, o.created_at AS oldest
		FROM outbox_consumers c LEFT JOIN outbox o ON o.id = (SELECT min(id) FROM outbox WHERE id > c.cursor)
		ORDER BY c.name`); err != nil {
		return nil, err
	}
	for i := range lags {
		lags[i].Behind = max(head-lags[i].Cursor, 0)
	}
	return lags, nil
}

// MailHealth is the state of the mail queue.
type MailHealth struct {
	Queued      int        // waiting for delivery, retries included
	Failed24h   int        // mails whose latest attempt, in the last 24 hours, failed
	LastErrorAt *time.Time // the latest failed attempt
	LastSentAt  *time.Time // the latest delivery
}

// Failing tells whether the latest delivery attempt failed and no mail was
// delivered since: the SMTP server is down, or refuses the site.
func (m MailHealth) Failing() bool {
	return m.LastErrorAt != nil && (m.LastSentAt == nil || m.LastErrorAt.After(*m.LastSentAt))
}

// MailHealth reads the state of the mail queue.
func (s *Store) MailHealth(ctx context.Context) (MailHealth, error) {
	var h MailHealth
	err := s.db.R.GetContext(ctx, &h.Queued, `SELECT count(*) FROM mails WHERE sent_at IS NULL AND failed_at IS NULL`)
	if err == nil {
		err = s.db.R.GetContext(ctx, &h.Failed24h, `SELECT count(*) FROM mails WHERE last_error_at >= ?`, s.Now().Add(-24*time.Hour))
	}
	// Single columns, not max(): an aggregate loses the column's type, and
	// the driver would hand back text instead of a time.
	for _, last := range []struct {
		into  **time.Time
		query string
	}{
		{&h.LastErrorAt, `SELECT last_error_at FROM mails WHERE last_error_at IS NOT NULL ORDER BY last_error_at DESC LIMIT 1`},
		{&h.LastSentAt, `SELECT sent_at FROM mails WHERE sent_at IS NOT NULL ORDER BY sent_at DESC LIMIT 1`},
	} {
		if err != nil {
			break
		}
		var ts []time.Time
		if err = s.db.R.SelectContext(ctx, &ts, last.query); err == nil && len(ts) == 1 {
			*last.into = &ts[0]
		}
	}
	return h, err
}

// DatabaseFiles are the sizes in bytes of the database file and of its
// write-ahead log (0 when there is none).
func (db *DB) DatabaseFiles() (main, wal int64, err error) {
	st, err := os.Stat(db.path)
	if err != nil {
		return 0, 0, err
	}
	if w, err := os.Stat(db.path + "-wal"); err == nil {
		wal = w.Size()
	}
	return st.Size(), wal, nil
}

// SchemaVersion is the number of the latest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.R.GetContext(ctx, &v, `SELECT coalesce(max(version), 0) FROM schema_migrations`)
	return v, err
}
