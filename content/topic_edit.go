package content

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// TopicEdit is a change of a topic's title, category and tags.
type TopicEdit struct {
	Title    string
	Category string // slug
	Tags     string // comma-separated
}

// TopicVersion is what a topic was called and filed under before a change.
type TopicVersion struct {
	Title        string    `db:"title"`
	CategoryName string    `db:"category_name"`
	Tags         string    `db:"tags"`
	EditorPseudo string    `db:"editor_pseudo"`
	ReplacedAt   time.Time `db:"created_at"`
}

// ValidateTopicEdit checks a topic edit as a new topic's title, category and
// tags are checked, and returns it normalised.
func (s *Store) ValidateTopicEdit(ctx context.Context, in TopicEdit) (TopicEdit, *Category, []string, error) {
	in.Title = normalizeLine(in.Title)
	v := &ValidationError{}
	validateTitle(v, in.Title)
	var cat Category
	if err := s.db.R.GetContext(ctx, &cat, `SELECT id, slug, name, description, position FROM categories WHERE slug = ?`, in.Category); err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			return in, nil, nil, err
		}
		v.Add("category", "Cette catégorie n’existe pas : choisissez-en une dans la liste.")
	}
	tags, msg := ParseTags(in.Tags)
	if msg != "" {
		v.Add("tags", msg)
	}
	return in, &cat, tags, v.Err()
}

// EditTopic changes a topic's title, category and tags, keeping what they
// were. Its author may, while they may edit its opening post; so may
// moderators.
func (s *Store) EditTopic(ctx context.Context, editor *User, topicID int64, in TopicEdit) error {
	in, cat, tags, err := s.ValidateTopicEdit(ctx, in)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		t, err := topicState(ctx, tx, topicID)
		if err != nil {
			return err
		}
		var first Post
		if err := tx.GetContext(ctx, &first, `SELECT id, topic_id, number, author_id, deleted_at, hidden_at FROM posts
			WHERE topic_id = ? AND number = 1`, topicID); err != nil {
			return notFound(err)
		}
		if !CanEditTopic(editor, t, &first) {
			return ErrForbidden
		}
		var before struct {
			Title      string `db:"title"`
			CategoryID int64  `db:"category_id"`
		}
		if err := tx.GetContext(ctx, &before, `SELECT title, category_id FROM topics WHERE id = ?`, topicID); err != nil {
			return err
		}
		var oldTags []string
		if err := tx.SelectContext(ctx, &oldTags, `SELECT g.name FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id
			WHERE tt.topic_id = ? ORDER BY g.name`, topicID); err != nil {
			return err
		}
		if before.Title == in.Title && before.CategoryID == cat.ID && strings.Join(oldTags, ",") == strings.Join(sortedCopy(tags), ",") {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO topic_versions (topic_id, title, category_id, tags, editor_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, topicID, before.Title, before.CategoryID, strings.Join(oldTags, ", "), editor.ID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET title = ?, slug = ?, category_id = ?, edited_at = ? WHERE id = ?`,
			in.Title, topicSlug(in.Title), cat.ID, now, topicID); err != nil {
			return err
		}
		if err := setTopicTags(ctx, tx, topicID, tags); err != nil {
			return err
		}
		if editor.ID != t.AuthorID {
			if err := audit(ctx, tx, now, editor.ID, "edit_topic", "topic", topicID, before.Title); err != nil {
				return err
			}
		}
		return Emit(ctx, tx, topicEvent(EventEdited, topicID, editor.ID, now))
	})
}

func sortedCopy(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

// TopicHistory lists what a topic was called and filed under before each
// change, oldest first.
func (s *Store) TopicHistory(ctx context.Context, topicID int64) ([]TopicVersion, error) {
	var vs []TopicVersion
	err := s.db.R.SelectContext(ctx, &vs, `SELECT v.title, c.name AS category_name, v.tags, coalesce(u.pseudo, '') AS editor_pseudo, v.created_at
		FROM topic_versions v JOIN categories c ON c.id = v.category_id LEFT JOIN users u ON u.id = v.editor_id
		WHERE v.topic_id = ? ORDER BY v.id`, topicID)
	return vs, err
}
