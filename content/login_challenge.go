package content

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// A login challenge is the half-way state of a login: the password was
// right, the second factor is still to come. Its cookie value opens the
// page asking for the code and nothing else; the session is only created
// once the code is accepted.

// LoginChallengeLifetime is how long the code may be typed after the password.
const LoginChallengeLifetime = 10 * time.Minute

// LoginChallengeAttempts is how many wrong codes end a challenge.
const LoginChallengeAttempts = 5

// LoginChallenge is a login waiting for its code.
type LoginChallenge struct {
	UserID   int64  `db:"user_id"`
	ReturnTo string `db:"return_to"`
	Attempts int    `db:"attempts"`
}

// StartLoginChallenge records that u's password was accepted and returns
// the value of the cookie that carries the login to its second step.
func (s *Store) StartLoginChallenge(ctx context.Context, u *User, returnTo string) (string, error) {
	token := randomToken(32)
	now := s.Now()
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		// Ended challenges are cleared as new ones begin: they never pile up.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE expires_at <= ?`, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO login_challenges (id_hash, user_id, return_to, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, hashToken(token), u.ID, returnTo, now, now.Add(LoginChallengeLifetime))
		return err
	})
	return token, err
}

// LoginChallengeOf returns the challenge behind a cookie value and its
// member, or ErrChallengeEnded.
func (s *Store) LoginChallengeOf(ctx context.Context, token string) (*LoginChallenge, *User, error) {
	if token == "" {
		return nil, nil, ErrChallengeEnded
	}
	var ch LoginChallenge
	err := s.db.R.GetContext(ctx, &ch, `SELECT user_id, return_to, attempts FROM login_challenges
		WHERE id_hash = ? AND expires_at > ?`, hashToken(token), s.Now())
	if errors.Is(notFound(err), ErrNotFound) {
		return nil, nil, ErrChallengeEnded
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.UserByID(ctx, ch.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Suspended() {
		return nil, nil, ErrSuspended
	}
	return &ch, u, nil
}

// PassLoginChallenge checks the second factor of a login. Accepted, the
// challenge ends and the member is returned, for the session to begin.
// Refused, the reason is returned (ErrCodeWrong, ErrCodeReplayed,
// ErrRecoveryCodeUsed), joined with ErrChallengeEnded once too many codes
// were wrong: the password must then be typed again.
func (s *Store) PassLoginChallenge(ctx context.Context, token, code string) (*User, *LoginChallenge, SecondFactor, error) {
	ch, u, err := s.LoginChallengeOf(ctx, token)
	if err != nil {
		return nil, nil, SecondFactor{}, err
	}
	var f SecondFactor
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if f, err = s.checkSecondFactor(ctx, tx, u.ID, code); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE id_hash = ?`, hashToken(token))
		return err
	})
	if err == nil {
		return u, ch, f, nil
	}
	if !errors.Is(err, ErrCodeWrong) && !errors.Is(err, ErrCodeReplayed) && !errors.Is(err, ErrRecoveryCodeUsed) {
		return nil, nil, f, err
	}
	// The refusal is counted outside the check's transaction, which wrote nothing.
	var attempts int
	if qerr := s.db.W.GetContext(ctx, &attempts, `UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = ?
		RETURNING attempts`, hashToken(token)); qerr != nil {
		if errors.Is(notFound(qerr), ErrNotFound) {
			qerr = errors.Join(err, ErrChallengeEnded) // ended meanwhile
		}
		return u, ch, f, qerr
	}
	if attempts >= LoginChallengeAttempts {
		if _, qerr := s.db.W.ExecContext(ctx, `DELETE FROM login_challenges WHERE id_hash = ?`, hashToken(token)); qerr != nil {
			return nil, nil, f, qerr
		}
		err = errors.Join(err, ErrChallengeEnded)
	}
	ch.Attempts = attempts
	return u, ch, f, err
}

// EndLoginChallenge forgets a login waiting for its code (cancelled).
func (s *Store) EndLoginChallenge(ctx context.Context, token string) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM login_challenges WHERE id_hash = ?`, hashToken(token))
	return err
}
