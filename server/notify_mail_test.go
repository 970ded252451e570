package server

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ligue-mednum/ligue/content"
)

// mailSink is a real SMTP server on loopback that keeps what it accepts
// and, when told, refuses recipients with a given reply code.
type mailSink struct {
	mu       sync.Mutex
	messages []string
	refuse   int // 0: accept; 4xx or 5xx: refuse every recipient
	tries    int // RCPT commands received
}

func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSinkSession{s}, nil }

type mailSinkSession struct{ sink *mailSink }

func (s *mailSinkSession) Reset()                               {}
func (s *mailSinkSession) Logout() error                        { return nil }
func (s *mailSinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSinkSession) Rcpt(string, *smtp.RcptOptions) error {
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.tries++
	if code := s.sink.refuse; code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: "Boîte inconnue"}
	}
	return nil
}
func (s *mailSinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.sink.mu.Lock()
	s.sink.messages = append(s.sink.messages, string(b))
	s.sink.mu.Unlock()
	return err
}

func (s *mailSink) set(refuse int) { s.mu.Lock(); s.refuse = refuse; s.mu.Unlock() }

// take returns the messages received since the last call, parsed.
func (s *mailSink) take(t *testing.T) []parsedMail {
	t.Helper()
	s.mu.Lock()
	raw := s.messages
	s.messages = nil
	s.mu.Unlock()
	out := make([]parsedMail, len(raw))
	for i, r := range raw {
		out[i] = parseMail(t, r)
	}
	return out
}

// takeFor returns the messages to addr received since the last take.
func (s *mailSink) takeFor(t *testing.T, addr string) []parsedMail {
	t.Helper()
	var out []parsedMail
	for _, m := range s.take(t) {
		if m.header.Get("To") == "<"+addr+">" {
			out = append(out, m)
		}
	}
	return out
}

// startSink runs a mailSink and returns it with a site configured to use it.
func startSink(t *testing.T, opts ...func(*Config)) (*mailSink, *testSite, func(*Config)) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink := &mailSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	cfg := func(c *Config) { c.SMTPURL = "smtp://" + ln.Addr().String() + "?tls=none"; c.DataDir = dir }
	return sink, newTestSite(t, append([]func(*Config){cfg}, opts...)...), cfg
}

// parsedMail is a received mail as a reader sees it.
type parsedMail struct {
	header      mail.Header
	subject     string
	text, html  string
	unsubscribe string // the List-Unsubscribe URL
}

func parseMail(t *testing.T, raw string) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	p := parsedMail{header: msg.Header}
	p.subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	p.unsubscribe = strings.Trim(strings.Join(strings.Fields(msg.Header.Get("List-Unsubscribe")), ""), "<>")
	media, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || media != "multipart/alternative" {
		t.Fatalf("want a multipart/alternative mail, got %q (%v)", msg.Header.Get("Content-Type"), err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := parts.NextPart() // decodes quoted-printable itself
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, _ := io.ReadAll(body)
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.text = string(b)
		case "text/html":
			p.html = string(b)
		}
	}
	if p.text == "" || p.html == "" {
		t.Fatalf("a part is missing: text %q, html %q", p.text, p.html)
	}
	return p
}

// parisClock sets the store's clock to a Paris time and returns a setter.
func parisClock(s *content.Store, at time.Time) func(time.Time) {
	var mu sync.Mutex
	now := at
	s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	return func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
}

func parisAt(day, hour, minute int) time.Time {
	return time.Date(2026, time.November, day, hour, minute, 0, 0, content.Paris) // the 23rd is a Monday
}

// deliver runs the notifier, the mail scheduler and the mailer, as the
// running server does within a minute.
func (ts *testSite) deliver() {
	ts.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := ts.srv.SyncNotifications(ctx); err != nil {
		ts.t.Fatal(err)
	}
	if err := ts.srv.RunMailSchedule(ctx); err != nil {
		ts.t.Fatal(err)
	}
	if err := ts.srv.FlushMail(ctx); err != nil {
		ts.t.Fatal(err)
	}
}

