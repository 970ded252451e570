package content

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// DraftNewTopic is the draft place of a topic being started.
const DraftNewTopic = "topic"

// DraftReply is the draft place of a reply in a topic.
func DraftReply(topicID int64) string { return "reply:" + strconv.FormatInt(topicID, 10) }

// Draft is text a member saved to finish later, on any device.
type Draft struct {
	Place     string            `db:"place"`
	Title     string            `db:"title"`
	Body      string            `db:"body"`
	Extra     string            `db:"extra"`
	UpdatedAt time.Time         `db:"updated_at"`
	Fields    map[string]string `db:"-"` // Extra decoded: category, tags, kind, reply_to
	// Where the draft is written, for the list of drafts.
	TopicTitle string `db:"topic_title"`
}

// TopicID is the topic a reply draft belongs to, or 0.
func (d *Draft) TopicID() int64 {
	id, _ := strconv.ParseInt(strings.TrimPrefix(d.Place, "reply:"), 10, 64)
	return id
}

// SaveDraft stores (or replaces) a member's draft. Oversized text is refused
// rather than cut, so nothing is silently lost.
func (s *Store) SaveDraft(ctx context.Context, u *User, d Draft) error {
	if u == nil {
		return ErrForbidden
	}
	if d.Place != DraftNewTopic && !strings.HasPrefix(d.Place, "reply:") {
		return Invalid("place", "Brouillon inconnu.")
	}
	if utf8.RuneCountInString(d.Body) > MaxBodyLength || utf8.RuneCountInString(d.Title) > 1000 {
		return Invalid("body", "Ce brouillon est trop long pour être enregistré (50 000 caractères au plus).")
	}
	d.Body = normalizeText(d.Body)
	extra, err := json.Marshal(d.Fields)
	if err != nil {
		return err
	}
	if strings.TrimSpace(d.Body) == "" && strings.TrimSpace(d.Title) == "" {
		return s.withTx(ctx, func(tx *sqlx.Tx) error { return deleteDraft(ctx, tx, u.ID, d.Place) })
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO drafts (user_id, place, title, body, extra, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, place) DO UPDATE SET title = excluded.title, body = excluded.body, extra = excluded.extra,
		updated_at = excluded.updated_at`, u.ID, d.Place, d.Title, d.Body, string(extra), s.Now())
	return err
}

// DraftAt returns a member's draft for a place.
func (s *Store) DraftAt(ctx context.Context, u *User, place string) (*Draft, error) {
	if u == nil {
		return nil, ErrNotFound
	}
	var d Draft
	err := s.db.R.GetContext(ctx, &d, `SELECT place, title, body, extra, updated_at, '' AS topic_title FROM drafts
		WHERE user_id = ? AND place = ?`, u.ID, place)
	if err != nil {
		return nil, notFound(err)
	}
	json.Unmarshal([]byte(d.Extra), &d.Fields)
	return &d, nil
}

// Drafts lists a member's drafts, most recent first.
func (s *Store) Drafts(ctx context.Context, u *User) ([]Draft, error) {
	var ds []Draft
	err := s.db.R.SelectContext(ctx, &ds, `SELECT d.place, d.title, d.body, d.extra, d.updated_at, coalesce(t.title, '') AS topic_title
		FROM drafts d LEFT JOIN topics t ON d.place = 'reply:' || t.id
		WHERE d.user_id = ? ORDER BY d.updated_at DESC`, u.ID)
	for i := range ds {
		json.Unmarshal([]byte(ds[i].Extra), &ds[i].Fields)
	}
	return ds, err
}

// DeleteDraft removes a member's draft.
func (s *Store) DeleteDraft(ctx context.Context, u *User, place string) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error { return deleteDraft(ctx, tx, u.ID, place) })
}

func deleteDraft(ctx context.Context, tx *sqlx.Tx, userID int64, place string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE user_id = ? AND place = ?`, userID, place)
	return err
}
