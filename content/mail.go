package content

import (
	"context"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"
)

// maxMailAttempts bounds retries of a mail the SMTP server keeps refusing.
const maxMailAttempts = 8

func enqueueMail(ctx context.Context, tx *sqlx.Tx, now time.Time, m Mail) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mails (to_addr, subject, body, created_at) VALUES (?, ?, ?, ?)`,
		m.To, m.Subject, m.Body, now)
	return err
}

// PendingMails returns up to limit mails not yet delivered, oldest first.
func (s *Store) PendingMails(ctx context.Context, limit int) ([]Mail, error) {
	var ms []Mail
	err := s.db.R.SelectContext(ctx, &ms, `SELECT id, to_addr, subject, body, created_at, sent_at, attempts, last_error
		FROM mails WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?`, maxMailAttempts, limit)
	return ms, err
}

// MarkMailSent records a delivered mail. Its one-time links are masked in
// what is kept: the administrators' list of mails shows what was sent, and
// a copy of the database hands out no working link.
func (s *Store) MarkMailSent(ctx context.Context, id int64) error {
	var body string
	if err := s.db.R.GetContext(ctx, &body, `SELECT body FROM mails WHERE id = ?`, id); err != nil {
		return notFound(err)
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE mails SET sent_at = ?, attempts = attempts + 1, last_error = '', body = ? WHERE id = ?`,
		s.Now(), MaskLinks(body), id)
	return err
}

var linkToken = regexp.MustCompile(`([?&]jeton=)[A-Za-z0-9_-]+`)

// MaskLinks hides the tokens of the one-time links in a mail's text.
func MaskLinks(body string) string { return linkToken.ReplaceAllString(body, "${1}(masqué)") }

// MarkMailFailed records a failed delivery attempt.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE mails SET attempts = attempts + 1, last_error = ? WHERE id = ?`, reason, id)
	return err
}

// RecentMails lists the latest mails, newest first, for the administrators.
func (s *Store) RecentMails(ctx context.Context, limit int) ([]Mail, error) {
	var ms []Mail
	err := s.db.R.SelectContext(ctx, &ms, `SELECT id, to_addr, subject, body, created_at, sent_at, attempts, last_error
		FROM mails ORDER BY id DESC LIMIT ?`, limit)
	return ms, err
}
