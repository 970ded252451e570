package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// /compte/notifications: per kind of notification, how the member wants
// it (on the site, a mail at once, a digest, nothing), and when digests go.

// kindField prefixes the radio group of each kind: "type-reply".
const kindField = "type-"

type prefsPage struct {
	Page
	Kinds    []prefsKind
	Hours    []option
	Weekdays []option
	Hour     string
	Weekday  string
	Form     form
}

type prefsKind struct {
	Field, Label string
	Chosen       string
	Deliveries   []option // the choices offered for it
}

// weekdays in the order French calendars show them; values are Go's.
var weekdays = []option{{"1", "lundi"}, {"2", "mardi"}, {"3", "mercredi"}, {"4", "jeudi"}, {"5", "vendredi"}, {"6", "samedi"}, {"0", "dimanche"}}

func (s *Server) prefsPage(c *fiber.Ctx, p content.MailPrefs, f form) *prefsPage {
	page := &prefsPage{Page: s.page(c, "Mes notifications"), Weekdays: weekdays, Form: f,
		Hour: strconv.Itoa(p.DigestHour), Weekday: strconv.Itoa(p.DigestWeekday)}
	for _, k := range content.NotificationKinds {
		kind := prefsKind{Field: kindField + string(k.Kind), Label: k.Label, Chosen: string(p.Delivery[k.Kind])}
		for _, d := range content.Deliveries {
			if d.Delivery != content.DeliverNever || !k.AlwaysTold() {
				kind.Deliveries = append(kind.Deliveries, option{Value: string(d.Delivery), Label: d.Label})
			}
		}
		page.Kinds = append(page.Kinds, kind)
	}
	for h := 0; h < 24; h++ {
		page.Hours = append(page.Hours, option{Value: strconv.Itoa(h), Label: strconv.Itoa(h) + "\u00a0h"})
	}
	return page
}

func (s *Server) handleMailPrefs(c *fiber.Ctx) error {
	p, err := s.store.MailPrefs(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	return s.render(c, 200, "notifications/prefs", s.prefsPage(c, p, emptyForm()))
}

func (s *Server) handleMailPrefsSave(c *fiber.Ctx) error {
	u := currentUser(c)
	p, err := s.store.MailPrefs(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	// What was posted, kept as typed so a refused form comes back filled.
	posted := content.MailPrefs{Delivery: map[content.NotificationKind]content.Delivery{}}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if name, ok := strings.CutPrefix(string(k), kindField); ok {
			posted.Delivery[content.NotificationKind(name)] = content.Delivery(v)
		}
	})
	f := readForm(c, "digest_hour", "digest_weekday")
	var bad bool
	if posted.DigestHour, bad = atoiOr(f.Get("digest_hour"), p.DigestHour); bad {
		posted.DigestHour = -1
	}
	if posted.DigestWeekday, bad = atoiOr(f.Get("digest_weekday"), p.DigestWeekday); bad {
		posted.DigestWeekday = -1
	}
	err = s.store.SaveMailPrefs(c.UserContext(), u.ID, posted)
	if err := f.fail(err); err != nil {
		return err
	}
	for k := range posted.Delivery {
		f.Errors.Rename(string(k), kindField+string(k))
	}
	if f.HasErrors() {
		// Only a form we did not send holds unknown choices: 400, not 422.
		for k, d := range posted.Delivery {
			if _, known := p.Delivery[k]; known && content.ValidDelivery(d) {
				p.Delivery[k] = d
			}
		}
		return s.render(c, fiber.StatusBadRequest, "notifications/prefs", s.prefsPage(c, p, f))
	}
	return s.redirectWithFlash(c, "/compte/notifications", "Vos choix de notifications sont enregistrés.")
}

// atoiOr reads a number, or gives def for an empty field; bad reports text
// that is not a number.
func atoiOr(v string, def int) (n int, bad bool) {
	if v == "" {
		return def, false
	}
	n, err := strconv.Atoi(v)
	return n, err != nil
}
