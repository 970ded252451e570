package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// apiMember is the JSON shape of a member.
type apiMember struct {
	Pseudo      string    `json:"pseudo"`
	Role        string    `json:"role"`
	Verified    bool      `json:"verified"`
	Structure   string    `json:"structure"`
	Departement string    `json:"departement"`
	Metier      string    `json:"metier"`
	CreatedAt   time.Time `json:"created_at"`
}

func toAPIMember(u *content.User) apiMember {
	return apiMember{Pseudo: u.Pseudo, Role: string(u.Role), Verified: u.Verified(), Structure: u.Structure,
		Departement: u.Departement, Metier: u.Metier, CreatedAt: u.CreatedAt}
}

// handleAPIMe answers the authenticated member.
func (s *Server) handleAPIMe(c *fiber.Ctx) error {
	return c.JSON(toAPIMember(currentUser(c)))
}
