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

// Private messages: the list of a member's conversations, a new one, a
// conversation with its reply form, leaving it, adding members, reporting
// one message. Anybody outside a conversation gets the 404 of a page that
// does not exist, moderators and administrators included.

func (s *Server) messageRoutes(app *fiber.App) {
	app.Get("/messages", s.requireMember, s.handleConversations)
	app.Get("/messages/nouveau", s.requireMember, s.handleConversationNewForm)
	app.Post("/messages/nouveau", s.requireMember, s.handleConversationCreate)
	app.Get("/messages/bloques", s.requireMember, s.handleBlocks)
	app.Post("/messages/bloques", s.requireMember, s.handleBlock)
	app.Post("/messages/bloques/retirer", s.requireMember, s.handleBlock)
	app.Get("/messages/:id<int>", s.requireMember, s.handleConversationShow)
	app.Post("/messages/:id<int>/reponses", s.requireMember, s.handleConversationReply)
	app.Post("/messages/:id<int>/participants", s.requireMember, s.handleConversationAdd)
	app.Post("/messages/:id<int>/quitter", s.requireMember, s.handleConversationLeave)
	app.Get("/messages/:id<int>/signaler/:n<int>", s.requireMember, s.handleMessageReportForm)
	app.Post("/messages/:id<int>/signaler/:n<int>", s.requireMember, s.handleMessageReport)
	// The reported messages' former queue: they are in the one queue now.
	app.Get("/moderation/messages", func(c *fiber.Ctx) error { return c.Redirect("/moderation", fiber.StatusMovedPermanently) })
}

type conversationsPage struct {
	Page
	Conversations []content.Conversation
	Pager         pager
}

func (s *Server) handleConversations(c *fiber.Ctx) error {
	n := pageNumber(c)
	list, total, err := s.store.Conversations(c.UserContext(), currentUser(c), n)
	if err != nil {
		return err
	}
	p := &conversationsPage{Page: s.page(c, "Messages"), Conversations: list, Pager: newPager(c, n, total, content.ConversationsPerPage)}
	if n > p.Pager.Pages {
		return content.ErrNotFound
	}
	return s.render(c, 200, "messages/list", p)
}

type newConversationPage struct {
	Page
	Form form
}

var newConversationFields = []string{"participants", "title", "body"}

func (s *Server) handleConversationNewForm(c *fiber.Ctx) error {
	f := emptyForm()
	if d, err := s.store.DraftAt(c.UserContext(), currentUser(c), content.DraftNewMessage); err == nil {
		f.Values["participants"], f.Values["title"], f.Values["body"] = d.Fields.Participants, d.Title, d.Body
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	if to := c.Query("a"); to != "" && f.Get("participants") == "" {
		f.Values["participants"] = strings.Clone(to)
	}
	return s.render(c, 200, "messages/new", &newConversationPage{Page: s.page(c, "Nouveau message"), Form: f})
}

func (s *Server) handleConversationCreate(c *fiber.Ctx) error {
	u := currentUser(c)
	f := readForm(c, newConversationFields...)
	page := func(status int) error {
		return s.render(c, status, "messages/new", &newConversationPage{Page: s.page(c, "Nouveau message"), Form: f})
	}
	switch c.FormValue("action") {
	case "joindre":
		if err := s.attach(c, &f); err != nil {
			return err
		}
		return page(attachStatus(f))
	case "apercu":
		if err := s.preview(c, &f); err != nil {
			return err
		}
		return page(attachStatus(f))
	case "brouillon":
		return s.saveDraft(c, f, content.Draft{Place: content.DraftNewMessage, Title: f.Get("title"), Body: f.Get("body"),
			Fields: content.DraftFields{Participants: f.Get("participants")}}, "/messages/nouveau")
	}
	if wait := s.limits.conversations.wait(c.UserContext(), userKey(u)); wait > 0 {
		f.Errors.Add("body", tooManyMessages(c, wait))
		return page(fiber.StatusTooManyRequests)
	}
	conv, err := s.store.StartConversation(c.UserContext(), u, content.NewConversation{Participants: f.Get("participants"),
		Title: f.Get("title"), Body: f.Get("body")})
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return page(fiber.StatusUnprocessableEntity)
	}
	s.limits.conversations.add(c.UserContext(), userKey(u))
	return s.redirectWithFlash(c, conv.Path(), "Votre message est envoyé.")
}

func userKey(u *content.User) string { return strconv.FormatInt(u.ID, 10) }

