package server

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Sessions: each member sees and ends their own (/compte/sessions); an
// administrator those of any account (/admin/membres/:id/sessions).

func (s *Server) sessionRoutes(app *fiber.App) {
	app.Get("/compte/sessions", s.requireMember, s.handleSessions)
	app.Post("/compte/sessions/autres/supprimer", s.requireMember, s.handleSessionsEndOthers)
	app.Post("/compte/sessions/:ref/supprimer", s.requireMember, s.handleSessionEnd)
	app.Get("/admin/membres/:id<int>/sessions", s.requireAdmin, s.handleAdminSessions)
	app.Post("/admin/membres/:id<int>/sessions/toutes/supprimer", s.requireAdmin, s.handleAdminSessionsEnd)
	app.Post("/admin/membres/:id<int>/sessions/:ref/supprimer", s.requireAdmin, s.handleAdminSessionEnd)
	app.Post("/admin/membres/:id<int>/double-authentification/supprimer", s.requireAdmin, s.handleAdminTwoFactorReset)
}

type sessionsPage struct {
	Page
	Owner     *content.User
	Own       bool // the viewer's own sessions
	Sessions  []content.Session
	TwoFactor *content.TwoFactor // the owner's, nil when off
	CanReset  bool               // the viewer may turn the owner's second factor off
	Action    string             // where the « Mettre fin » forms post, without the session's ref
}

