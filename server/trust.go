package server

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Trust and abuse: the posts waiting for review (/moderation/attente for
// moderators, /compte/en-attente for their authors), vouching for a new
// member from their page, and the answers of screening (held, too soon).

func (s *Server) trustRoutes(app *fiber.App) {
	app.Get("/moderation/attente", s.requireModerator, s.handleHeldQueue)
	app.Post("/moderation/attente/:id<int>/publier", s.requireModerator, s.handleHeldApprove)
	app.Post("/moderation/attente/:id<int>/refuser", s.requireModerator, s.handleHeldRefuse)
	app.Get(content.MyHeldPath, s.requireMember, s.handleMyHeld)
	app.Post("/membres/:pseudo/garant", s.requireMember, s.handleVouch)
	app.Post("/charte", s.requireMember, s.handleCharterAccept)
}

// heldMessage tells the author why their post waits, in French.
func heldMessage(h *content.HeldPost) string {
	switch h.Reason {
	case content.HoldLinks:
		return "Merci ! Votre message contient beaucoup de liens : l’équipe de modération le relit avant de le publier. " +
			"Il est en attente de relecture ; vous seul·e le voyez pour l’instant."
	case content.HoldRepeated:
		return "Merci ! Votre message reprend un texte déjà envoyé : l’équipe de modération le relit avant de le publier. " +
			"Il est en attente de relecture ; vous seul·e le voyez pour l’instant."
	}
	return "Merci ! Sur la Ligue, les " + strconv.Itoa(content.HeldFirstPosts) + " premiers messages d’un nouveau membre " +
		"sont relus par l’équipe de modération avant d’être publiés. Le vôtre est en attente de relecture : " +
		"vous seul·e le voyez pour l’instant, et vous serez prévenu·e dès qu’il sera publié."
}

// answerHeld answers a topic or reply held for review: the API with 202
// and the held post, a page with a redirect to where its author sees it.
func (s *Server) answerHeld(c *fiber.Ctx, h *content.HeldPost) error {
	if isAPI(c) {
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"held": fiber.Map{
			"id": h.ID, "reason": h.Reason, "created_at": h.CreatedAt, "body": h.Body, "message": heldMessage(h)}})
	}
	to := content.MyHeldPath + "#" + h.Anchor()
	if !h.IsTopic() {
		t, err := s.store.TopicByID(c.UserContext(), currentUser(c), *h.TopicID)
		if err != nil {
			return err
		}
		to = t.Path() + "?page=" + strconv.Itoa(pageCount(t.PostCount, content.PostsPerPage)) + "#" + h.Anchor()
	}
	return s.redirectWithFlash(c, to, heldMessage(h))
}

// setRetryAfter tells a client refused by a limit when to come back.
func (s *Server) setRetryAfter(c *fiber.Ctx, err error) {
	var tooSoon *content.TooSoonError
	if errors.As(err, &tooSoon) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((tooSoon.Wait+time.Second-1)/time.Second)))
	}
}

type heldQueuePage struct {
	Page
	Held    []content.HeldPost
	Total   int
	Pager   pager
	Refusal form // the refusal form sent back, with its error
	Refused int64
}

func (s *Server) heldQueue(c *fiber.Ctx, f form, refused int64, status int) error {
	n := pageNumber(c)
	hs, total, err := s.store.HeldQueue(c.UserContext(), currentUser(c), n)
	if err != nil {
		return err
	}
	p := &heldQueuePage{Page: s.page(c, "Messages en attente de relecture"), Held: hs, Total: total,
		Pager: newPager(c, n, total, content.HeldPerPage), Refusal: f, Refused: refused}
	if n > p.Pager.Pages {
		return content.ErrNotFound
	}
	return s.render(c, status, "moderation/held", p)
}

func (s *Server) handleHeldQueue(c *fiber.Ctx) error {
	return s.heldQueue(c, emptyForm(), 0, fiber.StatusOK)
}

func (s *Server) handleHeldApprove(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.ApproveHeld(c.UserContext(), currentUser(c), id); err != nil {
		return s.afterAction(c, err, "/moderation/attente", "")
	}
	return s.redirectWithFlash(c, "/moderation/attente", "Le message est publié : son auteur ou autrice en est prévenu·e, "+
		"comme les membres qui suivent la discussion.")
}

func (s *Server) handleHeldRefuse(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, "raison")
	err = s.store.RefuseHeld(c.UserContext(), currentUser(c), id, f.Get("raison"))
	if v, ok := content.AsValidation(err); ok && v.Get("raison") != "" {
		f.fail(err)
		return s.heldQueue(c, f, id, fiber.StatusUnprocessableEntity)
	}
	if err != nil {
		return s.afterAction(c, err, "/moderation/attente", "")
	}
	return s.redirectWithFlash(c, "/moderation/attente", "Le message est refusé : son auteur ou autrice est prévenu·e, avec la raison.")
}

type myHeldPage struct {
	Page
	Held []content.HeldPost
}

