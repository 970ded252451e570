package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// notificationsOf is the text of u's notifications page.
func (ts *testSite) notificationsOf(cl *client) string {
	ts.t.Helper()
	if err := ts.srv.SyncNotifications(ts.ctx()); err != nil {
		ts.t.Fatal(err)
	}
	return cl.get("/notifications").body
}

// auditActions lists the actions of the audit log, oldest first.
func (ts *testSite) auditActions() []string {
	ts.t.Helper()
	var out []string
	if err := ts.srv.DB().R.Select(&out, `SELECT action FROM audit_log ORDER BY id`); err != nil {
		ts.t.Fatal(err)
	}
	return out
}

// A new member's first posts wait: their author reads them, marked, and
// nobody else does — not in lists, counts, search or notifications — until
// a moderator publishes them, which sends the notifications then; a
// refusal tells the author why. Once two are published, posts go through.
func TestNewMemberPostsWaitForReview(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleModerator)
	topic := ts.mustCreateTopic(karim, "Aider à créer une adresse e-mail", "Comment faites-vous ?")
	nina := ts.mustCreateNewcomer("Nina")
	ninaCl, karimCl, lucieCl := ts.loggedIn(nina), ts.loggedIn(karim), ts.loggedIn(lucie)

	// A topic through the page.
	ninaCl.get("/discussions/nouvelle")
	r := ninaCl.postForm("/discussions/nouvelle", topicForm("Les ateliers tablette du samedi matin",
		"Bonjour @Karim, qui organise des ateliers zébrures le samedi ?", "demarches-en-ligne", "", "question"))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, content.MyHeldPath+"#attente-") {
		t.Fatalf("held topic: %d %q\n%s", r.status, r.location, r.body)
	}
	mine := ninaCl.get(r.location)
	if !strings.Contains(mine.body, "relus par l’équipe de modération") || !strings.Contains(mine.body, "En attente de relecture") ||
		!strings.Contains(mine.body, "ateliers zébrures") {
		t.Errorf("Nina's page of held posts:\n%s", mine.body)
	}
	// A reply through the API: 202, the same store path.
	cl := ts.client()
	cl.headers["Authorization"] = "Bearer " + ts.mustToken(nina)
	res := cl.do("POST", "/api/v1/discussions/"+itoa64(topic.ID)+"/reponses", strings.NewReader(`{"body": "Je note tout dans un carnet papier."}`), "application/json")
	if res.status != http.StatusAccepted || !strings.Contains(res.body, `"held"`) || !strings.Contains(res.body, "relus par l’équipe") {
		t.Fatalf("held API reply: %d %s", res.status, res.body)
	}

	// Nobody else sees them anywhere.
	ts.syncIndex()
	for _, path := range []string{"/discussions", "/recherche?q=zebrures", "/discussions.atom", topic.Path()} {
		if body := karimCl.get(path).body; strings.Contains(body, "zébrures") || strings.Contains(body, "carnet papier") {
			t.Errorf("%s shows a held post to Karim", path)
		}
	}
	if got := ts.notificationsOf(karimCl); strings.Contains(got, "Nina") {
		t.Errorf("Karim is told of a held post:\n%s", got)
	}
	if tp, _ := ts.srv.store.TopicByID(ts.ctx(), nil, topic.ID); tp.Replies() != 0 {
		t.Errorf("the held reply is counted: %d replies", tp.Replies())
	}
	// Nina sees her reply, marked, at the end of the discussion.
	if page := ninaCl.get(topic.Path()).body; !strings.Contains(page, "carnet papier") || !strings.Contains(page, "En attente de relecture") {
		t.Errorf("Nina does not see her held reply:\n%s", page)
	}
	// Members cannot open the queue; moderators read both there.
	if r := karimCl.get("/moderation/attente"); r.status != http.StatusForbidden {
		t.Errorf("a member opens the queue: %d", r.status)
	}
	queue := lucieCl.get("/moderation/attente")
	if !strings.Contains(queue.body, "ateliers zébrures") || !strings.Contains(queue.body, "carnet papier") ||
		!strings.Contains(queue.body, "premiers messages d’un nouveau membre") {
		t.Fatalf("queue:\n%s", queue.body)
	}
	held, _, err := ts.srv.store.HeldQueue(ts.ctx(), lucie, 1)
	if err != nil || len(held) != 2 {
		t.Fatalf("queue: %v %v", held, err)
	}
	heldTopic, heldReply := held[0], held[1]

	// Published: there for everyone, and the mention is told now.
	if r := lucieCl.postForm("/moderation/attente/"+itoa64(heldTopic.ID)+"/publier", nil); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if list := karimCl.get("/discussions").body; !strings.Contains(list, "Les ateliers tablette du samedi matin") {
		t.Error("the published topic is not listed")
	}
	if got := ts.notificationsOf(karimCl); !strings.Contains(got, "Nina vous a mentionné·e") {
		t.Errorf("Karim is not told of the mention once published:\n%s", got)
	}
	if got := ts.notificationsOf(ninaCl); !strings.Contains(got, "Votre message a été relu : il est publié") {
		t.Errorf("Nina is not told her topic is published:\n%s", got)
	}

	// Refused: a reason is asked, then told.
	r = lucieCl.postForm("/moderation/attente/"+itoa64(heldReply.ID)+"/refuser", url.Values{"raison": {"  "}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Dites en quelques mots pourquoi") {
		t.Errorf("refusal without a reason: %d", r.status)
	}
	r = lucieCl.postForm("/moderation/attente/"+itoa64(heldReply.ID)+"/refuser", url.Values{"raison": {"Hors sujet ici : ouvrez plutôt une discussion."}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("refuse: %d %s", r.status, r.body)
	}
	if got := ts.notificationsOf(ninaCl); !strings.Contains(got, "La modération n’a pas publié votre message : « Hors sujet ici : ouvrez plutôt une discussion. »") {
		t.Errorf("Nina is not told the reason:\n%s", got)
	}
	if mine := ninaCl.get(content.MyHeldPath).body; !strings.Contains(mine, "Refusé par la modération") || !strings.Contains(mine, "Hors sujet ici") {
		t.Errorf("Nina's list does not show the refusal:\n%s", mine)
	}
	if r := lucieCl.postForm("/moderation/attente/"+itoa64(heldReply.ID)+"/publier", nil); r.status != http.StatusSeeOther ||
		!strings.Contains(lucieCl.get("/moderation/attente").body, "déjà été traité") {
		t.Errorf("a decided post approved again: %d", r.status)
	}
	if got := strings.Join(ts.auditActions(), ","); !strings.Contains(got, "approve_post,refuse_post") {
		t.Errorf("audit log: %s", got)
	}

	// A second one published: Nina is a « membre », her next reply goes through.
	ninaCl.get(topic.Path())
	if r := ninaCl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", url.Values{"body": {"Merci pour vos réponses !"}}); r.status != http.StatusSeeOther ||
		!strings.Contains(r.location, "#attente-") {
		t.Fatalf("second held reply: %d %q", r.status, r.location)
	}
	if _, err := ts.srv.store.ApproveHeld(ts.ctx(), lucie, heldReply.ID+1); err != nil {
		t.Fatal(err)
	}
	if level, _ := ts.srv.store.Trust(ts.ctx(), nina); level != content.TrustMember {
		t.Errorf("after two published posts: level %v", level)
	}
	ninaCl.get(topic.Path())
	r = ninaCl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", url.Values{"body": {"Et je reviens samedi avec des questions."}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "#post-") {
		t.Errorf("a member's reply: %d %q", r.status, r.location)
	}
}

