package content

import (
	"context"
	"time"
)

// The charter (/charte) is accepted at registration; when its text changes
// in substance, CharterVersion goes up and every member is asked to accept
// it again before their next write. Each acceptance is kept, with its date.

// CharterVersion is the version of the charter in force.
const CharterVersion = 1

// CharterDate is when CharterVersion came into force, as the page says it.
const CharterDate = "1er septembre 2025"

// AcceptCharter records that u accepts the charter in force, now.
func (s *Store) AcceptCharter(ctx context.Context, u *User) error {
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO charter_acceptances (user_id, version, accepted_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, u.ID, CharterVersion, s.Now())
	return err
}

// CharterAccepted returns when u accepted the charter in force, or nil.
func (s *Store) CharterAccepted(ctx context.Context, u *User) (*time.Time, error) {
	var at []time.Time
	if err := s.db.R.SelectContext(ctx, &at, `SELECT accepted_at FROM charter_acceptances WHERE user_id = ? AND version = ?`,
		u.ID, CharterVersion); err != nil || len(at) == 0 {
		return nil, err
	}
	return &at[0], nil
}
