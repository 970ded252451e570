package server

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The member's own pages under /compte: profile, password, e-mail, API tokens.

type accountPage struct {
	Page
	Profile  form
	Password form
	Email    form
	Metiers  []option
}

func (s *Server) accountPage(c *fiber.Ctx) *accountPage {
	u := currentUser(c)
	profile := emptyForm()
	profile.Values["structure"] = u.Structure
	profile.Values["departement"] = u.DepartementLabel()
	profile.Values["metier"] = u.Metier
	return &accountPage{Page: s.page(c, "Mon compte"), Profile: profile, Password: emptyForm(), Email: emptyForm(), Metiers: metierOptions()}
}

func (s *Server) handleAccount(c *fiber.Ctx) error {
	return s.render(c, 200, "accounts/account", s.accountPage(c))
}

func (s *Server) handleProfileUpdate(c *fiber.Ctx) error {
	u := currentUser(c)
	f := readForm(c, "structure", "departement", "metier")
	err := s.store.UpdateProfile(c.UserContext(), u.ID, content.Profile{Structure: f.Get("structure"),
		Departement: f.Get("departement"), Metier: f.Get("metier")})
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		p := s.accountPage(c)
		p.Profile = f
		return s.render(c, 422, "accounts/account", p)
	}
	return s.redirectWithFlash(c, "/compte", "Votre profil est enregistré.")
}

func (s *Server) handlePasswordChange(c *fiber.Ctx) error {
	u := currentUser(c)
	f := emptyForm()
	err := s.hashing(c, func() error {
		return s.store.ChangePassword(c.UserContext(), u, c.FormValue("current_password"), c.FormValue("password"), c.Cookies(sessionCookie))
	})
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		p := s.accountPage(c)
		p.Password = f
		return s.render(c, 422, "accounts/account", p)
	}
	return s.redirectWithFlash(c, "/compte", "Votre mot de passe est changé. Vos autres sessions ont été fermées et vos jetons d’API révoqués.")
}

func (s *Server) handleEmailChange(c *fiber.Ctx) error {
	u := currentUser(c)
	f := readForm(c, "email")
	if wait := s.limits.resetAccount.wait(c.UserContext(), "email:"+u.Email); wait > 0 {
		return tooMany(c, wait)
	}
	err := s.hashing(c, func() error {
		return s.store.RequestEmailChange(c.UserContext(), u, c.FormValue("email_password"), f.Get("email"),
			func(u *content.User, newEmail, token string) content.Mail {
				return s.mail(newEmail, "email", linkMail{Pseudo: u.Pseudo, URL: s.cfg.BaseURL + "/compte/courriel/confirmer?jeton=" + token})
			})
	})
	if err := f.fail(err); err != nil {
		return err
	}
	f.Errors.Rename("current_password", "email_password") // this page has two password fields
	if f.HasErrors() {
		p := s.accountPage(c)
		p.Email = f
		return s.render(c, 422, "accounts/account", p)
	}
	s.limits.resetAccount.add(c.UserContext(), "email:"+u.Email) // mails sent, not attempts, are limited
	s.mailer.poke()
	return s.redirectWithFlash(c, "/compte", "Un lien de confirmation a été envoyé à "+strings.TrimSpace(f.Get("email"))+
		". Votre adresse actuelle reste valable jusqu’à ce que vous l’ouvriez.")
}

const emailDeadLink = "Ce lien de changement d’adresse n’est plus valable (déjà utilisé, ou plus de 24 heures). " +
	"Refaites la demande depuis votre compte."

func (s *Server) handleEmailConfirmForm(c *fiber.Ctx) error {
	token := strings.Clone(c.Query("jeton"))
	if err := s.store.CheckToken(c.UserContext(), token, content.PurposeEmail); err != nil {
		return s.linkProblem(c, err, emailDeadLink)
	}
	return s.render(c, 200, "accounts/email_confirm", &accountFormPage{Page: s.page(c, "Confirmer ma nouvelle adresse"),
		Form: emptyForm(), Token: token})
}

func (s *Server) handleEmailConfirm(c *fiber.Ctx) error {
	u, err := s.store.ConfirmEmailChange(c.UserContext(), c.FormValue("jeton"), func(before *content.User, newEmail, token string) content.Mail {
		return s.mail(before.Email, "email-undo", linkMail{Pseudo: before.Pseudo, Address: newEmail,
			URL: s.cfg.BaseURL + "/courriel/annuler?jeton=" + token})
	})
	if err != nil {
		if v, ok := content.AsValidation(err); ok {
			return &httpError{409, "conflict", v.Get("email")}
		}
		return s.linkProblem(c, err, emailDeadLink)
	}
	s.mailer.poke()
	return s.redirectWithFlash(c, "/compte", "Votre adresse est maintenant "+u.Email+". Votre ancienne adresse en est prévenue.")
}

const emailUndoDeadLink = "Ce lien n’est plus valable (déjà utilisé, ou plus de 14 jours). Si quelqu’un d’autre a pris " +
	"votre compte, écrivez à l’équipe de la Ligue."

