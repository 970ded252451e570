package content

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// Purpose says what a single-use account link is for.
type Purpose string

// Purposes of account links, with their lifetimes in purposeTTL.
const (
	PurposeVerify Purpose = "verify" // confirm the e-mail address of a new account
	PurposeReset  Purpose = "reset"  // choose a new password
	PurposeEmail  Purpose = "email"  // confirm a new e-mail address (data holds it)
	PurposeSetup  Purpose = "setup"  // create the first administrator
	// PurposeEmailUndo gives an account its former address back (data
	// holds it), from a link sent there when the address changed.
	PurposeEmailUndo Purpose = "email-undo"
)

var purposeTTL = map[Purpose]time.Duration{
	PurposeVerify:    7 * 24 * time.Hour,
	PurposeReset:     time.Hour,
	PurposeEmail:     24 * time.Hour,
	PurposeSetup:     7 * 24 * time.Hour,
	PurposeEmailUndo: 14 * 24 * time.Hour,
}

// Mail is one outgoing message.
type Mail struct {
	ID        int64      `db:"id"`
	To        string     `db:"to_addr"`
	Subject   string     `db:"subject"`
	Body      string     `db:"body"`
	CreatedAt time.Time  `db:"created_at"`
	SentAt    *time.Time `db:"sent_at"`
	Attempts  int        `db:"attempts"`
	LastError string     `db:"last_error"`

	HTML            string     `db:"html"`             // the HTML alternative, or ""
	ListUnsubscribe string     `db:"list_unsubscribe"` // one-click unsubscribe URL (RFC 8058), or ""
	UserID          *int64     `db:"user_id"`          // the member it is for, when it is about their account
	NextAttemptAt   *time.Time `db:"next_attempt_at"`  // after a temporary failure
	FailedAt        *time.Time `db:"failed_at"`        // refused for good, or out of attempts
}

// MailFunc composes the mail that carries a freshly issued link token. The
// server provides it (wording and URLs are presentation); the store queues the
// result in the same transaction as the token.
type MailFunc func(u *User, token string) Mail

// issueToken creates a single-use link for u, invalidating older unused links
// of the same purpose, and queues its mail.
func (s *Store) issueToken(ctx context.Context, tx *sqlx.Tx, u *User, p Purpose, data string, compose MailFunc) (string, error) {
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `DELETE FROM account_tokens WHERE user_id IS ? AND purpose = ? AND used_at IS NULL`,
		nullUserID(u), p); err != nil {
		return "", err
	}
	token := randomToken(32)
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_tokens (hash, purpose, user_id, data, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hashToken(token), p, nullUserID(u), data, now, now.Add(purposeTTL[p])); err != nil {
		return "", err
	}
	if compose != nil {
		m := compose(u, token)
		if err := enqueueMail(ctx, tx, now, m); err != nil {
			return "", err
		}
	}
	return token, nil
}

func nullUserID(u *User) any {
	if u == nil {
		return nil
	}
	return u.ID
}

type accountToken struct {
	Hash   string  `db:"hash"`
	UserID *int64  `db:"user_id"`
	Data   string  `db:"data"`
	Purpos Purpose `db:"purpose"`
}

// useToken marks a valid link as used, inside tx, and returns it.
func (s *Store) useToken(ctx context.Context, tx *sqlx.Tx, token string, p Purpose) (*accountToken, error) {
	var t accountToken
	err := tx.GetContext(ctx, &t, `SELECT hash, user_id, data, purpose FROM account_tokens
		WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`, hashToken(token), p, s.Now())
	if err != nil {
		if errors.Is(notFound(err), ErrNotFound) {
			return nil, ErrTokenInvalid
		}
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE account_tokens SET used_at = ? WHERE hash = ?`, s.Now(), t.Hash)
	return &t, err
}

// CheckToken tells whether a link is still valid, without using it (the reset
// page shows the form only for a link that will work).
func (s *Store) CheckToken(ctx context.Context, token string, p Purpose) error {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM account_tokens
		WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`, hashToken(token), p, s.Now())
	if err == nil && n == 0 {
		err = ErrTokenInvalid
	}
	return err
}

// SendVerification issues a new verification link for an unverified account.
func (s *Store) SendVerification(ctx context.Context, u *User, compose MailFunc) error {
	if u.Verified() {
		return nil
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		_, err := s.issueToken(ctx, tx, u, PurposeVerify, "", compose)
		return err
	})
}

// Verify confirms an e-mail address with a verification link.
func (s *Store) Verify(ctx context.Context, token string) (*User, error) {
	var userID int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		t, err := s.useToken(ctx, tx, token, PurposeVerify)
		if err != nil {
			return err
		}
		userID = *t.UserID
		_, err = tx.ExecContext(ctx, `UPDATE users SET verified_at = coalesce(verified_at, ?), updated_at = ? WHERE id = ?`,
			s.Now(), s.Now(), userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, userID)
}

// RequestPasswordReset queues a reset link when login names an active
// account, and does nothing otherwise: callers answer the same either way.
func (s *Store) RequestPasswordReset(ctx context.Context, login string, compose MailFunc) error {
	u, err := s.userByLogin(ctx, login)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil || u.Suspended() {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		_, err := s.issueToken(ctx, tx, u, PurposeReset, "", compose)
		return err
	})
}

