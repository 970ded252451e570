package content

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Accounts nobody used for two years are warned by mail, then anonymised a
// month later (EraseAnonymize) unless their member came back: any visit
// with a session or an API token clears the warning (touchActivity).
// Administrators' accounts are left alone, so a site is never left
// without one.

// Inactivity periods.
const (
	InactiveAfter = 2 * 365 * 24 * time.Hour
	InactiveGrace = 30 * 24 * time.Hour
)

// inactiveBatch bounds the accounts handled at each run.
const inactiveBatch = 100

// WarnInactiveAccounts queues compose's mail to each account unused for
// InactiveAfter and not warned yet, telling the day it will be anonymised;
// it returns how many were warned.
func (s *Store) WarnInactiveAccounts(ctx context.Context, compose func(u *User, erasedOn time.Time) Mail) (int, error) {
	now := s.Now()
	var users []User
	if err := s.db.R.SelectContext(ctx, &users, `SELECT `+userColumns+` FROM users
		WHERE erased_at IS NULL AND inactive_warned_at IS NULL AND role != 'admin' AND coalesce(active_at, created_at) < ?
		ORDER BY id LIMIT ?`, now.Add(-InactiveAfter), inactiveBatch); err != nil {
		return 0, err
	}
	for i := range users {
		u := &users[i]
		err := s.withTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET inactive_warned_at = ? WHERE id = ?`, now, u.ID); err != nil {
				return err
			}
			m := compose(u, now.Add(InactiveGrace))
			m.UserID = &u.ID
			return enqueueMail(ctx, tx, now, m)
		})
		if err != nil {
			return i, err
		}
	}
	return len(users), nil
}

// AnonymizeInactiveAccounts erases, in anonymise mode, the accounts warned
// more than InactiveGrace ago and unused since; it returns the files left
// to delete.
func (s *Store) AnonymizeInactiveAccounts(ctx context.Context) ([]*Erased, error) {
	var ids []int64
	if err := s.db.R.SelectContext(ctx, &ids, `SELECT id FROM users WHERE erased_at IS NULL AND inactive_warned_at < ?
		AND coalesce(active_at, created_at) < inactive_warned_at AND role != 'admin' ORDER BY id LIMIT ?`,
		s.Now().Add(-InactiveGrace), inactiveBatch); err != nil {
		return nil, err
	}
	var out []*Erased
	for _, id := range ids {
		e, err := s.EraseAccount(ctx, id, EraseAnonymize, "erase_inactive")
		if e != nil {
			out = append(out, e)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
