package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/ligue-mednum/ligue/content"
)

// mailer delivers the mail queue: by SMTP when configured, otherwise by
// writing each mail to the log (administrators read them at /admin/courriels).
type mailer struct {
	store  mailQueue
	log    *slog.Logger
	from   string
	client *gomail.Client // nil: log only
	wake   chan struct{}
	// failures counts failed attempts for /metrics.
	failures interface{ Inc() }
}

// mailQueue is what the mailer needs of the store.
type mailQueue interface {
	PendingMails(ctx context.Context, limit int) ([]content.Mail, error)
	MarkMailSent(ctx context.Context, id int64) error
	MarkMailFailed(ctx context.Context, id int64, reason string, permanent bool) error
}

func newMailer(cfg Config, store mailQueue, log *slog.Logger) (*mailer, error) {
	m := &mailer{store: store, log: log, from: cfg.MailFrom, wake: make(chan struct{}, 1)}
	if cfg.SMTPURL == "" {
		return m, nil
	}
	u, err := url.Parse(cfg.SMTPURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("LIGUE_SMTP_URL: want smtp://[user:password@]host[:port] or smtps://…")
	}
	opts := []gomail.Option{gomail.WithTimeout(20 * time.Second)}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		opts = append(opts, gomail.WithSSL())
	} else if u.Query().Get("tls") == "none" {
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("LIGUE_SMTP_URL: bad port %q", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	if m.client, err = gomail.NewClient(u.Hostname(), opts...); err != nil {
		return nil, err
	}
	return m, nil
}

// logsOnly tells whether mails are only written to the log (no SMTP).
func (m *mailer) logsOnly() bool { return m.client == nil }

// poke asks the loop to deliver soon; it never blocks.
func (m *mailer) poke() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// loop delivers the queue when poked and every 30 seconds (retries).
func (m *mailer) loop(ctx context.Context) {
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		if err := m.flush(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("mail delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		case <-tick.C:
		}
	}
}

func (m *mailer) flush(ctx context.Context) error {
	pending, err := m.store.PendingMails(ctx, 50)
	if err != nil {
		return err
	}
	for _, mail := range pending {
		if err := m.send(ctx, mail); err != nil {
			permanent := refusedForGood(err)
			m.log.Warn("mail not delivered", "mail_id", mail.ID, "to", mail.To, "permanent", permanent, "attempt", mail.Attempts+1, "err", err)
			m.failures.Inc()
			if err := m.store.MarkMailFailed(ctx, mail.ID, err.Error(), permanent); err != nil {
				return err
			}
			continue
		}
		if err := m.store.MarkMailSent(ctx, mail.ID); err != nil {
			return err
		}
	}
	return nil
}

func (m *mailer) send(ctx context.Context, mail content.Mail) error {
	if m.client == nil {
		m.log.Info("mail (no SMTP configured, read it at /admin/courriels)", "mail_id", mail.ID, "to", mail.To,
			"subject", mail.Subject, "body", mail.Body)
		return nil
	}
	msg := gomail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return err
	}
	if err := msg.To(mail.To); err != nil {
		return err
	}
	msg.Subject(mail.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, mail.Body)
	if mail.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, mail.HTML)
	}
	if mail.ListUnsubscribe != "" {
		// RFC 8058: mail clients offer « Se désabonner » and POST
		// "List-Unsubscribe=One-Click" to the URL themselves.
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+mail.ListUnsubscribe+">")
		msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	return m.client.DialAndSendWithContext(ctx, msg)
}

// refusedForGood tells a permanent refusal (an SMTP 5xx reply: unknown
// address, message rejected) from a failure worth retrying.
func refusedForGood(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode() >= 500 && se.ErrorCode() < 600
	}
	return false
}
