package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// A suspended member keeps their session, inert: they read as a visitor,
// and every write they try — a page's form or the API — answers 403 with
// the reason and the end of the suspension, the typed text kept.

// suspendedMember is the member behind a suspended account's session, or nil.
func suspendedMember(c *fiber.Ctx) *content.User {
	u, _ := c.Locals(localSuspended).(*content.User)
	return u
}

// refuseSuspendedWrites answers any write of a suspended member's session
// with why; logging out still works.
func (s *Server) refuseSuspendedWrites(c *fiber.Ctx) error {
	u := suspendedMember(c)
	if u == nil || c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead || c.Path() == "/deconnexion" || c.Path() == "/connexion" {
		return c.Next()
	}
	return s.suspendedError(c, u)
}

// suspensionMessage says why and until when u is suspended, in French.
func (s *Server) suspensionMessage(c *fiber.Ctx, u *content.User, msg string) string {
	sp, err := s.store.ActiveSuspension(c.UserContext(), u.ID)
	if err != nil {
		s.log.Error("suspension look-up", "err", err, "request_id", requestID(c))
		return msg + " : vous ne pouvez rien publier pour l’instant. Pour en savoir plus, écrivez à l’équipe de la Ligue."
	}
	if sp.EndsAt != nil {
		msg += " jusqu’au " + frenchDateTime(*sp.EndsAt)
	}
	msg += " : vous ne pouvez rien publier d’ici là."
	if sp.Reason != "" {
		msg += " Motif donné par la modération : « " + sp.Reason + " »."
	}
	if sp.EndsAt != nil {
		return msg + " La suspension prendra fin d’elle-même."
	}
	return msg + " Pour en savoir plus, écrivez à l’équipe de la Ligue."
}

// suspendedError is the 403 of a suspended member's write: JSON under the
// API, else the form's text ready to send again once the suspension ends.
func (s *Server) suspendedError(c *fiber.Ctx, u *content.User) error {
	msg := s.suspensionMessage(c, u, "Votre compte est suspendu")
	if isAPI(c) {
		return &httpError{fiber.StatusForbidden, "suspended", msg}
	}
	return s.resubmit(c, fiber.StatusForbidden, "Compte suspendu", msg+" Votre texte est conservé ci-dessous.")
}
