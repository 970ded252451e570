package server

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// « Signaler »: one form (the "flag-form" partial) for every kind of
// content, at /signaler/{type}/{id} — private messages keep their page
// under their conversation (messages.go), which sends the same form.

// flagTypes maps the address's word to the content type.
var flagTypes = map[string]string{
	"post":       content.FlagTargetPost,
	"revision":   content.FlagTargetRevision,
	"amendement": content.FlagTargetAmendment,
	"message":    content.FlagTargetMessage,
}

// flagForm is what the "flag-form" partial shows.
type flagForm struct {
	Form    form
	Action  string // where the form is sent
	Back    string // « Annuler »: back to the content
	Reasons []flagReason
	CSRF    csrfValue
}

type flagReason struct {
	Value, Label, Hint string
	Checked            bool
}

func (s *Server) newFlagForm(c *fiber.Ctx, f form, action, back string) flagForm {
	ff := flagForm{Form: f, Action: action, Back: back, CSRF: s.csrfToken(c)}
	for _, r := range content.FlagReasons {
		ff.Reasons = append(ff.Reasons, flagReason{Value: string(r), Label: r.Label(), Hint: r.Hint(), Checked: f.Get("reason") == string(r)})
	}
	return ff
}

type flagPage struct {
	Page
	Target *content.FlagTarget
	Flag   flagForm
}

func (s *Server) flagTarget(c *fiber.Ctx) (*content.FlagTarget, error) {
	typ, ok := flagTypes[c.Params("type")]
	id, err := paramInt(c, "id")
	if !ok || err != nil {
		return nil, content.ErrNotFound
	}
	return s.store.FlagTargetFor(c.UserContext(), currentUser(c), typ, id)
}

// back is where the flagger returns: the content, or the home page for a
// private message (its page is messages.go's).
func flagBack(t *content.FlagTarget) string {
	if t.Path == "" {
		return "/messages"
	}
	return t.Path
}

func (s *Server) handleFlagForm(c *fiber.Ctx) error {
	t, err := s.flagTarget(c)
	if err != nil {
		return err
	}
	if done, err := s.store.HasFlagged(c.UserContext(), currentUser(c), t.Type, t.ID); err != nil {
		return err
	} else if done {
		return s.redirectWithFlash(c, flagBack(t), "Vous avez déjà signalé ce contenu : l’équipe de modération l’examine, vous serez prévenu·e de sa décision.")
	}
	return s.render(c, 200, "moderation/flag", &flagPage{Page: s.page(c, "Signaler un contenu"), Target: t,
		Flag: s.newFlagForm(c, emptyForm(), c.Path(), flagBack(t))})
}

func (s *Server) handleFlag(c *fiber.Ctx) error {
	t, err := s.flagTarget(c)
	if err != nil {
		return err
	}
	return s.flag(c, t.Type, t.ID, flagBack(t), func(status int, f form) error {
		return s.render(c, status, "moderation/flag", &flagPage{Page: s.page(c, "Signaler un contenu"), Target: t,
			Flag: s.newFlagForm(c, f, c.Path(), flagBack(t))})
	})
}

// flag records the flag the form sent on typ/id; again renders the form
// refused, with its status.
func (s *Server) flag(c *fiber.Ctx, typ string, id int64, back string, again func(status int, f form) error) error {
	f := readForm(c, "reason", "comment")
	u := currentUser(c)
	ctx := c.UserContext()
	if wait := s.limits.flags.wait(ctx, idString(u.ID)); wait > 0 {
		s.log.Warn("flags rate limited", "user", u.ID, "request_id", requestID(c))
		f.Errors.Add("reason", tooMany(c, wait).Message+" Votre commentaire est conservé.")
		return again(fiber.StatusTooManyRequests, f)
	}
	res, err := s.store.FlagContent(ctx, u, content.FlagInput{Type: typ, ID: id, Reason: content.FlagReason(f.Get("reason")),
		Comment: f.Get("comment")})
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		status := fiber.StatusUnprocessableEntity
		if f.Error("reason") != "" && err != nil && f.Get("reason") != "" && content.FlagReason(f.Get("reason")).Valid() {
			status = fiber.StatusConflict // flagged twice, or one's own
		}
		return again(status, f)
	}
	s.limits.flags.add(ctx, idString(u.ID))
	msg := "Merci : le contenu est signalé à l’équipe de modération. Vous serez prévenu·e de sa décision."
	if res.Held {
		msg = "Merci : le contenu est masqué dès maintenant, en attendant l’examen de l’équipe de modération. Vous serez prévenu·e de sa décision."
	}
	return s.redirectWithFlash(c, back, msg)
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }

// apiFlagRoutes: POST /api/v1/signalements flags a content as the form does.
func (s *Server) apiFlagRoutes(api fiber.Router) {
	api.Post("/signalements", s.requireMember, s.handleAPIFlag)
}

func (s *Server) handleAPIFlag(c *fiber.Ctx) error {
	var in struct {
		Type    string `json:"type" form:"type"` // post, revision, amendement, message
		ID      int64  `json:"id" form:"id"`
		Reason  string `json:"reason" form:"reason"`
		Comment string `json:"comment" form:"comment"`
	}
	if err := c.BodyParser(&in); err != nil {
		return errBadJSON
	}
	typ, ok := flagTypes[in.Type]
	if !ok {
		return &httpError{fiber.StatusUnprocessableEntity, "invalid", "« type » vaut post, revision, amendement ou message."}
	}
	u := currentUser(c)
	if wait := s.limits.flags.wait(c.UserContext(), idString(u.ID)); wait > 0 {
		return tooMany(c, wait)
	}
	res, err := s.store.FlagContent(c.UserContext(), u, content.FlagInput{Type: typ, ID: in.ID, Reason: content.FlagReason(in.Reason),
		Comment: in.Comment})
	if err != nil {
		return err
	}
	s.limits.flags.add(c.UserContext(), idString(u.ID))
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"held": res.Held})
}
