package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Moderating fiches: protect, hide a revision, merge, delete. The store
// checks the moderator's rights and writes the audit log.

func (s *Server) ficheModerationRoutes(app *fiber.App) {
	app.Post("/fiches/:slug/protection", s.requireModerator, s.handleFicheProtect)
	app.Post("/fiches/:slug/revisions/:n<int>/masquer", s.requireModerator, s.handleFicheRevisionHide)
	app.Post("/fiches/:slug/fusionner", s.requireModerator, s.handleFicheMerge)
	app.Post("/fiches/:slug/supprimer", s.requireModerator, s.handleFicheDelete)
}

func (s *Server) handleFicheProtect(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	protect := c.FormValue("proteger") == "1"
	msg := "La fiche n’est plus protégée : chaque membre peut à nouveau la modifier."
	if protect {
		msg = "La fiche est protégée : seuls ses auteurs et les modérateurs la modifient."
	}
	return s.afterAction(c, s.store.SetFicheProtected(c.UserContext(), currentUser(c), f.ID, protect), f.Path(), msg)
}

func (s *Server) handleFicheRevisionHide(c *fiber.Ctx) error {
	f, n, err := s.loadFicheAndNumber(c)
	if err != nil {
		return err
	}
	hide := c.FormValue("masquer") == "1"
	msg := "La révision " + strconv.FormatInt(n, 10) + " est à nouveau visible."
	if hide {
		msg = "La révision " + strconv.FormatInt(n, 10) + " est masquée : seuls les modérateurs la voient encore."
	}
	err = s.store.HideFicheRevision(c.UserContext(), currentUser(c), f.ID, int(n), hide)
	return s.afterAction(c, err, f.Path()+"/historique", msg)
}

func (s *Server) handleFicheMerge(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	target := strings.TrimPrefix(strings.TrimSpace(c.FormValue("into")), s.cfg.BaseURL)
	target = strings.TrimPrefix(target, "/fiches/")
	into, err := s.store.FicheBySlug(c.UserContext(), currentUser(c), target)
	if err != nil || into.Fiche == nil {
		return s.redirectWithRefusal(c, f.Path(), "Aucune fiche publiée n’a cette adresse : indiquez la fiche de destination (son adresse ou la fin de celle-ci).")
	}
	err = s.store.MergeFiches(c.UserContext(), currentUser(c), f.ID, into.Fiche.ID)
	return s.afterAction(c, err, into.Fiche.Path(), "« "+f.Title+" » est fusionnée dans cette fiche : son adresse mène désormais ici.")
}

func (s *Server) handleFicheDelete(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	err = s.store.DeleteFiche(c.UserContext(), currentUser(c), f.ID, c.FormValue("raison"))
	return s.afterAction(c, err, "/fiches", "La fiche « "+f.Title+" » est supprimée.")
}