// A moderator vouches for a new member from their page: the held posts
// are published, the next ones go through. A plain member is not offered
// the button, and is refused.
func TestVouchingForANewMember(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleModerator)
	topic := ts.mustCreateTopic(karim, "Les permanences numériques en mairie", "Qui en tient une ?")
	nina := ts.mustCreateNewcomer("Nina")
	ninaCl, karimCl, lucieCl := ts.loggedIn(nina), ts.loggedIn(karim), ts.loggedIn(lucie)
	if _, err := ts.srv.store.Reply(ts.ctx(), nina, topic.ID, content.NewReply{Body: "Moi, le mardi à Quimper."}); err == nil {
		t.Fatal("a new member's reply was published")
	}

	if page := karimCl.get("/membres/Nina").body; strings.Contains(page, "Se porter garant·e") || !strings.Contains(page, "nouveau membre") {
		t.Errorf("Karim's view of Nina's page:\n%s", page)
	}
	if r := karimCl.postForm("/membres/Nina/garant", nil); r.status != http.StatusSeeOther || !strings.Contains(karimCl.get(r.location).body, "Seuls les modérateurs et les membres de confiance") {
		t.Errorf("a member vouches: %d", r.status)
	}
	page := lucieCl.get("/membres/Nina")
	if !strings.Contains(page.body, `action="/membres/Nina/garant"`) {
		t.Fatalf("no vouch button for the moderator:\n%s", page.body)
	}
	r := lucieCl.postForm("/membres/Nina/garant", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("vouch: %d %s", r.status, r.body)
	}
	if got := lucieCl.get(r.location).body; !strings.Contains(got, "1 message en attente vient d’être publié") || !strings.Contains(got, "avec Lucie pour garant·e") {
		t.Errorf("after vouching:\n%s", got)
	}
	if body := karimCl.get(topic.Path()).body; !strings.Contains(body, "le mardi à Quimper") {
		t.Error("the held reply is not published")
	}
	ninaCl.get(topic.Path())
	if r := ninaCl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", url.Values{"body": {"Et le jeudi à Brest."}}); !strings.Contains(r.location, "#post-") {
		t.Errorf("Nina's next reply: %d %q", r.status, r.location)
	}
	if got := strings.Join(ts.auditActions(), ","); !strings.Contains(got, "vouch,approve_post") {
		t.Errorf("audit log: %s", got)
	}
	if strings.Contains(lucieCl.get("/membres/Nina").body, "Se porter garant·e") {
		t.Error("the button is still offered once vouched for")
	}
}

