package server

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Unsubscribe links: every notification mail carries one, signed, that
// works without logging in. GET only shows a button (mail scanners follow
// links); POST, from that button or a mail client's RFC 8058 one-click
// request, turns the kind to « Sur le site seulement ».

const unsubscribePath = "/desabonnement"

type unsubscribePage struct {
	Page
	Link    content.UnsubscribeLink
	Phrase  string // what it turns off
	Done    bool
	Already bool
	Problem string // why the link cannot be used
}

func (s *Server) handleUnsubscribeForm(c *fiber.Ctx) error {
	l := content.ParseUnsubscribeLink(func(k string) string { return strings.Clone(c.Query(k)) })
	if err := l.Check(s.secret, s.store.Now()); err != nil {
		return s.unsubscribeProblem(c, err)
	}
	return s.render(c, 200, "notifications/unsubscribe", &unsubscribePage{Page: s.page(c, "Ne plus recevoir ces e-mails"),
		Link: l, Phrase: content.ScopePhrase(l.Scope)})
}

// handleUnsubscribe needs no CSRF token (routes.go registers it before the
// CSRF check): the signature is the proof, and a mail client's one-click
// POST has no page to take a token from.
func (s *Server) handleUnsubscribe(c *fiber.Ctx) error {
	// The link's fields: in the URL for a mail client, in the form for our button.
	l := content.ParseUnsubscribeLink(func(k string) string {
		if v := c.Query(k); v != "" {
			return strings.Clone(v)
		}
		return strings.Clone(c.FormValue(k))
	})
	if err := l.Check(s.secret, s.store.Now()); err != nil {
		return s.unsubscribeProblem(c, err)
	}
	already, err := s.store.Unsubscribe(c.UserContext(), l)
	if err != nil {
		return s.unsubscribeProblem(c, err)
	}
	title := "Désabonnement enregistré"
	if already {
		title = "C’était déjà fait"
	}
	return s.render(c, 200, "notifications/unsubscribe", &unsubscribePage{Page: s.page(c, title),
		Phrase: content.ScopePhrase(l.Scope), Done: true, Already: already})
}

// unsubscribeProblem answers a link that cannot be used, in French.
func (s *Server) unsubscribeProblem(c *fiber.Ctx, err error) error {
	status, title, msg := fiber.StatusBadRequest, "Ce lien de désabonnement est incorrect",
		"Il a sans doute été coupé ou modifié en chemin : ouvrez-le de nouveau depuis l’e-mail, en entier."
	switch {
	case errors.Is(err, content.ErrUnsubscribeExpired):
		status, title, msg = fiber.StatusGone, "Ce lien de désabonnement a expiré",
			"Il date de plus de 90 jours : utilisez celui d’un e-mail plus récent."
	case !errors.Is(err, content.ErrUnsubscribeInvalid):
		return err
	}
	return s.render(c, status, "notifications/unsubscribe", &unsubscribePage{Page: s.page(c, title), Problem: msg})
}
