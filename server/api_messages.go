package server

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The private messages API calls the same content methods as the pages:
// a conversation the member is not in answers 404, as one that does not exist.

func (s *Server) apiMessageRoutes(api fiber.Router) {
	api.Get("/messages", s.requireMember, s.handleAPIConversations)
	api.Post("/messages", s.requireMember, s.handleAPIConversationCreate)
	api.Get("/messages/:id<int>", s.requireMember, s.handleAPIConversation)
	api.Post("/messages/:id<int>/reponses", s.requireMember, s.handleAPIConversationReply)
}

type apiConversation struct {
	ID            int64     `json:"id"`
	Title         string    `json:"title"`
	URL           string    `json:"url"`
	Participants  []string  `json:"participants"` // the other members still in it
	Messages      int       `json:"messages"`
	Unread        int       `json:"unread"`
	LastMessageAt time.Time `json:"last_message_at"`
	CreatedAt     time.Time `json:"created_at"`
}

type apiMessage struct {
	ID        int64     `json:"id"`
	Number    int       `json:"number"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	HTML      string    `json:"html"`
	CreatedAt time.Time `json:"created_at"`
	Permalink string    `json:"permalink"`
}

func (s *Server) toAPIConversation(c *content.Conversation) apiConversation {
	others := []string{}
	if c.Others != "" {
		others = strings.Split(c.Others, ", ")
	}
	return apiConversation{ID: c.ID, Title: c.Title, URL: s.cfg.BaseURL + c.Path(), Participants: others, Messages: c.LastNumber,
		Unread: c.Unread, LastMessageAt: c.LastMessageAt, CreatedAt: c.CreatedAt}
}

func (s *Server) toAPIMessage(m *content.Message) apiMessage {
	return apiMessage{ID: m.ID, Number: m.Number, Author: m.AuthorPseudo, Body: m.Body, HTML: string(m.HTML), CreatedAt: m.CreatedAt,
		Permalink: s.cfg.BaseURL + content.ConversationPath(m.ConversationID) + "#" + m.Anchor()}
}

func (s *Server) handleAPIConversations(c *fiber.Ctx) error {
	page := pageNumber(c)
	list, total, err := s.store.Conversations(c.UserContext(), currentUser(c), page)
	if err != nil {
		return err
	}
	out := make([]apiConversation, len(list))
	for i := range list {
		out[i] = s.toAPIConversation(&list[i])
	}
	return c.JSON(fiber.Map{"conversations": out,
		"pagination": apiPage{page, pageCount(total, content.ConversationsPerPage), total, content.ConversationsPerPage}})
}

// handleAPIConversation answers a conversation with one page of its
// messages (?page=N, the last by default), and marks them read.
func (s *Server) handleAPIConversation(c *fiber.Ctx) error {
	conv, err := s.conversationView(c, queryNumber(c, "page"))
	if err != nil {
		return err
	}
	out := make([]apiMessage, len(conv.Messages))
	for i := range conv.Messages {
		out[i] = s.toAPIMessage(&conv.Messages[i])
	}
	if n := len(conv.Messages); n > 0 {
		if err := s.store.MarkConversationRead(c.UserContext(), currentUser(c), conv.ID, conv.Messages[n-1].Number); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"conversation": s.toAPIConversation(&conv.Conversation), "messages": out,
		"pagination": apiPage{conv.Page, pageCount(conv.LastNumber, content.MessagesPerPage), conv.LastNumber, content.MessagesPerPage}})
}

// apiParticipants reads "participants" as a JSON array of pseudos or as
// one string ("Karim, Lucie").
type apiParticipants string

func (p *apiParticipants) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*p = apiParticipants(strings.Join(list, ", "))
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*p = apiParticipants(one)
	return nil
}

func (s *Server) handleAPIConversationCreate(c *fiber.Ctx) error {
	u := currentUser(c)
	var in struct {
		Participants apiParticipants `json:"participants" form:"participants"`
		Title        string          `json:"title" form:"title"`
		Body         string          `json:"body" form:"body"`
	}
	if err := c.BodyParser(&in); err != nil {
		return errBadJSON
	}
	if wait := s.limits.conversations.wait(c.UserContext(), userKey(u)); wait > 0 {
		return &httpError{fiber.StatusTooManyRequests, "rate_limited", tooManyMessages(c, wait)}
	}
	conv, err := s.store.StartConversation(c.UserContext(), u, content.NewConversation{Participants: string(in.Participants),
		Title: in.Title, Body: in.Body})
	if err != nil {
		return apiWriteError(err)
	}
	s.limits.conversations.add(c.UserContext(), userKey(u))
	page, err := s.store.ConversationFor(c.UserContext(), u, conv.ID, 0)
	if err != nil {
		return err
	}
	c.Location(conv.Path())
	return c.Status(fiber.StatusCreated).JSON(s.toAPIConversation(&page.Conversation))
}

func (s *Server) handleAPIConversationReply(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body" form:"body"`
	}
	if err := c.BodyParser(&in); err != nil {
		return errBadJSON
	}
	if wait := s.limits.messages.wait(c.UserContext(), userKey(u)); wait > 0 {
		return &httpError{fiber.StatusTooManyRequests, "rate_limited", tooManyMessages(c, wait)}
	}
	m, err := s.store.ReplyInConversation(c.UserContext(), u, id, in.Body)
	if err != nil {
		return apiWriteError(err)
	}
	s.limits.messages.add(c.UserContext(), userKey(u))
	return c.Status(fiber.StatusCreated).JSON(s.toAPIMessage(m))
}

// apiWriteError names the refusal of writing in a conversation one left.
func apiWriteError(err error) error {
	if errors.Is(err, content.ErrLeftConversation) {
		return errLeftConversation
	}
	return err
}

var errLeftConversation = &httpError{fiber.StatusForbidden, "left",
	"Vous avez quitté cette conversation : vous ne pouvez plus y écrire. Votre message n’a pas été envoyé."}
