package content

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Administration of accounts: listing, roles, suspension.

// UserFilter selects accounts for the administration list.
type UserFilter struct {
	Query  string // part of a pseudo or e-mail
	Limit  int
	Offset int
}

// ListUsers returns accounts, newest first, and how many match in all.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, int, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(strings.TrimSpace(f.Query))) + "%"
	const where = ` WHERE erased_at IS NULL AND (pseudo_key LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`
	var total int
	if err := s.db.R.GetContext(ctx, &total, `SELECT count(*) FROM users`+where, like, like); err != nil {
		return nil, 0, err
	}
	var users []User
	err := s.db.R.SelectContext(ctx, &users, `SELECT `+userColumns+` FROM users`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		like, like, f.Limit, f.Offset)
	return users, total, err
}

// SetRole changes an account's role; the last administrator cannot step down.
func (s *Store) SetRole(ctx context.Context, actor *User, userID int64, role Role) error {
	if !CanAdminister(actor) {
		return ErrForbidden
	}
	if !role.Valid() {
		return Invalid("role", "Ce rôle n’existe pas.")
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var current Role
		if err := tx.GetContext(ctx, &current, `SELECT role FROM users WHERE id = ?`, userID); err != nil {
			return notFound(err)
		}
		if current == role {
			return nil
		}
		if current == RoleAdmin {
			var admins int
			if err := tx.GetContext(ctx, &admins, `SELECT count(*) FROM users WHERE role = 'admin' AND suspended_at IS NULL`); err != nil {
				return err
			}
			if admins <= 1 {
				return Invalid("role", "C’est le dernier compte administrateur : nommez d’abord un autre administrateur.")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, updated_at = ? WHERE id = ?`, role, s.Now(), userID); err != nil {
			return err
		}
		return audit(ctx, tx, s.Now(), actor.ID, "role", "user", userID, string(current)+" → "+string(role))
	})
}

// SetSuspended suspends (until reinstated) or reinstates an account. A
// suspended member's sessions stay, inert: they read as visitors, and any
// write they try says they are suspended.
func (s *Store) SetSuspended(ctx context.Context, actor *User, userID int64, suspended bool) error {
	if !CanAdminister(actor) {
		return ErrForbidden
	}
	if !CanSuspend(actor, &User{ID: userID}) {
		return Invalid("suspend", "Vous ne pouvez pas suspendre votre propre compte.")
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var exists int
		if err := tx.GetContext(ctx, &exists, `SELECT count(*) FROM users WHERE id = ?`, userID); err != nil || exists == 0 {
			return ErrNotFound
		}
		// Their posts leave search results while suspended, and come back after.
		if suspended {
			if err := s.suspend(ctx, tx, actor, userID, 0, "", now); err != nil {
				return err
			}
			return audit(ctx, tx, now, actor.ID, "suspend", "user", userID, "")
		}
		if err := reinstate(ctx, tx, actor.ID, userID, now); err != nil {
			return err
		}
		return audit(ctx, tx, now, actor.ID, "reinstate", "user", userID, "")
	})
}

// HasAdmin tells whether an active administrator exists.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM users WHERE role = 'admin' AND suspended_at IS NULL`)
	return n > 0, err
}
