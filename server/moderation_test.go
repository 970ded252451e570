package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// The moderation through the pages: flags, the queue and its decisions,
// the journal, suspensions and the public notice of illegal content.

func TestFlagsThroughThePages(t *testing.T) {
	ts := newTestSite(t)
	ts.srv.store.SetFlagThreshold(2)
	author := ts.mustCreateMember("Auteur", content.RoleMember)
	anne := ts.mustCreateMember("Anne", content.RoleMember)
	bruno := ts.mustCreateMember("Bruno", content.RoleMember)
	topic := ts.mustCreateTopic(author, "Une démarche CAF", "Comment déclarer ses ressources trimestrielles ?")
	p := ts.mustReply(author, topic, "Venez plutôt à ma formation payante, lien en bio !", 0)
	ac, bc := ts.loggedIn(anne), ts.loggedIn(bruno)
	flag := "/signaler/post/" + itoa64(p.ID)

	page := ac.get(topic.Path())
	wantStatus(t, page, 200, `href="`+flag+`"`)
	if strings.Contains(ts.loggedIn(author).get(topic.Path()).body, `href="`+flag+`"`) {
		t.Error("the author is offered to flag their own post")
	}
	runScenarios(t, ts, []scenario{
		{name: "visitor is sent to log in", path: flag, wantStatus: 303},
		{name: "form", as: ac, path: flag, wantStatus: 200, wantContains: []string{"Signaler un contenu", "Données personnelles d’un·e bénéficiaire",
			"Venez plutôt à ma formation"}},
		{name: "no reason", as: ac, method: "POST", path: flag, form: url.Values{"comment": {"Publicité"}}, wantStatus: 422,
			wantContains: []string{"Choisissez ce qui pose problème", "Publicité"}},
		{name: "own post", as: ts.loggedIn(author), method: "POST", path: flag, form: url.Values{"reason": {"spam"}}, wantStatus: 409,
			wantContains: []string{"sa propre contribution"}},
		{name: "unknown type", as: ac, path: "/signaler/fiche/1", wantStatus: 404},
		{name: "first flag", as: ac, method: "POST", path: flag, form: url.Values{"reason": {"spam"}}, wantStatus: 303},
		{name: "twice", as: ac, method: "POST", path: flag, form: url.Values{"reason": {"off_topic"}, "comment": {"Encore"}}, wantStatus: 409,
			wantContains: []string{"déjà signalé", "Encore"}},
		{name: "form again says so", as: ac, path: flag, wantStatus: 303},
		{name: "still visible", path: topic.Path(), wantStatus: 200, wantContains: []string{"Venez plutôt à ma formation"}},
		{name: "second flag reaches the threshold", as: bc, method: "POST", path: flag, form: url.Values{"reason": {"spam"}}, wantStatus: 303},
		{name: "held for readers", path: topic.Path(), wantStatus: 200, wantContains: []string{"Message masqué par la modération."},
			wantNotContains: []string{"Venez plutôt à ma formation"}},
		{name: "the author reads why", as: ts.loggedIn(author), path: topic.Path(), wantStatus: 200,
			wantContains: []string{"masqué en attendant l’examen de la modération", "Venez plutôt à ma formation"}},
	})
}

