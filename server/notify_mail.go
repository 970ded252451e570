package server

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// Notification mail: the scheduler asks the store for the mails due (at
// once, or the digests whose hour has come) and composes them here, with
// a plain-text and an HTML part and a one-click unsubscribe link.

// mailScheduleEvery is how often the scheduler looks for mail to send.
const mailScheduleEvery = time.Minute

// RunMailSchedule queues the notification mails due now (immediate mails,
// then digests) and wakes the mailer; the running server does it every
// minute and after each notification.
func (s *Server) RunMailSchedule(ctx context.Context) error {
	n, err := s.store.SendImmediateMails(ctx, s.composeNotificationMail)
	if err != nil {
		return err
	}
	d, err := s.store.SendDigests(ctx, s.composeNotificationMail)
	if n+d > 0 {
		s.mailer.poke()
	}
	return err
}

// mailSchedule runs RunMailSchedule until ctx ends.
func (s *Server) mailSchedule(ctx context.Context) {
	tick := time.NewTicker(mailScheduleEvery)
	defer tick.Stop()
	for {
		if err := s.RunMailSchedule(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("notification mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// notifyMailView is what the notification mail templates show.
type notifyMailView struct {
	Subject          string
	Pseudo           string
	Intro            string
	Groups           []notifyMailGroup
	NotificationsURL string
	PrefsURL         string
	UnsubscribeURL   string
	Phrase           string // what the unsubscribe link turns off
}

type notifyMailGroup struct {
	Title, URL string
	Items      []notifyMailItem
}

type notifyMailItem struct {
	Text, URL, When string
}

// composeNotificationMail writes a notification mail or digest.
func (s *Server) composeNotificationMail(m content.NotificationMail) (content.Mail, error) {
	link := content.NewUnsubscribeLink(s.secret, m.User.ID, m.Scope, s.store.Now())
	unsubscribe := s.cfg.BaseURL + "/desabonnement?" + link.Query()
	v := notifyMailView{Pseudo: m.User.Pseudo, NotificationsURL: s.cfg.BaseURL + "/notifications",
		PrefsURL: s.cfg.BaseURL + "/compte/notifications", UnsubscribeURL: unsubscribe, Phrase: content.ScopePhrase(m.Scope)}
	for _, g := range m.Groups {
		mg := notifyMailGroup{Title: g.Title, URL: s.cfg.BaseURL + g.Path}
		for _, n := range g.Items {
			mg.Items = append(mg.Items, notifyMailItem{Text: n.Text(), URL: s.cfg.BaseURL + n.Path, When: frenchDateTime(n.CreatedAt)})
		}
		v.Groups = append(v.Groups, mg)
	}
	switch m.Period {
	case content.DeliverImmediate:
		v.Subject = v.Groups[0].Items[0].Text + " — " + v.Groups[0].Title
		v.Intro = "Du nouveau sur la Ligue :"
	case content.DeliverWeekly:
		v.Subject = "Votre résumé de la semaine sur la Ligue : " + countNotifications(m.Count())
		v.Intro = "Voici ce qui est arrivé cette semaine et que vous n’avez pas encore lu, du plus récent au plus ancien :"
	default:
		v.Subject = "Votre résumé du jour sur la Ligue : " + countNotifications(m.Count())
		v.Intro = "Voici ce qui est arrivé depuis hier et que vous n’avez pas encore lu, du plus récent au plus ancien :"
	}
	subject, body, err := s.views.Mail("notify", v)
	if err != nil {
		return content.Mail{}, err
	}
	html, err := s.views.MailHTML("notify", v)
	if err != nil {
		return content.Mail{}, err
	}
	return content.Mail{To: m.User.Email, Subject: subject, Body: body, HTML: html, ListUnsubscribe: unsubscribe}, nil
}

func countNotifications(n int) string {
	if n == 1 {
		return "1 notification"
	}
	return strconv.Itoa(n) + " notifications"
}

// plainMailView is the HTML part of a mail written as text: its
// paragraphs, a paragraph that is a link made a link.
type plainMailView struct {
	Subject    string
	Paragraphs []plainParagraph
}

type plainParagraph struct {
	Text string
	Link bool
}

// plainHTML gives a text mail its HTML part, paragraph by paragraph.
func (s *Server) plainHTML(subject, body string) string {
	v := plainMailView{Subject: subject}
	for _, p := range strings.Split(strings.TrimSpace(body), "\n\n") {
		p = strings.TrimSpace(p)
		isLink := !strings.ContainsAny(p, " \n") && (strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://"))
		v.Paragraphs = append(v.Paragraphs, plainParagraph{Text: p, Link: isLink})
	}
	html, err := s.views.MailHTML("plain", v)
	if err != nil {
		panic(err) // a broken template: the tests render every mail
	}
	return html
}
