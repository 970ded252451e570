package server

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Pages of the account life cycle: register, verify, log in and out, reset.

type accountFormPage struct {
	Page
	Form    form
	Token   string // the one-time link token carried by the form
	Metiers []option
}

func metierOptions() []option {
	opts := []option{{"", "— Non précisé —"}}
	for _, m := range content.Metiers {
		opts = append(opts, option{m.Code, m.Label})
	}
	return opts
}

var registerFields = []string{"pseudo", "email", "structure", "departement", "metier", "charte"}

func (s *Server) handleRegisterForm(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/compte", fiber.StatusSeeOther)
	}
	return s.render(c, 200, "accounts/register", &accountFormPage{Page: s.page(c, "Créer un compte"), Form: emptyForm(), Metiers: metierOptions()})
}

func (s *Server) handleRegister(c *fiber.Ctx) error {
	f := readForm(c, registerFields...)
	again := func(status int) error {
		return s.render(c, status, "accounts/register", &accountFormPage{Page: s.page(c, "Créer un compte"), Form: f, Metiers: metierOptions()})
	}
	ip := clientIP(c)
	if wait := s.limits.register.wait(c.UserContext(), ip); wait > 0 {
		f.Errors.Add("pseudo", tooMany(c, wait).Message)
		return again(fiber.StatusTooManyRequests)
	}
	s.limits.register.add(c.UserContext(), ip)
	in := content.NewUser{Pseudo: f.Get("pseudo"), Email: f.Get("email"), Password: c.FormValue("password"),
		Profile:      content.Profile{Structure: f.Get("structure"), Departement: f.Get("departement"), Metier: f.Get("metier")},
		Registration: true, AcceptCharter: f.Get("charte") == "1"}
	var u *content.User
	err := s.hashing(c, func() (err error) {
		u, err = s.store.CreateUser(c.UserContext(), in, s.verifyMail)
		return err
	})
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		return again(fiber.StatusUnprocessableEntity)
	}
	s.mailer.poke()
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/compte", "Bienvenue "+u.Pseudo+" ! Un lien de confirmation vient d’être envoyé à "+u.Email+
		" : ouvrez-le pour pouvoir écrire sur la Ligue.")
}

// startSession logs u in with a brand-new session ID, ending the one the
// browser had, if any.
func (s *Server) startSession(c *fiber.Ctx, u *content.User) error {
	if old := c.Cookies(sessionCookie); old != "" {
		if err := s.store.DeleteSession(c.UserContext(), old); err != nil {
			return err
		}
	}
	token, err := s.store.OpenSession(c.UserContext(), u.ID, c.Get(fiber.HeaderUserAgent), clientIP(c))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token)
	c.Locals(localUser, u)
	return nil
}

func (s *Server) verifyMail(u *content.User, token string) content.Mail {
	return s.mail(u.Email, "verify", linkMail{Pseudo: u.Pseudo, URL: s.cfg.BaseURL + "/verification?jeton=" + token})
}

// mail renders a mail template; a broken template is a programming error
// caught by the tests that render every mail.
// linkMail is what the mails carrying a one-time link show.
type linkMail struct {
	Pseudo  string
	URL     string
	Address string // the new address, in the mail sent to the former one
}

// mail composes the mail named name (templates/mail/<name>.txt) for to.
func (s *Server) mail(to, name string, data linkMail) content.Mail {
	subject, body, err := s.views.Mail(name, data)
	if err != nil {
		panic(err)
	}
	return content.Mail{To: to, Subject: subject, Body: body, HTML: s.plainHTML(subject, body)}
}

func (s *Server) handleVerifyForm(c *fiber.Ctx) error {
	token := strings.Clone(c.Query("jeton"))
	if err := s.store.CheckToken(c.UserContext(), token, content.PurposeVerify); err != nil {
		return s.linkProblem(c, err, "Ce lien de confirmation n’est plus valable (déjà utilisé, ou trop ancien). "+
			"Connectez-vous : depuis votre compte, vous pourrez en demander un nouveau.")
	}
	return s.render(c, 200, "accounts/verify", &accountFormPage{Page: s.page(c, "Confirmer mon adresse"), Form: emptyForm(), Token: token})
}

func (s *Server) handleVerify(c *fiber.Ctx) error {
	u, err := s.store.Verify(c.UserContext(), c.FormValue("jeton"))
	if err != nil {
		return s.linkProblem(c, err, "Ce lien de confirmation n’est plus valable (déjà utilisé, ou trop ancien). "+
			"Connectez-vous : depuis votre compte, vous pourrez en demander un nouveau.")
	}
	to := "/connexion"
	if cu := currentUser(c); cu != nil && cu.ID == u.ID {
		to = "/compte"
	}
	return s.redirectWithFlash(c, to, "Merci, votre adresse e-mail est confirmée. Vous pouvez maintenant participer.")
}

