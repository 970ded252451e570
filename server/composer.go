package server

import "github.com/gofiber/fiber/v2"

// composerRoutes are the helpers of the composers' scripts (previews,
// mentions, pasted images) and the markdown help page.
func (s *Server) composerRoutes(app *fiber.App) {}
