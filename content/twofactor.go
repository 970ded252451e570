package content

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Two-factor authentication: an authenticator app's codes (TOTP) with ten
// single-use recovery codes. Moderators and administrators must have it
// (TwoFactorRequired); members may.

// Refusals of a second factor; the server words them for the member.
var (
	ErrCodeWrong        = errors.New("second factor: wrong code")
	ErrCodeReplayed     = errors.New("second factor: code of a step already used")
	ErrRecoveryCodeUsed = errors.New("second factor: recovery code already used")
	// ErrChallengeEnded: the login waiting for its code is gone (expired,
	// or too many wrong codes): the password must be typed again.
	ErrChallengeEnded = errors.New("second factor: login challenge ended")
)

// RecoveryCodeCount is how many recovery codes an account gets at a time.
const RecoveryCodeCount = 10

// TwoFactor is an account's authenticator, confirmed or still enrolling.
type TwoFactor struct {
	Secret       string     `db:"secret"` // base32
	LastStep     int64      `db:"last_step"`
	CreatedAt    time.Time  `db:"created_at"`
	ConfirmedAt  *time.Time `db:"confirmed_at"`
	RecoveryLeft int        `db:"recovery_left"` // unused recovery codes
}

// Enabled tells whether logins ask for a code.
func (t *TwoFactor) Enabled() bool { return t != nil && t.ConfirmedAt != nil }

// SecondFactor says how a second step was passed.
type SecondFactor struct {
	Recovery     bool // a recovery code, not the app's code
	RecoveryLeft int  // unused recovery codes after this one
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return b
}