func (s *Server) handleVerifyResend(c *fiber.Ctx) error {
	u := currentUser(c)
	if u.Verified() {
		return s.redirectWithFlash(c, "/compte", "Votre adresse est déjà confirmée.")
	}
	if wait := s.limits.resetAccount.wait(c.UserContext(), "verify:"+u.Email); wait > 0 {
		return tooMany(c, wait)
	}
	s.limits.resetAccount.add(c.UserContext(), "verify:"+u.Email)
	if err := s.store.SendVerification(c.UserContext(), u, s.verifyMail); err != nil {
		return err
	}
	s.mailer.poke()
	return s.redirectWithFlash(c, "/compte", "Un nouveau lien de confirmation a été envoyé à "+u.Email+".")
}

// linkProblem answers a dead one-time link with a French explanation (410),
// or passes other errors on.
func (s *Server) linkProblem(c *fiber.Ctx, err error, msg string) error {
	if errors.Is(err, content.ErrTokenInvalid) {
		return s.render(c, fiber.StatusGone, "errors/error", &errorPage{Page: s.page(c, "Lien expiré"),
			Status: fiber.StatusGone, Heading: "Lien expiré ou déjà utilisé", Message: msg})
	}
	return err
}

func (s *Server) handleLoginForm(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	f := emptyForm()
	f.Values["retour"] = safeReturn(c.Query("retour"))
	page := s.page(c, "Se connecter")
	if u := suspendedMember(c); u != nil {
		page.Flash, page.FlashError = s.suspensionMessage(c, u, "Votre compte est suspendu"), true
	}
	return s.render(c, 200, "accounts/login", &accountFormPage{Page: page, Form: f})
}

func (s *Server) handleLogin(c *fiber.Ctx) error {
	f := readForm(c, "login", "retour")
	again := func(status int) error {
		return s.render(c, status, "accounts/login", &accountFormPage{Page: s.page(c, "Se connecter"), Form: f})
	}
	login := strings.ToLower(strings.TrimSpace(f.Get("login")))
	// Blank fields are a slip, not a guess: no hashing, no strike against
	// the limits.
	if login == "" {
		f.Errors.Add("login", "Indiquez votre adresse e-mail ou votre pseudo.")
	}
	if c.FormValue("password") == "" {
		f.Errors.Add("password", "Indiquez votre mot de passe.")
	}
	if f.HasErrors() {
		return again(fiber.StatusUnprocessableEntity)
	}
	ctx := c.UserContext()
	ipKey, accountKey := clientIP(c), s.store.AccountKey(ctx, login)
	if wait := max(s.limits.loginIP.wait(ctx, ipKey), s.limits.loginAccount.wait(ctx, accountKey)); wait > 0 {
		f.Errors.Add("login", tooMany(c, wait).Message)
		return again(fiber.StatusTooManyRequests)
	}
	var u *content.User
	err := s.hashing(c, func() (err error) {
		u, err = s.store.Authenticate(c.UserContext(), login, c.FormValue("password"))
		return err
	})
	switch {
	case errors.Is(err, content.ErrBadCredentials):
		s.limits.loginIP.add(ctx, ipKey)
		s.limits.loginAccount.add(ctx, accountKey)
		f.Errors.Add("login", "E-mail, pseudo ou mot de passe incorrect.")
		return again(fiber.StatusUnauthorized)
	case errors.Is(err, content.ErrSuspended):
		f.Errors.Add("login", s.suspensionMessage(c, u, "Ce compte est suspendu"))
		return again(fiber.StatusForbidden)
	case err != nil:
		return err
	}
	return s.logIn(c, u, f.Get("retour"), "Bonjour "+u.Pseudo+", vous êtes connecté·e.", "")
}

func (s *Server) handleLogout(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		if err := s.store.DeleteSession(c.UserContext(), token); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	return s.redirectWithFlash(c, "/", "Vous êtes déconnecté·e. À bientôt !")
}

const resetSentMessage = "Si un compte correspond, un lien pour choisir un nouveau mot de passe vient d’être envoyé. " +
	"Il est valable une heure. Pensez à regarder dans les indésirables."

func (s *Server) handleForgotForm(c *fiber.Ctx) error {
	return s.render(c, 200, "accounts/forgot", &accountFormPage{Page: s.page(c, "Mot de passe oublié"), Form: emptyForm()})
}