// tooManyMessages says, in French, how long to wait before sending again.
func tooManyMessages(c *fiber.Ctx, wait time.Duration) string {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
	minutes := int(wait.Minutes()) + 1
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return "Vous avez envoyé beaucoup de messages en peu de temps : attendez " + strconv.Itoa(minutes) + "\u00a0" + unit +
		" avant d’en envoyer un autre. Votre texte est conservé ci-dessous."
}

type conversationPage struct {
	Page
	Conversation *content.ConversationPage
	Reply        form
	Add          form
	Pager        pager
	FirstUnread  int
}

// conversationView loads conversation id of the URL for the viewer; a
// stranger to it gets ErrNotFound.
func (s *Server) conversationView(c *fiber.Ctx, page int) (*content.ConversationPage, error) {
	id, err := paramInt(c, "id")
	if err != nil {
		return nil, err
	}
	return s.store.ConversationFor(c.UserContext(), currentUser(c), id, page)
}

func (s *Server) renderConversation(c *fiber.Ctx, status int, conv *content.ConversationPage, reply, add form) error {
	p := &conversationPage{Page: s.page(c, conv.Title), Conversation: conv, Reply: reply, Add: add,
		Pager: newPager(c, conv.Page, conv.LastNumber, content.MessagesPerPage)}
	if conv.Unread > 0 {
		p.FirstUnread = conv.Me.LastRead + 1
	}
	return s.render(c, status, "messages/show", p)
}

// handleConversationShow shows a conversation and marks it read (and what
// the member was told about it) up to its last message shown.
func (s *Server) handleConversationShow(c *fiber.Ctx) error {
	conv, err := s.conversationView(c, queryNumber(c, "page"))
	if err != nil {
		return err
	}
	reply := emptyForm()
	if d, err := s.store.DraftAt(c.UserContext(), currentUser(c), content.DraftMessageReply(conv.ID)); err == nil {
		reply.Values["body"] = d.Body
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	if n := len(conv.Messages); n > 0 {
		// Before rendering, so the header counts what is left unread; conv
		// keeps what was new, for the page. One short write, and only when
		// there was something new.
		if err := s.store.MarkConversationRead(c.UserContext(), currentUser(c), conv.ID, conv.Messages[n-1].Number); err != nil {
			return err
		}
	}
	return s.renderConversation(c, 200, conv, reply, emptyForm())
}

func (s *Server) handleConversationReply(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, "body")
	if answered, err := s.leftRefusal(c, id, f); answered || err != nil {
		return err
	}
	conv, err := s.store.ConversationFor(c.UserContext(), u, id, 0)
	if err != nil {
		return err
	}
	switch c.FormValue("action") {
	case "brouillon":
		return s.saveDraft(c, f, content.Draft{Place: content.DraftMessageReply(id), Body: f.Get("body")}, conv.Path()+"#reponse")
	case "joindre":
		if err := s.attach(c, &f); err != nil {
			return err
		}
		return s.renderConversation(c, attachStatus(f), conv, f, emptyForm())
	case "apercu":
		if err := s.preview(c, &f); err != nil {
			return err
		}
		return s.renderConversation(c, attachStatus(f), conv, f, emptyForm())
	}
	if wait := s.limits.messages.wait(c.UserContext(), userKey(u)); wait > 0 {
		f.Errors.Add("body", tooManyMessages(c, wait))
		return s.renderConversation(c, fiber.StatusTooManyRequests, conv, f, emptyForm())
	}
	m, err := s.store.ReplyInConversation(c.UserContext(), u, id, f.Get("body"))
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.renderConversation(c, fiber.StatusUnprocessableEntity, conv, f, emptyForm())
	}
	s.limits.messages.add(c.UserContext(), userKey(u))
	return s.redirectWithFlash(c, conv.Path()+"?page="+strconv.Itoa((m.Number-1)/content.MessagesPerPage+1)+"#"+m.Anchor(),
		"Votre réponse est envoyée.")
}

type leftPage struct {
	Page
	Body string
}

// leftRefusal answers a form sent in a conversation the member has left:
// 403, saying so, with the text typed, which is not sent. It tells
// whether it answered.
func (s *Server) leftRefusal(c *fiber.Ctx, id int64, f form) (bool, error) {
	me, err := s.store.Membership(c.UserContext(), currentUser(c), id)
	if err != nil || me == nil || me.LeftAt == nil {
		return false, err
	}
	return true, s.render(c, fiber.StatusForbidden, "messages/left", &leftPage{Page: s.page(c, "Conversation quittée"), Body: f.Get("body")})
}