func TestQueueDecisionsAndJournal(t *testing.T) {
	ts := newTestSite(t)
	author := ts.mustCreateMember("Auteur", content.RoleMember)
	anne := ts.mustCreateMember("Anne", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	mod2 := ts.mustCreateMember("Moda", content.RoleModerator)
	topic := ts.mustCreateTopic(author, "Accompagner une bénéficiaire", "Premier message du fil, pour le contexte.")
	p := ts.mustReply(author, topic, "Appelez Mme Durand au 06 12 34 56 78 de ma part.", 0)
	modPost := ts.mustReply(mod2, topic, "Un message de la modératrice, signalé.", 0)
	ac, mc, m2c := ts.loggedIn(anne), ts.loggedIn(mod), ts.loggedIn(mod2)
	wantStatus(t, ac.postForm("/signaler/post/"+itoa64(p.ID), url.Values{"reason": {"personal_data"}, "comment": {"Un numéro de bénéficiaire"}}),
		http.StatusSeeOther)
	wantStatus(t, ac.postForm("/signaler/post/"+itoa64(modPost.ID), url.Values{"reason": {"off_topic"}}), http.StatusSeeOther)
	if r := ts.client().get(topic.Path()); strings.Contains(r.body, "06 12 34 56 78") {
		t.Fatal("the phone number is still shown after a personal-data flag")
	}

	queue := mc.get("/moderation")
	wantStatus(t, queue, 200, "Données personnelles d’un·e bénéficiaire", "Un numéro de bénéficiaire", "Masqué en attendant l’examen",
		"Premier message du fil, pour le contexte.", "Historique de Auteur", "actions sur la discussion")
	if r := ac.get("/moderation"); r.status != 403 {
		t.Errorf("a member opens the queue: %d", r.status)
	}
	if r := ac.get("/moderation/journal"); r.status != 403 {
		t.Errorf("a member opens the journal: %d", r.status)
	}
	decide := func(cl *client, id int64, form url.Values) *response {
		form.Set("type", "post")
		form.Set("id", itoa64(id))
		return cl.postForm("/moderation/decisions", form)
	}
	wantStatus(t, decide(mc, p.ID, url.Values{"action": {"edit"}, "body": {"Appelez la bénéficiaire de ma part."}}), 422,
		"Dites la raison", "Appelez la bénéficiaire de ma part.")
	wantStatus(t, decide(mc, p.ID, url.Values{"action": {"edit"}, "reason": {"Numéro d’une bénéficiaire retiré."},
		"body": {"Appelez la bénéficiaire de ma part."}}), http.StatusSeeOther)
	wantStatus(t, ts.client().get(topic.Path()), 200, "Appelez la bénéficiaire de ma part.")
	wantStatus(t, ts.client().get(topic.Path()+"/posts/2/versions"), 200, "Version écrite par la modération", "Numéro d’une bénéficiaire retiré.")

	// The author and the flagger see the decision.
	if err := ts.srv.SyncNotifications(ts.ctx()); err != nil {
		t.Fatal(err)
	}
	ncl := ts.loggedIn(author)
	notes := ncl.get("/notifications")
	wantStatus(t, notes, 200, "La modération a modifié votre contribution")
	var decision int64
	if err := ts.srv.db.R.Get(&decision, `SELECT id FROM moderation_decisions WHERE action = 'edit'`); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, ncl.get("/decisions/"+itoa64(decision)), 200, "La modération a modifié ce contenu.", "Numéro d’une bénéficiaire retiré.")
	wantStatus(t, ac.get("/notifications"), 200, "La modération a examiné votre signalement")
	wantStatus(t, ac.get("/decisions/"+itoa64(decision)), 200, "Merci pour votre signalement")
	if r := ts.loggedIn(ts.mustCreateMember("Curieux", content.RoleMember)).get("/decisions/" + itoa64(decision)); r.status != 404 {
		t.Errorf("another member reads the decision: %d", r.status)
	}

	// A moderator's content: proposed, then confirmed by another.
	wantStatus(t, decide(m2c, modPost.ID, url.Values{"action": {"keep"}}), http.StatusSeeOther)
	wantStatus(t, m2c.get("/moderation"), 200, "Décision proposée par Moda")
	wantStatus(t, decide(mc, modPost.ID, url.Values{"action": {"hide"}, "reason": {"x"}}), 422, "attend déjà")
	var proposal int64
	if err := ts.srv.db.R.Get(&proposal, `SELECT id FROM moderation_decisions WHERE state = 'proposed'`); err != nil {
		t.Fatal(err)
	}
	if r := m2c.postForm("/moderation/decisions/"+itoa64(proposal)+"/confirmer", nil); r.status != 303 {
		t.Errorf("confirm by the moderator concerned: %d", r.status)
	}
	wantStatus(t, m2c.get("/moderation"), 200, "Décision proposée par Moda")
	wantStatus(t, mc.postForm("/moderation/decisions/"+itoa64(proposal)+"/confirmer", nil), http.StatusSeeOther)
	wantStatus(t, mc.get("/moderation"), 200, "Rien à examiner")

	// Warn and suspend are written to the journal too.
	wantStatus(t, decide(mc, p.ID, url.Values{"action": {"warn"}, "reason": {"Ne publiez jamais le téléphone d’une bénéficiaire."}}),
		http.StatusSeeOther)
	journal := mc.get("/moderation/journal")
	wantStatus(t, journal, 200, "moderation_edit", "propose_keep", "confirm_keep", "moderation_keep", "moderation_warn",
		"Ne publiez jamais le téléphone")
	filtered := mc.get("/moderation/journal?action=moderation_warn")
	wantStatus(t, filtered, 200, "moderation_warn")
	if strings.Contains(filtered.body, "<td>moderation_edit</td>") {
		t.Error("the journal filter lets other actions through")
	}
	wantStatus(t, mc.get("/moderation/journal?moderateur=Moda"), 200, "propose_keep")
	if r := mc.get("/moderation/journal?moderateur=Moda"); strings.Contains(r.body, "<td>moderation_warn</td>") {
		t.Error("the moderator filter lets others' entries through")
	}
}

