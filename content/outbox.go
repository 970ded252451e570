package content

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// The outbox is Ligue's event stream: every change writes one row saying what
// happened, in the transaction of the change. Consumers (the search indexer,
// live page updates, later notifications) read it in order, each from its own
// position kept in outbox_consumers, and rows are pruned below the slowest.

// Entity types recorded in the outbox.
const (
	EntityTopic = "topic"
	EntityPost  = "post"
	EntityUser  = "user"
	EntityFiche = "fiche"
	// A private message: no consumer but the notifier reads it (search does
	// not index it, pages do not stream it).
	EntityMessage = "message"
	// A moderation decision (moderation_decisions), told to whom it concerns.
	EntityDecision = "decision"
)

// EventKind says what happened to an entity.
type EventKind string

// Event kinds.
const (
	EventCreated      EventKind = "created"
	EventEdited       EventKind = "edited"
	EventWithdrawn    EventKind = "withdrawn" // deleted by its author
	EventHidden       EventKind = "hidden"    // by a moderator
	EventRestored     EventKind = "restored"
	EventMentioned    EventKind = "mentioned" // Data.Mentioned lists the members named
	EventAccepted     EventKind = "accepted"  // Data.Number is the accepted post
	EventUnaccepted   EventKind = "unaccepted"
	EventThanked      EventKind = "thanked"
	EventPinned       EventKind = "pinned"
	EventUnpinned     EventKind = "unpinned"
	EventLocked       EventKind = "locked"
	EventUnlocked     EventKind = "unlocked"
	EventMoved        EventKind = "moved"  // to another category
	EventMerged       EventKind = "merged" // Data.Into is the topic that received the posts
	EventRerendered   EventKind = "rerendered"
	EventSuspended    EventKind = "suspended"
	EventReinstated   EventKind = "reinstated"
	EventPublished    EventKind = "published"     // a brouillon became public; a proposal's version, Data.Number
	EventStateChanged EventKind = "state_changed" // a proposal opened, back to brouillon, archived
	EventProtected    EventKind = "protected"     // Data.Number 1: protected, 0: open again
	EventRevision     EventKind = "revision"      // Data.Number is the revision hidden or shown again
	EventDeleted      EventKind = "deleted"       // by a moderator
	EventSaved        EventKind = "saved"         // a fiche's save count changed (collections)
	// Outdated information reported in a fiche, and the report marked
	// handled by one of its editors; Data.Number is the report.
	EventReported      EventKind = "reported"
	EventReportHandled EventKind = "report_handled"
	// A member's account was erased: what they wrote is indexed again
	// without their pseudo.
	EventErased EventKind = "erased"
	// A moderation decision taken (or confirmed): its author and the
	// flaggers are told (EntityDecision).
	EventDecided EventKind = "decided"
)

// EventData holds the few extras some kinds carry.
type EventData struct {
	Mentioned []int64 `json:"mentioned,omitempty"`
	Number    int     `json:"number,omitempty"`
	Into      int64   `json:"into,omitempty"`
	// Decision is the moderation decision that caused the change: it tells
	// the author itself (EventDecided), not the change's own notice.
	Decision int64 `json:"decision,omitempty"`
}

// Event is one row of the stream.
type Event struct {
	ID         int64     `db:"id"`
	Kind       EventKind `db:"kind"`
	EntityType string    `db:"entity_type"`
	EntityID   int64     `db:"entity_id"`
	ActorID    int64     `db:"actor_id"`    // 0: the system
	ParentType string    `db:"parent_type"` // what the entity belongs to: a post's topic
	ParentID   int64     `db:"parent_id"`
	RawData    string    `db:"data"`
	CreatedAt  time.Time `db:"created_at"`
	Data       EventData `db:"-"`
}

// Emit records e in the caller's transaction, so the change and its event
// are committed together or not at all. Every change to searchable or
// notifiable content goes through here.
func Emit(ctx context.Context, tx *sqlx.Tx, e Event) error {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return err
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	if err := recordContribution(ctx, tx, e); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (kind, entity_type, entity_id, actor_id, parent_type, parent_id, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.Kind, e.EntityType, e.EntityID, nullID(e.ActorID), e.ParentType, e.ParentID, string(data), e.CreatedAt)
	return err
}

// Outbox reads the event stream and keeps the consumers' positions.
type Outbox struct {
	db  *DB
	now func() time.Time

	mu      sync.Mutex
	changed chan struct{} // closed and replaced at each commit that wrote events
	commits atomic.Uint64 // commits of this process that wrote events, so far
	head    int64         // the last event they wrote; o.mu
}

// NewOutbox returns the outbox of db.
func NewOutbox(db *DB, now func() time.Time) *Outbox {
	return &Outbox{db: db, now: now, changed: make(chan struct{})}
}

// Changed returns a channel closed at the next commit of this process that
// writes events: take
// it before reading the stream, so no commit between the two is missed.
// Other processes (the command line) are seen by polling.
func (o *Outbox) Changed() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.changed
}

