package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// mustConverse starts a conversation through the store, as the form does.
func (ts *testSite) mustConverse(author *content.User, to, title, body string) *content.Conversation {
	ts.t.Helper()
	c, err := ts.srv.store.StartConversation(ts.ctx(), author, content.NewConversation{Participants: to, Title: title, Body: body})
	if err != nil {
		ts.t.Fatal(err)
	}
	return c
}

func wantStatus(t *testing.T, r *response, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Errorf("page lacks %q\n%s", s, r.body)
		}
	}
}

// Private messages are read by the members of the conversation and by
// nobody else, through any channel: pages, API, search, notifications,
// feeds; moderators and administrators included.
func TestMessagesAreInvisibleOutsideTheConversation(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	other := ts.mustCreateMember("Nadia", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	ts.mustCreateTopic(karim, "Une discussion publique sur les ateliers", "Rien de secret ici.")

	kc := ts.loggedIn(karim)
	r := kc.postForm("/messages/nouveau", url.Values{"participants": {"@Lucie"}, "title": {"Objet confidentiel zanzibar"},
		"body": {"Le code de la porte est quetzalcoatl."}, "action": {"envoyer"}})
	wantStatus(t, r, http.StatusSeeOther)
	path := r.location
	id := strings.TrimPrefix(path, "/messages/")
	ts.syncIndex()
	if err := ts.srv.SyncNotifications(ts.ctx()); err != nil {
		t.Fatal(err)
	}

	lc := ts.loggedIn(lucie)
	wantStatus(t, lc.get("/notifications"), 200, "Karim vous a écrit", "Objet confidentiel zanzibar")
	wantStatus(t, lc.get(path), 200, "quetzalcoatl", "Objet confidentiel zanzibar")
	lt := ts.mustToken(lucie)
	if status, out := ts.apiCall(lt, "GET", "/api/v1/messages/"+id, ""); status != 200 || !strings.Contains(fmt.Sprint(out), "quetzalcoatl") {
		t.Errorf("Lucie's API read: %d %v", status, out)
	}

	for _, u := range []*content.User{other, mod, admin} {
		cl := ts.loggedIn(u)
		for _, p := range []string{path, path + "/signaler/1", "/messages/999999"} {
			if r := cl.get(p); r.status != 404 || strings.Contains(r.body, "zanzibar") {
				t.Errorf("%s GET %s: %d", u.Pseudo, p, r.status)
			}
		}
		if r := cl.postForm(path+"/reponses", url.Values{"body": {"Je m’invite."}}); r.status != 404 {
			t.Errorf("%s replies: %d", u.Pseudo, r.status)
		}
		if r := cl.postForm(path+"/quitter", nil); r.status != 404 {
			t.Errorf("%s leaves: %d", u.Pseudo, r.status)
		}
		// Search pages repeat the query: each looks for one word and must
		// not show the other.
		for p, secret := range map[string]string{"/messages": "zanzibar", "/notifications": "zanzibar", "/recherche?q=quetzalcoatl": "zanzibar",
			"/recherche?q=zanzibar": "quetzalcoatl", "/discussions": "zanzibar", "/brouillons": "zanzibar"} {
			if r := cl.get(p); strings.Contains(r.body, secret) || strings.Contains(r.body, "code de la porte") {
				t.Errorf("%s sees the message on %s", u.Pseudo, p)
			}
		}
		token := ts.mustToken(u)
		for _, p := range []string{"/api/v1/messages/" + id, "/api/v1/messages/999999"} {
			if status, out := ts.apiCall(token, "GET", p, ""); status != 404 || errorCode(out) != "not_found" {
				t.Errorf("%s API GET %s: %d %v", u.Pseudo, p, status, out)
			}
		}
		if status, _ := ts.apiCall(token, "POST", "/api/v1/messages/"+id+"/reponses", `{"body":"Coucou"}`); status != 404 {
			t.Errorf("%s API reply: %d", u.Pseudo, status)
		}
		for _, p := range []string{"/api/v1/messages", "/api/v1/notifications", "/api/v1/recherche?q=quetzalcoatl"} {
			if status, out := ts.apiCall(token, "GET", p, ""); status != 200 || strings.Contains(fmt.Sprint(out), "zanzibar") || strings.Contains(fmt.Sprint(out), "code de la porte") {
				t.Errorf("%s API %s: %d %v", u.Pseudo, p, status, out)
			}
		}
	}
	// Not even the participants find it in search: messages are not indexed.
	if r := lc.get("/recherche?q=quetzalcoatl"); strings.Contains(r.body, "zanzibar") || strings.Contains(r.body, "code de la porte") {
		t.Error("search shows a private message")
	}
	for _, p := range []string{"/discussions.atom", "/fiches.atom"} {
		if r := ts.client().get(p); strings.Contains(r.body, "zanzibar") {
			t.Errorf("%s shows a private message", p)
		}
	}
	// A visitor is sent to log in.
	if r := ts.client().get(path); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/connexion") {
		t.Errorf("visitor: %d %s", r.status, r.location)
	}
	if status, _ := ts.apiCall("", "GET", "/api/v1/messages", ""); status != 401 {
		t.Errorf("API without a token: %d", status)
	}
}

