package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/feeds"

	"github.com/ligue-mednum/ligue/content"
)

// Atom feeds of lists and topics, and the markdown export of a topic.

func (s *Server) sendAtom(c *fiber.Ctx, f *feeds.Feed) error {
	atom, err := f.ToAtom()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	return c.SendString(atom)
}

func (s *Server) topicsFeed(c *fiber.Ctx, title, link string, filter content.TopicFilter) error {
	topics, _, err := s.store.ListTopics(c.UserContext(), nil, filter)
	if err != nil {
		return err
	}
	f := &feeds.Feed{Title: title + " · Ligue des mednum", Link: &feeds.Link{Href: s.cfg.BaseURL + link},
		Id: s.cfg.BaseURL + link, Updated: time.Unix(0, 0)}
	ids := make([]int64, len(topics))
	for i, t := range topics {
		ids[i] = t.ID
	}
	openings, err := s.store.OpeningPosts(c.UserContext(), nil, ids)
	if err != nil {
		return err
	}
	for _, t := range topics {
		first := openings[t.ID]
		f.Items = append(f.Items, &feeds.Item{Title: t.Title, Link: &feeds.Link{Href: s.cfg.BaseURL + t.Path()},
			Id: s.cfg.BaseURL + t.Path(), Author: &feeds.Author{Name: t.AuthorPseudo}, Created: t.CreatedAt,
			Updated: t.LastActivityAt, Description: content.Excerpt(first.HTML, 300)})
		if t.LastActivityAt.After(f.Updated) {
			f.Updated = t.LastActivityAt
		}
	}
	return s.sendAtom(c, f)
}

func (s *Server) handleTopicsFeed(c *fiber.Ctx) error {
	return s.topicsFeed(c, "Discussions", "/discussions", content.TopicFilter{})
}

func (s *Server) handleCategoryFeed(c *fiber.Ctx) error {
	cat, err := s.store.CategoryBySlug(c.UserContext(), strings.TrimSuffix(c.Params("slug"), ".atom"))
	if err != nil {
		return err
	}
	return s.topicsFeed(c, cat.Name, "/categories/"+cat.Slug, content.TopicFilter{Category: cat.Slug})
}

func (s *Server) handleTagFeed(c *fiber.Ctx) error {
	tag := strings.Clone(strings.TrimSuffix(c.Params("tag"), ".atom"))
	if _, err := s.store.TagID(c.UserContext(), tag); err != nil {
		return err
	}
	return s.topicsFeed(c, "Étiquette « "+tag+" »", "/etiquettes/"+tag, content.TopicFilter{Tag: tag})
}

// topicForExport loads the topic named by /discussions/{id}/{slug}.{ext}
// and its posts as a visitor sees them: a discussion kept to members has
// neither feed nor export.
func (s *Server) topicForExport(c *fiber.Ctx) (*content.Topic, []content.Post, error) {
	t, err := s.loadTopic(c)
	if err != nil {
		return nil, nil, err
	}
	if t.MergedInto != nil || !t.Public() {
		return nil, nil, content.ErrNotFound
	}
	posts, err := s.store.AllPosts(c.UserContext(), nil, t.ID)
	return t, posts, err
}

func (s *Server) handleTopicFeed(c *fiber.Ctx) error {
	t, posts, err := s.topicForExport(c)
	if err != nil {
		return err
	}
	f := &feeds.Feed{Title: t.Title + " · Ligue des mednum", Link: &feeds.Link{Href: s.cfg.BaseURL + t.Path()},
		Id: s.cfg.BaseURL + t.Path(), Updated: t.LastActivityAt}
	for _, p := range posts {
		if p.HTML == "" {
			continue
		}
		link := s.cfg.BaseURL + t.PostPath(p.Number)
		title := "Réponse de " + p.Author.Pseudo
		if p.Number == 1 {
			title = t.Title
		}
		f.Items = append(f.Items, &feeds.Item{Title: title, Link: &feeds.Link{Href: link}, Id: link,
			Author: &feeds.Author{Name: p.Author.Pseudo}, Created: p.CreatedAt, Content: string(p.HTML)})
	}
	return s.sendAtom(c, f)
}

// handleTopicMarkdown gives the whole topic as one markdown document.
func (s *Server) handleTopicMarkdown(c *fiber.Ctx) error {
	t, posts, err := s.topicForExport(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", t.Title)
	fmt.Fprintf(&b, "Discussion de la Ligue des mednum, catégorie « %s », %s\n", t.CategoryName, s.cfg.BaseURL+t.Path())
	if len(t.Tags) > 0 {
		fmt.Fprintf(&b, "Étiquettes : %s\n", strings.Join(t.Tags, ", "))
	}
	b.WriteString("Licence : CC BY-SA 4.0\n")
	for _, p := range posts {
		fmt.Fprintf(&b, "\n---\n\n## %d. %s, le %s\n\n", p.Number, p.Author.Pseudo, frenchDateTime(p.CreatedAt))
		if p.ReplyToPseudo.Valid {
			fmt.Fprintf(&b, "En réponse à @%s (message %d)\n\n", p.ReplyToPseudo.String, *p.ReplyTo)
		}
		switch {
		case p.DeletedAt != nil:
			b.WriteString("*Message supprimé par son auteur.*\n")
		case p.Body == "":
			b.WriteString("*Message masqué par la modération.*\n")
		default:
			b.WriteString(strings.TrimSpace(p.Body) + "\n")
		}
		if t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID {
			b.WriteString("\n**✔ Réponse acceptée**\n")
		}
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="discussion-`+strconv.FormatInt(t.ID, 10)+`.md"`)
	return c.SendString(b.String())
}
