package content

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Reports of private messages: a participant reports one message; while
// the report is open, moderators read that message alone (not its
// conversation, its title or its other members), and mark it handled.

// MaxMessageReportReason bounds the reason of a report.
const MaxMessageReportReason = 1000

// MessageReport is an open report, as the moderation queue shows it.
type MessageReport struct {
	ID         int64     `db:"report_id"`
	Reason     string    `db:"reason"`
	Reporter   string    `db:"reporter"`
	ReportedAt time.Time `db:"reported_at"`
	Message    Message   `db:"message"`
}

// ReportMessage records u's report of message id, with a reason.
func (s *Store) ReportMessage(ctx context.Context, u *User, id int64, reason string) error {
	reason = normalizeText(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return Invalid("reason", "Dites en quelques mots ce qui pose problème dans ce message.")
	case n > MaxMessageReportReason:
		return Invalid("reason", "La raison ne doit pas dépasser 1 000 caractères (elle en compte "+itoa64(int64(n))+").")
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var m Message
		if err := tx.GetContext(ctx, &m, `SELECT id, conversation_id, number, author_id FROM messages WHERE id = ?`, id); err != nil {
			return notFound(err)
		}
		me, err := membership(ctx, tx, m.ConversationID, u.ID)
		if err != nil {
			return err
		}
		if !CanReadConversation(u, me) {
			return ErrNotFound
		}
		if !CanReportMessage(u, me, &m) {
			return Invalid("reason", "On ne signale pas ses propres messages.")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO message_reports (message_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, id, u.ID, reason, s.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Invalid("reason", "Vous avez déjà signalé ce message : l’équipe de modération l’examine.")
		}
		return nil
	})
}

// MessageByID loads message id for u: ErrNotFound unless u may read it.
func (s *Store) MessageByID(ctx context.Context, u *User, id int64) (*Message, error) {
	var m Message
	if err := s.db.R.GetContext(ctx, &m, messageSelect+` WHERE m.id = ?`, viewerID(u), id); err != nil {
		return nil, notFound(err)
	}
	me, err := s.Membership(ctx, u, m.ConversationID)
	if err != nil {
		return nil, err
	}
	if !CanReadMessage(u, me, &m) {
		return nil, ErrNotFound
	}
	return &m, nil
}

// OpenMessageReports lists the open reports, oldest first, each with the
// one message reported: the moderation queue.
func (s *Store) OpenMessageReports(ctx context.Context, mod *User) ([]MessageReport, error) {
	if !CanModerate(mod) {
		return nil, ErrForbidden
	}
	var rs []MessageReport
	if err := s.db.R.SelectContext(ctx, &rs, `SELECT r.id AS report_id, r.reason, rp.pseudo AS reporter, r.created_at AS reported_at,
		m.id AS "message.id", m.conversation_id AS "message.conversation_id", m.number AS "message.number",
		m.author_id AS "message.author_id", a.pseudo AS "message.author_pseudo", m.body AS "message.body", m.html AS "message.html",
		m.created_at AS "message.created_at", 1 AS "message.open_reports", 0 AS "message.reported_by_me"
		FROM message_reports r JOIN messages m ON m.id = r.message_id JOIN users a ON a.id = m.author_id
		JOIN users rp ON rp.id = r.reporter_id
		WHERE r.handled_at IS NULL ORDER BY r.created_at, r.id LIMIT 200`); err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if CanReadMessage(mod, nil, &r.Message) {
			out = append(out, r)
		}
	}
	return out, nil
}

// HandleMessageReport marks report id handled, by a moderator (logged):
// moderators no longer read the message, unless another report is open.
func (s *Store) HandleMessageReport(ctx context.Context, mod *User, id int64) error {
	if !CanModerate(mod) {
		return ErrForbidden
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var messageID int64
		if err := tx.GetContext(ctx, &messageID, `SELECT message_id FROM message_reports WHERE id = ? AND handled_at IS NULL`, id); err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE message_reports SET handled_at = ?, handled_by = ? WHERE id = ?`, now, mod.ID, id); err != nil {
			return err
		}
		return audit(ctx, tx, now, mod.ID, "handle_message_report", EntityMessage, messageID, "")
	})
}