func TestNewMessageRefusalsKeepTheText(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateMember("Lucie", content.RoleMember)
	gone := ts.mustCreateMember("Suspendu", content.RoleMember)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	if err := ts.srv.store.SetSuspended(ts.ctx(), admin, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	var crowd []string
	for i := 0; i < 500; i++ {
		crowd = append(crowd, fmt.Sprintf("membre%d", i))
	}
	kc := ts.loggedIn(karim)
	const typed = "Un texte tapé avec soin"
	long := typed + strings.Repeat(" et encore", content.MaxBodyLength/10)
	for _, tc := range []struct {
		name, to, title, body, want string
	}{
		{"unknown pseudo", "Inconnu", "Bonjour", typed, "Aucun membre ne peut recevoir de message sous le pseudo « Inconnu »"},
		{"suspended member", "Suspendu", "Bonjour", typed, "Aucun membre ne peut recevoir de message sous le pseudo « Suspendu »"},
		{"oneself only", "karim", "Bonjour", typed, "Vous ne pouvez pas vous écrire à vous-même"},
		{"500 people", strings.Join(crowd, ", "), "Bonjour", typed, "20 personnes au plus"},
		{"nobody", "", "Bonjour", typed, "Indiquez à qui écrire"},
		{"empty body", "Lucie", "Bonjour", "   ", "Le message est vide."},
		{"no title", "Lucie", "", typed, "Donnez un objet"},
		{"body over the limit", "Lucie", "Bonjour", long, "50 000 caractères"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := kc.postForm("/messages/nouveau", url.Values{"participants": {tc.to}, "title": {tc.title}, "body": {tc.body}, "action": {"envoyer"}})
			wantStatus(t, r, http.StatusUnprocessableEntity, tc.want)
			if strings.TrimSpace(tc.body) != "" && !strings.Contains(r.body, typed) {
				t.Error("the text typed is lost")
			}
		})
	}
	if list, _, _ := ts.srv.store.Conversations(ts.ctx(), karim, 1); len(list) != 0 {
		t.Errorf("a refused message was sent: %+v", list)
	}
}