// Per-member limits are stored: a restart on the same data folder does not
// hand out fresh tries. The refused form comes back filled, with when to
// retry, on the page as in the API.
func TestMemberLimitsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	ts := newTestSite(t, func(c *Config) { c.DataDir = dir })
	nina := ts.mustCreateNewcomer("Nina")
	post := func(site *testSite, n int) *response {
		t.Helper()
		cl := site.loggedIn(nina)
		cl.get("/discussions/nouvelle")
		return cl.postForm("/discussions/nouvelle", topicForm("Ma question numéro "+itoa64(int64(n)),
			"Un texte que je ne veux pas perdre, numéro "+itoa64(int64(n))+".", "demarches-en-ligne", "", "question"))
	}
	for i := 1; i <= content.LimitTopics.NewMax; i++ {
		if r := post(ts, i); r.status != http.StatusSeeOther {
			t.Fatalf("topic %d: %d", i, r.status)
		}
	}
	r := post(ts, 9)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Réessayez dans 60 minutes.") ||
		!strings.Contains(r.body, "Un texte que je ne veux pas perdre, numéro 9.") || r.header.Get("Retry-After") == "" {
		t.Fatalf("past the limit: %d %q\n%s", r.status, r.header.Get("Retry-After"), r.body)
	}

	ts.srv.Close()
	again := newTestSite(t, func(c *Config) { c.DataDir = dir })
	if r := post(again, 10); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Un texte que je ne veux pas perdre, numéro 10.") {
		t.Errorf("after a restart: %d", r.status)
	}
	status, body := again.apiCall(again.mustToken(nina), "POST", "/api/v1/discussions",
		`{"title": "Par l’API cette fois", "body": "Un texte.", "category": "demarches-en-ligne"}`)
	if e, _ := body["error"].(map[string]any); status != http.StatusTooManyRequests || e["code"] != "rate_limited" ||
		!strings.Contains(e["message"].(string), "Réessayez dans") {
		t.Errorf("API past the limit: %d %v", status, body)
	}
	// An hour later, she may again.
	later := again.srv.store.Now().Add(content.LimitTopics.Period)
	again.srv.store.SetClock(func() time.Time { return later })
	if r := post(again, 11); r.status != http.StatusSeeOther {
		t.Errorf("an hour later: %d", r.status)
	}
}