func TestSuspensionIsShownAtLoginAndOnEveryWrite(t *testing.T) {
	ts := newTestSite(t)
	member := ts.mustCreateMember("Karim", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	topic := ts.mustCreateTopic(member, "Un sujet", "Le premier message du sujet.")
	kc := ts.loggedIn(member)
	token := ts.mustToken(member)
	res, err := ts.srv.store.Decide(ts.ctx(), mod, content.DecisionInput{TargetType: content.EntityUser, TargetID: member.ID,
		Action: content.ActionSuspend, Days: 3, Reason: "Insultes répétées envers d’autres membres."})
	if err != nil || res.Proposed {
		t.Fatalf("suspend: %+v, %v", res, err)
	}
	typed := "Une réponse écrite pendant la suspension."
	wantStatus(t, kc.postForm(topic.Path()[:strings.LastIndex(topic.Path(), "/")]+"/reponses", url.Values{"body": {typed}}),
		http.StatusForbidden, "Votre compte est suspendu jusqu’au", "Insultes répétées", typed)
	wantStatus(t, kc.get("/connexion"), 200, "Votre compte est suspendu jusqu’au")
	status, out := ts.apiCall(token, "POST", "/api/v1/discussions/"+itoa64(topic.ID)+"/reponses", `{"body":"Par l’API"}`)
	if status != 403 || errorCode(out) != "suspended" || !strings.Contains(fmt.Sprint(out), "Insultes répétées") {
		t.Errorf("API write of a suspended member: %d %v", status, out)
	}
	wantStatus(t, ts.client().postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}}), http.StatusForbidden,
		"Ce compte est suspendu jusqu’au", "Insultes répétées", "prendra fin d’elle-même")

	// It ends by itself.
	ts.srv.store.SetClock(func() time.Time { return time.Now().Add(4 * 24 * time.Hour) })
	defer ts.srv.store.SetClock(time.Now)
	wantStatus(t, ts.client().postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}}), http.StatusSeeOther)
	wantStatus(t, kc.postForm(topic.Path()[:strings.LastIndex(topic.Path(), "/")]+"/reponses", url.Values{"body": {typed}}), http.StatusSeeOther)
}