// A blocked member is never told: alone, the blocker reads as an unknown
// pseudo; with others, the conversation is made without the blocker.
func TestBlockingIsSilent(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	ts.mustCreateMember("Nadia", content.RoleMember)
	ts.mustCreateMember("Modo", content.RoleModerator)

	lc := ts.loggedIn(lucie)
	wantStatus(t, lc.get("/membres/Karim"), 200, "Ne plus recevoir de messages de Karim", "Lui écrire")
	r := lc.postForm("/messages/bloques", url.Values{"pseudo": {"Karim"}, "retour": {"membre"}})
	wantStatus(t, r, http.StatusSeeOther)
	if r.location != "/membres/Karim" {
		t.Errorf("back to %q", r.location)
	}
	wantStatus(t, lc.get("/membres/Karim"), 200, "Recevoir de nouveau les messages de Karim")
	wantStatus(t, lc.get("/messages/bloques"), 200, "Karim", "Débloquer")
	wantStatus(t, lc.postForm("/messages/bloques", url.Values{"pseudo": {"Modo"}}), http.StatusSeeOther)
	if blocked, _ := ts.srv.store.HasBlocked(ts.ctx(), lucie, ts.mustUser("Modo").ID); blocked {
		t.Error("a moderator was blocked")
	}
	wantStatus(t, lc.postForm("/messages/bloques", url.Values{"pseudo": {"Personne"}}), http.StatusUnprocessableEntity, "« Personne »")

	kc := ts.loggedIn(karim)
	unknown := kc.postForm("/messages/nouveau", url.Values{"participants": {"Luciee"}, "title": {"Bonjour"}, "body": {"Texte"}})
	blocked := kc.postForm("/messages/nouveau", url.Values{"participants": {"Lucie"}, "title": {"Bonjour"}, "body": {"Texte"}})
	wantStatus(t, blocked, http.StatusUnprocessableEntity)
	if a, b := errorSummary(unknown.body), errorSummary(blocked.body); strings.Replace(a, "Luciee", "Lucie", 1) != b || b == "" {
		t.Errorf("the blocker's refusal differs from an unknown pseudo's:\n%s\n%s", a, b)
	}
	if strings.Contains(blocked.body, "bloqu") {
		t.Error("the refusal says Karim is blocked")
	}
	r = kc.postForm("/messages/nouveau", url.Values{"participants": {"Lucie, Nadia"}, "title": {"Atelier du jeudi"}, "body": {"Bonjour à vous deux."}})
	wantStatus(t, r, http.StatusSeeOther)
	page := kc.get(r.location)
	wantStatus(t, page, 200, "Nadia", "Atelier du jeudi")
	if strings.Contains(page.body, "Lucie") {
		t.Error("the blocker is in the conversation")
	}
	// Nor can Karim add her afterwards, nor Nadia for him.
	wantStatus(t, kc.postForm(r.location+"/participants", url.Values{"participants": {"Lucie"}}), http.StatusUnprocessableEntity, "« Lucie »")
	if r := lc.get(r.location); r.status != 404 {
		t.Errorf("the blocker reads the conversation: %d", r.status)
	}
	if r := lc.get("/messages"); strings.Contains(r.body, "Atelier du jeudi") {
		t.Error("the conversation is in the blocker's list")
	}
	// Unblocked, Karim may write to her again.
	wantStatus(t, lc.postForm("/messages/bloques/retirer", url.Values{"pseudo": {"Karim"}}), http.StatusSeeOther)
	wantStatus(t, kc.postForm("/messages/nouveau", url.Values{"participants": {"Lucie"}, "title": {"Bonjour"}, "body": {"Texte"}}), http.StatusSeeOther)
}

func (ts *testSite) mustUser(pseudo string) *content.User {
	ts.t.Helper()
	u, err := ts.srv.store.UserByPseudo(ts.ctx(), pseudo)
	if err != nil {
		ts.t.Fatal(err)
	}
	return u
}

