package content

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Entity types recorded in the outbox.
const (
	EntityTopic = "topic"
	EntityPost  = "post"
)

// OutboxEntry says that an entity changed and must be re-read by whoever
// drains the outbox (the search indexer, later notifications).
type OutboxEntry struct {
	ID         int64     `db:"id"`
	EntityType string    `db:"entity_type"`
	EntityID   int64     `db:"entity_id"`
	CreatedAt  time.Time `db:"created_at"`
}

// enqueue records a change in the caller's transaction, so the change and
// its outbox entry are committed together or not at all.
func enqueue(ctx context.Context, tx *sqlx.Tx, at time.Time, entityType string, id int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (entity_type, entity_id, created_at) VALUES (?, ?, ?)`, entityType, id, at)
	return err
}
