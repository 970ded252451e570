package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// Canonical redirects keep the query string, whatever brought the reader
// to a non-canonical address.
func TestCanonicalRedirectsKeepTheQuery(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Une carte Vitale perdue", "Que faire ?")
	for i := 0; i < 25; i++ {
		ts.mustReply(karim, topic, "Réponse "+itoa(i), 0)
	}
	id := itoa64(topic.ID)
	for _, tc := range []struct{ from, to string }{
		{"/discussions/" + id + "?post=25", topic.Path() + "?post=25"},
		{"/discussions/" + id + "?page=2", topic.Path() + "?page=2"},
		{"/discussions/" + id + "?vue=arbre&racine=3", topic.Path() + "?vue=arbre&racine=3"},
		{"/discussions/" + id + "/ancien-titre?post=25", topic.Path() + "?post=25"},
		{"/discussions/" + id + "/ancien-titre?page=2&vue=arbre", topic.Path() + "?page=2&vue=arbre"},
		{"/membres/karim?onglet=messages", "/membres/Karim?onglet=messages"},
	} {
		r := ts.client().get(tc.from)
		if r.status != http.StatusMovedPermanently || r.location != tc.to {
			t.Errorf("%s → %d %s, want 301 %s", tc.from, r.status, r.location, tc.to)
		}
	}
	// And the permalink then lands on the post's page.
	if r := ts.client().get(topic.Path() + "?post=25"); r.status != http.StatusSeeOther || r.location != topic.Path()+"?page=2#post-25" {
		t.Errorf("permalink: %d %s", r.status, r.location)
	}
}

