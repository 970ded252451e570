package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

type adminMembersPage struct {
	Page
	Members []memberRow
	Total   int
	Query   string
	Roles   []option
	Pager   pager
}

// memberRow is an account in the administration list, with what the
// administrator may do to it.
type memberRow struct {
	content.User
	CanSuspend bool
}

const adminPageSize = 50

func roleOptions() []option {
	opts := make([]option, len(content.Roles))
	for i, r := range content.Roles {
		opts[i] = option{string(r), r.Label()}
	}
	return opts
}

func (s *Server) handleAdminMembers(c *fiber.Ctx) error {
	q := strings.Clone(c.Query("q"))
	page := pageNumber(c)
	members, total, err := s.store.ListUsers(c.UserContext(), content.UserFilter{Query: q, Limit: adminPageSize,
		Offset: (page - 1) * adminPageSize})
	if err != nil {
		return err
	}
	rows := make([]memberRow, len(members))
	for i := range members {
		rows[i] = memberRow{User: members[i], CanSuspend: content.CanSuspend(currentUser(c), &members[i])}
	}
	return s.render(c, 200, "admin/members", &adminMembersPage{Page: s.page(c, "Membres — administration"),
		Members: rows, Total: total, Query: q, Roles: roleOptions(),
		Pager: newPager(c, page, total, adminPageSize)})
}

func (s *Server) handleAdminRole(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	err = s.store.SetRole(c.UserContext(), currentUser(c), id, content.Role(c.FormValue("role")))
	return s.afterAction(c, err, "/admin/membres", "Le rôle est mis à jour.")
}

func (s *Server) handleAdminSuspend(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	suspend := c.FormValue("suspendre") == "1"
	msg := "Le compte est rétabli."
	if suspend {
		msg = "Le compte est suspendu : il ne peut plus se connecter ni rien publier."
	}
	err = s.store.SetSuspended(c.UserContext(), currentUser(c), id, suspend)
	return s.afterAction(c, err, "/admin/membres", msg)
}

type adminMailsPage struct {
	Page
	Mails    []content.Mail
	LogsOnly bool // bodies are shown only when no SMTP server delivers them
}

func (s *Server) handleAdminMails(c *fiber.Ctx) error {
	mails, err := s.store.RecentMails(c.UserContext(), 100)
	if err != nil {
		return err
	}
	return s.render(c, 200, "admin/mails", &adminMailsPage{Page: s.page(c, "Courriels envoyés — administration"),
		Mails: mails, LogsOnly: s.mailer.logsOnly()})
}