func TestImmediateMailAndOneClickUnsubscribe(t *testing.T) {
	sink, ts, _ := startSink(t)
	parisClock(ts.srv.store, parisAt(23, 10, 0))
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(lea, "Attestation CAF introuvable", "Où la trouver ?")
	answer := ts.mustReply(karim, topic, "Dans l’espace « Mon Compte » : rubrique attestations.", 1)
	ts.deliver()

	got := sink.take(t)
	if len(got) != 1 {
		t.Fatalf("Léa got %d mails, want 1 (a reply to her post goes out at once)", len(got))
	}
	m := got[0]
	postURL := "http://ligue.test" + topic.PostPath(answer.Number)
	if m.header.Get("To") != "<lea@exemple.fr>" || !strings.Contains(m.subject, "Karim a répondu à votre message") ||
		!strings.Contains(m.subject, "Attestation CAF introuvable") {
		t.Errorf("to %q, subject %q", m.header.Get("To"), m.subject)
	}
	if !strings.Contains(m.text, postURL) || !strings.Contains(m.text, "Ne plus recevoir d’e-mails pour les réponses à vos messages") {
		t.Errorf("text part:\n%s", m.text)
	}
	if !strings.Contains(m.html, `href="`+strings.ReplaceAll(postURL, "&", "&amp;")+`"`) || !strings.Contains(m.html, "Karim a répondu à votre message") {
		t.Errorf("HTML part:\n%s", m.html)
	}
	if !strings.HasPrefix(m.unsubscribe, "http://ligue.test/desabonnement?") || m.header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q, List-Unsubscribe-Post %q", m.unsubscribe, m.header.Get("List-Unsubscribe-Post"))
	}
	if !strings.Contains(m.text, m.unsubscribe) {
		t.Error("the text part does not carry the unsubscribe link of the header")
	}
	// What was mailed is not mailed again; the kept copy hides the signature.
	ts.deliver()
	if again := sink.take(t); len(again) != 0 {
		t.Errorf("the same notification was mailed again: %q", again[0].subject)
	}
	stored := ts.lastMail("lea@exemple.fr")
	if strings.Contains(stored.Body+stored.HTML+stored.ListUnsubscribe, url.QueryEscape(strings.Split(m.unsubscribe, "signature=")[1])) ||
		!strings.Contains(stored.Body, "signature=(masqué)") {
		t.Errorf("the stored mail keeps a working unsubscribe link:\n%s", stored.Body)
	}

	// The mail client's one-click POST: no session, no CSRF token.
	u, _ := url.Parse(m.unsubscribe)
	oneClick := func() *response {
		return ts.client().do("POST", u.RequestURI(), strings.NewReader("List-Unsubscribe=One-Click"), "application/x-www-form-urlencoded")
	}
	if r := oneClick(); r.status != 200 || !strings.Contains(r.body, "Vous ne recevrez plus d’e-mails pour : les réponses à vos messages.") {
		t.Fatalf("one-click unsubscribe: %d\n%s", r.status, r.body)
	}
	ts.mustReply(karim, topic, "Et sinon, appelez le 3230.", 1)
	ts.deliver()
	if after := sink.take(t); len(after) != 0 {
		t.Errorf("a reply was mailed after unsubscribing: %q", after[0].subject)
	}
	if got := notices(t, ts, lea); len(got) != 2 {
		t.Errorf("the site still tells both replies: %q", got)
	}
	if r := oneClick(); r.status != 200 || !strings.Contains(r.body, "C’était déjà fait") {
		t.Errorf("the link used twice: %d\n%s", r.status, r.body)
	}
	// A post hidden after its notification was written, before the mail
	// goes: the mail is not sent (the notifier has not caught up yet).
	modo := ts.mustCreateMember("Modo", content.RoleModerator)
	mention := ts.mustReply(karim, topic, "@Lea voici mon numéro personnel.", 0)
	if err := ts.srv.SyncNotifications(ts.ctx()); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.store.SetPostHidden(ts.ctx(), modo, mention.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.RunMailSchedule(ts.ctx()); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.FlushMail(ts.ctx()); err != nil {
		t.Fatal(err)
	}
	if hidden := sink.takeFor(t, "lea@exemple.fr"); len(hidden) != 0 {
		t.Errorf("a hidden post was mailed: %q", hidden[0].text)
	}

	// A reader's browser: GET only shows the button.
	if r := ts.client().get(u.RequestURI()); r.status != 200 || !strings.Contains(r.body, "Ne plus recevoir ces e-mails") {
		t.Errorf("GET of the link: %d\n%s", r.status, r.body)
	}
}