// Counts, activity and the last poster follow what readers can see.
func TestWithdrawnAndHiddenRepliesDoNotCount(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	older := ts.mustCreateTopic(karim, "Une question plus ancienne", "Texte")
	topic := ts.mustCreateTopic(karim, "Ouvrir un compte Ameli", "Comment ?")
	ts.mustReply(karim, older, "Une relance", 0) // older is now the most recent
	reply := ts.mustReply(lucie, topic, "Avec la carte Vitale.", 0)
	list := func() string { return ts.client().get("/discussions").body }
	if !strings.Contains(list(), "1 réponse") {
		t.Fatal("the reply is counted")
	}
	if err := ts.srv.store.DeletePost(ts.ctx(), lucie, reply.ID); err != nil {
		t.Fatal(err)
	}
	body := list()
	if strings.Contains(body, "Lucie") || strings.Index(body, "Ouvrir un compte Ameli") < strings.Index(body, "Une question plus ancienne") {
		t.Errorf("a withdrawn reply still names its author or raises the topic:\n%s", body[strings.Index(body, "<main"):])
	}
	if r := ts.client().get("/discussions?filtre=sans-reponse"); !strings.Contains(r.body, "Ouvrir un compte Ameli") {
		t.Error("a question whose only reply was withdrawn is unanswered again")
	}
	hidden := ts.mustReply(lucie, topic, "Une autre réponse.", 0)
	if err := ts.srv.store.SetPostHidden(ts.ctx(), mod, hidden.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := ts.srv.store.TopicByID(ts.ctx(), nil, topic.ID); got.Replies() != 0 || got.LastPosterPseudo.String != "Karim" {
		t.Errorf("after hiding: %d replies, last poster %q", got.Replies(), got.LastPosterPseudo.String)
	}
	if err := ts.srv.store.SetPostHidden(ts.ctx(), mod, hidden.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := ts.srv.store.TopicByID(ts.ctx(), nil, topic.ID); got.Replies() != 1 || got.LastPosterPseudo.String != "Lucie" {
		t.Errorf("after restoring: %d replies, last poster %q", got.Replies(), got.LastPosterPseudo.String)
	}
	// The pages still hold every post, the withdrawn one as « Message supprimé ».
	if r := ts.client().get(topic.Path()); !strings.Contains(r.body, "Message supprimé par son auteur.") || !strings.Contains(r.body, "Une autre réponse.") {
		t.Error("the topic page lost a post")
	}
	_ = url.Values{}
}

// A topic counts one view per reader and per day, whatever the reloads.
func TestViewsCountOncePerReaderAndDay(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Imprimer une attestation", "Comment ?")
	views := func() int {
		got, err := ts.srv.store.TopicByID(ts.ctx(), nil, topic.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Views
	}
	visitor := ts.client()
	visitor.headers["User-Agent"] = "Firefox"
	for i := 0; i < 5; i++ {
		visitor.get(topic.Path())
	}
	if v := views(); v != 1 {
		t.Errorf("a visitor reloading five times: %d views, want 1", v)
	}
	other := ts.client()
	other.headers["User-Agent"] = "Chromium"
	other.get(topic.Path())
	member := ts.loggedIn(karim)
	member.get(topic.Path())
	member.get(topic.Path() + "?vue=arbre")
	if v := views(); v != 3 {
		t.Errorf("another browser and a member: %d views, want 3", v)
	}
	ts.srv.visits.mu.Lock()
	ts.srv.visits.day = "hier"
	ts.srv.visits.mu.Unlock()
	visitor.get(topic.Path())
	if v := views(); v != 4 {
		t.Errorf("the next day: %d views, want 4", v)
	}
}

// Registration reports every field's problem at once, taken ones included.
func TestRegistrationReportsEveryProblemAtOnce(t *testing.T) {
	ts := newTestSite(t)
	ts.mustCreateMember("Hélène", content.RoleMember)
	form := registration("helene", "hélène@exemple.fr", "court")
	form.Set("departement", "Atlantide")
	r := ts.client().postForm("/inscription", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.status)
	}
	for _, want := range []string{"déjà pris", "existe déjà avec cette adresse", "au moins 10 caractères", "Ce département n’existe pas"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the first answer lacks %q", want)
		}
	}
	if !strings.Contains(r.body, `value="helene"`) || !strings.Contains(r.body, `value="Atlantide"`) {
		t.Error("the form does not come back filled")
	}
}

// The confirmation page offers "Confirmer" first, without the banner's
// "Renvoyer le lien" above it.
func TestVerificationPageOffersConfirmFirst(t *testing.T) {
	ts := newTestSite(t)
	cl := ts.client()
	if r := cl.postForm("/inscription", registration("Lucie", "lucie@exemple.fr", "des mots pour entrer")); r.status != 303 {
		t.Fatalf("register: %d", r.status)
	}
	link := linkPath(t, ts.lastMail("lucie@exemple.fr"))
	page := cl.get(link).body
	confirm, resend := strings.Index(page, "Confirmer mon adresse</button>"), strings.Index(page, "Renvoyer le lien")
	if confirm < 0 || resend >= 0 && resend < confirm {
		t.Errorf("confirm at %d, resend at %d", confirm, resend)
	}
	if !strings.Contains(cl.get("/discussions").body, "Renvoyer le lien") {
		t.Error("the banner is gone from other pages")
	}
}

// A refused action is told as an error, and an action that cannot work
// is not offered.
func TestRefusalsLookLikeErrors(t *testing.T) {
	ts := newTestSite(t)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.loggedIn(admin)
	page := cl.get("/admin/membres").body
	if strings.Contains(page, `action="/admin/membres/`+itoa64(admin.ID)+`/suspension"`) {
		t.Error("the administrator is offered to suspend their own account")
	}
	if !strings.Contains(page, `action="/admin/membres/`+itoa64(karim.ID)+`/suspension"`) {
		t.Error("suspending another account is not offered")
	}
	r := cl.postForm("/admin/membres/"+itoa64(admin.ID)+"/role", url.Values{"role": {"member"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("role: %d", r.status)
	}
	page = cl.get("/admin/membres").body
	if !strings.Contains(page, `class="flash error" role="alert"`) || !strings.Contains(page, "dernier compte administrateur") {
		t.Error("the refusal is not shown as an error")
	}
	cl.postForm("/admin/membres/"+itoa64(karim.ID)+"/role", url.Values{"role": {"moderator"}})
	if page := cl.get("/admin/membres").body; !strings.Contains(page, `class="flash" role="status"`) {
		t.Error("a success is not shown as a status")
	}
}

func TestTagIndexCountsTopics(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	for i, tags := range []string{"caf, rsa", "caf", "ameli"} {
		if _, err := ts.srv.store.CreateTopic(ts.ctx(), karim, content.NewTopic{Title: "Une question n°" + itoa(i), Body: "Texte",
			Category: "demarches-en-ligne", Tags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	r := ts.client().get("/etiquettes")
	if r.status != 200 || !strings.Contains(r.body, `href="/etiquettes/caf"`) || !strings.Contains(r.body, "2 discussions") ||
		strings.Index(r.body, "#caf") > strings.Index(r.body, "#ameli") {
		t.Errorf("tag index: %d", r.status)
	}
	if r := ts.client().get("/discussions"); !strings.Contains(r.body, `href="/etiquettes"`) {
		t.Error("the list does not link to the tag index")
	}
}

func TestProfileShowsQuestionsAnswersAndSolutions(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	q, err := ts.srv.store.CreateTopic(ts.ctx(), karim, content.NewTopic{Title: "Attestation CAF introuvable", Body: "Où ?",
		Category: "demarches-en-ligne", Kind: content.KindQuestion})
	if err != nil {
		t.Fatal(err)
	}
	answer := ts.mustReply(lucie, q, "Dans l’espace Mon compte.", 0)
	gone := ts.mustReply(lucie, q, "Un message retiré.", 0)
	if err := ts.srv.store.DeletePost(ts.ctx(), lucie, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.AcceptAnswer(ts.ctx(), karim, q.ID, answer.Number); err != nil {
		t.Fatal(err)
	}
	r := ts.client().get("/membres/Lucie")
	for _, want := range []string{"0 question, 1 réponse dont 1 solution", "Dernières réponses", "Solution", q.PostPath(answer.Number),
		"/recherche?auteur=Lucie&amp;tri=recent"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("Lucie's profile lacks %q", want)
		}
	}
	if strings.Contains(r.body, q.PostPath(gone.Number)) {
		t.Error("a withdrawn answer is listed")
	}
	if r := ts.client().get("/membres/Karim"); !strings.Contains(r.body, "1 question, 0 réponse dont 0 solution") || !strings.Contains(r.body, "Résolue") {
		t.Error("Karim's profile")
	}
}

// The author (while they may edit the opening post) and moderators change a
// topic's title, category and tags; the old ones stay in the history.
func TestEditTitleCategoryAndTags(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	topic, err := ts.srv.store.CreateTopic(ts.ctx(), karim, content.NewTopic{Title: "Imprimer une atestation", Body: "Comment ?",
		Category: "demarches-en-ligne", Tags: "caf"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := ts.srv.store.PostByNumber(ts.ctx(), nil, topic.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	edit := "/messages/" + itoa64(first.ID) + "/modifier"
	asKarim, asLucie, asMod := ts.loggedIn(karim), ts.loggedIn(lucie), ts.loggedIn(mod)
	runScenarios(t, ts, []scenario{
		{name: "the form offers the title", as: asKarim, path: edit, wantStatus: 200,
			wantContains: []string{`value="Imprimer une atestation"`, `name="category"`, `value="caf"`}},
		{name: "others may not", as: asLucie, path: edit, wantStatus: 403},
		{name: "a bad title comes back filled", as: asKarim, method: "POST", path: edit,
			form:       url.Values{"title": {"Ok"}, "category": {"demarches-en-ligne"}, "tags": {"caf"}, "body": {"Comment faire ?"}},
			wantStatus: 422, wantContains: []string{"trop court", "Comment faire ?"}},
		{name: "the author fixes the title", as: asKarim, method: "POST", path: edit,
			form:       url.Values{"title": {"Imprimer une attestation CAF"}, "category": {"demarches-en-ligne"}, "tags": {"caf, impression"}, "body": {"Comment ?"}},
			wantStatus: 303},
		{name: "a moderator moves it", as: asMod, method: "POST", path: edit,
			form:       url.Values{"title": {"Imprimer une attestation CAF"}, "category": {"outils-et-materiel"}, "tags": {"caf, impression"}, "body": {"Comment ?"}},
			wantStatus: 303},
	})
	got, _ := ts.srv.store.TopicByID(ts.ctx(), nil, topic.ID)
	if got.Title != "Imprimer une attestation CAF" || got.CategorySlug != "outils-et-materiel" || strings.Join(got.Tags, ",") != "caf,impression" {
		t.Errorf("topic after edits: %q %s %v", got.Title, got.CategorySlug, got.Tags)
	}
	if r := ts.client().get(topic.Path()); r.status != http.StatusMovedPermanently || r.location != got.Path() {
		t.Errorf("the old address: %d %s", r.status, r.location)
	}
	h := ts.client().get(got.Path() + "/posts/1/versions")
	if !strings.Contains(h.body, "« Imprimer une atestation »") || !strings.Contains(h.body, "modifié par Modo") {
		t.Errorf("history of titles: %d", h.status)
	}
	ts.syncIndex()
	if r := ts.client().get("/recherche?q=attestation&etiquette=impression"); !strings.Contains(r.body, "Imprimer une") {
		t.Error("search does not see the new tags")
	}
}

// "Non lues" lists followed topics with unread posts, "Nouvelles" the topics
// a member never opened; each filter has its own empty state.
func TestUnreadAndNewFilters(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	asKarim := ts.loggedIn(karim)
	if r := asKarim.get("/discussions?filtre=non-lues"); !strings.Contains(r.body, "Rien de nouveau dans les discussions que vous suivez") {
		t.Error("empty state of non-lues")
	}
	if r := asKarim.get("/discussions?filtre=resolues"); !strings.Contains(r.body, "Aucune discussion résolue pour l’instant") {
		t.Error("empty state of résolues")
	}
	mine := ts.mustCreateTopic(karim, "Ma question sur la CAF", "Texte")
	theirs := ts.mustCreateTopic(lucie, "Un atelier tablette", "Texte")
	ts.mustReply(lucie, mine, "Une réponse pour Karim", 0)
	unread := asKarim.get("/discussions?filtre=non-lues").body
	if !strings.Contains(unread, "Ma question sur la CAF") || strings.Contains(unread, "Un atelier tablette") {
		t.Error("non-lues: followed topics with unread posts only")
	}
	fresh := asKarim.get("/discussions?filtre=nouvelles").body
	if !strings.Contains(fresh, "Un atelier tablette") || strings.Contains(fresh, "Ma question sur la CAF") {
		t.Error("nouvelles: topics never opened, by others")
	}
	asKarim.get(theirs.Path())
	if r := asKarim.get("/discussions?filtre=nouvelles"); strings.Contains(r.body, "Un atelier tablette") {
		t.Error("an opened topic is still new")
	}
	if r := ts.client().get("/discussions?filtre=non-lues"); r.status != http.StatusSeeOther {
		t.Errorf("a visitor is sent to log in: %d", r.status)
	}
	if r := ts.client().get("/api/v1/discussions?filtre=nouvelles"); r.status != http.StatusUnauthorized {
		t.Errorf("API for a visitor: %d", r.status)
	}
}

func TestHomeShowsWhatIsNewForEachReader(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	mine := ts.mustCreateTopic(karim, "Ma question sur la CAF", "Texte")
	ts.mustReply(lucie, mine, "Une réponse pour Karim", 0)
	ts.mustCreateTopic(lucie, "Un atelier tablette", "Texte")
	home := ts.loggedIn(karim).get("/").body
	for _, want := range []string{"Nouveau pour vous", "Ma question sur la CAF", "Dernière activité", "Un atelier tablette", "2 discussions · dernière : "} {
		if !strings.Contains(home, want) {
			t.Errorf("a member's home lacks %q", want)
		}
	}
	visitor := ts.client().get("/").body
	if strings.Contains(visitor, "Nouveau pour vous") || !strings.Contains(visitor, "Rejoindre la Ligue") || !strings.Contains(visitor, "Questions résolues récemment") {
		t.Error("a visitor's home")
	}
}

func TestVisitorsSentToLogInAreToldWhy(t *testing.T) {
	ts := newTestSite(t)
	r := ts.client().get("/discussions/nouvelle")
	page := ts.client().get(r.location).body
	if !strings.Contains(page, "réservée aux membres") || !strings.Contains(page, `href="/discussions/nouvelle"`) {
		t.Error("the login page does not say why, nor where the visitor will return")
	}
	if page := ts.client().get("/connexion").body; strings.Contains(page, "réservée aux membres") {
		t.Error("a plain login page says it is reserved")
	}
	a11y := ts.client().get("/accessibilite").body
	for _, want := range []string{"Voies de recours", "Défenseur des droits", "établie le", "partiellement conforme", "Retour d’information et contact"} {
		if !strings.Contains(a11y, want) {
			t.Errorf("the accessibility statement lacks %q", want)
		}
	}
}

// A member saves posts for later, in a private list.
func TestBookmarks(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Les démarches ANTS", "Comment ?")
	post := ts.mustReply(lucie, topic, "Par le site de l’ANTS, avec une photo d’identité numérique.", 0)
	gone := ts.mustReply(lucie, topic, "Un message qui sera retiré.", 0)
	asKarim := ts.loggedIn(karim)
	page := asKarim.get(topic.Path()).body
	if !strings.Contains(page, `action="/messages/`+itoa64(post.ID)+`/enregistrer"`) {
		t.Fatal("saving is not offered")
	}
	for _, id := range []int64{post.ID, gone.ID} {
		if r := asKarim.postForm("/messages/"+itoa64(id)+"/enregistrer", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("save: %d", r.status)
		}
	}
	if err := ts.srv.store.DeletePost(ts.ctx(), lucie, gone.ID); err != nil {
		t.Fatal(err)
	}
	list := asKarim.get("/enregistrements").body
	if !strings.Contains(list, "photo d’identité numérique") || !strings.Contains(list, topic.PostPath(post.Number)) || strings.Contains(list, "sera retiré") {
		t.Error("the list shows the saved, readable posts only")
	}
	if !strings.Contains(asKarim.get(topic.Path()).body, `aria-pressed="true">Enregistré`) {
		t.Error("the post does not say it is saved")
	}
	if r := ts.loggedIn(lucie).get("/enregistrements"); strings.Contains(r.body, "photo d’identité") {
		t.Error("Karim's list is not private")
	}
	if r := ts.client().get("/enregistrements"); r.status != http.StatusSeeOther {
		t.Errorf("a visitor: %d", r.status)
	}
	asKarim.postForm("/messages/"+itoa64(post.ID)+"/enregistrer", url.Values{"retour": {"liste"}})
	if list := asKarim.get("/enregistrements").body; strings.Contains(list, "photo d’identité") {
		t.Error("taking a post off the list")
	}
}

// Withdrawing a post asks for confirmation, and its author can take it back
// for a day.
func TestDeleteAsksAndCanBeUndone(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Une carte Vitale perdue", "Que faire ?")
	post := ts.mustReply(lucie, topic, "Une réponse que je vais retirer.", 0)
	asLucie := ts.loggedIn(lucie)
	page := asLucie.get(topic.Path()).body
	if !strings.Contains(page, `href="/messages/`+itoa64(post.ID)+`/supprimer"`) {
		t.Fatal("the post's delete action is not a link to the confirmation")
	}
	confirm := asLucie.get("/messages/" + itoa64(post.ID) + "/supprimer")
	if confirm.status != 200 || !strings.Contains(confirm.body, "Supprimer mon message n°2 ?") || !strings.Contains(confirm.body, "je vais retirer") {
		t.Fatalf("confirmation page: %d", confirm.status)
	}
	if r := ts.loggedIn(karim).get("/messages/" + itoa64(post.ID) + "/supprimer"); r.status != http.StatusForbidden {
		t.Errorf("someone else's confirmation page: %d", r.status)
	}
	if r := asLucie.postForm("/messages/"+itoa64(post.ID)+"/supprimer", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	page = asLucie.get(topic.Path()).body
	if !strings.Contains(page, "Annuler la suppression") || strings.Contains(ts.loggedIn(karim).get(topic.Path()).body, "Annuler la suppression") {
		t.Error("undo is offered to the author only")
	}
	if r := ts.loggedIn(karim).postForm("/messages/"+itoa64(post.ID)+"/retablir", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("someone else restores: %d", r.status)
	}
	if r := asLucie.postForm("/messages/"+itoa64(post.ID)+"/retablir", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("restore: %d", r.status)
	}
	if got, _ := ts.srv.store.TopicByID(ts.ctx(), nil, topic.ID); got.Replies() != 1 {
		t.Errorf("restored reply counts again: %d", got.Replies())
	}
	// A day later, a withdrawal is final.
	asLucie.postForm("/messages/"+itoa64(post.ID)+"/supprimer", url.Values{})
	ts.srv.db.W.Exec(`UPDATE posts SET deleted_at = ? WHERE id = ?`, time.Now().UTC().Add(-25*time.Hour), post.ID)
	if r := asLucie.postForm("/messages/"+itoa64(post.ID)+"/retablir", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("restore after a day: %d", r.status)
	}
}

// Members' text reads with French typography on the page, code aside.
func TestTypographyInMembersText(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Une question : laquelle ?", "Bonjour ! L'attestation « CAF » ; vraiment ?\n\n```\nif (a ? b : c) { x; }\n```")
	raw := ts.client().get(topic.Path()).raw
	for _, want := range []string{"Bonjour\u202f!", "L’attestation", "«\u00a0CAF\u00a0»", "\u202f;", "vraiment\u202f?", "Une question\u00a0: laquelle\u202f?",
		"if (a ? b : c) { x; }"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{" ?</", " !", "« CAF", "CAF »"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the page holds a breakable space in %q", bad)
		}
	}
	// The text being edited comes back as typed.
	first, _ := ts.srv.store.PostByNumber(ts.ctx(), nil, topic.ID, 1)
	edit := ts.loggedIn(karim).get("/messages/" + itoa64(first.ID) + "/modifier").raw
	if !strings.Contains(edit, "Bonjour ! L&#39;attestation « CAF » ; vraiment ?") {
		t.Error("the editor does not hold the text as typed")
	}
}

func TestNewTopicPreview(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.loggedIn(karim)
	cl.get("/discussions/nouvelle")
	r := cl.postForm("/discussions/nouvelle", url.Values{"title": {"Un titre assez long"}, "body": {"Du **gras** ici"},
		"category": {"demarches-en-ligne"}, "action": {"apercu"}})
	if r.status != 200 || !strings.Contains(r.body, "<strong>gras</strong>") || !strings.Contains(r.body, "Du **gras** ici") {
		t.Errorf("preview of a new topic: %d", r.status)
	}
	if topics, _, _ := ts.srv.store.ListTopics(ts.ctx(), nil, content.TopicFilter{}); len(topics) != 0 {
		t.Error("a preview published the topic")
	}
}

// A corrected search offers the way back to the words as typed.
func TestCorrectedSearchOffersTheTypedWords(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateTopic(karim, "Une imprimante en panne", "Elle clignote.")
	ts.syncIndex()
	r := ts.client().get("/recherche?q=imprimnte")
	if !strings.Contains(r.body, "Résultats pour « imprimante »") || !strings.Contains(r.body, "Rechercher quand même « imprimnte »") ||
		!strings.Contains(r.body, `href="/recherche?exact=1&amp;q=imprimnte"`) {
		t.Fatalf("corrected search: %d", r.status)
	}
	if r := ts.client().get("/recherche?exact=1&q=imprimnte"); strings.Contains(r.body, "Résultats pour") || strings.Contains(r.body, "Une imprimante en panne") {
		t.Error("searching the words as typed still corrects them")
	}
}