// errorSummary is the list of a refused form's messages.
func errorSummary(body string) string {
	i := strings.Index(body, `<div class="error-summary"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</div>")
	return body[i : i+j]
}

func TestConversationUnreadLeavingAndDrafts(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	ts.mustCreateMember("Nadia", content.RoleMember)
	kc, lc := ts.loggedIn(karim), ts.loggedIn(lucie)

	// A draft of a new message keeps its recipients, title and text.
	r := kc.postForm("/messages/nouveau", url.Values{"participants": {"Lucie, Nadia"}, "title": {"Permanence"}, "body": {"Je commence…"}, "action": {"brouillon"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, kc.get("/messages/nouveau"), 200, `value="Lucie, Nadia"`, `value="Permanence"`, "Je commence…")
	wantStatus(t, kc.get("/brouillons"), 200, "Nouveau message : « Permanence »")
	r = kc.postForm("/messages/nouveau", url.Values{"participants": {"Lucie, Nadia"}, "title": {"Permanence"}, "body": {"Je commence et je finis."}})
	wantStatus(t, r, http.StatusSeeOther)
	path := r.location
	if r := kc.get("/messages/nouveau"); strings.Contains(r.body, "Je commence…") {
		t.Error("the draft is kept after sending")
	}
	wantStatus(t, kc.postForm(path+"/reponses", url.Values{"body": {"Deuxième message."}}), http.StatusSeeOther)

	// Lucie has two unread messages, in one conversation.
	wantStatus(t, lc.get("/"), 200, `Messages <span class="count">(1<span class="visually-hidden"> conversation non lue</span>)`)
	wantStatus(t, lc.get("/messages"), 200, "Permanence", "2 non lus", "Avec Karim, Nadia")
	wantStatus(t, lc.get(path), 200, "Aller au premier message non lu", "Deuxième message.")
	if r := lc.get("/messages"); strings.Contains(r.body, "non lu") {
		t.Error("still unread after reading")
	}
	// Her reply draft is kept.
	wantStatus(t, lc.postForm(path+"/reponses", url.Values{"body": {"Ma réponse commencée"}, "action": {"brouillon"}}), http.StatusSeeOther)
	wantStatus(t, lc.get(path), 200, "Ma réponse commencée")
	wantStatus(t, lc.get("/brouillons"), 200, "Réponse dans la conversation « Permanence »")

	// She leaves: the conversation is gone for her, and a reply is refused
	// with its text.
	wantStatus(t, lc.postForm(path+"/quitter", nil), http.StatusSeeOther)
	if r := lc.get(path); r.status != 404 {
		t.Errorf("read after leaving: %d", r.status)
	}
	if r := lc.get("/messages"); strings.Contains(r.body, "Permanence") {
		t.Error("the list shows a conversation left")
	}
	wantStatus(t, lc.postForm(path+"/reponses", url.Values{"body": {"Je reviens quand même"}}), http.StatusForbidden,
		"Vous avez quitté cette conversation", "Je reviens quand même")
	status, out := ts.apiCall(ts.mustToken(lucie), "POST", "/api/v1"+path+"/reponses", `{"body":"Par l’API"}`)
	if status != 403 || errorCode(out) != "left" {
		t.Errorf("API reply after leaving: %d %v", status, out)
	}
	// Karim sees she left, and cannot add her back.
	wantStatus(t, kc.get(path), 200, "Lucie</a> (a quitté la conversation)")
	wantStatus(t, kc.postForm(path+"/participants", url.Values{"participants": {"Lucie"}}), http.StatusUnprocessableEntity, "l’ont quittée")
}

func TestMessagesRateLimitKeepsTheText(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateMember("Lucie", content.RoleMember)
	kc := ts.loggedIn(karim)
	var path string
	for i := 0; i < 10; i++ {
		r := kc.postForm("/messages/nouveau", url.Values{"participants": {"Lucie"}, "title": {fmt.Sprintf("Message %d", i)}, "body": {"Bonjour."}})
		wantStatus(t, r, http.StatusSeeOther)
		path = r.location
	}
	r := kc.postForm("/messages/nouveau", url.Values{"participants": {"Lucie"}, "title": {"Encore un"}, "body": {"Le texte à ne pas perdre."}})
	wantStatus(t, r, http.StatusTooManyRequests, "Vous avez envoyé beaucoup de messages en peu de temps", "Le texte à ne pas perdre.", `value="Encore un"`)
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	status, out := ts.apiCall(ts.mustToken(karim), "POST", "/api/v1/messages", `{"participants":["Lucie"],"title":"API","body":"Texte"}`)
	if status != 429 || errorCode(out) != "rate_limited" {
		t.Errorf("API over the limit: %d %v", status, out)
	}
	for i := 0; i < 30; i++ {
		wantStatus(t, kc.postForm(path+"/reponses", url.Values{"body": {"Réponse."}}), http.StatusSeeOther)
	}
	wantStatus(t, kc.postForm(path+"/reponses", url.Values{"body": {"La réponse de trop."}}), http.StatusTooManyRequests, "La réponse de trop.")
}

// A reported message is read by moderators alone: not the rest of its
// conversation, not its title.
func TestReportedMessageReachesModeratorsAlone(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	conv := ts.mustConverse(karim, "Lucie", "Objet très privé", "Un premier message tout à fait correct.")
	if _, err := ts.srv.store.ReplyInConversation(ts.ctx(), karim, conv.ID, "Des propos vraiment insultants."); err != nil {
		t.Fatal(err)
	}
	mc := ts.loggedIn(mod)
	wantStatus(t, mc.get("/moderation"), 200, "Rien à examiner")
	if r := mc.get("/moderation/messages"); r.status != http.StatusMovedPermanently || r.location != "/moderation" {
		t.Errorf("the former queue: %d %q", r.status, r.location)
	}
	lc := ts.loggedIn(lucie)
	path := conv.Path()
	wantStatus(t, lc.get(path+"/signaler/2"), 200, "Des propos vraiment insultants.", "lira ce message, et lui seul", "Irrespectueux")
	wantStatus(t, lc.postForm(path+"/signaler/2", url.Values{"reason": {""}}), http.StatusUnprocessableEntity, "Choisissez ce qui pose problème")
	wantStatus(t, lc.postForm(path+"/signaler/2", url.Values{"reason": {"other"}, "comment": {""}}), http.StatusUnprocessableEntity,
		"Dites en quelques mots")
	wantStatus(t, lc.postForm(path+"/signaler/2", url.Values{"reason": {"disrespectful"}, "comment": {"Insultes."}}), http.StatusSeeOther)
	wantStatus(t, lc.get(path), 200, "Vous avez signalé ce message.")
	wantStatus(t, lc.postForm(path+"/signaler/2", url.Values{"reason": {"spam"}}), http.StatusConflict, "déjà signalé")
	if r := ts.loggedIn(karim).get(path + "/signaler/1"); r.status != 200 {
		t.Errorf("Karim's report form of Lucie's… his own message: %d", r.status)
	}
	wantStatus(t, ts.loggedIn(karim).postForm(path+"/signaler/1", url.Values{"reason": {"spam"}}), http.StatusConflict, "sa propre contribution")

	queue := mc.get("/moderation")
	wantStatus(t, queue, 200, "Des propos vraiment insultants.", "Insultes.", "Karim", "Message privé")
	for _, secret := range []string{"Objet très privé", "tout à fait correct", `href="` + path} {
		if strings.Contains(queue.body, secret) {
			t.Errorf("the queue shows %q", secret)
		}
	}
	if r := mc.get(path); r.status != 404 {
		t.Errorf("the moderator opens the conversation: %d", r.status)
	}
	if r := ts.loggedIn(lucie).get("/moderation"); r.status != 403 {
		t.Errorf("a member opens the queue: %d", r.status)
	}
	var msg int64
	if err := ts.srv.db.R.Get(&msg, `SELECT id FROM messages WHERE conversation_id = ? AND number = 2`, conv.ID); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, mc.postForm("/moderation/decisions", url.Values{"type": {"message"}, "id": {itoa64(msg)}, "action": {"keep"}}), http.StatusSeeOther)
	if r := mc.get("/moderation"); strings.Contains(r.body, "insultants") {
		t.Error("a handled report stays in the queue")
	}
}

