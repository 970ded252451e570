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
	Categories []content.Category
}

func (s *Server) handleHome(c *fiber.Ctx) error {
	cats, err := s.store.Categories(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, 200, "pages/home", &homePage{Page: s.page(c, "Accueil"), Categories: cats})
}

func (s *Server) handleCharter(c *fiber.Ctx) error {
	return s.render(c, 200, "pages/charter", &struct{ Page }{s.page(c, "Charte de la Ligue")})
}

func (s *Server) handleAccessibility(c *fiber.Ctx) error {
	return s.render(c, 200, "pages/accessibility", &struct{ Page }{s.page(c, "Accessibilité")})
}

// handleHealth answers 200 "ok" when the database answers, for monitors.
func (s *Server) handleHealth(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.store.Ping(c.UserContext()); err != nil {
		s.log.Error("health check", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("base de données indisponible")
	}
	return c.SendString("ok")
}

// handleStatic serves embedded assets by hashed name, cached for a year.
func (s *Server) handleStatic(c *fiber.Ctx) error {
	asset, ok := s.assets.ByHashedPath(strings.TrimPrefix(c.Path(), "/static/"))
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, asset.ContentType)
	return c.Send(asset.Body)
}