// ResetPassword sets a new password with a reset link. The link works once;
// every session of the account ends, and the address counts as verified since
// the member just proved they read its mail.
func (s *Store) ResetPassword(ctx context.Context, token, password string) (*User, error) {
	var u *User
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var t accountToken
		err := tx.GetContext(ctx, &t, `SELECT hash, user_id, data, purpose FROM account_tokens
			WHERE hash = ? AND purpose = 'reset' AND used_at IS NULL AND expires_at > ?`, hashToken(token), s.Now())
		if err != nil {
			if errors.Is(notFound(err), ErrNotFound) {
				return ErrTokenInvalid
			}
			return err
		}
		u = &User{}
		if err := tx.GetContext(ctx, u, `SELECT `+userColumns+` FROM users WHERE id = ?`, *t.UserID); err != nil {
			return err
		}
		if msg := PasswordProblem(password, u.Pseudo, emailLocal(u.Email)); msg != "" {
			return Invalid("password", msg)
		}
		hash, err := hashPassword(password)
		if err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE account_tokens SET used_at = ? WHERE hash = ?`, now, t.Hash); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, verified_at = coalesce(verified_at, ?),
			updated_at = ? WHERE id = ?`, hash, now, now, u.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID)
		if err != nil {
			return err
		}
		return revokeAPITokens(ctx, tx, now, u.ID)
	})
	return u, err
}

// revokeAPITokens ends every API token of an account: after a password
// change or a reset, a token made by whoever had the old password must not
// keep working.
func revokeAPITokens(ctx context.Context, tx *sqlx.Tx, now time.Time, userID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, userID)
	return err
}

// RequestEmailChange queues a confirmation link to the new address, once
// the member gave their password; the account keeps its old address until
// the link is followed.
func (s *Store) RequestEmailChange(ctx context.Context, u *User, password, newEmail string, compose func(u *User, newEmail, token string) Mail) error {
	newEmail = NormalizeEmail(newEmail)
	v := &ValidationError{}
	validateEmail(v, newEmail)
	if password == "" {
		v.Add("current_password", "Indiquez votre mot de passe actuel : il protège votre compte si quelqu’un d’autre utilise votre session.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.checkPassword(ctx, u.ID, password); err != nil {
		return err
	}
	if newEmail == u.Email {
		return Invalid("email", "C’est déjà votre adresse actuelle.")
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := checkUnique(ctx, tx, &User{ID: u.ID, Email: newEmail}); err != nil {
			if v, ok := AsValidation(err); ok && v.Get("email") != "" {
				return Invalid("email", "Cette adresse est déjà utilisée par un autre compte.")
			}
			return err
		}
		_, err := s.issueToken(ctx, tx, u, PurposeEmail, newEmail, func(u *User, token string) Mail {
			return compose(u, newEmail, token)
		})
		return err
	})
}

// ConfirmEmailChange switches the account to the address the link was sent
// to, and tells the former address, with a link to undo the change
// (undo composes that mail: the account as it was, and the undo token).
func (s *Store) ConfirmEmailChange(ctx context.Context, token string, undo func(before *User, newEmail, token string) Mail) (*User, error) {
	var userID int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		t, err := s.useToken(ctx, tx, token, PurposeEmail)
		if err != nil {
			return err
		}
		userID = *t.UserID
		var before User
		if err := tx.GetContext(ctx, &before, `SELECT `+userColumns+` FROM users WHERE id = ?`, userID); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `UPDATE users SET email = ?, verified_at = coalesce(verified_at, ?), updated_at = ? WHERE id = ?`,
			t.Data, s.Now(), s.Now(), userID); err != nil {
			return uniqueViolation(err)
		}
		_, err = s.issueToken(ctx, tx, &before, PurposeEmailUndo, before.Email, func(u *User, token string) Mail {
			return undo(u, t.Data, token)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, userID)
}

// UndoEmailChange gives an account back the address it had, from the link
// sent there: whoever changed it is logged out everywhere and their API
// tokens stop working; the member is asked to choose a new password.
func (s *Store) UndoEmailChange(ctx context.Context, token string) (*User, error) {
	var userID int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		t, err := s.useToken(ctx, tx, token, PurposeEmailUndo)
		if err != nil {
			return err
		}
		userID = *t.UserID
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, updated_at = ? WHERE id = ?`, t.Data, now, userID); err != nil {
			return uniqueViolation(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM account_tokens WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, userID, PurposeEmail); err != nil {
			return err
		}
		return revokeAPITokens(ctx, tx, now, userID)
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, userID)
}

// NewSetupToken returns a one-time link token to create the first
// administrator, or "" when an administrator already exists.
func (s *Store) NewSetupToken(ctx context.Context) (string, error) {
	if ok, err := s.HasAdmin(ctx); err != nil || ok {
		return "", err
	}
	var token string
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		token, err = s.issueToken(ctx, tx, nil, PurposeSetup, "", nil)
		return err
	})
	return token, err
}

// CreateFirstAdmin creates a verified administrator with a setup link.
func (s *Store) CreateFirstAdmin(ctx context.Context, token string, in NewUser) (*User, error) {
	if err := s.CheckToken(ctx, token, PurposeSetup); err != nil {
		return nil, err
	}
	in.Role, in.Verified = RoleAdmin, true
	u, err := s.prepareUser(ctx, in, hashPassword)
	if err != nil {
		return nil, err
	}
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.useToken(ctx, tx, token, PurposeSetup); err != nil {
			return err
		}
		return insertUser(ctx, tx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
