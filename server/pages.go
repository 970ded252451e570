package server

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

type homePage struct {
	Page
	Categories []content.CategoryCard
	Sections   []homeSection
}

// homeSection is a short list of topics on the home page.
type homeSection struct {
	ID, Heading, More, Empty string
	Topics                   []content.Topic
}

// homeSize is how many topics each home section shows.
const homeSize = 5

// handleHome shows a member what is new for them (unread topics, open
// questions where they follow, the latest activity), and a visitor what the
// Ligue is, its latest and its solved discussions; then the categories.
func (s *Server) handleHome(c *fiber.Ctx) error {
	cats, err := s.store.CategoryCards(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	p := &homePage{Page: s.page(c, "Accueil"), Categories: cats}
	const members, visitors, everyone = 1, 2, 3
	sections := []struct {
		homeSection
		filter content.TopicFilter
		shown  int // to members, visitors or everyone
	}{
		{homeSection{"non-lues", "Nouveau pour vous", "/discussions?filtre=non-lues", "Rien de nouveau dans les discussions que vous suivez.", nil},
			content.TopicFilter{Unread: true}, members},
		{homeSection{"a-aider", "Questions sans réponse là où vous suivez", "/discussions?filtre=suivies", "Toutes les questions que vous suivez ont une réponse.", nil},
			content.TopicFilter{Following: true, Unanswered: true}, members},
		{homeSection{"activite", "Dernière activité", "/discussions", "Aucune discussion pour l’instant.", nil},
			content.TopicFilter{}, everyone},
		{homeSection{"resolues", "Questions résolues récemment", "/discussions?filtre=resolues", "Aucune question résolue pour l’instant.", nil},
			content.TopicFilter{Resolved: true}, visitors},
	}
	for _, sec := range sections {
		viewer := visitors
		if p.User != nil {
			viewer = members
		}
		if sec.shown&viewer == 0 {
			continue
		}
		topics, _, err := s.listTopics(c, sec.filter)
		if err != nil {
			return err
		}
		sec.Topics = topics[:min(homeSize, len(topics))]
		p.Sections = append(p.Sections, sec.homeSection)
	}
	return s.render(c, 200, "pages/home", p)
}

func (s *Server) handleAccessibility(c *fiber.Ctx) error {
	return s.render(c, 200, "pages/accessibility", &struct{ Page }{s.page(c, "Accessibilité")})
}

// handleHealth answers 200 "ok" when the database answers, for monitors;
// ?detail=1 goes on to handleHealthDetail.
func (s *Server) handleHealth(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if c.Query("detail") == "1" {
		return c.Next()
	}
	return s.answerAlive(c)
}

// handleStatic serves embedded assets by hashed name, cached for a year,
// in the encoding the browser prefers among those compressed at start
// (it comes before the compression of dynamic pages).
func (s *Server) handleStatic(c *fiber.Ctx) error {
	asset, ok := s.assets.ByHashedPath(strings.TrimPrefix(c.Path(), "/static/"))
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, asset.ContentType)
	body := asset.Body
	if asset.Brotli != nil || asset.Gzip != nil {
		c.Vary(fiber.HeaderAcceptEncoding)
		accepts := ""
		if c.Get(fiber.HeaderAcceptEncoding) != "" { // none said: raw, as clients without one expect
			accepts = c.AcceptsEncodings("br", "gzip")
		}
		switch accepts {
		case "br":
			if asset.Brotli != nil {
				c.Set(fiber.HeaderContentEncoding, "br")
				body = asset.Brotli
			}
		case "gzip":
			if asset.Gzip != nil {
				c.Set(fiber.HeaderContentEncoding, "gzip")
				body = asset.Gzip
			}
		}
	}
	return c.Send(body)
}