func (s *Server) handleForgot(c *fiber.Ctx) error {
	f := readForm(c, "login")
	login := strings.ToLower(strings.TrimSpace(f.Get("login")))
	if login == "" {
		f.Errors.Add("login", "Indiquez votre adresse e-mail ou votre pseudo.")
		return s.render(c, 422, "accounts/forgot", &accountFormPage{Page: s.page(c, "Mot de passe oublié"), Form: f})
	}
	ctx := c.UserContext()
	account := s.store.AccountKey(ctx, login)
	if wait := max(s.limits.resetIP.wait(ctx, clientIP(c)), s.limits.resetAccount.wait(ctx, account)); wait > 0 {
		f.Errors.Add("login", tooMany(c, wait).Message)
		return s.render(c, fiber.StatusTooManyRequests, "accounts/forgot", &accountFormPage{Page: s.page(c, "Mot de passe oublié"), Form: f})
	}
	s.limits.resetIP.add(ctx, clientIP(c))
	s.limits.resetAccount.add(ctx, account)
	err := s.store.RequestPasswordReset(c.UserContext(), login, func(u *content.User, token string) content.Mail {
		return s.mail(u.Email, "reset", linkMail{Pseudo: u.Pseudo, URL: s.cfg.BaseURL + "/mot-de-passe/nouveau?jeton=" + token})
	})
	if err != nil {
		return err
	}
	s.mailer.poke()
	return s.redirectWithFlash(c, "/connexion", resetSentMessage)
}

const resetDeadLink = "Ce lien de réinitialisation n’est plus valable : il a déjà servi, ou il a plus d’une heure. " +
	"Demandez-en un nouveau depuis la page « Mot de passe oublié »."

func (s *Server) handleResetForm(c *fiber.Ctx) error {
	token := strings.Clone(c.Query("jeton"))
	if err := s.store.CheckToken(c.UserContext(), token, content.PurposeReset); err != nil {
		return s.linkProblem(c, err, resetDeadLink)
	}
	return s.render(c, 200, "accounts/reset", &accountFormPage{Page: s.page(c, "Nouveau mot de passe"), Form: emptyForm(), Token: token})
}

func (s *Server) handleReset(c *fiber.Ctx) error {
	token := strings.Clone(c.FormValue("jeton"))
	f := emptyForm()
	var u *content.User
	err := s.hashing(c, func() (err error) {
		u, err = s.store.ResetPassword(c.UserContext(), token, c.FormValue("password"))
		return err
	})
	if errors.Is(err, content.ErrTokenInvalid) {
		return s.linkProblem(c, err, resetDeadLink)
	}
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.render(c, 422, "accounts/reset", &accountFormPage{Page: s.page(c, "Nouveau mot de passe"), Form: f, Token: token})
	}
	const changed = "Votre mot de passe est changé. Par sécurité, vos autres sessions ont été fermées et vos jetons d’API révoqués."
	return s.logIn(c, u, "/compte", changed+" Vous êtes connecté·e.", changed+" Pour vous connecter, tapez maintenant le code de votre application.")
}

func (s *Server) handleSetupForm(c *fiber.Ctx) error {
	token := strings.Clone(c.Query("jeton"))
	if err := s.store.CheckToken(c.UserContext(), token, content.PurposeSetup); err != nil {
		return s.linkProblem(c, err, "Ce lien d’installation n’est plus valable. Relancez le serveur sans administrateur pour en obtenir un nouveau dans le journal.")
	}
	return s.render(c, 200, "accounts/setup", &accountFormPage{Page: s.page(c, "Créer le compte administrateur"), Form: emptyForm(),
		Token: token, Metiers: metierOptions()})
}

func (s *Server) handleSetup(c *fiber.Ctx) error {
	f := readForm(c, registerFields...)
	token := strings.Clone(c.FormValue("jeton"))
	in := content.NewUser{Pseudo: f.Get("pseudo"), Email: f.Get("email"), Password: c.FormValue("password"),
		Profile: content.Profile{Structure: f.Get("structure"), Departement: f.Get("departement"), Metier: f.Get("metier")}}
	var u *content.User
	err := s.hashing(c, func() (err error) {
		u, err = s.store.CreateFirstAdmin(c.UserContext(), token, in)
		return err
	})
	if errors.Is(err, content.ErrTokenInvalid) {
		return s.linkProblem(c, err, "Ce lien d’installation n’est plus valable : un administrateur a sans doute déjà été créé.")
	}
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.render(c, 422, "accounts/setup", &accountFormPage{Page: s.page(c, "Créer le compte administrateur"), Form: f,
			Token: token, Metiers: metierOptions()})
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return s.redirectWithFlash(c, enrolPath, "Le compte administrateur "+u.Pseudo+" est créé. Bienvenue ! "+
		"Avant toute chose, activez la double authentification : elle est obligatoire pour administrer la Ligue.")
}
