package content

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Strikes are the attempts rate limits count, stored so that they survive a
// restart of the server.

// Strikes returns how many strikes key has in bucket since since, and when
// the oldest of them happened.
func (s *Store) Strikes(ctx context.Context, bucket, key string, since time.Time) (int, time.Time, error) {
	var n int
	if err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM strikes WHERE bucket = ? AND key = ? AND at > ?`,
		bucket, key, since.UTC()); err != nil || n == 0 {
		return 0, time.Time{}, err
	}
	// The column, not min(at): SQLite hands an aggregate back as text.
	var oldest time.Time
	err := s.db.R.GetContext(ctx, &oldest, `SELECT at FROM strikes WHERE bucket = ? AND key = ? AND at > ? ORDER BY at LIMIT 1`,
		bucket, key, since.UTC())
	return n, oldest, err
}

// AddStrike records one attempt of key in bucket.
func (s *Store) AddStrike(ctx context.Context, bucket, key string) error {
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO strikes (bucket, key, at) VALUES (?, ?, ?)`, bucket, key, s.Now())
	return err
}

// PruneStrikes forgets the strikes older than before.
func (s *Store) PruneStrikes(ctx context.Context, before time.Time) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM strikes WHERE at < ?`, before.UTC())
	return err
}

// AccountKey names the account a login designates, whatever was typed (its
// pseudo in any case or accents, its address), so limits count per account;
// a login that matches no account is counted under its folded spelling.
func (s *Store) AccountKey(ctx context.Context, login string) string {
	login = strings.TrimSpace(login)
	if u, err := s.userByLogin(ctx, login); err == nil {
		return "user:" + strconv.FormatInt(u.ID, 10)
	}
	if strings.Contains(login, "@") {
		return "login:" + NormalizeEmail(login)
	}
	return "login:" + pseudoKey(login)
}
