package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// notices lists what u's notifications page says, one line per
// notification: "Title: text".
func notices(t *testing.T, ts *testSite, u *content.User) []string {
	t.Helper()
	if err := ts.srv.SyncNotifications(context.Background()); err != nil {
		t.Fatal(err)
	}
	groups, err := ts.srv.store.Notifications(context.Background(), u, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range groups {
		for _, n := range g.Items {
			out = append(out, g.Title+": "+n.Text())
		}
	}
	return out
}

func TestEachEventNotifiesTheRightPeopleOnce(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	store := ts.srv.store
	lea, karim, lucie, modo := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember),
		ts.mustCreateMember("Lucie", content.RoleMember), ts.mustCreateMember("Modo", content.RoleModerator)
	cat, err := store.CategoryBySlug(ctx, "demarches-en-ligne")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetWatch(ctx, lucie, content.FollowCategory, cat.ID, content.Watching); err != nil {
		t.Fatal(err)
	}
	// A new topic: the category's follower is told, its author is not.
	topic := ts.mustCreateTopic(lea, "Attestation CAF introuvable", "Où la trouver ?")
	want := map[*content.User][]string{lea: nil, karim: nil, lucie: {"Attestation CAF introuvable: Nouvelle discussion de Lea"}, modo: nil}
	check := func(step string) {
		t.Helper()
		for u, w := range want {
			if got := notices(t, ts, u); strings.Join(got, " | ") != strings.Join(w, " | ") {
				t.Errorf("%s: %s is told %q, want %q", step, u.Pseudo, got, w)
			}
		}
	}
	check("new topic")

	// A reply to Léa's post that also mentions her: one notification, the
	// reply; the topic's other followers (none yet) and Karim himself nothing.
	answer, err := store.Reply(ctx, karim, topic.ID, content.NewReply{Body: "@Lea regarde dans l’espace Mon Compte.", ReplyTo: 1})
	if err != nil {
		t.Fatal(err)
	}
	want[lea] = []string{"Attestation CAF introuvable: Karim a répondu à votre message"}
	check("reply with a mention")

	// Lucie replies: Léa follows her topic, Karim follows it since he wrote in it.
	if _, err := store.Reply(ctx, lucie, topic.ID, content.NewReply{Body: "Merci pour l’astuce.", ReplyTo: 2}); err != nil {
		t.Fatal(err)
	}
	want[lea] = []string{"Attestation CAF introuvable: Nouvelle réponse de Lucie", "Attestation CAF introuvable: Karim a répondu à votre message"}
	want[karim] = []string{"Attestation CAF introuvable: Lucie a répondu à votre message"}
	check("reply in a followed topic")

	// Quoting Karim's answer tells him (a quote, below a reply or a mention).
	quote := "> **@Karim** [a écrit](" + topic.PostPath(answer.Number) + "#post-" + itoa64(int64(answer.Number)) + ") :\n> regarde dans l’espace Mon Compte.\n\nC’est bien là."
	if _, err := store.Reply(ctx, modo, topic.ID, content.NewReply{Body: quote}); err != nil {
		t.Fatal(err)
	}
	want[karim] = append([]string{"Attestation CAF introuvable: Modo a cité votre message"}, want[karim]...)
	want[lea] = []string{"Attestation CAF introuvable: Nouvelle réponse de Modo", "Attestation CAF introuvable: Nouvelle réponse de Lucie",
		"Attestation CAF introuvable: Karim a répondu à votre message"}
	want[lucie] = append([]string{"Attestation CAF introuvable: Nouvelle réponse de Modo"}, want[lucie]...)
	check("quote")

	// Two mercis on Karim's answer are one notification; accepting it another.
	for _, u := range []*content.User{lea, lucie} {
		if _, err := store.ToggleMerci(ctx, u, answer.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.AcceptAnswer(ctx, lea, topic.ID, answer.Number); err != nil {
		t.Fatal(err)
	}
	want[karim] = []string{"Attestation CAF introuvable: Lea a accepté votre réponse", "Attestation CAF introuvable: Lucie et 1 autre vous remercient",
		"Attestation CAF introuvable: Modo a cité votre message", "Attestation CAF introuvable: Lucie a répondu à votre message"}
	check("mercis and acceptance")

	// A post hidden by a moderator is no longer announced.
	hidden, err := store.Reply(ctx, modo, topic.ID, content.NewReply{Body: "Message à masquer."})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetPostHidden(ctx, modo, hidden.ID, true); err != nil {
		t.Fatal(err)
	}
	check("hidden post")

	// Fiches: a revision tells those who wrote it, a report its authors.
	f, err := store.CreateFiche(ctx, lea, content.FicheInput{Title: "Retrouver une attestation CAF", Body: "Première version."}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishFiche(ctx, lea, f.ID); err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{"Deuxième version.", "Troisième version."} {
		if _, err := store.SaveFiche(ctx, karim, f.ID, content.FicheInput{Title: f.Title, Body: body, BaseRevision: i + 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.ReportFiche(ctx, lucie, f.ID, content.ReportInput{Comment: "Le site de la CAF a changé de menu."}); err != nil {
		t.Fatal(err)
	}
	want[lea] = append([]string{"Retrouver une attestation CAF: Lucie signale une information peut-être obsolète",
		"Retrouver une attestation CAF: 2 nouvelles révisions, la dernière par Karim"}, want[lea]...)
	check("fiche revisions and report")
	groups, _ := store.Notifications(ctx, lea, false)
	if p := groups[0].Items[1].Path; p != f.Path()+"/comparer?de=1&a=3" {
		t.Errorf("revision notification links to %q", p)
	}

	// Applying again repeats nothing.
	check("applied twice")
}

func TestNotificationsPagesAndBell(t *testing.T) {
	ts := newTestSite(t)
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(lea, "Imprimer depuis un smartphone", "Comment faire ?")
	ts.mustReply(karim, topic, "@Lea avec l’application du fabricant.", 1)
	if err := ts.srv.SyncNotifications(context.Background()); err != nil {
		t.Fatal(err)
	}
	cl := ts.loggedIn(lea)
	home := cl.get("/")
	if !strings.Contains(home.body, `Notifications <span class="count">(1<span class="visually-hidden"> non lue</span>)</span>`) {
		t.Fatalf("the bell does not count:\n%s", home.body)
	}
	page := cl.get("/notifications")
	if page.status != 200 || !strings.Contains(page.body, "Karim a répondu à votre message") || !strings.Contains(page.raw, topic.PostPath(2)) {
		t.Fatalf("notifications page: %d\n%s", page.status, page.body)
	}
	if r := ts.client().get("/notifications"); r.status == 200 {
		t.Error("a visitor reads notifications")
	}
	// Reading the post marks it read.
	cl.get(topic.Path())
	if home := cl.get("/"); strings.Contains(home.body, "non lue") {
		t.Error("reading the topic left the notification unread")
	}
	if page := cl.get("/notifications?filtre=non-lues"); !strings.Contains(page.body, "Aucune notification non lue") {
		t.Error("unread filter")
	}
	// Mark all read from the page.
	ts.mustReply(karim, topic, "@Lea et aussi par le Wi-Fi.", 2)
	ts.srv.SyncNotifications(context.Background())
	if r := cl.postForm("/notifications/lu", url.Values{"retour": {"/notifications"}}); r.status != http.StatusSeeOther || r.location != "/notifications" {
		t.Fatalf("mark all read: %d %q", r.status, r.location)
	}
	if home := cl.get("/"); strings.Contains(home.body, "non lue") {
		t.Error("mark all read left one unread")
	}
}

// TestNotifierKeepsItsPlaceAcrossARestart: events written while the server
// was down are notified once at the next start.
func TestNotifierKeepsItsPlaceAcrossARestart(t *testing.T) {
	dir := t.TempDir()
	ts := newTestSite(t, func(c *Config) { c.DataDir = dir })
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(lea, "Une question avant l’arrêt", "Texte.")
	ts.mustReply(karim, topic, "Première réponse.", 1)
	if got := notices(t, ts, lea); len(got) != 1 {
		t.Fatalf("before the restart: %q", got)
	}
	ts.mustReply(karim, topic, "Deuxième réponse, écrite avant l’arrêt.", 1)
	ts.srv.Close()
	again := newTestSite(t, func(c *Config) { c.DataDir = dir })
	for range 2 {
		if got := notices(t, again, lea); len(got) != 2 {
			t.Errorf("after the restart: %q", got)
		}
	}
}

func TestNotificationsAPI(t *testing.T) {
	ts := newTestSite(t)
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(lea, "Scanner un justificatif", "Avec quel outil ?")
	ts.mustReply(karim, topic, "Avec l’appareil photo du téléphone.", 1)
	ts.srv.SyncNotifications(context.Background())
	token := ts.mustToken(lea)
	status, out := ts.apiCall(token, "GET", "/api/v1/notifications?non_lues=1", "")
	list, _ := out["notifications"].([]any)
	if status != 200 || len(list) != 1 || out["unread"] != float64(1) {
		t.Fatalf("list: %d %v", status, out)
	}
	if n := list[0].(map[string]any); n["kind"] != "reply" || n["url"] != "http://ligue.test"+topic.PostPath(2) {
		t.Errorf("notification %v", n)
	}
	if status, _ := ts.apiCall(token, "POST", "/api/v1/notifications/lu", `{}`); status != 200 {
		t.Fatalf("read: %d", status)
	}
	if _, out := ts.apiCall(token, "GET", "/api/v1/notifications?non_lues=1", ""); out["unread"] != float64(0) {
		t.Errorf("after reading: %v", out)
	}
	if status, _ := ts.apiCall("", "GET", "/api/v1/notifications", ""); status != 401 {
		t.Errorf("anonymous: %d", status)
	}
}