// The same text sent twice in a few minutes is published once: the second
// is refused, the text kept. Elsewhere, or later, it is not a duplicate.
func TestDoubleSubmissionRefusedTextKept(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Imprimer une attestation CAF", "Quel bouton ?")
	other := ts.mustCreateTopic(karim, "Scanner un justificatif", "Avec quel outil ?")
	cl := ts.loggedIn(karim)
	reply := url.Values{"body": {"Le bouton « Mon compte », puis « Attestations »."}}
	cl.get(topic.Path())
	if r := cl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", reply); r.status != http.StatusSeeOther {
		t.Fatalf("first: %d", r.status)
	}
	r := cl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", reply)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Vous avez déjà envoyé ce même texte à l’instant") ||
		!strings.Contains(r.body, "Le bouton « Mon compte », puis « Attestations ».") {
		t.Errorf("second: %d\n%s", r.status, r.body)
	}
	cl.get(other.Path())
	if r := cl.postForm("/discussions/"+itoa64(other.ID)+"/reponses", reply); r.status != http.StatusSeeOther {
		t.Errorf("the same text in another discussion: %d", r.status)
	}
}

// From a member nobody vouched for and not yet trusted, a post with many
// links or a text sent again elsewhere waits for review; past 20 links it
// is refused.
func TestLinksAndRepeatedTextWait(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleModerator)
	a := ts.mustCreateTopic(karim, "Les sites des démarches", "Lesquels utilisez-vous ?")
	b := ts.mustCreateTopic(karim, "Les sites pour l’emploi", "Et pour l’emploi ?")
	nina := ts.mustCreateNewcomer("Nina")
	for i, body := range []string{"Merci pour ce sujet.", "Je découvre la Ligue."} {
		_, err := ts.srv.store.Reply(ctx, nina, a.ID, content.NewReply{Body: body})
		h, ok := content.AsHeld(err)
		if !ok {
			t.Fatalf("reply %d: %v", i, err)
		}
		if _, err := ts.srv.store.ApproveHeld(ctx, lucie, h.ID); err != nil {
			t.Fatal(err)
		}
	}
	cl := ts.loggedIn(nina)
	send := func(tp *content.Topic, body string) *response {
		t.Helper()
		cl.get(tp.Path())
		return cl.postForm("/discussions/"+itoa64(tp.ID)+"/reponses", url.Values{"body": {body}})
	}
	links := "Voici :\n\n- https://www.caf.fr\n- https://www.ameli.fr\n- https://www.impots.gouv.fr\n- https://www.service-public.fr\n"
	if r := send(a, links); !strings.Contains(r.location, "#attente-") {
		t.Errorf("many links: %d %q", r.status, r.location)
	}
	long := "Pour l’emploi, je conseille toujours de commencer par un CV simple, relu ensemble."
	if r := send(a, long); !strings.Contains(r.location, "#post-") {
		t.Fatalf("a plain reply: %d %q", r.status, r.location)
	}
	if r := send(b, long); !strings.Contains(r.location, "#attente-") {
		t.Errorf("the same text elsewhere: %d %q", r.status, r.location)
	}
	if r := send(b, strings.Repeat("https://exemple.fr/page\n", 21)); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Ce message compte 21 liens : 20 au plus") {
		t.Errorf("21 links: %d", r.status)
	}
	queue := ts.loggedIn(lucie).get("/moderation/attente").body
	if !strings.Contains(queue, "beaucoup de liens") || !strings.Contains(queue, "texte répété") {
		t.Errorf("queue reasons:\n%s", queue)
	}
}