// TwoFactorOf returns u's authenticator, or ErrNotFound when there is none.
func (s *Store) TwoFactorOf(ctx context.Context, userID int64) (*TwoFactor, error) {
	var t TwoFactor
	err := s.db.R.GetContext(ctx, &t, `SELECT secret, last_step, created_at, confirmed_at,
		(SELECT count(*) FROM recovery_codes r WHERE r.user_id = t.user_id AND r.used_at IS NULL) AS recovery_left
		FROM totp_secrets t WHERE user_id = ?`, userID)
	if err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// HasTwoFactor tells whether logins of userID ask for a code.
func (s *Store) HasTwoFactor(ctx context.Context, userID int64) (bool, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM totp_secrets WHERE user_id = ? AND confirmed_at IS NOT NULL`, userID)
	return n > 0, err
}

// StartTwoFactor gives u a new secret to enrol, replacing one not yet
// confirmed. An account whose second factor is on keeps it (ErrConflict).
func (s *Store) StartTwoFactor(ctx context.Context, u *User) (string, error) {
	secret := newTOTPSecret()
	res, err := s.db.W.ExecContext(ctx, `INSERT INTO totp_secrets (user_id, secret, created_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0
		WHERE confirmed_at IS NULL`, u.ID, secret, s.Now())
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", ErrConflict
	}
	return secret, nil
}

// ConfirmTwoFactor turns u's second factor on once code, from the app
// being enrolled, is right, and returns the recovery codes, shown once.
func (s *Store) ConfirmTwoFactor(ctx context.Context, u *User, code string) ([]string, error) {
	var codes []string
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var t TwoFactor
		if err := tx.GetContext(ctx, &t, `SELECT secret, last_step, created_at, confirmed_at, 0 AS recovery_left
			FROM totp_secrets WHERE user_id = ?`, u.ID); err != nil {
			return notFound(err)
		}
		if t.Enabled() {
			return ErrConflict
		}
		step, ok := matchTOTP(t.Secret, normalizeCode(code), s.Now(), t.LastStep)
		if !ok {
			return ErrCodeWrong
		}
		if _, err := tx.ExecContext(ctx, `UPDATE totp_secrets SET confirmed_at = ?, last_step = ? WHERE user_id = ?`,
			s.Now(), step, u.ID); err != nil {
			return err
		}
		var err error
		if codes, err = s.replaceRecoveryCodes(ctx, tx, u.ID); err != nil {
			return err
		}
		return audit(ctx, tx, s.Now(), u.ID, "two_factor_on", "user", u.ID, "")
	})
	return codes, err
}

// RegenerateRecoveryCodes replaces u's recovery codes (used or not) with
// new ones, after checking the password; ErrNotFound when u's second
// factor is off.
func (s *Store) RegenerateRecoveryCodes(ctx context.Context, u *User, password string) ([]string, error) {
	if err := s.checkPassword(ctx, u.ID, password); err != nil {
		return nil, err
	}
	var codes []string
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var on int
		if err := tx.GetContext(ctx, &on, `SELECT count(*) FROM totp_secrets WHERE user_id = ? AND confirmed_at IS NOT NULL`, u.ID); err != nil {
			return err
		}
		if on == 0 {
			return ErrNotFound // no second factor, no recovery codes
		}
		var err error
		if codes, err = s.replaceRecoveryCodes(ctx, tx, u.ID); err != nil {
			return err
		}
		return audit(ctx, tx, s.Now(), u.ID, "recovery_codes_new", "user", u.ID, "")
	})
	return codes, err
}

// DisableTwoFactor turns u's second factor off, with the password and a
// code (the app's or a recovery code). Roles that require it cannot;
// ErrNotFound when it is off already.
func (s *Store) DisableTwoFactor(ctx context.Context, u *User, password, code string) error {
	if err := CanDisableTwoFactor(u); err != nil {
		return err
	}
	if err := s.checkPassword(ctx, u.ID, password); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.checkSecondFactor(ctx, tx, u.ID, code); err != nil {
			return err
		}
		if err := deleteTwoFactor(ctx, tx, u.ID); err != nil {
			return err
		}
		return audit(ctx, tx, s.Now(), u.ID, "two_factor_off", "user", u.ID, "")
	})
}

// ResetTwoFactor turns off the second factor of another account, for a
// member who lost both phone and recovery codes. Its sessions end; a
// moderator or administrator enrols again at the next login.
func (s *Store) ResetTwoFactor(ctx context.Context, admin *User, userID int64) error {
	owner, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !CanResetTwoFactor(admin, owner) {
		return ErrForbidden
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := deleteTwoFactor(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return audit(ctx, tx, s.Now(), admin.ID, "two_factor_reset", "user", userID, "")
	})
}

func deleteTwoFactor(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM totp_secrets WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID)
	return err
}

// recoveryAlphabet is Crockford's base32: no I, L, O or U to misread.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// newRecoveryCode is 50 random bits as "xxxxx-xxxxx".
func newRecoveryCode() string {
	b := randomBytes(10)
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, recoveryAlphabet[c&31])
	}
	return string(out)
}

// normalizeCode drops what people add while typing a code (spaces, dashes,
// capitals) and reads Crockford's look-alikes (O as 0, I and L as 1).
func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\u00a0', '\u202f', '\t':
			return -1
		case 'o', 'O':
			return '0'
		case 'i', 'I', 'l', 'L':
			return '1'
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, strings.TrimSpace(code))
}

func (s *Store) replaceRecoveryCodes(ctx context.Context, tx *sqlx.Tx, userID int64) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, hash, created_at) VALUES (?, ?, ?)`,
			userID, hashToken(normalizeCode(codes[i])), s.Now()); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// checkSecondFactor accepts, for userID, the app's code of a step not used
// yet, or an unused recovery code, and records it as used.
func (s *Store) checkSecondFactor(ctx context.Context, tx *sqlx.Tx, userID int64, code string) (SecondFactor, error) {
	var t TwoFactor
	if err := tx.GetContext(ctx, &t, `SELECT secret, last_step, created_at, confirmed_at, 0 AS recovery_left
		FROM totp_secrets WHERE user_id = ? AND confirmed_at IS NOT NULL`, userID); err != nil {
		return SecondFactor{}, notFound(err)
	}
	code = normalizeCode(code)
	if len(code) == totpDigits {
		now := s.Now()
		step, ok := matchTOTP(t.Secret, code, now, t.LastStep)
		if !ok {
			if usedTOTP(t.Secret, code, now, t.LastStep) {
				return SecondFactor{}, ErrCodeReplayed
			}
			return SecondFactor{}, ErrCodeWrong
		}
		// Only a later step moves last_step: two requests racing with one
		// code cannot both pass.
		res, err := tx.ExecContext(ctx, `UPDATE totp_secrets SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
		if err != nil {
			return SecondFactor{}, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return SecondFactor{}, ErrCodeReplayed
		}
		return SecondFactor{}, nil
	}
	var rc struct {
		ID     int64      `db:"id"`
		UsedAt *time.Time `db:"used_at"`
	}
	err := tx.GetContext(ctx, &rc, `SELECT id, used_at FROM recovery_codes WHERE user_id = ? AND hash = ?`, userID, hashToken(code))
	switch {
	case errors.Is(notFound(err), ErrNotFound):
		return SecondFactor{}, ErrCodeWrong
	case err != nil:
		return SecondFactor{}, err
	case rc.UsedAt != nil:
		return SecondFactor{}, ErrRecoveryCodeUsed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE id = ?`, s.Now(), rc.ID); err != nil {
		return SecondFactor{}, err
	}
	f := SecondFactor{Recovery: true}
	if err := tx.GetContext(ctx, &f.RecoveryLeft, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID); err != nil {
		return f, err
	}
	return f, audit(ctx, tx, s.Now(), userID, "recovery_code_used", "user", userID, "")
}