func TestUnsubscribeLinksTamperedExpiredReplayed(t *testing.T) {
	ts := newTestSite(t)
	set := parisClock(ts.srv.store, parisAt(23, 10, 0))
	lea := ts.mustCreateMember("Lea", content.RoleMember)
	link := content.NewUnsubscribeLink(ts.srv.secret, lea.ID, string(content.NotifyMention), ts.srv.store.Now())
	tampered := link
	tampered.Scope = string(content.NotifyReply)
	other := link
	other.UserID++
	browser := ts.client()
	for _, tc := range []struct {
		name, query, want string
		status            int
	}{
		{"another kind, same signature", tampered.Query(), "Ce lien de désabonnement est incorrect", 400},
		{"another member", other.Query(), "Ce lien de désabonnement est incorrect", 400},
		{"cut in the middle", link.Query()[:len(link.Query())-10], "Ce lien de désabonnement est incorrect", 400},
		{"nothing", "", "Ce lien de désabonnement est incorrect", 400},
		{"genuine", link.Query(), "Ne plus recevoir d’e-mails pour : les mentions de votre pseudo ?", 200},
	} {
		if r := browser.get("/desabonnement?" + tc.query); r.status != tc.status || !strings.Contains(r.body, tc.want) {
			t.Errorf("%s: GET %d\n%s", tc.name, r.status, r.body)
		}
	}
	// The button posts the link's fields in the form, without a CSRF token.
	form := url.Values{"membre": {itoa64(link.UserID)}, "type": {link.Scope}, "jour": {link.Day}, "signature": {link.Signature}}
	post := func() *response {
		return browser.do("POST", "/desabonnement", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	}
	if r := post(); r.status != 200 || !strings.Contains(r.body, "Vous ne recevrez plus d’e-mails pour : les mentions de votre pseudo.") {
		t.Errorf("button: %d\n%s", r.status, r.body)
	}
	if r := post(); r.status != 200 || !strings.Contains(r.body, "C’était déjà fait") {
		t.Errorf("replayed: %d\n%s", r.status, r.body)
	}
	prefs, _ := ts.srv.store.MailPrefs(ts.ctx(), lea.ID)
	if prefs.Delivery[content.NotifyMention] != content.DeliverSite || prefs.Delivery[content.NotifyReply] != content.DeliverImmediate {
		t.Errorf("after unsubscribing from mentions: %v", prefs.Delivery)
	}
	set(parisAt(23, 10, 0).Add(91 * 24 * time.Hour))
	if r := post(); r.status != 410 || !strings.Contains(r.body, "Ce lien de désabonnement a expiré") {
		t.Errorf("expired: %d\n%s", r.status, r.body)
	}
	// Only this route skips the CSRF check.
	if r := browser.do("POST", "/compte/notifications", strings.NewReader("type-reply=never"), "application/x-www-form-urlencoded"); r.status == 303 {
		t.Error("the preferences form was accepted without a CSRF token")
	}
}

func TestDigestsGroupNeverRepeatAndSurviveRestarts(t *testing.T) {
	sink, ts, cfg := startSink(t)
	set := parisClock(ts.srv.store, parisAt(23, 6, 0))
	ctx := ts.ctx()
	lea, karim, lucie, maelle, modo := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember),
		ts.mustCreateMember("Lucie", content.RoleMember), ts.mustCreateMember("Maelle", content.RoleMember),
		ts.mustCreateMember("Modo", content.RoleModerator)
	caf := ts.mustCreateTopic(lea, "Attestation CAF introuvable", "Où la trouver ?")
	ants := ts.mustCreateTopic(lea, "Rendez-vous ANTS en ligne", "Comment s’y prendre ?")
	// Léa follows both topics (she wrote them): replies go to her daily digest.
	ts.mustReply(karim, caf, "Dans l’espace Mon Compte.", 0)
	set(parisAt(23, 6, 30))
	ts.mustReply(lucie, ants, "Il faut créer un compte d’abord.", 0)
	set(parisAt(23, 7, 0))
	ts.mustReply(lucie, caf, "Rubrique « Mes attestations ».", 0)
	set(parisAt(23, 7, 10))
	spam := ts.mustReply(maelle, ants, "Publicité sans rapport.", 0)
	ts.deliver()
	if err := ts.srv.store.SetPostHidden(ctx, modo, spam.ID, true); err != nil {
		t.Fatal(err)
	}
	set(parisAt(23, 7, 59))
	ts.deliver()
	if got := sink.takeFor(t, "lea@exemple.fr"); len(got) != 0 {
		t.Fatalf("a digest before 8 h: %q", got[0].subject)
	}

	// The server is down at 8 h. A crash while the first try was writing
	// (the mail could not be composed) leaves no trace...
	set(parisAt(23, 9, 30))
	if _, err := ts.srv.store.SendDigests(ctx, func(content.NotificationMail) (content.Mail, error) {
		return content.Mail{}, errors.New("power cut")
	}); err == nil {
		t.Fatal("the failing digest reported no error")
	}
	ts.srv.Close()

	// ...and the next start at 9 h 30 sends the missed digest, once.
	again := newTestSite(t, cfg)
	parisClock(again.srv.store, parisAt(23, 9, 30))
	again.deliver()
	got := sink.takeFor(t, "lea@exemple.fr")
	if len(got) != 1 {
		t.Fatalf("after the restart: %d digests, want 1", len(got))
	}
	d := got[0]
	if !strings.Contains(d.subject, "Votre résumé du jour") || !strings.Contains(d.subject, "3 notifications") {
		t.Errorf("subject %q", d.subject)
	}
	// Grouped by topic, the topic with the newest news first, newest first within it.
	order := []string{"Attestation CAF introuvable", "Nouvelle réponse de Lucie", "Nouvelle réponse de Karim",
		"Rendez-vous ANTS en ligne", "Nouvelle réponse de Lucie"}
	for _, part := range []struct{ name, body string }{{"text", d.text}, {"HTML", d.html}} {
		rest := plain(part.body)
		for _, w := range order {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Fatalf("%s part: %q missing or out of order:\n%s", part.name, w, plain(part.body))
			}
			rest = rest[i+len(w):]
		}
		if strings.Contains(part.body, "Maelle") {
			t.Errorf("%s part tells the hidden post:\n%s", part.name, part.body)
		}
	}
	if !strings.Contains(d.unsubscribe, "type=resume-jour") || !strings.Contains(d.text, "Ne plus recevoir d’e-mails pour le résumé du jour") {
		t.Errorf("digest unsubscribe: %q\n%s", d.unsubscribe, d.text)
	}

	// Another start the same morning sends nothing more.
	parisClock(again.srv.store, parisAt(23, 9, 45))
	again.deliver()
	again.srv.Close() // one server on a data folder at a time
	third := newTestSite(t, cfg)
	set2 := parisClock(third.srv.store, parisAt(23, 10, 0))
	third.deliver()
	if extra := sink.takeFor(t, "lea@exemple.fr"); len(extra) != 0 {
		t.Fatalf("a second digest the same day: %q", extra[0].subject)
	}

	// Léa moves her digest to 18 h. A reply at 10 h 05 waits for it: not
	// at 8 h the next day, at 18 h, alone.
	set2(parisAt(23, 10, 5))
	ts2 := third
	ts2.mustReply(karim, ants, "Sinon, la mairie aide à prendre rendez-vous.", 0)
	browser := ts2.loggedIn(lea)
	browser.get("/compte/notifications")
	if r := browser.postForm("/compte/notifications", url.Values{"digest_hour": {"18"}, "digest_weekday": {"1"}}); r.status != 303 {
		t.Fatalf("preferences: %d\n%s", r.status, r.body)
	}
	set2(parisAt(24, 8, 0))
	ts2.deliver()
	if early := sink.takeFor(t, "lea@exemple.fr"); len(early) != 0 {
		t.Errorf("a digest at 8 h though Léa chose 18 h: %q", early[0].subject)
	}
	set2(parisAt(24, 18, 0))
	ts2.deliver()
	got = sink.takeFor(t, "lea@exemple.fr")
	if len(got) != 1 || !strings.Contains(got[0].subject, "1 notification") || !strings.Contains(got[0].text, "Nouvelle réponse de Karim") ||
		strings.Contains(got[0].text, "Attestation CAF") {
		t.Fatalf("the 18 h digest: %d mails %v", len(got), got)
	}
	// Nothing new the day after: no digest.
	set2(parisAt(25, 18, 0))
	ts2.deliver()
	if empty := sink.takeFor(t, "lea@exemple.fr"); len(empty) != 0 {
		t.Errorf("a digest with nothing new: %q", empty[0].text)
	}
}

