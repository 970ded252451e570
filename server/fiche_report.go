package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// "Signaler une information obsolète": one form under the fiche, a notice
// at its top listing the open reports until an editor marks them handled.

// ficheReportsView is the fiche page's part about reports.
type ficheReportsView struct {
	Open     []content.FicheReport
	Form     form
	Sections []option // « Toute la fiche » and the headings of the table of contents
}

// reportSections lists what a report may be about: the whole fiche, or
// one of its headings (indented by level).
func reportSections(f *content.Fiche) []option {
	opts := []option{{"", "Toute la fiche"}}
	for _, h := range f.TOC() {
		opts = append(opts, option{h.ID, strings.Repeat("\u00a0\u00a0", max(h.Level-2, 0)) + h.Text})
	}
	return opts
}

// fillFicheReports loads the open reports of the fiche on the page.
func (s *Server) fillFicheReports(c *fiber.Ctx, p *fichePage) error {
	p.Reports.Form = emptyForm()
	if !p.Fiche.Published() {
		return nil
	}
	p.Reports.Sections = reportSections(p.Fiche)
	var err error
	p.Reports.Open, err = s.store.OpenFicheReports(c.UserContext(), p.Fiche)
	return err
}

func (s *Server) handleFicheReport(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	fm := readForm(c, "section", "comment")
	_, err = s.store.ReportFiche(c.UserContext(), currentUser(c), f.ID, content.ReportInput{Section: fm.Get("section"), Comment: fm.Get("comment")})
	if err := fm.fail(err); err != nil {
		return err
	}
	if fm.HasErrors() {
		p, err := s.fichePageOf(c, f)
		if err != nil {
			return err
		}
		p.Reports.Form = fm
		return s.render(c, fiber.StatusUnprocessableEntity, "fiches/show", p)
	}
	return s.redirectWithFlash(c, f.Path(), "Merci : votre signalement est affiché en haut de la fiche jusqu’à ce qu’un de ses rédacteurs le traite.")
}

func (s *Server) handleFicheReportHandled(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	_, err = s.store.HandleFicheReport(c.UserContext(), currentUser(c), f.ID, id)
	return s.afterAction(c, err, f.Path(), "Le signalement est marqué comme traité : il n’apparaît plus sur la fiche.")
}
