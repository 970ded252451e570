package server

import (
	"encoding/base64"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Page is what every page template gets; page structs embed it.
type Page struct {
	Title      string
	User       *content.User
	Flash      string
	FlashError bool // the flash says why an action was refused
	CSRF       csrfValue
	Path       string
	RequestID  string
	Nav        []navItem
	Unread     int // the member's unread notifications, for the bell
	Messages   int // the member's conversations with unread messages
}

type navItem struct {
	Label, Href string
	Current     bool
}

// sections are the site's main areas, in the header; an area is listed once
// its pages exist.
var sections = []navItem{
	{Label: "Accueil", Href: "/"},
	{Label: "Discussions", Href: "/discussions"},
	{Label: "Fiches", Href: "/fiches"},
	{Label: "Propositions", Href: "/propositions"},
	{Label: "Recherche", Href: "/recherche"},
}

// page builds the common part of every page and consumes the flash message.
func (s *Server) page(c *fiber.Ctx, title string) Page {
	p := Page{
		Title:     title,
		User:      currentUser(c),
		CSRF:      s.csrfToken(c),
		Path:      c.Path(),
		RequestID: requestID(c),
	}
	p.Flash, p.FlashError = s.takeFlash(c)
	if p.User != nil {
		// An indexed count; a failure leaves the bell at 0 rather than the page broken.
		p.Unread, _ = s.store.UnreadNotifications(c.UserContext(), p.User)
		p.Messages, _ = s.store.UnreadConversations(c.UserContext(), p.User)
	}
	for _, n := range sections {
		n.Current = n.Href == p.Path || (n.Href != "/" && strings.HasPrefix(p.Path, n.Href))
		p.Nav = append(p.Nav, n)
	}
	return p
}

// csrfValue is the CSRF token of a page's forms, computed — and the
// browser's seed cookie set — only when a form prints it: a page without a
// form sets no cookie, so a visitor's page stays cacheable.
type csrfValue struct {
	s *Server
	c *fiber.Ctx
}

func (v csrfValue) String() string {
	if v.s == nil {
		return ""
	}
	return v.s.csrfPrepare(v.c)
}

func (s *Server) csrfToken(c *fiber.Ctx) csrfValue { return csrfValue{s, c} }
func requestID(c *fiber.Ctx) string                { v, _ := c.Locals(localRequestID).(string); return v }

// render writes a full HTML page with status.
func (s *Server) render(c *fiber.Ctx, status int, name string, data any) error {
	c.Status(status)
	c.Type("html", "utf-8")
	err := s.views.Render(c.Response().BodyWriter(), name, data)
	// A page of the families every visitor gets alike (pageTags) may be
	// kept, and asked again each time; any other — a member's, one holding
	// a form's token or a link's signature — is for its reader alone.
	if currentUser(c) == nil && !csrfPrinted(c) && pageTags(strings.ToLower(c.Path())) != nil {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	} else {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return err
}

// csrfPrinted tells whether the page of c holds a CSRF token.
func csrfPrinted(c *fiber.Ctx) bool { _, ok := c.Locals(localCSRF).(string); return ok }

// flash messages travel in a signed cookie to the next page.
const flashCookie = "ligue_flash"

func (s *Server) setFlash(c *fiber.Ctx, msg string) {
	v := encodeCookieText(msg)
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: v + "." + s.sign("flash", v), Path: "/", HTTPOnly: true,
		Secure: s.secureRequest(c), SameSite: fiber.CookieSameSiteLaxMode})
}

// refusalMark starts the flash of a refusal, which looks like an error.
const refusalMark = "\x00refus\x00"

func (s *Server) takeFlash(c *fiber.Ctx) (msg string, refusal bool) {
	raw := c.Cookies(flashCookie)
	if raw == "" {
		return "", false
	}
	s.clearCookie(c, flashCookie)
	v, sig, ok := strings.Cut(raw, ".")
	if !ok || sig != s.sign("flash", v) {
		return "", false
	}
	msg = decodeCookieText(v)
	if m, ok := strings.CutPrefix(msg, refusalMark); ok {
		return m, true
	}
	return msg, false
}

// redirectWithFlash answers a successful form with 303 and a message.
func (s *Server) redirectWithFlash(c *fiber.Ctx, to, msg string) error {
	if msg != "" {
		s.setFlash(c, msg)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// redirectWithRefusal goes back to a page saying, as an error, why an
// action was refused.
func (s *Server) redirectWithRefusal(c *fiber.Ctx, to, msg string) error {
	return s.redirectWithFlash(c, to, refusalMark+msg)
}

// afterAction answers a button's action: back to the page with the
// success message, or with the refusal's message when it was refused for a
// reason the member can read (a validation error); other errors go to the
// error handler.
func (s *Server) afterAction(c *fiber.Ctx, err error, back, success string) error {
	if v, ok := content.AsValidation(err); ok {
		return s.redirectWithRefusal(c, back, v.Fields[0].Message)
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(c, back, success)
}

// paris is the time zone dates are shown in; frenchDate formats "22 novembre 2026".
var (
	paris      = content.Paris
	frenchDate = content.FrenchDate
)

// frenchDateTime formats "22 novembre 2026 à 14 h 05".
func frenchDateTime(t time.Time) string {
	p := t.In(paris)
	return frenchDate(t) + " à " + itoa(p.Hour()) + "\u00a0h\u00a0" + twoDigits(p.Minute())
}

func itoa(n int) string { return strconv.Itoa(n) }

func encodeCookieText(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeCookieText(s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"asset":       func(p string) string { return s.assets.URL(p) },
		"date":        frenchDate,
		"datetime":    frenchDateTime,
		"iso":         func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"field":       newField,
		"baseURL":     func() string { return s.cfg.BaseURL },
		"ago":         ago,
		"excerpt":     content.Excerpt,
		"excerptText": content.ExcerptText,
		"excerptOwn":  content.ExcerptWithoutQuotes,
		"add":         func(a, b int) int { return a + b },
		"watch":       newWatchControl,
		"hasType": func(types []string, t string) bool {
			for _, x := range types {
				if x == t {
					return true
				}
			}
			return false
		},
	}
}
