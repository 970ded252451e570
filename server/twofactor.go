package server

import (
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Two-factor authentication: the login's second step, enrolment, recovery
// codes, and the rule that moderators and administrators enrol before
// anything else.

const (
	challengeCookie = "ligue_connexion" // a login waiting for its code; sent to /connexion only
	secondStepPath  = "/connexion/code"
	enrolPath       = "/compte/double-authentification"
	totpIssuer      = "Ligue des mednum"
)

func (s *Server) twoFactorRoutes(app *fiber.App) {
	app.Get(secondStepPath, s.handleSecondStepForm)
	app.Post(secondStepPath, s.handleSecondStep)
	app.Get(enrolPath, s.requireMember, s.handleTwoFactor)
	app.Post(enrolPath+"/commencer", s.requireMember, s.handleTwoFactorStart)
	app.Post(enrolPath+"/activer", s.requireMember, s.handleTwoFactorConfirm)
	app.Post(enrolPath+"/codes", s.requireMember, s.handleRecoveryCodesRenew)
	app.Post(enrolPath+"/desactiver", s.requireMember, s.handleTwoFactorDisable)
}

// logIn ends a login whose password was accepted. An account with a second
// factor goes to the page asking for the code, holding nothing but the
// challenge cookie; others get their session at once, and a moderator or
// administrator without a second factor lands on the enrolment page.
// before is a message shown on the code's page (after a password reset).
func (s *Server) logIn(c *fiber.Ctx, u *content.User, retour, welcome, before string) error {
	ctx := c.UserContext()
	on, err := s.store.HasTwoFactor(ctx, u.ID)
	if err != nil {
		return err
	}
	if on {
		token, err := s.store.StartLoginChallenge(ctx, u, safeReturn(retour))
		if err != nil {
			return err
		}
		c.Cookie(&fiber.Cookie{Name: challengeCookie, Value: token, Path: "/connexion", HTTPOnly: true, Secure: s.secureRequest(c),
			SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(content.LoginChallengeLifetime)})
		s.log.Info("password accepted, second factor asked", "user_id", u.ID, "request_id", requestID(c))
		return s.redirectWithFlash(c, secondStepPath, before)
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	if content.TwoFactorRequired(u) {
		return s.redirectWithFlash(c, enrolPath, welcome+" Votre rôle demande la double authentification : activez-la pour continuer.")
	}
	return s.redirectWithFlash(c, safeReturn(retour), welcome)
}

type secondStepPage struct {
	Page
	Form   form
	Pseudo string
}

// challenge is the login behind the challenge cookie; a dead one sends the
// browser back to the password with why.
func (s *Server) challenge(c *fiber.Ctx) (*content.LoginChallenge, *content.User, error) {
	ch, u, err := s.store.LoginChallengeOf(c.UserContext(), c.Cookies(challengeCookie))
	switch {
	case errors.Is(err, content.ErrChallengeEnded):
		return nil, nil, s.challengeGone(c, "Cette étape de la connexion a expiré (elle dure 10 minutes) : reprenez la connexion depuis le début.")
	case errors.Is(err, content.ErrSuspended):
		return nil, nil, s.challengeGone(c, "Ce compte est suspendu. Pour en savoir plus, écrivez à l’équipe de la Ligue.")
	}
	return ch, u, err
}

func (s *Server) challengeGone(c *fiber.Ctx, msg string) error {
	c.Cookie(&fiber.Cookie{Name: challengeCookie, Value: "", Path: "/connexion", HTTPOnly: true, Secure: s.secureRequest(c),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(1, 0), MaxAge: -1})
	return s.redirectWithRefusal(c, "/connexion", msg)
}

func (s *Server) handleSecondStepForm(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	_, u, err := s.challenge(c)
	if err != nil || u == nil {
		return err
	}
	return s.render(c, 200, "accounts/second_step", &secondStepPage{Page: s.page(c, "Code de connexion"), Form: emptyForm(), Pseudo: u.Pseudo})
}

// codeRefusals words the refusals of a second factor, with their status.
var codeRefusals = []struct {
	err     error
	status  int
	message string
}{
	{content.ErrCodeReplayed, fiber.StatusConflict, "Ce code a déjà servi : attendez que votre application en affiche un nouveau " +
		"(il change toutes les 30 secondes), puis tapez-le."},
	{content.ErrRecoveryCodeUsed, fiber.StatusConflict, "Ce code de secours a déjà servi : chacun ne marche qu’une fois. " +
		"Prenez-en un autre de votre liste, ou tapez le code de votre application."},
	{content.ErrCodeWrong, fiber.StatusUnauthorized, "Ce code n’est pas le bon. Tapez le code que votre application affiche maintenant, " +
		"ou un code de secours. Si l’erreur se répète, vérifiez que votre téléphone est à l’heure."},
}

// codeRefusal is the status and message of err, or ok false when err is not
// a refused code.
func codeRefusal(err error) (status int, message, reason string, ok bool) {
	for _, r := range codeRefusals {
		if errors.Is(err, r.err) {
			return r.status, r.message, strings.TrimPrefix(r.err.Error(), "second factor: "), true
		}
	}
	return 0, "", "", false
}

// secondFactorKey is the rate limit key of an account's codes.
func secondFactorKey(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }

func (s *Server) handleSecondStep(c *fiber.Ctx) error {
	ctx := c.UserContext()
	_, u, err := s.challenge(c)
	if err != nil || u == nil {
		return err
	}
	f := emptyForm()
	again := func(status int) error {
		return s.render(c, status, "accounts/second_step", &secondStepPage{Page: s.page(c, "Code de connexion"), Form: f, Pseudo: u.Pseudo})
	}
	code := strings.TrimSpace(c.FormValue("code"))
	if code == "" {
		f.Errors.Add("code", "Tapez le code à 6 chiffres de votre application, ou un code de secours.")
		return again(fiber.StatusUnprocessableEntity)
	}
	key := secondFactorKey(u.ID)
	if wait := s.limits.secondFactor.wait(ctx, key); wait > 0 {
		s.log.Warn("second factor rate limited", "user_id", u.ID, "ip_prefix", content.IPPrefix(clientIP(c)), "request_id", requestID(c))
		f.Errors.Add("code", tooMany(c, wait).Message)
		return again(fiber.StatusTooManyRequests)
	}
	passed, ch, factor, err := s.store.PassLoginChallenge(ctx, c.Cookies(challengeCookie), code)
	if status, msg, reason, ok := codeRefusal(err); ok {
		s.limits.secondFactor.add(ctx, key)
		s.log.Warn("second factor refused", "user_id", u.ID, "reason", reason, "attempt", ch.Attempts,
			"ip_prefix", content.IPPrefix(clientIP(c)), "request_id", requestID(c))
		if errors.Is(err, content.ErrChallengeEnded) {
			return s.challengeGone(c, msg+" Après "+strconv.Itoa(content.LoginChallengeAttempts)+
				" codes refusés, par sécurité, reprenez la connexion depuis le début.")
		}
		f.Errors.Add("code", msg)
		return again(status)
	}
	switch {
	case errors.Is(err, content.ErrChallengeEnded):
		return s.challengeGone(c, "Cette étape de la connexion a expiré : reprenez la connexion depuis le début.")
	case err != nil:
		return err
	}
	c.Cookie(&fiber.Cookie{Name: challengeCookie, Value: "", Path: "/connexion", HTTPOnly: true, Secure: s.secureRequest(c),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(1, 0), MaxAge: -1})
	u = passed
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.log.Info("logged in with a second factor", "user_id", u.ID, "recovery_code", factor.Recovery, "request_id", requestID(c))
	msg := "Bonjour " + u.Pseudo + ", vous êtes connecté·e."
	if factor.Recovery {
		msg += " Vous avez utilisé un code de secours : il vous en reste " + strconv.Itoa(factor.RecoveryLeft) + "."
		if factor.RecoveryLeft <= 3 {
			msg += " Pensez à en créer de nouveaux depuis « Mon compte », rubrique « Double authentification »."
		}
	}
	return s.redirectWithFlash(c, safeReturn(ch.ReturnTo), msg)
}

// twoFactorPage is the member's page of their second factor, in its three
// states: off, enrolling (the key to scan, the first code), on.
type twoFactorPage struct {
	Page
	TwoFactor  *content.TwoFactor // nil when off
	Required   bool               // the member's role demands it
	CanDisable bool
	Secret     string       // grouped for typing, while enrolling
	URI        template.URL // otpauth://, which html/template would refuse as a string
	QR         template.HTML
	Confirm    form
	Renew      form
	Disable    form
}

func (s *Server) twoFactorPage(c *fiber.Ctx) (*twoFactorPage, error) {
	u := currentUser(c)
	p := &twoFactorPage{Page: s.page(c, "Double authentification"), Required: content.TwoFactorRequired(u),
		CanDisable: content.CanDisableTwoFactor(u) == nil, Confirm: emptyForm(), Renew: emptyForm(), Disable: emptyForm()}
	t, err := s.store.TwoFactorOf(c.UserContext(), u.ID)
	if errors.Is(err, content.ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	p.TwoFactor = t
	if !t.Enabled() {
		p.Secret = content.GroupedSecret(t.Secret)
		uri := content.TOTPURI(totpIssuer, u.Pseudo, t.Secret)
		p.URI = template.URL(uri)
		if p.QR, err = qrSVG(uri, "Code QR de la clé, pour votre application d’authentification"); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) handleTwoFactor(c *fiber.Ctx) error {
	p, err := s.twoFactorPage(c)
	if err != nil {
		return err
	}
	return s.render(c, 200, "accounts/two_factor", p)
}

func (s *Server) handleTwoFactorStart(c *fiber.Ctx) error {
	_, err := s.store.StartTwoFactor(c.UserContext(), currentUser(c))
	if errors.Is(err, content.ErrConflict) {
		return s.redirectWithFlash(c, enrolPath, "La double authentification est déjà activée sur votre compte.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(enrolPath+"#etape-scan", fiber.StatusSeeOther)
}

// codeLimited puts the 429 message on f when u typed too many wrong codes
// lately.
func (s *Server) codeLimited(c *fiber.Ctx, u *content.User, f *form) bool {
	if wait := s.limits.secondFactor.wait(c.UserContext(), secondFactorKey(u.ID)); wait > 0 {
		f.Errors.Add("code", tooMany(c, wait).Message)
		return true
	}
	return false
}

func (s *Server) handleTwoFactorConfirm(c *fiber.Ctx) error {
	u := currentUser(c)
	f := emptyForm()
	again := func(status int) error {
		p, err := s.twoFactorPage(c)
		if err != nil {
			return err
		}
		p.Confirm = f
		return s.render(c, status, "accounts/two_factor", p)
	}
	code := strings.TrimSpace(c.FormValue("code"))
	if code == "" {
		f.Errors.Add("code", "Tapez le code à 6 chiffres que votre application affiche pour la Ligue.")
		return again(fiber.StatusUnprocessableEntity)
	}
	if s.codeLimited(c, u, &f) {
		return again(fiber.StatusTooManyRequests)
	}
	codes, err := s.store.ConfirmTwoFactor(c.UserContext(), u, code)
	switch {
	case errors.Is(err, content.ErrCodeWrong):
		s.limits.secondFactor.add(c.UserContext(), secondFactorKey(u.ID))
		s.log.Warn("second factor enrolment: wrong code", "user_id", u.ID, "request_id", requestID(c))
		f.Errors.Add("code", "Ce code ne correspond pas à la clé affichée. Vérifiez que vous avez bien ajouté cette clé-ci "+
			"(pas une ancienne), que votre téléphone est à l’heure, puis tapez le code affiché maintenant.")
		return again(fiber.StatusUnprocessableEntity)
	case errors.Is(err, content.ErrNotFound):
		return s.redirectWithRefusal(c, enrolPath, "Commencez par afficher une clé avec le bouton « Activer la double authentification ».")
	case errors.Is(err, content.ErrConflict):
		return s.redirectWithFlash(c, enrolPath, "La double authentification est déjà activée sur votre compte.")
	case err != nil:
		return err
	}
	s.log.Info("second factor enabled", "user_id", u.ID, "request_id", requestID(c))
	return s.renderRecoveryCodes(c, fiber.StatusCreated, codes, true)
}

type recoveryCodesPage struct {
	Page
	Codes []string
	First bool // right after enrolment
}

// renderRecoveryCodes shows the codes once: they exist nowhere else in clear.
func (s *Server) renderRecoveryCodes(c *fiber.Ctx, status int, codes []string, first bool) error {
	return s.render(c, status, "accounts/recovery_codes", &recoveryCodesPage{Page: s.page(c, "Vos codes de secours"), Codes: codes, First: first})
}

func (s *Server) handleRecoveryCodesRenew(c *fiber.Ctx) error {
	u := currentUser(c)
	f := emptyForm()
	var codes []string
	err := s.hashing(c, func() (err error) {
		codes, err = s.store.RegenerateRecoveryCodes(c.UserContext(), u, c.FormValue("renew_password"))
		return err
	})
	if errors.Is(err, content.ErrNotFound) {
		return s.redirectWithRefusal(c, enrolPath, "La double authentification n’est pas activée : il n’y a pas de codes de secours à remplacer.")
	}
	if err := f.fail(err); err != nil {
		return err
	}
	f.Errors.Rename("current_password", "renew_password")
	if f.HasErrors() {
		p, err := s.twoFactorPage(c)
		if err != nil {
			return err
		}
		p.Renew = f
		return s.render(c, fiber.StatusUnprocessableEntity, "accounts/two_factor", p)
	}
	s.log.Info("recovery codes renewed", "user_id", u.ID, "request_id", requestID(c))
	return s.renderRecoveryCodes(c, fiber.StatusOK, codes, false)
}

func (s *Server) handleTwoFactorDisable(c *fiber.Ctx) error {
	u := currentUser(c)
	f := emptyForm()
	if err := content.CanDisableTwoFactor(u); err != nil {
		v, _ := content.AsValidation(err)
		return &httpError{fiber.StatusForbidden, "forbidden", v.Fields[0].Message}
	}
	status := fiber.StatusUnprocessableEntity
	if strings.TrimSpace(c.FormValue("code")) == "" {
		f.Errors.Add("code", "Tapez le code de votre application, ou un code de secours.")
	} else if s.codeLimited(c, u, &f) {
		status = fiber.StatusTooManyRequests
	} else {
		err := s.hashing(c, func() error {
			return s.store.DisableTwoFactor(c.UserContext(), u, c.FormValue("disable_password"), c.FormValue("code"))
		})
		if errors.Is(err, content.ErrNotFound) {
			return s.redirectWithFlash(c, enrolPath, "La double authentification n’est pas activée sur votre compte.")
		}
		if st, msg, reason, ok := codeRefusal(err); ok {
			s.limits.secondFactor.add(c.UserContext(), secondFactorKey(u.ID))
			s.log.Warn("second factor refused", "user_id", u.ID, "reason", reason, "while", "disabling", "request_id", requestID(c))
			f.Errors.Add("code", msg)
			status = st
		} else if err := f.fail(err); err != nil {
			return err
		}
		f.Errors.Rename("current_password", "disable_password")
	}
	if f.HasErrors() {
		p, err := s.twoFactorPage(c)
		if err != nil {
			return err
		}
		p.Disable = f
		return s.render(c, status, "accounts/two_factor", p)
	}
	s.log.Info("second factor disabled", "user_id", u.ID, "request_id", requestID(c))
	return s.redirectWithFlash(c, enrolPath, "La double authentification est désactivée : votre mot de passe suffit de nouveau pour vous connecter.")
}

// enrolmentOpen lists what a moderator or administrator without a second
// factor may still reach: the enrolment itself, and logging out.
func enrolmentOpen(path string) bool {
	return path == enrolPath || strings.HasPrefix(path, enrolPath+"/") || path == "/deconnexion"
}

// requireTwoFactorEnrolment keeps moderators and administrators who have no
// second factor on the enrolment page until they have one: pages redirect
// there, forms come back kept with the reason, the API answers 403.
func (s *Server) requireTwoFactorEnrolment(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil || !content.TwoFactorRequired(u) || enrolmentOpen(c.Path()) {
		return c.Next()
	}
	on, err := s.store.HasTwoFactor(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	if on {
		return c.Next()
	}
	const why = "Votre rôle demande la double authentification : activez-la depuis « Mon compte », rubrique « Double authentification » (" +
		enrolPath + "), avant toute autre action."
	switch {
	case isAPI(c):
		return &httpError{fiber.StatusForbidden, "two_factor_required", why}
	case c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead:
		return c.Redirect(enrolPath, fiber.StatusSeeOther)
	}
	return s.resubmit(c, fiber.StatusForbidden, "Double authentification requise", why+" Ce que vous aviez saisi est conservé ci-dessous.")
}
