package content

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// TopicUpdate is a moderator's change to a topic; nil fields stay as they are.
type TopicUpdate struct {
	Pinned   *bool
	Locked   *bool
	Category *string // slug: move the topic
}

// ModerateTopic applies a moderator's change to a topic, logged.
func (s *Store) ModerateTopic(ctx context.Context, mod *User, topicID int64, up TopicUpdate) error {
	if !CanModerate(mod) {
		return ErrForbidden
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var exists int
		if err := tx.GetContext(ctx, &exists, `SELECT count(*) FROM topics WHERE id = ?`, topicID); err != nil || exists == 0 {
			return ErrNotFound
		}
		set := func(action string, kind EventKind, col string, v any, detail string) error {
			if _, err := tx.ExecContext(ctx, `UPDATE topics SET `+col+` = ? WHERE id = ?`, v, topicID); err != nil {
				return err
			}
			if err := audit(ctx, tx, now, mod.ID, action, "topic", topicID, detail); err != nil {
				return err
			}
			return Emit(ctx, tx, topicEvent(kind, topicID, mod.ID, now))
		}
		if up.Pinned != nil {
			action, kind := "unpin", EventUnpinned
			if *up.Pinned {
				action, kind = "pin", EventPinned
			}
			if err := set(action, kind, "pinned", *up.Pinned, ""); err != nil {
				return err
			}
		}
		if up.Locked != nil {
			action, kind := "unlock", EventUnlocked
			if *up.Locked {
				action, kind = "lock", EventLocked
			}
			if err := set(action, kind, "locked", *up.Locked, ""); err != nil {
				return err
			}
		}
		if up.Category != nil {
			var catID int64
			if err := tx.GetContext(ctx, &catID, `SELECT id FROM categories WHERE slug = ?`, *up.Category); err != nil {
				return Invalid("category", "Cette catégorie n’existe pas.")
			}
			if err := set("move", EventMoved, "category_id", catID, *up.Category); err != nil {
				return err
			}
		}
		return nil
	})
}

// MergeTopic moves every post of topic from into topic into, after its
// posts, and leaves from as a redirect. Logged.
func (s *Store) MergeTopic(ctx context.Context, mod *User, from, into int64) error {
	if !CanModerate(mod) {
		return ErrForbidden
	}
	if from == into {
		return Invalid("into", "Une discussion ne peut pas être fusionnée avec elle-même.")
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var target struct {
			LastNumber int     `db:"last_number"`
			MergedInto *int64  `db:"merged_into"`
			Readers    Readers `db:"readers"`
		}
		if err := tx.GetContext(ctx, &target, `SELECT last_number, merged_into, readers FROM topics WHERE id = ?`, into); err != nil {
			return Invalid("into", "La discussion de destination n’existe pas.")
		}
		if target.MergedInto != nil {
			return Invalid("into", "La discussion de destination a elle-même été fusionnée : choisissez celle qui la remplace.")
		}
		var fromReaders Readers
		if err := tx.GetContext(ctx, &fromReaders, `SELECT readers FROM topics WHERE id = ?`, from); err != nil {
			return notFound(err)
		}
		if fromReaders != target.Readers {
			// Merging would show its posts to readers it was kept from, or
			// the other way round.
			return Invalid("into", "Ces deux discussions ne sont pas lues par les mêmes personnes : elles ne peuvent pas être fusionnées.")
		}
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, `SELECT id FROM posts WHERE topic_id = ? ORDER BY number`, from); err != nil {
			return err
		}
		if len(ids) == 0 {
			return ErrNotFound
		}
		offset := target.LastNumber
		// Numbers move past the target's; replies keep pointing at the same posts.
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET topic_id = ?, number = number + ?,
			reply_to = CASE WHEN reply_to IS NULL THEN NULL ELSE reply_to + ? END WHERE topic_id = ?`, into, offset, offset, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET
			post_count = (SELECT count(*) FROM posts WHERE topic_id = ?),
			last_number = (SELECT max(number) FROM posts WHERE topic_id = ?),
			last_activity_at = max(last_activity_at, (SELECT last_activity_at FROM topics WHERE id = ?))
			WHERE id = ?`, into, into, from, into); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET merged_into = ?, post_count = 0, answer_count = 0, accepted_post_id = NULL WHERE id = ?`, into, from); err != nil {
			return err
		}
		if err := refreshTopic(ctx, tx, into); err != nil {
			return err
		}
		if err := audit(ctx, tx, now, mod.ID, "merge", "topic", from, "into "+itoa64(into)); err != nil {
			return err
		}
		// Both topics' documents change: the posts moved, and the target's
		// counts; one event for each topic says so.
		merged := topicEvent(EventMerged, from, mod.ID, now)
		merged.Data.Into = into
		merged.Data.Number = offset + 1 // where its opening post is now
		if err := Emit(ctx, tx, merged); err != nil {
			return err
		}
		received := topicEvent(EventMerged, into, mod.ID, now)
		received.Data.Into = into
		return Emit(ctx, tx, received)
	})
}