func TestIllegalContentNotice(t *testing.T) {
	ts := newTestSite(t)
	author := ts.mustCreateMember("Auteur", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	topic := ts.mustCreateTopic(author, "Un sujet", "Un message prétendument diffamatoire.")
	visitor := ts.client()
	wantStatus(t, visitor.get("/"), 200, `href="/signaler-un-contenu-illicite"`)
	wantStatus(t, visitor.get(illegalNoticePath), 200, "Signaler un contenu illicite", "bonne foi")
	explanation := "Ce message m’accuse nommément d’escroquerie, ce qui est diffamatoire."
	form := url.Values{"name": {"Jeanne Martin"}, "email": {"jeanne@exemple.fr"}, "url": {"http://ligue.test" + topic.Path()},
		"explanation": {explanation}}
	wantStatus(t, visitor.postForm(illegalNoticePath, form), 422, "Cochez la déclaration de bonne foi", explanation, "Jeanne Martin")
	bad := url.Values{"name": {""}, "email": {"pas-une-adresse"}, "url": {"n’importe quoi"}, "explanation": {"court"}, "good_faith": {"1"}}
	wantStatus(t, visitor.postForm(illegalNoticePath, bad), 422, "Indiquez votre nom", "Collez l’adresse complète", "20 caractères au moins")
	form.Set("good_faith", "1")
	r := visitor.postForm(illegalNoticePath, form)
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, visitor.get(r.location), 200, "votre signalement n° 1 est enregistré")
	receipt := ts.lastMail("jeanne@exemple.fr")
	if !strings.Contains(receipt.Subject, "n° 1") || !strings.Contains(receipt.Body, explanation) {
		t.Errorf("receipt: %q\n%s", receipt.Subject, receipt.Body)
	}

	mc := ts.loggedIn(mod)
	wantStatus(t, mc.get("/moderation"), 200, "Signalement n° 1, de Jeanne Martin", explanation, `href="`+topic.Path()+`"`)
	wantStatus(t, mc.postForm("/moderation/signalements-illicites/1/traite", url.Values{"decision": {""}}), 422, "Dites ce qui a été décidé")
	wantStatus(t, mc.postForm("/moderation/signalements-illicites/1/traite",
		url.Values{"decision": {"Le message a été masqué : il visait une personne nommément."}}), http.StatusSeeOther)
	decision := ts.lastMail("jeanne@exemple.fr")
	if !strings.Contains(decision.Body, "Le message a été masqué") {
		t.Errorf("decision mail: %s", decision.Body)
	}
	wantStatus(t, mc.get("/moderation/journal"), 200, "illegal_notice_handled")

	// A script floods the form: 429 with the text kept, logged; nothing recorded.
	flood := url.Values{"name": {"Robot"}, "email": {"robot@exemple.fr"}, "url": {"http://ligue.test/"},
		"explanation": {"Un texte de signalement envoyé en boucle par un script."}, "good_faith": {"1"}}
	statuses := map[int]int{}
	for i := 0; i < 12; i++ {
		statuses[visitor.postForm(illegalNoticePath, flood).status]++
	}
	if statuses[http.StatusSeeOther] != 5 || statuses[http.StatusTooManyRequests] != 7 {
		t.Errorf("flood statuses: %v (5 per address an hour)", statuses)
	}
	last := visitor.postForm(illegalNoticePath, flood)
	wantStatus(t, last, http.StatusTooManyRequests, "Trop de tentatives", "envoyé en boucle par un script")
	if !strings.Contains(ts.logs.String(), "illegal content notices rate limited") {
		t.Error("the flood is not logged")
	}
	var n int
	ts.srv.db.R.Get(&n, `SELECT count(*) FROM illegal_notices`)
	if n != 6 {
		t.Errorf("%d notices recorded, want 6", n)
	}
}

func TestFlagsAPI(t *testing.T) {
	ts := newTestSite(t)
	author := ts.mustCreateMember("Auteur", content.RoleMember)
	anne := ts.mustCreateMember("Anne", content.RoleMember)
	topic := ts.mustCreateTopic(author, "Un sujet", "Le premier message du sujet.")
	p := ts.mustReply(author, topic, "Le téléphone de Mme Durand : 06 12 34 56 78.", 0)
	token := ts.mustToken(anne)
	body := `{"type":"post","id":` + itoa64(p.ID) + `,"reason":"personal_data","comment":"Un numéro"}`
	if status, out := ts.apiCall("", "POST", "/api/v1/signalements", body); status != 401 {
		t.Errorf("visitor: %d %v", status, out)
	}
	if status, out := ts.apiCall(token, "POST", "/api/v1/signalements", `{"type":"fiche","id":1,"reason":"spam"}`); status != 422 {
		t.Errorf("unknown type: %d %v", status, out)
	}
	if status, out := ts.apiCall(token, "POST", "/api/v1/signalements", body); status != 201 || out["held"] != true {
		t.Errorf("flag: %d %v", status, out)
	}
	if status, out := ts.apiCall(token, "POST", "/api/v1/signalements", body); status != 422 || !strings.Contains(fmt.Sprint(out), "déjà signalé") {
		t.Errorf("twice: %d %v", status, out)
	}
	if status, out := ts.apiCall(ts.mustToken(author), "POST", "/api/v1/signalements", body); status != 422 {
		t.Errorf("own post: %d %v", status, out)
	}
}