func TestMessagesAPI(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	kt, lt := ts.mustToken(karim), ts.mustToken(lucie)
	status, out := ts.apiCall(kt, "POST", "/api/v1/messages", `{"participants":["Lucie"],"title":"Par l’API","body":"Bonjour **Lucie**"}`)
	if status != 201 || out["title"] != "Par l’API" {
		t.Fatalf("create: %d %v", status, out)
	}
	id := fmt.Sprint(int64(out["id"].(float64)))
	status, out = ts.apiCall(kt, "POST", "/api/v1/messages", `{"participants":"Personne","title":"x","body":"y"}`)
	if status != 422 || !strings.Contains(fmt.Sprint(out), "« Personne »") {
		t.Errorf("unknown pseudo: %d %v", status, out)
	}
	status, out = ts.apiCall(lt, "GET", "/api/v1/messages", "")
	if status != 200 || !strings.Contains(fmt.Sprint(out), "unread:1") {
		t.Errorf("Lucie's list: %d %v", status, out)
	}
	status, out = ts.apiCall(lt, "POST", "/api/v1/messages/"+id+"/reponses", `{"body":"Bonjour Karim"}`)
	if status != 201 || out["number"] != float64(2) {
		t.Errorf("reply: %d %v", status, out)
	}
	status, out = ts.apiCall(lt, "POST", "/api/v1/messages/"+id+"/reponses", `{"body":"  "}`)
	if status != 422 {
		t.Errorf("empty reply: %d %v", status, out)
	}
	status, out = ts.apiCall(kt, "GET", "/api/v1/messages/"+id, "")
	if status != 200 || !strings.Contains(fmt.Sprint(out), "<strong>Lucie</strong>") || !strings.Contains(fmt.Sprint(out), "Bonjour Karim") {
		t.Errorf("read: %d %v", status, out)
	}
}