func TestNeverMeansNoNotificationAndTheFormRefusesUnknownChoices(t *testing.T) {
	ts := newTestSite(t)
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	browser := ts.loggedIn(lea)
	if r := browser.get("/compte/"); !strings.Contains(r.body, `href="/compte/notifications"`) {
		t.Error("the account page does not link to the notification choices")
	}
	r := browser.get("/compte/notifications")
	if r.status != 200 || !strings.Contains(r.body, "<legend>Réponses à vos messages</legend>") ||
		!strings.Contains(r.body, `name="type-reply" value="immediate" checked`) || !strings.Contains(r.body, `name="type-merci" value="site" checked`) {
		t.Fatalf("preferences page: %d\n%s", r.status, r.body)
	}
	if strings.Contains(r.body, `name="type-moderation" value="never"`) || !strings.Contains(r.body, `name="type-moderation" value="site"`) {
		t.Error("« Jamais » is offered for moderation decisions")
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"unknown kind", url.Values{"type-reply": {"daily"}, "type-inconnu": {"never"}}, "Type de notification inconnu : « inconnu »."},
		{"unknown delivery", url.Values{"type-reply": {"daily"}, "type-merci": {"pigeon"}}, "Choix inconnu : « pigeon »."},
		{"hour out of range", url.Values{"type-reply": {"daily"}, "digest_hour": {"25"}}, "L’heure du résumé va de 0 à 23."},
		{"moderation silenced", url.Values{"type-reply": {"daily"}, "type-moderation": {"never"}},
			"Les décisions de la modération vous sont toujours signalées, au moins sur le site"},
	} {
		r := browser.postForm("/compte/notifications", tc.form)
		if r.status != 400 || !strings.Contains(r.body, tc.want) || !strings.Contains(r.body, `name="type-reply" value="daily" checked`) {
			t.Errorf("%s: %d, want 400 with %q and the form filled\n%s", tc.name, r.status, tc.want, r.body)
		}
	}
	if prefs, _ := ts.srv.store.MailPrefs(ts.ctx(), lea.ID); prefs.Delivery[content.NotifyReply] != content.DeliverImmediate {
		t.Error("a refused form changed a choice")
	}
	if r := browser.postForm("/compte/notifications", url.Values{"type-reply": {"never"}, "type-topic_reply": {"weekly"},
		"digest_hour": {"7"}, "digest_weekday": {"5"}}); r.status != 303 {
		t.Fatalf("save: %d\n%s", r.status, r.body)
	}
	if r := browser.get("/compte/notifications"); !strings.Contains(r.body, `name="type-reply" value="never" checked`) ||
		!strings.Contains(r.body, `<option value="7" selected>`) || !strings.Contains(r.body, `<option value="5" selected>vendredi`) {
		t.Errorf("saved choices not shown:\n%s", r.body)
	}
	// « Jamais »: no notification at all; other kinds still arrive.
	topic := ts.mustCreateTopic(lea, "Question", "Texte.")
	ts.mustReply(karim, topic, "Une réponse à Léa.", 1)
	ts.mustReply(karim, topic, "Une réponse dans la discussion.", 0)
	// (She follows her topic: both replies are told as such, neither as a
	// reply to her post.)
	if got := strings.Join(notices(t, ts, lea), " | "); got != "Question: Nouvelle réponse de Karim | Question: Nouvelle réponse de Karim" {
		t.Errorf("with replies to her posts set to « Jamais »: %q", got)
	}
}

