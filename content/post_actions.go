package content

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// The actions on one post besides writing it: withdraw, hide, thank, accept.
// Each checks its permission in the transaction, on the row it changes.

// DeletePost withdraws a post at its author's request; replies stay.
func (s *Store) DeletePost(ctx context.Context, u *User, postID int64) error {
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := postState(ctx, tx, postID)
		if err != nil {
			return err
		}
		if !CanDeletePost(u, p) {
			return ErrForbidden
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = ? WHERE id = ?`, now, postID); err != nil {
			return err
		}
		if err := unacceptIf(ctx, tx, p.TopicID, postID); err != nil {
			return err
		}
		if err := refreshTopic(ctx, tx, p.TopicID); err != nil {
			return err
		}
		return Emit(ctx, tx, postEvent(EventWithdrawn, postID, p.TopicID, u.ID, now))
	})
}

// RestorePost takes back the withdrawal of a post, by its author, for a
// while after (CanRestorePost).
func (s *Store) RestorePost(ctx context.Context, u *User, postID int64) error {
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := postState(ctx, tx, postID)
		if err != nil {
			return err
		}
		if !CanRestorePost(u, p, now) {
			return ErrForbidden
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = NULL WHERE id = ?`, postID); err != nil {
			return err
		}
		if err := refreshTopic(ctx, tx, p.TopicID); err != nil {
			return err
		}
		return Emit(ctx, tx, postEvent(EventRestored, postID, p.TopicID, u.ID, now))
	})
}

// SetPostHidden hides or restores a post (moderators only), logged.
func (s *Store) SetPostHidden(ctx context.Context, mod *User, postID int64, hidden bool) error {
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := postState(ctx, tx, postID)
		if err != nil {
			return err
		}
		if !CanHidePost(mod, p) {
			return ErrForbidden
		}
		var at, by any
		action, kind := "restore_post", EventRestored
		if hidden {
			at, by, action, kind = now, mod.ID, "hide_post", EventHidden
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET hidden_at = ?, hidden_by = ? WHERE id = ?`, at, by, postID); err != nil {
			return err
		}
		if hidden {
			if err := unacceptIf(ctx, tx, p.TopicID, postID); err != nil {
				return err
			}
		}
		if err := refreshTopic(ctx, tx, p.TopicID); err != nil {
			return err
		}
		if err := audit(ctx, tx, now, mod.ID, action, "post", postID, ""); err != nil {
			return err
		}
		return Emit(ctx, tx, postEvent(kind, postID, p.TopicID, mod.ID, now))
	})
}

// refreshTopic sets what a topic shows of its answers from the posts
// readers can see: their count, the last activity and its author.
func refreshTopic(ctx context.Context, tx *sqlx.Tx, topicID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE topics SET
		answer_count = (SELECT count(*) FROM posts p WHERE p.topic_id = topics.id AND p.number > 1
			AND p.deleted_at IS NULL AND p.hidden_at IS NULL),
		last_activity_at = coalesce((SELECT max(p.created_at) FROM posts p WHERE p.topic_id = topics.id
			AND p.deleted_at IS NULL AND p.hidden_at IS NULL), created_at),
		last_poster_id = coalesce((SELECT p.author_id FROM posts p WHERE p.topic_id = topics.id
			AND p.deleted_at IS NULL AND p.hidden_at IS NULL ORDER BY p.number DESC LIMIT 1), author_id)
		WHERE id = ?`, topicID)
	return err
}

func unacceptIf(ctx context.Context, tx *sqlx.Tx, topicID, postID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE topics SET accepted_post_id = NULL WHERE id = ? AND accepted_post_id = ?`, topicID, postID)
	return err
}

// ToggleMerci adds or removes u's "Merci" on a post and returns whether it
// is now given.
func (s *Store) ToggleMerci(ctx context.Context, u *User, postID int64) (bool, error) {
	if err := CanWrite(u); err != nil {
		return false, err
	}
	var given bool
	now := s.Now()
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := postState(ctx, tx, postID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM mercis WHERE post_id = ? AND user_id = ?`, postID, u.ID)
		if err != nil {
			return err
		}
		delta := -1
		if n, _ := res.RowsAffected(); n == 0 {
			if err := CanThankPost(u, p); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mercis (post_id, user_id, created_at) VALUES (?, ?, ?)`, postID, u.ID, now); err != nil {
				return err
			}
			delta, given = 1, true
		}
		if _, err = tx.ExecContext(ctx, `UPDATE posts SET merci_count = merci_count + ? WHERE id = ?`, delta, postID); err != nil {
			return err
		}
		if !given {
			return nil
		}
		return Emit(ctx, tx, postEvent(EventThanked, postID, p.TopicID, u.ID, now))
	})
	return given, err
}

// MercisReceived counts the "Merci" given to a member's posts.
func (s *Store) MercisReceived(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT coalesce(sum(merci_count), 0) FROM posts WHERE author_id = ? AND deleted_at IS NULL AND hidden_at IS NULL`, userID)
	return n, err
}

// AcceptAnswer marks post n as the accepted answer of a question, or removes
// the mark when it is already the accepted one.
func (s *Store) AcceptAnswer(ctx context.Context, u *User, topicID int64, n int) (accepted bool, err error) {
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		accepted, err = s.acceptAnswer(ctx, tx, u, topicID, n)
		return err
	})
	return accepted, err
}

// acceptAnswer is AcceptAnswer inside tx.
func (s *Store) acceptAnswer(ctx context.Context, tx *sqlx.Tx, u *User, topicID int64, n int) (bool, error) {
	now := s.Now()
	t, err := topicState(ctx, tx, topicID)
	if err != nil {
		return false, err
	}
	var postID int64
	if err := tx.GetContext(ctx, &postID, `SELECT id FROM posts WHERE topic_id = ? AND number = ?`, topicID, n); err != nil {
		return false, notFound(err)
	}
	p, err := postState(ctx, tx, postID)
	if err != nil {
		return false, err
	}
	if err := CanAcceptPost(u, t, p); err != nil {
		return false, err
	}
	var next any = p.ID
	kind := EventAccepted
	if t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID {
		next, kind = nil, EventUnaccepted
	}
	if _, err := tx.ExecContext(ctx, `UPDATE topics SET accepted_post_id = ? WHERE id = ?`, next, topicID); err != nil {
		return false, err
	}
	e := topicEvent(kind, topicID, u.ID, now)
	e.Data.Number = n
	return next != nil, Emit(ctx, tx, e)
}