// The permission table of private messages: for every kind of viewer, what
// the page, the API and the rules of content/permission.go decide about
// reading a conversation and writing in it must be one decision.
func TestConversationPermissionTable(t *testing.T) {
	ts := newTestSite(t)
	author := ts.mustCreateMember("Auteur", content.RoleMember)
	ts.mustCreateMember("Destinataire", content.RoleMember)
	leaver := ts.mustCreateMember("Partie", content.RoleMember)
	outsider := ts.mustCreateMember("Autre", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	conv := ts.mustConverse(author, "Destinataire, Partie", "Objet", "Premier message.")
	if err := ts.srv.store.LeaveConversation(ts.ctx(), leaver, conv.ID); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*content.User{author, ts.mustUser("Destinataire"), leaver, outsider, mod, admin} {
		me, err := ts.srv.store.Membership(ts.ctx(), u, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		read, write := content.CanReadConversation(u, me), content.CanWriteInConversation(u, me) == nil
		cl, token := ts.loggedIn(u), ts.mustToken(u)
		page := cl.get(conv.Path())
		apiStatus, _ := ts.apiCall(token, "GET", "/api/v1"+conv.Path(), "")
		reply := cl.postForm(conv.Path()+"/reponses", url.Values{"body": {"Réponse de " + u.Pseudo}})
		apiReply, _ := ts.apiCall(token, "POST", "/api/v1"+conv.Path()+"/reponses", `{"body":"Par l’API"}`)
		got := fmt.Sprint(page.status == 200, apiStatus == 200, reply.status == 303, apiReply == 201)
		if want := fmt.Sprint(read, read, write, write); got != want {
			t.Errorf("%s: page, API, reply, API reply = %s; the rules say %s", u.Pseudo, got, want)
		}
		if !read && page.status != 404 {
			t.Errorf("%s: page answers %d, want 404", u.Pseudo, page.status)
		}
	}
}
