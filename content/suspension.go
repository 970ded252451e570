package content

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// Suspensions: users.suspended_at says a member is suspended now (every
// permission reads it); a suspensions row says why and until when. A
// suspension with an end is lifted by itself: at the member's next login
// or request, or by the server's periodic clean-up.

// Suspension is why and until when a member is suspended.
type Suspension struct {
	ID       int64      `db:"id"`
	UserID   int64      `db:"user_id"`
	Reason   string     `db:"reason"`
	StartsAt time.Time  `db:"starts_at"`
	EndsAt   *time.Time `db:"ends_at"` // nil: until an administrator reinstates the account
}

// suspend suspends member userID for days (0: until reinstated) with a
// reason, by mod: their posts leave search results, writing is refused.
func (s *Store) suspend(ctx context.Context, tx *sqlx.Tx, mod *User, userID int64, days int, reason string, now time.Time) error {
	var ends any
	if days > 0 {
		ends = now.Add(time.Duration(days) * 24 * time.Hour)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE suspensions SET lifted_at = ? WHERE user_id = ? AND lifted_at IS NULL`, now, userID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO suspensions (user_id, reason, starts_at, ends_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		userID, reason, now, ends, nullID(viewerID(mod))); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE users SET suspended_at = ?, updated_at = ? WHERE id = ?`, now, now, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return Emit(ctx, tx, Event{Kind: EventSuspended, EntityType: EntityUser, EntityID: userID, ActorID: viewerID(mod), CreatedAt: now})
}

// reinstate ends member userID's suspension, by actor (0: its end came).
func reinstate(ctx context.Context, tx *sqlx.Tx, actor, userID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE suspensions SET lifted_at = ? WHERE user_id = ? AND lifted_at IS NULL`, now, userID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE users SET suspended_at = NULL, updated_at = ? WHERE id = ? AND suspended_at IS NOT NULL`, now, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return Emit(ctx, tx, Event{Kind: EventReinstated, EntityType: EntityUser, EntityID: userID, ActorID: actor, CreatedAt: now})
}

// ActiveSuspension is member userID's current suspension: ErrNotFound
// when they are not suspended. One suspended before reasons were kept has
// an empty reason and no end.
func (s *Store) ActiveSuspension(ctx context.Context, userID int64) (*Suspension, error) {
	var at *time.Time
	if err := s.db.R.GetContext(ctx, &at, `SELECT suspended_at FROM users WHERE id = ?`, userID); err != nil {
		return nil, notFound(err)
	}
	if at == nil {
		return nil, ErrNotFound
	}
	var sp Suspension
	err := s.db.R.GetContext(ctx, &sp, `SELECT id, user_id, reason, starts_at, ends_at FROM suspensions
		WHERE user_id = ? AND lifted_at IS NULL ORDER BY starts_at DESC, id DESC LIMIT 1`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return &Suspension{UserID: userID, StartsAt: *at}, nil
	}
	return &sp, err
}

// EndSuspensionIfOver lifts member userID's suspension when its end has
// come, and tells whether they are free now.
func (s *Store) EndSuspensionIfOver(ctx context.Context, userID int64) (bool, error) {
	sp, err := s.ActiveSuspension(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	if err != nil || sp.EndsAt == nil || sp.EndsAt.After(s.Now()) {
		return false, err
	}
	now := s.Now()
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := reinstate(ctx, tx, 0, userID, now); err != nil {
			return err
		}
		return audit(ctx, tx, now, 0, "suspension_ended", EntityUser, userID, "")
	})
	return err == nil, err
}

// EndSuspensions lifts every suspension whose end has come (the server's
// periodic clean-up), and returns how many.
func (s *Store) EndSuspensions(ctx context.Context) (int, error) {
	var users []int64
	if err := s.db.R.SelectContext(ctx, &users, `SELECT DISTINCT user_id FROM suspensions WHERE lifted_at IS NULL AND ends_at <= ?`,
		s.Now()); err != nil {
		return 0, err
	}
	n := 0
	for _, u := range users {
		free, err := s.EndSuspensionIfOver(ctx, u)
		if err != nil {
			return n, err
		}
		if free {
			n++
		}
	}
	return n, nil
}

// stillSuspended is ErrSuspended when u is suspended and the end of their
// suspension has not come (when it has, it is lifted now).
func (s *Store) stillSuspended(ctx context.Context, u *User) error {
	if !u.Suspended() {
		return nil
	}
	free, err := s.EndSuspensionIfOver(ctx, u.ID)
	switch {
	case err != nil:
		return err
	case free:
		u.SuspendedAt = nil
		return nil
	}
	return ErrSuspended
}
