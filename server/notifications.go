package server

import (
	"bufio"
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Notifications: the notifier follows the event stream in the background
// (content.NotifyPending), the bell in the header counts what is unread
// (live with JavaScript), /notifications lists it grouped by topic or fiche.

func (s *Server) notificationRoutes(app *fiber.App) {
	app.Get("/notifications", s.requireMember, s.handleNotifications)
	app.Post("/notifications/lu", s.requireMember, s.handleNotificationsRead)
	app.Get("/notifications/evenements", s.requireMember, s.handleNotificationEvents)
}

// SyncNotifications applies the events the notifier has not applied yet,
// as the running server does within a second.
func (s *Server) SyncNotifications(ctx context.Context) error {
	users, err := s.store.NotifyPending(ctx)
	for _, u := range users {
		s.live.publish(content.DocID(content.EntityUser, u))
	}
	return err
}

// notify runs the notifier until ctx ends: at once after each commit of
// this process, and every second for the writes of others.
func (s *Server) notify(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		changed := s.store.Events().Changed()
		if err := s.SyncNotifications(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
	}
}

type notificationsPage struct {
	Page
	Groups     []content.NotificationGroup
	UnreadOnly bool
	Older      string // the next page's address, "" on the last
	Here       string // this page's address, where its forms come back
}

func (s *Server) handleNotifications(c *fiber.Ctx) error {
	unread := c.Query("filtre") == "non-lues"
	groups, next, err := s.store.NotificationsPage(c.UserContext(), currentUser(c), unread, c.Query("avant"))
	if err != nil {
		return err
	}
	p := &notificationsPage{Page: s.page(c, "Notifications"), Groups: groups, UnreadOnly: unread, Here: "/notifications"}
	q := url.Values{}
	if unread {
		q.Set("filtre", "non-lues")
	}
	if next != "" {
		older := url.Values{"avant": {next}}
		if unread {
			older.Set("filtre", "non-lues")
		}
		p.Older = "/notifications?" + older.Encode()
	}
	if before := c.Query("avant"); before != "" {
		q.Set("avant", before)
	}
	if len(q) > 0 {
		p.Here += "?" + q.Encode()
	}
	return s.render(c, 200, "notifications/list", p)
}

func (s *Server) handleNotificationsRead(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.FormValue("id"), 10, 64)
	msg := "Toutes vos notifications sont marquées comme lues."
	if id != 0 {
		msg = "Notification marquée comme lue."
	}
	return s.afterAction(c, s.store.MarkNotificationsRead(c.UserContext(), currentUser(c), id), safeReturn(c.FormValue("retour")), msg)
}

// handleNotificationEvents streams the member's unread count when it
// changes, on pages that have nothing else live (stream adds the count).
func (s *Server) handleNotificationEvents(c *fiber.Ctx) error {
	u := currentUser(c)
	return s.stream(c, content.DocID(content.EntityUser, u.ID), nil, func(context.Context, *bufio.Writer) bool { return true })
}

type apiNotification struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Text      string    `json:"text"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Count     int       `json:"count"`
	Unread    bool      `json:"unread"`
	CreatedAt time.Time `json:"created_at"`
}

// handleAPINotifications lists the member's notifications, newest first
// (non_lues=1: the unread ones only).
func (s *Server) handleAPINotifications(c *fiber.Ctx) error {
	groups, err := s.store.Notifications(c.UserContext(), currentUser(c), c.Query("non_lues") == "1")
	if err != nil {
		return err
	}
	out := []apiNotification{}
	for _, g := range groups {
		for _, n := range g.Items {
			out = append(out, apiNotification{ID: n.ID, Kind: string(n.Kind), Text: n.Text(), Title: n.Title, URL: s.cfg.BaseURL + n.Path,
				Count: n.Count, Unread: n.Unread(), CreatedAt: n.CreatedAt})
		}
	}
	unread, err := s.store.UnreadNotifications(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"notifications": out, "unread": unread})
}

// handleAPINotificationsRead marks one notification ({"id": N}) or all read.
func (s *Server) handleAPINotificationsRead(c *fiber.Ctx) error {
	var in struct {
		ID int64 `json:"id" form:"id"`
	}
	if len(c.Body()) > 0 {
		if err := c.BodyParser(&in); err != nil {
			return errBadJSON
		}
	}
	if err := s.store.MarkNotificationsRead(c.UserContext(), currentUser(c), in.ID); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"read": true})
}
