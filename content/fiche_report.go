package content

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Reports of outdated information: a member points at a section of a
// published fiche (one of its headings, or the whole fiche) and says what
// is no longer true; the fiche shows its open reports until one of its
// editors marks them handled.

// Limits of reports.
const (
	MinReportComment = 10
	MaxReportComment = 1000
	// MaxOpenReports is how many reports a member may have waiting on one fiche.
	MaxOpenReports = 5
	// maxShownReports bounds the notice at the top of a fiche.
	maxShownReports = 50
)

// FicheReport is one report of outdated information in a fiche.
type FicheReport struct {
	ID        int64      `db:"id"`
	FicheID   int64      `db:"fiche_id"`
	Section   string     `db:"section"` // heading anchor, "" for the whole fiche
	Heading   string     `db:"heading"` // the heading's text when reported
	UserID    int64      `db:"user_id"`
	Pseudo    string     `db:"pseudo"`
	Comment   string     `db:"comment"`
	CreatedAt time.Time  `db:"created_at"`
	HandledAt *time.Time `db:"handled_at"`
}

// ReportInput is what a member sends to report outdated information.
type ReportInput struct {
	Section string // a heading anchor of the fiche's table of contents, "" for the whole fiche
	Comment string
}

// validateReport checks the comment of a report.
func validateReport(in ReportInput) error {
	v := &ValidationError{}
	switch n := utf8.RuneCountInString(in.Comment); {
	case n == 0:
		v.Add("comment", "Dites ce qui n’est plus à jour : un lien, une date, la nouvelle règle.")
	case n < MinReportComment:
		v.Add("comment", "Le commentaire est trop court : dites en une phrase ce qui n’est plus à jour (10 caractères au moins).")
	case n > MaxReportComment:
		v.Add("comment", "Le commentaire ne doit pas dépasser 1 000 caractères (il en compte "+itoa64(int64(n))+") : le détail peut aller dans les commentaires de la fiche.")
	}
	return v.Err()
}

// headingOf finds the heading of f's table of contents whose anchor is id.
func headingOf(f *Fiche, id string) (Heading, bool) {
	for _, h := range f.TOC() {
		if h.ID == id {
			return h, true
		}
	}
	return Heading{}, false
}

// ReportFiche records u's report of outdated information in fiche id, on
// the section in.Section, with its event. A member has at most
// MaxOpenReports waiting on one fiche.
func (s *Store) ReportFiche(ctx context.Context, u *User, id int64, in ReportInput) (*FicheReport, error) {
	in.Section = strings.TrimSpace(in.Section)
	in.Comment = strings.TrimSpace(normalizeText(in.Comment))
	if err := validateReport(in); err != nil {
		return nil, err
	}
	r := &FicheReport{FicheID: id, Section: in.Section, Comment: in.Comment, CreatedAt: s.Now()}
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		f, err := s.ficheFor(ctx, tx, u, id, CanReportFiche)
		if err != nil {
			return err
		}
		if in.Section != "" {
			h, ok := headingOf(f, in.Section)
			if !ok {
				return Invalid("section", "Cette partie n’existe plus dans la fiche (elle a sans doute été modifiée entre-temps) : choisissez-en une autre.")
			}
			r.Heading = h.Text
		}
		var open int
		if err := tx.GetContext(ctx, &open, `SELECT count(*) FROM fiche_reports WHERE fiche_id = ? AND user_id = ? AND handled_at IS NULL`,
			id, u.ID); err != nil {
			return err
		}
		if open >= MaxOpenReports {
			return Invalid("comment", "Vous avez déjà 5 signalements en attente sur cette fiche : attendez que ses rédacteurs les traitent, ou écrivez le détail dans ses commentaires.")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO fiche_reports (fiche_id, section, heading, user_id, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, r.Section, r.Heading, u.ID, r.Comment, r.CreatedAt)
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		r.UserID, r.Pseudo = u.ID, u.Pseudo
		return Emit(ctx, tx, Event{Kind: EventReported, EntityType: EntityFiche, EntityID: id, ActorID: u.ID,
			Data: EventData{Number: int(r.ID)}, CreatedAt: r.CreatedAt})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// OpenFicheReports lists the reports on f nobody handled yet, oldest
// first (those of suspended members left out).
func (s *Store) OpenFicheReports(ctx context.Context, f *Fiche) ([]FicheReport, error) {
	var out []FicheReport
	err := s.db.R.SelectContext(ctx, &out, `SELECT r.id, r.fiche_id, r.section, r.heading, r.user_id, u.pseudo, r.comment,
		r.created_at, r.handled_at FROM fiche_reports r JOIN users u ON u.id = r.user_id
		WHERE r.fiche_id = ? AND r.handled_at IS NULL AND u.suspended_at IS NULL ORDER BY r.created_at, r.id LIMIT ?`, f.ID, maxShownReports)
	return out, err
}

// HandleFicheReport marks report reportID of fiche id handled by u, with
// its event. A report already handled stays as it was (nothing is written).
func (s *Store) HandleFicheReport(ctx context.Context, u *User, id, reportID int64) (*FicheReport, error) {
	var r FicheReport
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		_, err := s.ficheFor(ctx, tx, u, id, CanHandleReport)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &r, `SELECT r.id, r.fiche_id, r.section, r.heading, r.user_id, u.pseudo, r.comment,
			r.created_at, r.handled_at FROM fiche_reports r JOIN users u ON u.id = r.user_id WHERE r.id = ? AND r.fiche_id = ?`,
			reportID, id); err != nil {
			return notFound(err)
		}
		if r.HandledAt != nil {
			return nil
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE fiche_reports SET handled_at = ?, handled_by = ? WHERE id = ?`, now, u.ID, reportID); err != nil {
			return err
		}
		r.HandledAt = &now
		return Emit(ctx, tx, Event{Kind: EventReportHandled, EntityType: EntityFiche, EntityID: id, ActorID: u.ID,
			Data: EventData{Number: int(reportID)}, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}