func TestRefusedMailIsRetriedThenShownToAdmins(t *testing.T) {
	sink, ts, _ := startSink(t)
	set := parisClock(ts.srv.store, parisAt(23, 10, 0))
	admin := ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(lea, "Attestation CAF introuvable", "Où la trouver ?")

	// A temporary refusal: tried again later, not at once.
	sink.set(451)
	ts.mustReply(karim, topic, "Première réponse.", 1)
	ts.deliver()
	if r := admin.get("/admin/courriels"); !strings.Contains(r.body, "en attente (nouvel essai le 23 novembre 2026 à 10 h 01") {
		t.Errorf("after a 4xx:\n%s", r.body)
	}
	tries := func() int { sink.mu.Lock(); defer sink.mu.Unlock(); return sink.tries }
	before := tries()
	ts.deliver()
	if tries() != before {
		t.Error("the mail was tried again before its back-off")
	}
	sink.set(0)
	set(parisAt(23, 10, 2))
	ts.deliver()
	if got := sink.take(t); len(got) != 1 {
		t.Fatalf("after the back-off: %d mails", len(got))
	}
	if r := admin.get("/admin/courriels"); !strings.Contains(r.body, "envoyé") {
		t.Errorf("after delivery:\n%s", r.body)
	}

	// A permanent refusal: given up, and said so.
	sink.set(550)
	ts.mustReply(karim, topic, "Deuxième réponse.", 1)
	ts.deliver()
	if r := admin.get("/admin/courriels"); !strings.Contains(r.body, "refusé : ") || !strings.Contains(r.body, "Boîte inconnue") {
		t.Errorf("after a 5xx:\n%s", r.body)
	}
	before = tries()
	set(parisAt(24, 10, 0))
	ts.deliver()
	if tries() != before {
		t.Error("a mail refused for good was tried again")
	}
	if !strings.Contains(ts.logs.String(), "mail not delivered") {
		t.Error("the refusal is not logged")
	}
}