func (s *Server) handleEmailUndoForm(c *fiber.Ctx) error {
	token := strings.Clone(c.Query("jeton"))
	if err := s.store.CheckToken(c.UserContext(), token, content.PurposeEmailUndo); err != nil {
		return s.linkProblem(c, err, emailUndoDeadLink)
	}
	return s.render(c, 200, "accounts/email_undo", &accountFormPage{Page: s.page(c, "Rétablir mon ancienne adresse"),
		Form: emptyForm(), Token: token})
}

func (s *Server) handleEmailUndo(c *fiber.Ctx) error {
	u, err := s.store.UndoEmailChange(c.UserContext(), c.FormValue("jeton"))
	if err != nil {
		if _, ok := content.AsValidation(err); ok {
			return &httpError{409, "conflict", "Cette adresse est entre-temps utilisée par un autre compte : écrivez à l’équipe de la Ligue."}
		}
		return s.linkProblem(c, err, emailUndoDeadLink)
	}
	s.clearCookie(c, sessionCookie)
	return s.redirectWithFlash(c, "/mot-de-passe-oublie", "Votre adresse "+u.Email+" est rétablie et toutes les sessions de votre compte "+
		"sont fermées. Choisissez maintenant un nouveau mot de passe : indiquez votre adresse ci-dessous.")
}

type tokensPage struct {
	Page
	Tokens   []content.APIToken
	Form     form
	NewToken string // shown once, right after creation
}

func (s *Server) tokensPage(c *fiber.Ctx) (*tokensPage, error) {
	tokens, err := s.store.APITokens(c.UserContext(), currentUser(c).ID)
	return &tokensPage{Page: s.page(c, "Mes jetons d’API"), Tokens: tokens, Form: emptyForm()}, err
}

func (s *Server) handleTokens(c *fiber.Ctx) error {
	p, err := s.tokensPage(c)
	if err != nil {
		return err
	}
	return s.render(c, 200, "accounts/tokens", p)
}

func (s *Server) handleTokenCreate(c *fiber.Ctx) error {
	f := readForm(c, "name")
	value, _, err := s.store.CreateAPIToken(c.UserContext(), currentUser(c), f.Get("name"))
	if err := f.fail(err); err != nil {
		return err
	}
	p, err := s.tokensPage(c)
	if err != nil {
		return err
	}
	if f.HasErrors() {
		p.Form = f
		return s.render(c, 422, "accounts/tokens", p)
	}
	// Rendered rather than redirected: the value exists nowhere else.
	p.NewToken = value
	return s.render(c, fiber.StatusCreated, "accounts/tokens", p)
}

func (s *Server) handleTokenRevoke(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.RevokeAPIToken(c.UserContext(), currentUser(c).ID, id); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/compte/jetons", "Le jeton est révoqué : il ne fonctionne plus.")
}

type memberPage struct {
	Page
	Member    *content.User
	Mercis    int
	Activity  *content.Activity
	SearchURL string // every post of the member, through search
	// Private messages: whether the viewer may write to or block the
	// member, and has blocked them.
	CanMessage, CanBlock, Blocked bool
	// Trust (trust.go): the member's level, who vouched for them, whether
	// the viewer may.
	Trust     content.TrustLevel
	VouchedBy *content.Vouch
	CanVouch  bool
}

func (s *Server) handleMemberShow(c *fiber.Ctx) error {
	if content.IsFormerMember(c.Params("pseudo")) {
		return s.render(c, 200, "accounts/former_member", &struct{ Page }{s.page(c, content.FormerMemberPseudo)})
	}
	m, err := s.store.UserByPseudo(c.UserContext(), c.Params("pseudo"))
	if err != nil {
		return err
	}
	if !content.CanSeeMember(currentUser(c), m) {
		return content.ErrNotFound
	}
	if m.Pseudo != c.Params("pseudo") {
		return c.Redirect(canonical(c, "/membres/"+url.PathEscape(m.Pseudo)), fiber.StatusMovedPermanently)
	}
	mercis, err := s.store.MercisReceived(c.UserContext(), m.ID)
	if err != nil {
		return err
	}
	activity, err := s.store.MemberActivity(c.UserContext(), currentUser(c), m.ID)
	if err != nil {
		return err
	}
	p := &memberPage{Page: s.page(c, m.Pseudo), Member: m, Mercis: mercis, Activity: activity,
		SearchURL: "/recherche?" + url.Values{"auteur": {m.Pseudo}, "tri": {"recent"}}.Encode()}
	if u := currentUser(c); u != nil && u.ID != m.ID {
		p.CanMessage, p.CanBlock = content.CanWrite(u) == nil && !m.Suspended(), content.CanBlock(u, m) == nil
		if p.Blocked, err = s.store.HasBlocked(c.UserContext(), u, m.ID); err != nil {
			return err
		}
	}
	if err := s.memberTrust(c, p); err != nil {
		return err
	}
	return s.render(c, 200, "accounts/member", p)
}
