package content

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// APITokenPrefix starts every personal token, so leaked ones are easy to grep.
const APITokenPrefix = "ligue_"

// APIToken is a personal token for the JSON API; only its hash is stored.
type APIToken struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	Name       string     `db:"name"`
	Hint       string     `db:"hint"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// CreateAPIToken issues a token for u and returns its value, shown once.
func (s *Store) CreateAPIToken(ctx context.Context, u *User, name string) (string, *APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil, Invalid("name", "Donnez un nom au jeton, par exemple « script de sauvegarde ».")
	}
	if utf8.RuneCountInString(name) > 60 {
		return "", nil, Invalid("name", "Le nom du jeton ne doit pas dépasser 60 caractères.")
	}
	value := APITokenPrefix + randomToken(32)
	t := &APIToken{UserID: u.ID, Name: name, Hint: value[:len(APITokenPrefix)+4], CreatedAt: s.Now()}
	res, err := s.db.W.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, hint, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.UserID, t.Name, hashToken(value), t.Hint, t.CreatedAt)
	if err != nil {
		return "", nil, err
	}
	t.ID, err = res.LastInsertId()
	return value, t, err
}

// APITokens lists a member's tokens, newest first, revoked ones included.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	var ts []APIToken
	err := s.db.R.SelectContext(ctx, &ts, `SELECT id, user_id, name, hint, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	return ts, err
}

// RevokeAPIToken stops a member's token from working.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, tokenID int64) error {
	res, err := s.db.W.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND user_id = ?`,
		s.Now(), tokenID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UserByAPIToken returns the member owning a valid token; a suspended
// one comes with ErrSuspended.
func (s *Store) UserByAPIToken(ctx context.Context, value string) (*User, error) {
	if !strings.HasPrefix(value, APITokenPrefix) {
		return nil, ErrNotFound
	}
	var row struct {
		User
		TokenID  int64      `db:"token_id"`
		LastUsed *time.Time `db:"last_used_at"`
	}
	err := s.db.R.GetContext(ctx, &row, `SELECT u.id, u.pseudo, u.pseudo_key, u.email, u.password_hash, u.role, u.structure,
		u.departement, u.metier, u.verified_at, u.suspended_at, u.created_at, u.updated_at, t.id AS token_id, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.revoked_at IS NULL`, hashToken(value))
	if err != nil {
		return nil, notFound(err)
	}
	if err := s.stillSuspended(ctx, &row.User); err != nil {
		return &row.User, err
	}
	now := s.Now()
	if row.LastUsed == nil || now.Sub(*row.LastUsed) > sessionTouchEvery {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, row.TokenID); err != nil {
			return nil, err
		}
		if err := s.touchActivity(ctx, row.ID, now); err != nil {
			return nil, err
		}
	}
	return &row.User, nil
}