// Private messages and moderation decisions are mailed at once by default;
// a message mail goes to the conversation's members only, and says nothing
// of it in the subject beyond its title.
func TestMessagesAndModerationDecisionsAreMailed(t *testing.T) {
	sink, ts, _ := startSink(t)
	parisClock(ts.srv.store, parisAt(23, 10, 0))
	ts.mustCreateMember("Lea", content.RoleMember)
	karim, lucie, modo := ts.mustCreateMember("Karim", content.RoleMember), ts.mustCreateMember("Lucie", content.RoleMember),
		ts.mustCreateMember("Modo", content.RoleModerator)
	conv, err := ts.srv.store.StartConversation(ts.ctx(), karim, content.NewConversation{Participants: "Lea", Title: "Atelier de jeudi",
		Body: "Tu peux me remplacer jeudi ?"})
	if err != nil {
		t.Fatal(err)
	}
	ts.deliver()
	got := sink.take(t)
	if len(got) != 1 || got[0].header.Get("To") != "<lea@exemple.fr>" || !strings.Contains(got[0].subject, "Atelier de jeudi") ||
		!strings.Contains(got[0].text, "http://ligue.test/messages/"+itoa64(conv.ID)) {
		t.Fatalf("the message mails: %+v (want one, to Léa)", got)
	}

	topic := ts.mustCreateTopic(lucie, "Imprimer depuis un téléphone", "Comment ?")
	answer := ts.mustReply(lucie, topic, "Avec le câble.", 0)
	if err := ts.srv.store.SetPostHidden(ts.ctx(), modo, answer.ID, true); err != nil {
		t.Fatal(err)
	}
	ts.deliver()
	got = sink.takeFor(t, "lucie@exemple.fr")
	if len(got) != 1 || !strings.Contains(got[0].subject, "La modération a masqué votre message") ||
		!strings.Contains(got[0].text, "http://ligue.test"+topic.PostPath(answer.Number)) {
		t.Errorf("Lucie's moderation mail: %+v", got)
	}
}