// Commits counts the write transactions of this process that wrote events:
// a consumer that read the stream after seeing n has seen every event of
// the first n.
func (o *Outbox) Commits() uint64 { return o.commits.Load() }

// committed wakes every consumer waiting on Changed, when the transaction
// just committed wrote events: head, the last event then, is past the last
// one seen.
func (o *Outbox) committed(head int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if head <= o.head {
		return
	}
	o.head = head
	o.commits.Add(1)
	close(o.changed)
	o.changed = make(chan struct{})
}

const eventSelect = `SELECT id, kind, entity_type, entity_id, coalesce(actor_id, 0) AS actor_id, parent_type, parent_id, data, created_at FROM outbox`

// Head is the ID of the last event written (0 when there is none).
func (o *Outbox) Head(ctx context.Context) (int64, error) {
	var id int64
	err := o.db.R.GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM outbox`)
	return id, err
}

// After returns up to limit events after position cursor, oldest first.
func (o *Outbox) After(ctx context.Context, cursor int64, limit int) ([]Event, error) {
	return selectEvents(ctx, o.db.R, cursor, limit)
}

type selecter interface {
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

func selectEvents(ctx context.Context, q selecter, cursor int64, limit int) ([]Event, error) {
	var es []Event
	if err := q.SelectContext(ctx, &es, eventSelect+` WHERE id > ? ORDER BY id LIMIT ?`, cursor, limit); err != nil {
		return nil, err
	}
	for i := range es {
		if err := json.Unmarshal([]byte(es[i].RawData), &es[i].Data); err != nil {
			return nil, fmt.Errorf("event %d: %w", es[i].ID, err)
		}
	}
	return es, nil
}

// Register makes name a consumer starting after position from, unless it
// already is one; it returns the consumer's position.
func (o *Outbox) Register(ctx context.Context, name string, from int64) (int64, error) {
	if _, err := o.db.W.ExecContext(ctx, `INSERT INTO outbox_consumers (name, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, name, from, o.now()); err != nil {
		return 0, err
	}
	var cursor int64
	err := o.db.W.GetContext(ctx, &cursor, `SELECT cursor FROM outbox_consumers WHERE name = ?`, name)
	return cursor, err
}

// Ack sets the position of a consumer that keeps its own durable position
// (the search index keeps it inside Bleve); the outbox uses it for pruning.
// It may move back, when such a consumer starts again from an older state.
func (o *Outbox) Ack(ctx context.Context, name string, cursor int64) error {
	_, err := o.db.W.ExecContext(ctx, `INSERT INTO outbox_consumers (name, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`, name, cursor, o.now())
	return err
}

// Release forgets a consumer: it no longer holds events back from pruning.
func (o *Outbox) Release(ctx context.Context, name string) error {
	_, err := o.db.W.ExecContext(ctx, `DELETE FROM outbox_consumers WHERE name = ?`, name)
	return err
}

// Consume applies up to limit events after the position of consumer name,
// and moves the position past them, in one write transaction: whatever apply
// writes through tx and the new position are committed together, so a crash
// at any point neither loses an event nor applies one twice. It returns how
// many events were applied; the consumer must be registered.
func (o *Outbox) Consume(ctx context.Context, name string, limit int, apply func(tx *sqlx.Tx, events []Event) error) (int, error) {
	tx, err := o.db.W.BeginTxx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var cursor int64
	if err := tx.GetContext(ctx, &cursor, `SELECT cursor FROM outbox_consumers WHERE name = ?`, name); err != nil {
		return 0, fmt.Errorf("outbox consumer %q: %w", name, notFound(err))
	}
	events, err := selectEvents(ctx, tx, cursor, limit)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	if err := apply(tx, events); err != nil {
		return 0, err
	}
	last := events[len(events)-1].ID
	if _, err := tx.ExecContext(ctx, `UPDATE outbox_consumers SET cursor = ?, updated_at = ? WHERE name = ?`, last, o.now(), name); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(events), nil
}

// Consumers lists the registered consumers and their positions.
func (o *Outbox) Consumers(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Name   string `db:"name"`
		Cursor int64  `db:"cursor"`
	}
	if err := o.db.R.SelectContext(ctx, &rows, `SELECT name, cursor FROM outbox_consumers`); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Name] = r.Cursor
	}
	return out, nil
}

// Prune deletes the events every consumer has applied, and returns how many.
// With no consumer registered nothing is deleted: the first one to come
// (the search index being built) may still need them. The last event always
// stays: SQLite numbers a new row after the highest one left, so an empty
// table would hand out IDs again that consumers have already passed.
func (o *Outbox) Prune(ctx context.Context) (int64, error) {
	res, err := o.db.W.ExecContext(ctx, `DELETE FROM outbox WHERE id <= (SELECT min(cursor) FROM outbox_consumers)
		AND id < (SELECT max(id) FROM outbox)`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
