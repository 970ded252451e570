package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The public form for notices of illegal content (Digital Services Act,
// art. 16): anyone, without an account; a receipt by mail; rate limited
// per IP and per address; the notice waits in the moderation queue.

const illegalNoticePath = "/signaler-un-contenu-illicite"

type illegalNoticePage struct {
	Page
	Form form
	Sent bool
}

func (s *Server) handleIllegalNoticeForm(c *fiber.Ctx) error {
	f := emptyForm()
	f.Values["url"] = strings.Clone(c.Query("adresse"))
	if u := currentUser(c); u != nil {
		f.Values["name"], f.Values["email"] = u.Pseudo, u.Email
	}
	return s.render(c, 200, "moderation/illegal", &illegalNoticePage{Page: s.page(c, "Signaler un contenu illicite"), Form: f,
		Sent: c.Query("envoye") == "1"})
}

func (s *Server) handleIllegalNotice(c *fiber.Ctx) error {
	f := readForm(c, "name", "email", "url", "explanation", "good_faith")
	again := func(status int) error {
		return s.render(c, status, "moderation/illegal", &illegalNoticePage{Page: s.page(c, "Signaler un contenu illicite"), Form: f})
	}
	ctx := c.UserContext()
	email := content.NormalizeEmail(f.Get("email"))
	if wait := max(s.limits.noticeIP.wait(ctx, clientIP(c)), s.limits.noticeEmail.wait(ctx, email)); wait > 0 {
		// A script flooding the form: nothing is recorded, the person's text comes back.
		s.log.Warn("illegal content notices rate limited", "ip", clientIP(c), "request_id", requestID(c))
		f.Errors.Add("explanation", tooMany(c, wait).Message+" Votre texte est conservé ci-dessous.")
		return again(fiber.StatusTooManyRequests)
	}
	in := content.IllegalNoticeInput{Name: f.Get("name"), Email: f.Get("email"), URL: f.Get("url"),
		Explanation: f.Get("explanation"), GoodFaith: f.Get("good_faith") == "1"}
	n, err := s.store.SubmitIllegalNotice(ctx, in, s.cfg.BaseURL, s.noticeMail)
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		return again(fiber.StatusUnprocessableEntity)
	}
	s.limits.noticeIP.add(ctx, clientIP(c))
	s.limits.noticeEmail.add(ctx, email)
	s.log.Info("illegal content notice", "notice", n.ID, "request_id", requestID(c))
	return s.redirectWithFlash(c, illegalNoticePath+"?envoye=1", "Merci : votre signalement n° "+idString(n.ID)+
		" est enregistré. Un accusé de réception part à "+n.Email+" ; l’équipe de modération vous écrira sa décision.")
}

// noticeMailView is what the mails to a notice's sender show.
type noticeMailView struct {
	content.IllegalNotice
	FormURL string
}

// noticeMail composes the receipt of a notice, or the decision once handled.
func (s *Server) noticeMail(n *content.IllegalNotice) content.Mail {
	name := "illegal-receipt"
	if n.HandledAt != nil {
		name = "illegal-decision"
	}
	subject, body, err := s.views.Mail(name, noticeMailView{IllegalNotice: *n, FormURL: s.cfg.BaseURL + illegalNoticePath})
	if err != nil {
		panic(err) // a broken template: the tests render every mail
	}
	return content.Mail{To: n.Email, Subject: subject, Body: body, HTML: s.plainHTML(subject, body)}
}

func (s *Server) handleIllegalNoticeHandled(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, "decision")
	if err := f.fail(s.store.HandleIllegalNotice(c.UserContext(), currentUser(c), id, f.Get("decision"), s.noticeMail)); err != nil {
		return err
	}
	if f.HasErrors() {
		p, err := s.queueView(c, &f, id)
		if err != nil {
			return err
		}
		p.Flash, p.FlashError = f.Errors.Fields[0].Message, true
		return s.render(c, fiber.StatusUnprocessableEntity, "moderation/queue", p)
	}
	return s.redirectWithFlash(c, "/moderation", "Signalement traité : la décision est envoyée à son auteur·rice.")
}
