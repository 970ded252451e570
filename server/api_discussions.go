package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The discussions API calls the same content methods as the pages.

type apiTopic struct {
	ID             int64     `json:"id"`
	Title          string    `json:"title"`
	URL            string    `json:"url"`
	Kind           string    `json:"kind"`
	Category       string    `json:"category"`
	Tags           []string  `json:"tags"`
	Author         string    `json:"author"`
	Replies        int       `json:"replies"`
	Views          int       `json:"views"`
	Pinned         bool      `json:"pinned"`
	Locked         bool      `json:"locked"`
	Resolved       bool      `json:"resolved"`
	AcceptedPostID *int64    `json:"accepted_post_id,omitempty"`
	Unread         int       `json:"unread"`
	CreatedAt      time.Time `json:"created_at"`
	LastActivityAt time.Time `json:"last_activity_at"`
}

type apiPost struct {
	ID        int64      `json:"id"`
	Number    int        `json:"number"`
	Author    string     `json:"author"`
	ReplyTo   *int       `json:"reply_to,omitempty"`
	Body      string     `json:"body"`
	HTML      string     `json:"html"`
	Mercis    int        `json:"mercis"`
	Replies   int        `json:"replies"`
	Deleted   bool       `json:"deleted"`
	Hidden    bool       `json:"hidden"`
	CreatedAt time.Time  `json:"created_at"`
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	Permalink string     `json:"permalink"`
}

type apiPage struct {
	Page    int `json:"page"`
	Pages   int `json:"pages"`
	Total   int `json:"total"`
	PerPage int `json:"per_page"`
}

func (s *Server) toAPITopic(t *content.Topic) apiTopic {
	tags := t.Tags
	if tags == nil {
		tags = []string{}
	}
	return apiTopic{ID: t.ID, Title: t.Title, URL: s.cfg.BaseURL + t.Path(), Kind: string(t.Kind), Category: t.CategorySlug,
		Tags: tags, Author: t.AuthorPseudo, Replies: t.Replies(), Views: t.Views, Pinned: t.Pinned, Locked: t.Locked,
		Resolved: t.Resolved(), AcceptedPostID: t.AcceptedPostID, Unread: t.Unread, CreatedAt: t.CreatedAt, LastActivityAt: t.LastActivityAt}
}

func (s *Server) toAPIPost(t *content.Topic, p *content.Post) apiPost {
	return apiPost{ID: p.ID, Number: p.Number, Author: p.Author.Pseudo, ReplyTo: p.ReplyTo, Body: p.Body, HTML: string(p.HTML),
		Mercis: p.MerciCount, Replies: p.ReplyCount, Deleted: p.DeletedAt != nil, Hidden: p.HiddenAt != nil,
		CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, Permalink: s.cfg.BaseURL + t.PostPath(p.Number)}
}

func (s *Server) handleAPITopics(c *fiber.Ctx) error {
	f := content.TopicFilter{Category: c.Query("categorie"), Tag: c.Query("etiquette"), Page: pageNumber(c)}
	if _, err := applyListFilter(c, &f); err != nil {
		return err
	}
	topics, total, err := s.listTopics(c, f)
	if err != nil {
		return err
	}
	out := make([]apiTopic, len(topics))
	for i := range topics {
		out[i] = s.toAPITopic(&topics[i])
	}
	return c.JSON(fiber.Map{"discussions": out, "pagination": apiPage{f.Page, pageCount(total, content.TopicsPerPage), total, content.TopicsPerPage}})
}

func (s *Server) handleAPITopic(c *fiber.Ctx) error {
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	if t.MergedInto != nil {
		return &httpError{fiber.StatusMovedPermanently, "merged", "Cette discussion a été fusionnée dans la discussion " + strconv.FormatInt(*t.MergedInto, 10) + "."}
	}
	page := pageNumber(c)
	posts, err := s.store.PostsPage(c.UserContext(), currentUser(c), t.ID, page)
	if err != nil {
		return err
	}
	out := make([]apiPost, len(posts))
	for i := range posts {
		out[i] = s.toAPIPost(t, &posts[i])
	}
	return c.JSON(fiber.Map{"discussion": s.toAPITopic(t), "posts": out,
		"pagination": apiPage{page, pageCount(t.PostCount, content.PostsPerPage), t.PostCount, content.PostsPerPage}})
}

func (s *Server) handleAPITopicCreate(c *fiber.Ctx) error {
	var in struct {
		Title    string `json:"title" form:"title"`
		Body     string `json:"body" form:"body"`
		Category string `json:"category" form:"category"`
		Tags     string `json:"tags" form:"tags"`
		Kind     string `json:"kind" form:"kind"`
	}
	if err := c.BodyParser(&in); err != nil {
		return errBadJSON
	}
	t, err := s.store.CreateTopic(c.UserContext(), currentUser(c), content.NewTopic{Title: in.Title, Body: in.Body,
		Category: in.Category, Tags: in.Tags, Kind: content.TopicKind(in.Kind)})
	if err != nil {
		return err
	}
	t, err = s.store.TopicByID(c.UserContext(), currentUser(c), t.ID)
	if err != nil {
		return err
	}
	c.Location(t.Path())
	return c.Status(fiber.StatusCreated).JSON(s.toAPITopic(t))
}

func (s *Server) handleAPIReply(c *fiber.Ctx) error {
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	var in struct {
		Body    string `json:"body" form:"body"`
		ReplyTo int    `json:"reply_to" form:"reply_to"`
	}
	if err := c.BodyParser(&in); err != nil {
		return errBadJSON
	}
	p, err := s.store.Reply(c.UserContext(), currentUser(c), t.ID, content.NewReply{Body: in.Body, ReplyTo: in.ReplyTo})
	if err != nil {
		return err
	}
	full, err := s.store.PostByID(c.UserContext(), currentUser(c), p.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.toAPIPost(t, full))
}

func (s *Server) handleAPIPostEdit(c *fiber.Ctx) error {
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
	p, err := s.store.EditPost(c.UserContext(), currentUser(c), id, in.Body)
	if err != nil {
		return err
	}
	t, err := s.store.TopicByID(c.UserContext(), currentUser(c), p.TopicID)
	if err != nil {
		return err
	}
	return c.JSON(s.toAPIPost(t, p))
}

func (s *Server) handleAPIMerci(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	given, err := s.store.ToggleMerci(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	p, err := s.store.PostByID(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"merci": given, "mercis": p.MerciCount})
}

func (s *Server) handleAPICategories(c *fiber.Ctx) error {
	cats, err := s.store.Categories(c.UserContext())
	if err != nil {
		return err
	}
	type apiCategory struct {
		Slug        string `json:"slug"`
		Name        string `json:"name"`
		Description string `json:"description"`
		URL         string `json:"url"`
	}
	out := make([]apiCategory, len(cats))
	for i, cat := range cats {
		out[i] = apiCategory{cat.Slug, cat.Name, cat.Description, s.cfg.BaseURL + "/categories/" + cat.Slug}
	}
	return c.JSON(fiber.Map{"categories": out})
}
