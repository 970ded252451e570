package content

import (
	"context"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"
)

// maxMailAttempts bounds retries of a mail the SMTP server keeps refusing.
const maxMailAttempts = 8

// mailColumns is what every read of the queue selects.
const mailColumns = `id, to_addr, subject, body, created_at, sent_at, attempts, last_error, html, list_unsubscribe,
	user_id, next_attempt_at, failed_at`

func enqueueMail(ctx context.Context, tx *sqlx.Tx, now time.Time, m Mail) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mails (to_addr, subject, body, html, list_unsubscribe, user_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.To, m.Subject, m.Body, m.HTML, m.ListUnsubscribe, m.UserID, now)
	return err
}

// PendingMails returns up to limit mails due for delivery (never tried, or
// whose retry time has come), oldest first.
func (s *Store) PendingMails(ctx context.Context, limit int) ([]Mail, error) {
	var ms []Mail
	err := s.db.R.SelectContext(ctx, &ms, `SELECT `+mailColumns+` FROM mails
		WHERE sent_at IS NULL AND failed_at IS NULL AND attempts < ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
		ORDER BY id LIMIT ?`, maxMailAttempts, s.Now(), limit)
	return ms, err
}

// MarkMailSent records a delivered mail. Its one-time links are masked in
// what is kept: the administrators' list of mails shows what was sent, and
// a copy of the database hands out no working link.
func (s *Store) MarkMailSent(ctx context.Context, id int64) error {
	var m Mail
	if err := s.db.R.GetContext(ctx, &m, `SELECT `+mailColumns+` FROM mails WHERE id = ?`, id); err != nil {
		return notFound(err)
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE mails SET sent_at = ?, attempts = attempts + 1, last_error = '', next_attempt_at = NULL,
		body = ?, html = ?, list_unsubscribe = ? WHERE id = ?`, s.Now(), MaskLinks(m.Body), MaskLinks(m.HTML), MaskLinks(m.ListUnsubscribe), id)
	return err
}

var linkToken = regexp.MustCompile(`([?&](?:amp;)?(?:jeton|signature)=)[A-Za-z0-9_-]+`)

// MaskLinks hides the tokens of the one-time links and the signatures of
// the unsubscribe links in a mail's text.
func MaskLinks(body string) string { return linkToken.ReplaceAllString(body, "${1}(masqué)") }

// retryDelay is how long to wait after the attempts-th failure: one
// minute, then doubling, at most six hours.
func retryDelay(attempts int) time.Duration {
	d := time.Minute << min(attempts-1, 10)
	return min(d, 6*time.Hour)
}

// MarkMailFailed records a failed delivery attempt. A permanent refusal,
// or the last attempt, gives up on the mail; otherwise it is tried again
// later, each time waiting twice as long.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, reason string, permanent bool) error {
	var attempts int
	if err := s.db.R.GetContext(ctx, &attempts, `SELECT attempts FROM mails WHERE id = ?`, id); err != nil {
		return notFound(err)
	}
	attempts++
	now := s.Now()
	if permanent || attempts >= maxMailAttempts {
		_, err := s.db.W.ExecContext(ctx, `UPDATE mails SET attempts = ?, last_error = ?, last_error_at = ?, failed_at = ?,
			next_attempt_at = NULL WHERE id = ?`, attempts, reason, now, now, id)
		return err
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE mails SET attempts = ?, last_error = ?, last_error_at = ?, next_attempt_at = ? WHERE id = ?`,
		attempts, reason, now, now.Add(retryDelay(attempts)), id)
	return err
}

// RecentMails lists the latest mails, newest first, for the administrators.
func (s *Store) RecentMails(ctx context.Context, limit int) ([]Mail, error) {
	var ms []Mail
	err := s.db.R.SelectContext(ctx, &ms, `SELECT `+mailColumns+` FROM mails ORDER BY id DESC LIMIT ?`, limit)
	return ms, err
}