func (s *Server) handleConversationLeave(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.LeaveConversation(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/messages", "Vous avez quitté la conversation : elle n’apparaît plus dans vos messages.")
}

func (s *Server) handleConversationAdd(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, "participants")
	if answered, err := s.leftRefusal(c, id, f); answered || err != nil {
		return err
	}
	conv, err := s.store.ConversationFor(c.UserContext(), currentUser(c), id, 0)
	if err != nil {
		return err
	}
	added, err := s.store.AddToConversation(c.UserContext(), currentUser(c), id, f.Get("participants"))
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.renderConversation(c, fiber.StatusUnprocessableEntity, conv, emptyForm(), f)
	}
	msg := "Le membre est ajouté à la conversation."
	if added > 1 {
		msg = strconv.Itoa(added) + " membres sont ajoutés à la conversation."
	}
	return s.redirectWithFlash(c, conv.Path(), msg)
}

type messageReportPage struct {
	Page
	Conversation *content.ConversationPage
	Message      *content.Message
	Flag         flagForm
}

// reportTarget finds message n of the conversation of the URL, for one of
// its members.
func (s *Server) reportTarget(c *fiber.Ctx) (*content.ConversationPage, *content.Message, error) {
	n, err := paramInt(c, "n")
	if err != nil {
		return nil, nil, err
	}
	conv, err := s.conversationView(c, int((n-1)/content.MessagesPerPage+1))
	if err != nil {
		return nil, nil, err
	}
	for i := range conv.Messages {
		if int64(conv.Messages[i].Number) == n {
			return conv, &conv.Messages[i], nil
		}
	}
	return nil, nil, content.ErrNotFound
}

// Reporting a private message is flagging it (flags.go), from a page that
// shows it within its conversation's breadcrumb.
func (s *Server) handleMessageReportForm(c *fiber.Ctx) error {
	conv, m, err := s.reportTarget(c)
	if err != nil {
		return err
	}
	return s.render(c, 200, "messages/report", &messageReportPage{Page: s.page(c, "Signaler un message"), Conversation: conv,
		Message: m, Flag: s.newFlagForm(c, emptyForm(), c.Path(), conv.Path()+"#"+m.Anchor())})
}

func (s *Server) handleMessageReport(c *fiber.Ctx) error {
	conv, m, err := s.reportTarget(c)
	if err != nil {
		return err
	}
	back := conv.Path() + "#" + m.Anchor()
	return s.flag(c, content.FlagTargetMessage, m.ID, back, func(status int, f form) error {
		return s.render(c, status, "messages/report", &messageReportPage{Page: s.page(c, "Signaler un message"),
			Conversation: conv, Message: m, Flag: s.newFlagForm(c, f, c.Path(), back)})
	})
}

type blocksPage struct {
	Page
	Blocked []content.BlockedMember
	Form    form
}

func (s *Server) handleBlocks(c *fiber.Ctx) error { return s.renderBlocks(c, 200, emptyForm()) }

func (s *Server) renderBlocks(c *fiber.Ctx, status int, f form) error {
	bs, err := s.store.BlockedMembers(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return s.render(c, status, "messages/blocks", &blocksPage{Page: s.page(c, "Membres bloqués"), Blocked: bs, Form: f})
}

// handleBlock blocks the member of the pseudo field, or unblocks them
// (/messages/bloques/retirer: one click, its own address), from the list or
// from the member's page (retour=membre).
func (s *Server) handleBlock(c *fiber.Ctx) error {
	f := readForm(c, "pseudo")
	pseudo := strings.TrimPrefix(strings.TrimSpace(f.Get("pseudo")), "@")
	block := !strings.HasSuffix(c.Path(), "/retirer")
	if pseudo == "" {
		f.Errors.Add("pseudo", "Indiquez le pseudo du membre dont vous ne voulez plus recevoir de messages.")
		return s.renderBlocks(c, fiber.StatusUnprocessableEntity, f)
	}
	m, err := s.store.UserByPseudo(c.UserContext(), pseudo)
	if errors.Is(err, content.ErrNotFound) || (err == nil && !content.CanSeeMember(currentUser(c), m)) {
		f.Errors.Add("pseudo", "Aucun membre n’a le pseudo « "+pseudo+" » : vérifiez son orthographe.")
		return s.renderBlocks(c, fiber.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	back := "/messages/bloques"
	if c.FormValue("retour") == "membre" {
		back = "/membres/" + url.PathEscape(m.Pseudo)
	}
	err = s.store.SetBlocked(c.UserContext(), currentUser(c), m, block)
	msg := "Vous recevez de nouveau les messages de " + m.Pseudo + "."
	if block {
		msg = "Vous ne recevrez plus de messages de " + m.Pseudo + ". Ce membre n’en est pas averti."
	}
	return s.afterAction(c, err, back, msg)
}
