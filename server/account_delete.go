package server

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// « Supprimer mon compte »: a page that explains both modes first, then a
// form asking for the password, sent from a login less than ten minutes
// old (else the page asks to confirm one's identity first).

type accountDeletePage struct {
	Page
	Form   form
	Recent bool // the login is recent enough to delete
	Reauth form // the identity check, when it is not
}

func (s *Server) accountDeletePage(c *fiber.Ctx, f form) *accountDeletePage {
	return &accountDeletePage{Page: s.page(c, "Supprimer mon compte"), Form: f, Recent: s.recentLogin(c), Reauth: emptyForm()}
}

// recentLogin tells whether the browser's session was opened (or its
// identity confirmed) less than content.ReauthWindow ago.
func (s *Server) recentLogin(c *fiber.Ctx) bool {
	started, err := s.store.SessionStarted(c.UserContext(), c.Cookies(sessionCookie))
	return err == nil && s.store.Now().Sub(started) < content.ReauthWindow
}

func (s *Server) handleAccountDeleteForm(c *fiber.Ctx) error {
	f := emptyForm()
	if m := content.EraseMode(c.Query("mode")); m.Valid() {
		f.Values["mode"] = string(m)
	}
	return s.render(c, 200, "accounts/delete", s.accountDeletePage(c, f))
}

func (s *Server) handleAccountDelete(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	f := readForm(c, "mode")
	if !s.recentLogin(c) {
		s.log.Warn("account deletion refused: login too old", "user", u.ID, "request_id", requestID(c))
		p := s.accountDeletePage(c, f)
		p.Reauth.Errors.Add("reauth_password", "Par sécurité, confirmez d’abord votre mot de passe : "+
			"votre connexion date de plus de 10 minutes. Rien n’a été supprimé.")
		return s.render(c, fiber.StatusForbidden, "accounts/delete", p)
	}
	key := "user:" + userKey(u) // as content.AccountKey names it: the login limit counts these too
	if wait := s.limits.loginAccount.wait(ctx, key); wait > 0 {
		f.Errors.Add("password", tooMany(c, wait).Message)
		return s.render(c, fiber.StatusTooManyRequests, "accounts/delete", s.accountDeletePage(c, f))
	}
	var erased *content.Erased
	err := s.hashing(c, func() (err error) {
		erased, err = s.store.DeleteAccount(ctx, u, c.FormValue("password"), content.EraseMode(f.Get("mode")))
		return err
	})
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		if f.Error("password") != "" && c.FormValue("password") != "" {
			s.limits.loginAccount.add(ctx, key)
		}
		s.log.Warn("account deletion refused", "user", u.ID, "fields", strings.Join(errorFields(f), ","), "request_id", requestID(c))
		return s.render(c, fiber.StatusUnprocessableEntity, "accounts/delete", s.accountDeletePage(c, f))
	}
	s.removeErased(erased)
	s.log.Info("account erased at the member's request", "user", u.ID, "mode", f.Get("mode"), "request_id", requestID(c))
	s.clearCookie(c, sessionCookie)
	msg := "Votre compte est supprimé. Vos messages restent, signés « Ancien membre »."
	if content.EraseMode(f.Get("mode")) == content.EraseDelete {
		msg = "Votre compte est supprimé, et vos messages avec lui."
	}
	return s.redirectWithFlash(c, "/", msg+" Merci d’avoir participé à la Ligue.")
}

func errorFields(f form) []string {
	var names []string
	for _, fe := range f.Errors.Fields {
		names = append(names, fe.Field)
	}
	return names
}

// handleReauth confirms the member's identity with their password and
// opens a fresh session, then goes back to the page that asked.
func (s *Server) handleReauth(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	f := readForm(c, "mode")
	back := "/compte/supprimer"
	if m := content.EraseMode(f.Get("mode")); m.Valid() {
		back += "?" + url.Values{"mode": {string(m)}}.Encode()
	}
	again := func(status int, msg string) error {
		p := s.accountDeletePage(c, f)
		p.Reauth.Errors.Add("reauth_password", msg)
		return s.render(c, status, "accounts/delete", p)
	}
	key := "user:" + userKey(u) // as content.AccountKey names it: the login limit counts these too
	if wait := s.limits.loginAccount.wait(ctx, key); wait > 0 {
		return again(fiber.StatusTooManyRequests, tooMany(c, wait).Message)
	}
	password := c.FormValue("reauth_password")
	if password == "" {
		return again(fiber.StatusUnprocessableEntity, "Indiquez votre mot de passe.")
	}
	err := s.hashing(c, func() error {
		_, err := s.store.Authenticate(ctx, u.Email, password)
		return err
	})
	if errors.Is(err, content.ErrBadCredentials) {
		s.limits.loginAccount.add(ctx, key)
		s.log.Warn("re-authentication refused: wrong password", "user", u.ID, "request_id", requestID(c))
		return again(fiber.StatusUnauthorized, "Ce mot de passe n’est pas le bon.")
	}
	if err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return s.redirectWithFlash(c, back, "C’est bien vous : vous pouvez continuer pendant 10 minutes.")
}
