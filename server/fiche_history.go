package server

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// A fiche's history: its revisions, one of them, the comparison of two,
// and restoring an old one as a new revision.

// loadFicheAndNumber reads the fiche and the revision number (:n) of the
// address.
func (s *Server) loadFicheAndNumber(c *fiber.Ctx) (*content.Fiche, int64, error) {
	f, err := s.loadFiche(c)
	if err != nil {
		return nil, 0, err
	}
	n, err := paramInt(c, "n")
	return f, n, err
}

// loadFicheRevision loads the revision the address names, as the viewer
// may see it.
func (s *Server) loadFicheRevision(c *fiber.Ctx) (*content.Fiche, *content.FicheRevision, error) {
	f, n, err := s.loadFicheAndNumber(c)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.store.FicheRevisionAt(c.UserContext(), currentUser(c), f, int(n))
	return f, r, err
}

type ficheHistoryPage struct {
	Page
	Fiche     *content.Fiche
	Revisions []content.FicheRevision
	Can       content.FicheActions
}

func (s *Server) handleFicheHistory(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	revs, err := s.store.FicheRevisions(c.UserContext(), currentUser(c), f)
	if err != nil {
		return err
	}
	return s.render(c, 200, "fiches/history", &ficheHistoryPage{Page: s.page(c, "Historique de « "+f.Title+" »"), Fiche: f,
		Revisions: revs, Can: content.FicheActionsFor(currentUser(c), f)})
}

type ficheRevisionPage struct {
	Page
	Fiche      *content.Fiche
	Revision   *content.FicheRevision
	HTML       template.HTML
	CanRestore bool
	CanFlag    bool // « Signaler cette révision »
}

func (s *Server) handleFicheRevision(c *fiber.Ctx) error {
	f, r, err := s.loadFicheRevision(c)
	if err != nil {
		return err
	}
	html, err := s.store.PreviewFiche(c.UserContext(), r.Body)
	if err != nil {
		return err
	}
	return s.render(c, 200, "fiches/revision", &ficheRevisionPage{Page: s.page(c, "Révision "+strconv.Itoa(r.Number)+" de « "+f.Title+" »"),
		Fiche: f, Revision: r, HTML: html, CanRestore: content.CanRestoreRevision(currentUser(c), f, r) == nil,
		CanFlag: f.Published() && r.HiddenAt == nil && content.CanFlag(currentUser(c), r.AuthorID) == nil})
}

type ficheComparePage struct {
	Page
	Fiche       *content.Fiche
	From, To    *content.FicheRevision
	TitleDiff   template.HTML // "" when unchanged
	SummaryDiff template.HTML
	Body        template.HTML
	Rewritten   bool
	Tags        []string // tags as they are in To, when they changed
	TagsBefore  []string
}

func (s *Server) handleFicheCompare(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	from, to := queryNumber(c, "de"), queryNumber(c, "a")
	if to == 0 {
		to = f.Revision
	}
	if from == 0 {
		from = to - 1
	}
	if from < 1 || to < 1 {
		return &httpError{fiber.StatusBadRequest, "bad_request", "Choisissez deux révisions à comparer (de=N&a=M)."}
	}
	if from > to {
		from, to = to, from
	}
	a, err := s.store.FicheRevisionAt(c.UserContext(), u, f, from)
	if err != nil {
		return err
	}
	b, err := s.store.FicheRevisionAt(c.UserContext(), u, f, to)
	if err != nil {
		return err
	}
	p := &ficheComparePage{Page: s.page(c, "Comparer les révisions "+strconv.Itoa(from)+" et "+strconv.Itoa(to)), Fiche: f, From: a, To: b}
	if a.Title != b.Title {
		p.TitleDiff = content.DiffHTML(a.Title, b.Title)
	}
	if a.Summary != b.Summary {
		p.SummaryDiff = content.DiffHTML(a.Summary, b.Summary)
	}
	if a.Body != b.Body {
		p.Body = content.DiffHTML(a.Body, b.Body)
		p.Rewritten = p.Body == content.Rewritten
	}
	if strings.Join(a.Tags(), ",") != strings.Join(b.Tags(), ",") {
		p.Tags, p.TagsBefore = b.Tags(), a.Tags()
	}
	return s.render(c, 200, "fiches/compare", p)
}

func (s *Server) handleFicheRestore(c *fiber.Ctx) error {
	f, n, err := s.loadFicheAndNumber(c)
	if err != nil {
		return err
	}
	base, _ := strconv.Atoi(c.FormValue("base_revision"))
	restored, err := s.store.RestoreRevision(c.UserContext(), currentUser(c), f.ID, int(n), base)
	if err != nil {
		return s.afterAction(c, err, f.Path()+"/historique", "")
	}
	return s.redirectWithFlash(c, restored.Path(), "La révision "+strconv.FormatInt(n, 10)+" est rétablie : c’est la révision "+strconv.Itoa(restored.Revision)+".")
}