// The charter is accepted at registration (a refused form comes back
// filled); when it changes, a member's next write shows it with what they
// typed, and goes through once it is accepted; the API says so in JSON.
func TestCharterAcceptedAtRegistrationAndAgain(t *testing.T) {
	ts := newTestSite(t)
	form := registration("Lucie", "lucie@exemple.fr", "des mots pour entrer")
	form.Del("charte")
	cl := ts.client()
	cl.get("/inscription")
	r := cl.postForm("/inscription", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "lisez la charte et cochez la case") || !strings.Contains(r.body, `value="Lucie"`) ||
		!strings.Contains(r.body, `href="#f-charte"`) {
		t.Fatalf("registration without the charter: %d\n%s", r.status, r.body)
	}
	if r := cl.postForm("/inscription", registration("Lucie", "lucie@exemple.fr", "des mots pour entrer")); r.status != http.StatusSeeOther {
		t.Fatalf("registration: %d", r.status)
	}
	lucie, _ := ts.srv.store.UserByPseudo(ts.ctx(), "Lucie")
	if at, err := ts.srv.store.CharterAccepted(ts.ctx(), lucie); err != nil || at == nil {
		t.Errorf("acceptance not recorded: %v %v", at, err)
	}

	// Karim accepted an earlier version.
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Les ateliers du jeudi", "Qui vient ?")
	if _, err := ts.srv.DB().W.Exec(`UPDATE charter_acceptances SET version = version - 1 WHERE user_id = ?`, karim.ID); err != nil {
		t.Fatal(err)
	}
	kcl := ts.loggedIn(karim)
	if page := kcl.get("/charte").body; !strings.Contains(page, "Vous n’avez pas encore accepté cette version") {
		t.Error("the charter page does not ask Karim")
	}
	kcl.get(topic.Path())
	r = kcl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", url.Values{"body": {"Moi, avec deux bénévoles."}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "La charte de la Ligue a changé") ||
		!strings.Contains(r.body, "Moi, avec deux bénévoles.") || !strings.Contains(r.body, "Jamais de données personnelles des personnes accompagnées") {
		t.Fatalf("write with an old charter: %d\n%s", r.status, r.body)
	}
	token := ts.mustToken(karim)
	if status, body := ts.apiCall(token, "POST", "/api/v1/discussions/"+itoa64(topic.ID)+"/reponses", `{"body": "Par l’API."}`); status != http.StatusForbidden ||
		body["error"].(map[string]any)["code"] != "charter" {
		t.Errorf("API write with an old charter: %d %v", status, body)
	}
	r = kcl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", url.Values{"body": {"Moi, avec deux bénévoles."}, "charte_acceptee": {itoa64(content.CharterVersion)}})
	if r.status != http.StatusSeeOther || !strings.Contains(kcl.get(topic.Path()).body, "Moi, avec deux bénévoles.") {
		t.Fatalf("accepted and sent: %d", r.status)
	}
	if page := kcl.get("/charte").body; !strings.Contains(page, "Vous avez accepté cette version de la charte le") {
		t.Error("the acceptance is not shown with its date")
	}
}

// A suspended member's forms come back filled with a clear message, from
// their session as from their API token; reinstated, they log in again.
func TestSuspendedMemberIsToldAndKeepsText(t *testing.T) {
	ts := newTestSite(t)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(admin, "Les ateliers du jeudi", "Qui vient ?")
	cl, token := ts.loggedIn(karim), ts.mustToken(karim)
	cl.get(topic.Path())
	if err := ts.srv.store.SetSuspended(ts.ctx(), admin, karim.ID, true); err != nil {
		t.Fatal(err)
	}
	r := cl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", url.Values{"body": {"Un long texte que je ne veux pas perdre."}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "Votre compte est suspendu") || !strings.Contains(r.body, "Un long texte que je ne veux pas perdre.") {
		t.Errorf("page: %d\n%s", r.status, r.body)
	}
	status, body := ts.apiCall(token, "POST", "/api/v1/discussions/"+itoa64(topic.ID)+"/reponses", `{"body": "Par l’API."}`)
	if e, _ := body["error"].(map[string]any); status != http.StatusForbidden || e["code"] != "suspended" || !strings.Contains(e["message"].(string), "suspendu") {
		t.Errorf("API: %d %v", status, body)
	}
	if r := cl.get(topic.Path()); r.status != http.StatusOK || strings.Contains(r.body, "Se déconnecter") {
		t.Errorf("reading while suspended: %d, logged in: %v", r.status, strings.Contains(r.body, "Se déconnecter"))
	}
}
