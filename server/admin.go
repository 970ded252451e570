package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

type adminMembersPage struct {
	Page
	Members []content.User
	Total   int
	Query   string
	Roles   []option
	Pager   pager
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
	return s.render(c, 200, "admin/members", &adminMembersPage{Page: s.page(c, "Membres — administration"),
		Members: members, Total: total, Query: q, Roles: roleOptions(),
		Pager: newPager(c, page, total, adminPageSize)})
}

func paramID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, content.ErrNotFound
	}
	return id, nil
}

func (s *Server) handleAdminRole(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.SetRole(c.UserContext(), currentUser(c), id, content.Role(c.FormValue("role"))); err != nil {
		if v, ok := content.AsValidation(err); ok {
			return s.redirectWithFlash(c, "/admin/membres", v.Fields[0].Message)
		}
		return err
	}
	return s.redirectWithFlash(c, "/admin/membres", "Le rôle est mis à jour.")
}

func (s *Server) handleAdminSuspend(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	suspend := c.FormValue("suspendre") == "1"
	if err := s.store.SetSuspended(c.UserContext(), currentUser(c), id, suspend); err != nil {
		if v, ok := content.AsValidation(err); ok {
			return s.redirectWithFlash(c, "/admin/membres", v.Fields[0].Message)
		}
		return err
	}
	msg := "Le compte est rétabli."
	if suspend {
		msg = "Le compte est suspendu : ses sessions sont fermées et il ne peut plus se connecter."
	}
	return s.redirectWithFlash(c, "/admin/membres", msg)
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

// pager is the previous/next navigation of a paginated list.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

func pageNumber(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	if n > 100000 {
		return 100000
	}
	return n
}

func newPager(c *fiber.Ctx, page, total, size int) pager {
	p := pager{Page: page, Pages: max(1, (total+size-1)/size)}
	link := func(n int) string {
		args := c.Request().URI().QueryArgs()
		q := make([]string, 0, 2)
		args.VisitAll(func(k, v []byte) {
			if string(k) != "page" {
				q = append(q, string(k)+"="+urlQueryEscape(string(v)))
			}
		})
		if n > 1 {
			q = append(q, "page="+strconv.Itoa(n))
		}
		if len(q) == 0 {
			return c.Path()
		}
		return c.Path() + "?" + strings.Join(q, "&")
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}
