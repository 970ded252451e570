package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The moderation queue (/moderation), its decisions, the journal
// (/moderation/journal) and the decision pages members are sent to.

func (s *Server) moderationRoutes(app *fiber.App) {
	app.Get("/signaler/:type/:id<int>", s.requireMember, s.handleFlagForm)
	app.Post("/signaler/:type/:id<int>", s.requireMember, s.handleFlag)
	app.Get("/decisions/:id<int>", s.requireMember, s.handleDecisionShow)
	app.Get(illegalNoticePath, s.handleIllegalNoticeForm)
	app.Post(illegalNoticePath, s.handleIllegalNotice)

	mod := app.Group("/moderation", s.requireModerator)
	mod.Get("/", s.handleQueue)
	mod.Post("/decisions", s.handleDecide)
	mod.Post("/decisions/:id<int>/confirmer", s.handleSecond)
	mod.Post("/decisions/:id<int>/annuler", s.handleSecond)
	mod.Post("/signalements-illicites/:id<int>/traite", s.handleIllegalNoticeHandled)
	mod.Get("/journal", s.handleJournal)
}

type queuePage struct {
	Page
	Items     []queueItem
	Notices   []noticeView
	Threshold int
	Days      []int
}

type queueItem struct {
	content.QueueItem
	Form      form // this item's decision form, refilled when refused
	CanSecond bool
	Mine      bool // the viewer proposed its decision
	TopicPath string
	CSRF      csrfValue
}

type noticeView struct {
	content.IllegalNotice
	Local string // the address on this site, when it is
	Form  form
	CSRF  csrfValue
}

// queueView builds the queue; refused is the decision form to refill
// (its item keyed by type and ID), if any.
func (s *Server) queueView(c *fiber.Ctx, refused *form, refusedNotice int64) (*queuePage, error) {
	u := currentUser(c)
	items, err := s.store.ModerationQueue(c.UserContext(), u)
	if err != nil {
		return nil, err
	}
	notices, err := s.store.OpenIllegalNotices(c.UserContext(), u)
	if err != nil {
		return nil, err
	}
	p := &queuePage{Page: s.page(c, "Modération"), Threshold: s.store.FlagThreshold(), Days: content.SuspensionDays}
	for _, it := range items {
		v := queueItem{QueueItem: it, Form: emptyForm(), CSRF: s.csrfToken(c)}
		if refused != nil && refused.Get("type") == it.Type && refused.Get("id") == idString(it.ID) {
			v.Form = *refused
		} else if it.Target != nil && it.Target.IsPost() {
			v.Form.Values["body"] = it.Target.Body
		}
		if it.Proposal != nil {
			v.CanSecond = content.CanSecond(u, it.Proposal, true)
			v.Mine = it.Proposal.ModeratorID != nil && *it.Proposal.ModeratorID == u.ID
		}
		if it.Target != nil && it.Target.IsPost() {
			v.TopicPath = strings.SplitN(it.Target.Path, "?", 2)[0]
		}
		p.Items = append(p.Items, v)
	}
	for _, n := range notices {
		v := noticeView{IllegalNotice: n, Local: n.LocalPath(s.cfg.BaseURL), Form: emptyForm(), CSRF: s.csrfToken(c)}
		if refused != nil && refusedNotice == n.ID {
			v.Form = *refused
		}
		p.Notices = append(p.Notices, v)
	}
	return p, nil
}

func (s *Server) handleQueue(c *fiber.Ctx) error {
	p, err := s.queueView(c, nil, 0)
	if err != nil {
		return err
	}
	return s.render(c, 200, "moderation/queue", p)
}

func (s *Server) handleDecide(c *fiber.Ctx) error {
	f := readForm(c, "type", "id", "action", "reason", "body", "days")
	id, _ := strconv.ParseInt(f.Get("id"), 10, 64)
	days, _ := strconv.Atoi(f.Get("days"))
	in := content.DecisionInput{TargetType: f.Get("type"), TargetID: id, Action: content.DecisionAction(f.Get("action")),
		Reason: f.Get("reason"), Body: f.Get("body"), Days: days}
	res, err := s.store.Decide(c.UserContext(), currentUser(c), in)
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		p, err := s.queueView(c, &f, 0)
		if err != nil {
			return err
		}
		p.Flash, p.FlashError = "La décision n’a pas été enregistrée : "+f.Errors.Fields[0].Message, true
		return s.render(c, fiber.StatusUnprocessableEntity, "moderation/queue", p)
	}
	msg := "Décision enregistrée : « " + in.Action.Label() + " ». L’auteur·rice et les membres qui avaient signalé sont prévenus."
	if res.Proposed {
		msg = "C’est le contenu d’un·e modérateur·rice : votre décision « " + in.Action.Label() +
			" » est proposée, et sera appliquée quand un·e second·e modérateur·rice la confirmera."
	}
	return s.redirectWithFlash(c, "/moderation", msg)
}

func (s *Server) handleSecond(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	confirm := strings.HasSuffix(c.Path(), "/confirmer")
	d, err := s.store.SecondDecision(c.UserContext(), currentUser(c), id, confirm)
	if v, ok := content.AsValidation(err); ok {
		return s.redirectWithRefusal(c, "/moderation", v.Fields[0].Message)
	}
	if err != nil {
		return err
	}
	msg := "Proposition annulée : rien n’a été changé."
	if confirm {
		msg = "Décision confirmée et appliquée : « " + d.Action.Label() + " »."
	}
	return s.redirectWithFlash(c, "/moderation", msg)
}

type journalPage struct {
	Page
	Entries    []content.AuditEntry
	Actions    []option
	Action     string
	Actor      string
	TargetType string
	TargetID   string
	Next       string
}

func (s *Server) handleJournal(c *fiber.Ctx) error {
	f := content.AuditFilter{Action: strings.Clone(c.Query("action")), Actor: strings.TrimSpace(strings.Clone(c.Query("moderateur"))),
		TargetType: strings.Clone(c.Query("type"))}
	f.TargetID, _ = strconv.ParseInt(c.Query("id"), 10, 64)
	f.Before, _ = strconv.ParseInt(c.Query("avant"), 10, 64)
	entries, next, err := s.store.AuditLog(c.UserContext(), currentUser(c), f)
	if err != nil {
		return err
	}
	actions, err := s.store.AuditActions(c.UserContext())
	if err != nil {
		return err
	}
	p := &journalPage{Page: s.page(c, "Journal de la modération"), Entries: entries, Action: f.Action, Actor: f.Actor,
		TargetType: f.TargetType, Actions: []option{{"", "Toutes les actions"}}}
	if f.TargetID > 0 {
		p.TargetID = idString(f.TargetID)
	}
	for _, a := range actions {
		p.Actions = append(p.Actions, option{a, a})
	}
	if next > 0 {
		q := c.Request().URI().QueryArgs()
		q.Set("avant", idString(next))
		p.Next = "/moderation/journal?" + string(q.QueryString())
	}
	return s.render(c, 200, "moderation/journal", p)
}

type decisionPage struct {
	Page
	Decision  *content.Decision
	Target    *content.FlagTarget
	Moderator bool // names are shown to moderators only
	About     bool // the viewer is the member it is about
}

func (s *Server) handleDecisionShow(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	u := currentUser(c)
	d, t, err := s.store.DecisionByID(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	return s.render(c, 200, "moderation/decision", &decisionPage{Page: s.page(c, "Décision de la modération"), Decision: d,
		Target: t, Moderator: content.CanModerate(u), About: d.AuthorID == u.ID})
}
