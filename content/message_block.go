package content

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Blocks: « Ne plus recevoir de messages de … ». The blocked member cannot
// start a conversation with the blocker nor add them to one, and is never
// told: they are left out as if the pseudo were unknown (see recipients).
// Their messages in conversations both are already in no longer notify the
// blocker. As on Discourse, moderators cannot be blocked: the members must
// always be able to reach them.

// BlockedMember is a member u no longer receives messages from.
type BlockedMember struct {
	ID        int64     `db:"id"`
	Pseudo    string    `db:"pseudo"`
	CreatedAt time.Time `db:"created_at"`
}

// CanBlock tells whether u may block member m: not oneself, not a moderator.
func CanBlock(u, m *User) error {
	switch {
	case u == nil || u.Suspended():
		return ErrForbidden
	case u.ID == m.ID:
		return Invalid("block", "Vous ne pouvez pas vous bloquer vous-même.")
	case m.IsModerator():
		return Invalid("block", "On ne peut pas bloquer un membre de l’équipe de modération : si un message pose problème, signalez-le.")
	}
	return nil
}

// SetBlocked blocks member m for u, or lifts the block.
func (s *Store) SetBlocked(ctx context.Context, u, m *User, blocked bool) error {
	if !blocked {
		if u == nil {
			return ErrForbidden
		}
		_, err := s.db.W.ExecContext(ctx, `DELETE FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?`, u.ID, m.ID)
		return err
	}
	if err := CanBlock(u, m); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, u.ID, m.ID, s.Now())
		return err
	})
}

// HasBlocked tells whether u blocked member id.
func (s *Store) HasBlocked(ctx context.Context, u *User, id int64) (bool, error) {
	if u == nil {
		return false, nil
	}
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?`, u.ID, id)
	return n > 0, err
}

// BlockedMembers lists the members u blocked, by pseudo.
func (s *Store) BlockedMembers(ctx context.Context, u *User) ([]BlockedMember, error) {
	var out []BlockedMember
	err := s.db.R.SelectContext(ctx, &out, `SELECT u.id, u.pseudo, b.created_at FROM user_blocks b JOIN users u ON u.id = b.blocked_id
		WHERE b.blocker_id = ? ORDER BY u.pseudo_key`, u.ID)
	return out, err
}
