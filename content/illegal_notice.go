package content

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Notices of illegal content (Digital Services Act, article 16): anyone,
// member or not, names the content, says why it is illegal and states
// their good faith; a receipt goes to their address at once, the notice
// waits in the moderation queue, and the moderator's decision is mailed
// to them.

// Limits of a notice.
const (
	MaxNoticeName        = 100
	MaxNoticeURL         = 2000
	MinNoticeExplanation = 20
	MaxNoticeExplanation = 5000
)

// IllegalNoticeInput is what the public form sends.
type IllegalNoticeInput struct {
	Name, Email, URL, Explanation string
	GoodFaith                     bool
}

// IllegalNotice is one notice, as the queue shows it.
type IllegalNotice struct {
	ID          int64      `db:"id"`
	Name        string     `db:"name"`
	Email       string     `db:"email"`
	URL         string     `db:"url"`
	Explanation string     `db:"explanation"`
	CreatedAt   time.Time  `db:"created_at"`
	HandledAt   *time.Time `db:"handled_at"`
	Decision    string     `db:"decision"`
}

// NoticeMailFunc composes a mail to a notice's sender: its receipt
// (decision "") or the moderation's decision.
type NoticeMailFunc func(n *IllegalNotice) Mail

// LocalPath is the notice's address as a path of this site (for the
// queue's link), or "" when it points elsewhere.
func (n *IllegalNotice) LocalPath(base string) string {
	u, err := url.Parse(n.URL)
	b, berr := url.Parse(base)
	if err != nil || berr != nil || u.Host != b.Host || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return u.RequestURI()
}

func validateNotice(in *IllegalNoticeInput, base string) error {
	in.Name = normalizeLine(in.Name)
	in.Email = NormalizeEmail(in.Email)
	in.URL = strings.TrimSpace(in.URL)
	in.Explanation = strings.TrimSpace(normalizeText(in.Explanation))
	v := &ValidationError{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		v.Add("name", "Indiquez votre nom (ou celui de votre organisme).")
	case n > MaxNoticeName:
		v.Add("name", "Le nom ne doit pas dépasser 100 caractères.")
	}
	validateEmail(v, in.Email)
	if u, err := url.Parse(in.URL); in.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		len(in.URL) > MaxNoticeURL {
		v.Add("url", "Collez l’adresse complète du contenu, qui commence par « "+base+"/ ».")
	}
	switch n := utf8.RuneCountInString(in.Explanation); {
	case n < MinNoticeExplanation:
		v.Add("explanation", "Expliquez en quelques phrases pourquoi ce contenu est illégal (20 caractères au moins).")
	case n > MaxNoticeExplanation:
		v.Add("explanation", "L’explication ne doit pas dépasser 5 000 caractères (elle en compte "+itoa64(int64(n))+").")
	}
	if !in.GoodFaith {
		v.Add("good_faith", "Cochez la déclaration de bonne foi : la loi la demande pour traiter un signalement.")
	}
	return v.Err()
}

// SubmitIllegalNotice records a notice and queues its receipt, in one
// transaction; base is the site's address, which the content's must be on.
func (s *Store) SubmitIllegalNotice(ctx context.Context, in IllegalNoticeInput, base string, receipt NoticeMailFunc) (*IllegalNotice, error) {
	if err := validateNotice(&in, base); err != nil {
		return nil, err
	}
	n := &IllegalNotice{Name: in.Name, Email: in.Email, URL: in.URL, Explanation: in.Explanation, CreatedAt: s.Now()}
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO illegal_notices (name, email, url, explanation, created_at) VALUES (?, ?, ?, ?, ?)`,
			n.Name, n.Email, n.URL, n.Explanation, n.CreatedAt)
		if err != nil {
			return err
		}
		if n.ID, err = r.LastInsertId(); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, n.CreatedAt, receipt(n))
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// OpenIllegalNotices lists the notices not handled yet, oldest first.
func (s *Store) OpenIllegalNotices(ctx context.Context, mod *User) ([]IllegalNotice, error) {
	if !CanModerate(mod) {
		return nil, ErrForbidden
	}
	var ns []IllegalNotice
	err := s.db.R.SelectContext(ctx, &ns, `SELECT id, name, email, url, explanation, created_at, handled_at, decision
		FROM illegal_notices WHERE handled_at IS NULL ORDER BY created_at, id LIMIT ?`, maxQueue)
	return ns, err
}

// HandleIllegalNotice records mod's decision on notice id (what was done,
// or why nothing was) and mails it to its sender; logged.
func (s *Store) HandleIllegalNotice(ctx context.Context, mod *User, id int64, decision string, compose NoticeMailFunc) error {
	if !CanModerate(mod) {
		return ErrForbidden
	}
	decision = strings.TrimSpace(normalizeText(decision))
	switch n := utf8.RuneCountInString(decision); {
	case n == 0:
		return Invalid("decision", "Dites ce qui a été décidé : la réponse est envoyée à l’auteur·rice du signalement.")
	case n > MaxFlagComment:
		return Invalid("decision", "La réponse ne doit pas dépasser 1 000 caractères.")
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var n IllegalNotice
		if err := tx.GetContext(ctx, &n, `SELECT id, name, email, url, explanation, created_at, handled_at, decision
			FROM illegal_notices WHERE id = ?`, id); err != nil {
			return notFound(err)
		}
		if n.HandledAt != nil {
			return Invalid("decision", "Ce signalement a déjà été traité.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE illegal_notices SET handled_at = ?, handled_by = ?, decision = ? WHERE id = ?`,
			now, mod.ID, decision, id); err != nil {
			return err
		}
		n.HandledAt, n.Decision = &now, decision
		if err := enqueueMail(ctx, tx, now, compose(&n)); err != nil {
			return err
		}
		return audit(ctx, tx, now, mod.ID, "illegal_notice_handled", "illegal_notice", id, decision)
	})
}
