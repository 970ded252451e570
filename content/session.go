package content

import (
	"context"
	"strings"
	"time"
)

// SessionLifetime is how long a session lasts without activity.
const SessionLifetime = 30 * 24 * time.Hour

// sessionTouchEvery limits writes: last_seen moves at most this often.
const sessionTouchEvery = 10 * time.Minute

// CreateSession starts a new server-side session for userID and returns the
// cookie value. A new value is issued at every login (no fixation).
func (s *Store) CreateSession(ctx context.Context, userID int64, userAgent string) (string, error) {
	return s.OpenSession(ctx, userID, userAgent, "")
}

// OpenSession is CreateSession noting, for the member's list of sessions,
// where it was opened from: only IPPrefix(ip) is kept.
func (s *Store) OpenSession(ctx context.Context, userID int64, userAgent, ip string) (string, error) {
	token := randomToken(32)
	now := s.Now()
	if len(userAgent) > 200 {
		userAgent = strings.ToValidUTF8(userAgent[:200], "")
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, user_agent, ip_prefix, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hashToken(token), userID, userAgent, IPPrefix(ip), now, now, now.Add(SessionLifetime))
	if err != nil {
		return "", err
	}
	return token, s.touchActivity(ctx, userID, now)
}

// SessionUser returns the member behind a session cookie value, extending the
// session as it is used. Expired sessions give ErrNotFound; a suspended
// account gives its member with ErrSuspended (pages treat them as a
// visitor who is told, at any write, why).
func (s *Store) SessionUser(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, ErrNotFound
	}
	var row struct {
		User
		LastSeen time.Time `db:"last_seen_at"`
	}
	now := s.Now()
	err := s.db.R.GetContext(ctx, &row, `SELECT u.id, u.pseudo, u.pseudo_key, u.email, u.password_hash, u.role, u.structure,
		u.departement, u.metier, u.verified_at, u.suspended_at, u.created_at, u.updated_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ?`, hashToken(token), now)
	if err != nil {
		return nil, notFound(err)
	}
	if err := s.stillSuspended(ctx, &row.User); err != nil {
		return &row.User, err
	}
	if now.Sub(row.LastSeen) > sessionTouchEvery {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?`,
			now, now.Add(SessionLifetime), hashToken(token)); err != nil {
			return nil, err
		}
		if err := s.touchActivity(ctx, row.ID, now); err != nil {
			return nil, err
		}
	}
	return &row.User, nil
}

// touchActivity notes that userID uses the site: an inactive account's
// warning no longer holds.
func (s *Store) touchActivity(ctx context.Context, userID int64, now time.Time) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE users SET active_at = ?, inactive_warned_at = NULL WHERE id = ?`, now, userID)
	return err
}

// SessionStarted is when the session of cookie value token was opened
// (the login, or the last re-authentication).
func (s *Store) SessionStarted(ctx context.Context, token string) (time.Time, error) {
	var at time.Time
	err := s.db.R.GetContext(ctx, &at, `SELECT created_at FROM sessions WHERE id_hash = ?`, hashToken(token))
	return at, notFound(err)
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hashToken(token))
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, s.Now())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