func (s *Server) handleMyHeld(c *fiber.Ctx) error {
	hs, err := s.store.HeldBy(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return s.render(c, 200, "accounts/held", &myHeldPage{Page: s.page(c, "Mes messages en attente"), Held: hs})
}

// handleVouch: the viewer vouches for the member of the page.
func (s *Server) handleVouch(c *fiber.Ctx) error {
	m, err := s.store.UserByPseudo(c.UserContext(), c.Params("pseudo"))
	if err != nil {
		return err
	}
	back := "/membres/" + url.PathEscape(m.Pseudo)
	n, err := s.store.Vouch(c.UserContext(), currentUser(c), m.ID)
	if errors.Is(err, content.ErrForbidden) && !errors.Is(err, content.ErrSuspended) {
		return s.redirectWithRefusal(c, back, "Seuls les modérateurs et les membres de confiance se portent garant·es, "+
			"et seulement pour un nouveau membre.")
	}
	if err != nil {
		return err
	}
	msg := "Vous vous portez garant·e de " + m.Pseudo + " : ses messages sont désormais publiés sans relecture."
	if n > 0 {
		msg += " " + strconv.Itoa(n) + " message" + plural(n) + " en attente " + pluralVerb(n, "vient", "viennent") + " d’être publié" + plural(n) + "."
	}
	return s.redirectWithFlash(c, back, msg)
}

func pluralVerb(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// memberTrust fills what the member's page says of trust: their level, who
// vouched for them, and whether the viewer may vouch for them.
func (s *Server) memberTrust(c *fiber.Ctx, p *memberPage) error {
	ctx := c.UserContext()
	var err error
	if p.Trust, err = s.store.Trust(ctx, p.Member); err != nil {
		return err
	}
	if v, err := s.store.VouchFor(ctx, p.Member.ID); err == nil {
		p.VouchedBy = v
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	if u := currentUser(c); u != nil && p.Trust == content.TrustNew {
		level, err := s.store.Trust(ctx, u)
		if err != nil {
			return err
		}
		p.CanVouch = content.CanVouch(u, level, p.Member, p.Trust)
	}
	return nil
}

// Charter.

type charterPage struct {
	Page
	Version  int
	Date     string
	Accepted *time.Time // when the member accepted this version
	Return   string     // where to go once accepted
	Trust    content.TrustLevel
	// For the trust levels' section.
	HeldFirst, TrustedDays, TrustedPosts, TrustedAccepted, HoldLinks, MaxLinks int
}

func (s *Server) charterPage(c *fiber.Ctx) (*charterPage, error) {
	p := &charterPage{Page: s.page(c, "Charte de la Ligue"), Version: content.CharterVersion, Date: content.CharterDate,
		Return: safeReturn(c.Query("retour", "/")), HeldFirst: content.HeldFirstPosts,
		TrustedDays: int(content.TrustedAge / (24 * time.Hour)), TrustedPosts: content.TrustedPosts,
		TrustedAccepted: content.TrustedAccepted, HoldLinks: content.HoldLinksOver, MaxLinks: content.MaxLinks}
	if p.User != nil {
		var err error
		if p.Accepted, err = s.store.CharterAccepted(c.UserContext(), p.User); err != nil {
			return nil, err
		}
		if p.Trust, err = s.store.Trust(c.UserContext(), p.User); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) handleCharter(c *fiber.Ctx) error {
	p, err := s.charterPage(c)
	if err != nil {
		return err
	}
	return s.render(c, 200, "pages/charter", p)
}

func (s *Server) handleCharterAccept(c *fiber.Ctx) error {
	if c.FormValue("charte_acceptee") != strconv.Itoa(content.CharterVersion) {
		return s.redirectWithRefusal(c, "/charte#accepter", "Cochez la case pour dire que vous acceptez la charte.")
	}
	if err := s.store.AcceptCharter(c.UserContext(), currentUser(c)); err != nil {
		return err
	}
	return s.redirectWithFlash(c, safeReturn(c.FormValue("retour", "/")), "Merci : vous avez accepté la charte de la Ligue.")
}

// charterFree are the writes allowed before accepting a new charter:
// leaving, accepting it, one's account and data, drafts (which keep what
// was typed), previews and notifications read.
var charterFree = []string{"/deconnexion", "/charte", "/compte", "/verification", "/brouillons", "/composer/",
	"/notifications", "/api/v1/notifications", "/desabonnement"}

// requireCharter asks a member who has not accepted the charter in force to
// accept it before their next write: the API answers 403 (code "charter"),
// a page shows the charter with what was typed, ready to send once the
// box is ticked — the same request then goes through.
func (s *Server) requireCharter(c *fiber.Ctx) error {
	u := currentUser(c)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if u == nil || content.CanWrite(u) != nil {
		return c.Next() // refused further on, for its own reason
	}
	for _, free := range charterFree {
		if c.Path() == free || strings.HasPrefix(c.Path(), strings.TrimSuffix(free, "/")+"/") {
			return c.Next()
		}
	}
	at, err := s.store.CharterAccepted(c.UserContext(), u)
	if err != nil {
		return err
	}
	if at != nil {
		return c.Next()
	}
	if !isAPI(c) && c.FormValue("charte_acceptee") == strconv.Itoa(content.CharterVersion) {
		if err := s.store.AcceptCharter(c.UserContext(), u); err != nil {
			return err
		}
		return c.Next()
	}
	if isAPI(c) {
		return c.Status(fiber.StatusForbidden).JSON(fiber.Map{"error": fiber.Map{"code": "charter",
			"message": charterChanged + " Rendez-vous sur /charte ; rien n’a été enregistré."}})
	}
	return s.askCharter(c, fiber.StatusForbidden, safeReturn(c.OriginalURL()), resubmitFields(c))
}

const charterChanged = "La charte de la Ligue a changé depuis votre inscription : lisez-la et acceptez-la avant de publier."

// askCharter shows the charter with the fields of a form refused for it,
// to send again to action with the box ticked.
func (s *Server) askCharter(c *fiber.Ctx, status int, action string, fields []resubmitField) error {
	p, err := s.charterPage(c)
	if err != nil {
		return err
	}
	p.Title = "La charte a changé"
	return s.render(c, status, "pages/charter_accept", &charterAcceptPage{charterPage: p,
		Action: action, Message: charterChanged + " Rien n’est perdu : ce que vous aviez saisi est conservé ci-dessous.",
		Fields: fields})
}

type charterAcceptPage struct {
	*charterPage
	Action  string
	Message string
	Fields  []resubmitField
}