func (s *Server) sessionsPage(c *fiber.Ctx, owner *content.User) (*sessionsPage, error) {
	ctx := c.UserContext()
	viewer := currentUser(c)
	sessions, err := s.store.Sessions(ctx, owner.ID, c.Cookies(sessionCookie))
	if err != nil {
		return nil, err
	}
	tf, err := s.store.TwoFactorOf(ctx, owner.ID)
	if errors.Is(err, content.ErrNotFound) || (err == nil && !tf.Enabled()) {
		tf, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	p := &sessionsPage{Owner: owner, Own: viewer.ID == owner.ID, Sessions: sessions, TwoFactor: tf,
		CanReset: tf != nil && content.CanResetTwoFactor(viewer, owner)}
	if p.Own {
		p.Page, p.Action = s.page(c, "Mes sessions"), "/compte/sessions/"
	} else {
		p.Page, p.Action = s.page(c, "Sessions de "+owner.Pseudo+" — administration"), "/admin/membres/"+strconv.FormatInt(owner.ID, 10)+"/sessions/"
	}
	return p, nil
}

func (s *Server) handleSessions(c *fiber.Ctx) error {
	p, err := s.sessionsPage(c, currentUser(c))
	if err != nil {
		return err
	}
	return s.render(c, 200, "accounts/sessions", p)
}

// sessionRef is the :ref of the route, copied (Fiber reuses its buffers).
func sessionRef(c *fiber.Ctx) string { return strings.Clone(c.Params("ref")) }

func (s *Server) handleSessionEnd(c *fiber.Ctx) error {
	u := currentUser(c)
	ref := sessionRef(c)
	if isCurrentSession(c, ref) {
		return s.redirectWithRefusal(c, "/compte/sessions", "C’est la session que vous utilisez : pour la fermer, utilisez « Se déconnecter ».")
	}
	if err := s.store.EndSession(c.UserContext(), u, u.ID, ref); errors.Is(err, content.ErrNotFound) {
		return s.redirectWithFlash(c, "/compte/sessions", "Cette session était déjà terminée.")
	} else if err != nil {
		return err
	}
	s.log.Info("session ended", "user_id", u.ID, "by", u.ID, "request_id", requestID(c))
	return s.redirectWithFlash(c, "/compte/sessions", "La session est terminée : cet appareil devra se reconnecter.")
}

// isCurrentSession tells whether ref names the session of the request.
func isCurrentSession(c *fiber.Ctx, ref string) bool {
	token := c.Cookies(sessionCookie)
	return token != "" && content.SessionRefOf(token) == ref
}

func (s *Server) handleSessionsEndOthers(c *fiber.Ctx) error {
	u := currentUser(c)
	n, err := s.store.EndOtherSessions(c.UserContext(), u, u.ID, c.Cookies(sessionCookie))
	if err != nil {
		return err
	}
	s.log.Info("other sessions ended", "user_id", u.ID, "count", n, "request_id", requestID(c))
	return s.redirectWithFlash(c, "/compte/sessions", endedMessage(n, "Vous n’aviez pas d’autre session ouverte."))
}

func endedMessage(n int, none string) string {
	switch n {
	case 0:
		return none
	case 1:
		return "Une session est terminée : l’appareil concerné devra se reconnecter."
	}
	return strconv.Itoa(n) + " sessions sont terminées : les appareils concernés devront se reconnecter."
}

// adminOwner is the account of the :id of an administration route.
func (s *Server) adminOwner(c *fiber.Ctx) (*content.User, error) {
	id, err := paramInt(c, "id")
	if err != nil {
		return nil, err
	}
	return s.store.UserByID(c.UserContext(), id)
}

func (s *Server) handleAdminSessions(c *fiber.Ctx) error {
	owner, err := s.adminOwner(c)
	if err != nil {
		return err
	}
	p, err := s.sessionsPage(c, owner)
	if err != nil {
		return err
	}
	return s.render(c, 200, "admin/sessions", p)
}

func adminSessionsPath(owner *content.User) string {
	return "/admin/membres/" + strconv.FormatInt(owner.ID, 10) + "/sessions"
}

func (s *Server) handleAdminSessionEnd(c *fiber.Ctx) error {
	owner, err := s.adminOwner(c)
	if err != nil {
		return err
	}
	ref := sessionRef(c)
	if isCurrentSession(c, ref) {
		return s.redirectWithRefusal(c, adminSessionsPath(owner), "C’est la session que vous utilisez : pour la fermer, utilisez « Se déconnecter ».")
	}
	admin := currentUser(c)
	if err := s.store.EndSession(c.UserContext(), admin, owner.ID, ref); errors.Is(err, content.ErrNotFound) {
		return s.redirectWithFlash(c, adminSessionsPath(owner), "Cette session était déjà terminée.")
	} else if err != nil {
		return err
	}
	s.log.Info("session ended", "user_id", owner.ID, "by", admin.ID, "request_id", requestID(c))
	return s.redirectWithFlash(c, adminSessionsPath(owner), "La session de "+owner.Pseudo+" est terminée.")
}

func (s *Server) handleAdminSessionsEnd(c *fiber.Ctx) error {
	owner, err := s.adminOwner(c)
	if err != nil {
		return err
	}
	admin := currentUser(c)
	keep := ""
	if owner.ID == admin.ID {
		keep = c.Cookies(sessionCookie) // the administrator's own page keeps the session in use
	}
	n, err := s.store.EndOtherSessions(c.UserContext(), admin, owner.ID, keep)
	if err != nil {
		return err
	}
	s.log.Info("sessions ended", "user_id", owner.ID, "by", admin.ID, "count", n, "request_id", requestID(c))
	return s.redirectWithFlash(c, adminSessionsPath(owner), endedMessage(n, owner.Pseudo+" n’avait pas de session à terminer."))
}

func (s *Server) handleAdminTwoFactorReset(c *fiber.Ctx) error {
	owner, err := s.adminOwner(c)
	if err != nil {
		return err
	}
	admin := currentUser(c)
	if !content.CanResetTwoFactor(admin, owner) {
		return s.redirectWithRefusal(c, adminSessionsPath(owner), "Votre propre double authentification se gère depuis « Mon compte ».")
	}
	if err := s.store.ResetTwoFactor(c.UserContext(), admin, owner.ID); err != nil {
		return err
	}
	s.log.Warn("second factor reset by an administrator", "user_id", owner.ID, "by", admin.ID, "request_id", requestID(c))
	msg := "La double authentification de " + owner.Pseudo + " est désactivée et ses sessions sont terminées : son mot de passe suffit de nouveau."
	if content.TwoFactorRequired(owner) {
		msg = "La double authentification de " + owner.Pseudo + " est désactivée et ses sessions sont terminées : " +
			"à sa prochaine connexion, son rôle lui demandera d’en activer une nouvelle."
	}
	return s.redirectWithFlash(c, adminSessionsPath(owner), msg)
}
