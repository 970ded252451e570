package server

import (
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// weekLabel names the week (from Monday, Paris time) that holds t, as the
// dashboard's table does.
func weekLabel(t time.Time) string {
	t = t.In(content.Paris)
	monday := time.Date(t.Year(), t.Month(), t.Day()-(int(t.Weekday())+6)%7, 0, 0, 0, 0, content.Paris)
	return plain("semaine du " + content.FrenchDate(monday))
}

// The dashboard shows what the network wrote, week by week, in its charts
// and tables, with the mail failures of the week, the search index and the
// disk; administrators alone open it.
func TestAdminDashboardShowsWhatWasWritten(t *testing.T) {
	ts := newTestSite(t)
	now := time.Now()
	twoWeeksAgo := now.AddDate(0, 0, -14)
	ts.srv.store.SetClock(func() time.Time { return twoWeeksAgo })
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateTopic(karim, "Imprimer une attestation CAF", "Avec quelle imprimante ?")
	if _, err := ts.srv.store.CreateFiche(ts.ctx(), karim, content.FicheInput{Title: "Créer une adresse e-mail",
		Summary: "Pas à pas.", Body: "Choisir un fournisseur, puis un mot de passe."}, 0); err != nil {
		t.Fatal(err)
	}
	ts.srv.store.SetClock(time.Now)

	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(lucie, "Prendre rendez-vous à la préfecture", "Sans ordinateur ?")
	ts.mustReply(karim, topic, "Par téléphone.", 0)
	ts.mustReply(lucie, topic, "Merci !", 0)
	if r := ts.client().postForm("/inscription", registration("Nadia", "nadia@exemple.fr", "des mots pour entrer")); r.status != 303 {
		t.Fatalf("register: %d", r.status)
	}
	refused := ts.lastMail("nadia@exemple.fr")
	if err := ts.srv.store.MarkMailFailed(ts.ctx(), refused.ID, "550 boîte inconnue", true); err != nil {
		t.Fatal(err)
	}
	ts.syncIndex()
	adminUser := ts.mustCreateMember("Admin", content.RoleAdmin)
	admin := ts.loggedIn(adminUser)

	r := admin.get("/admin")
	if r.status != 200 {
		t.Fatalf("/admin: %d\n%s", r.status, r.body)
	}
	// Columns: accounts, posts, fiche revisions, text changes, amendments, contributions.
	for _, row := range []string{
		`<th scope="row">` + weekLabel(now) + `</th><td>3</td><td>3</td><td>0</td><td>0</td><td>0</td><td>3</td>`,         // Lucie, Nadia, Admin; 3 posts
		`<th scope="row">` + weekLabel(twoWeeksAgo) + `</th><td>1</td><td>1</td><td>1</td><td>0</td><td>0</td><td>2</td>`, // Karim; his post and fiche
		`<th scope="row">` + weekLabel(now.AddDate(0, 0, -7)) + `</th><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td>`,
		`<th scope="row">` + plain(content.FrenchDate(now)) + `</th><td>1</td>`, // the mail refused today
		`aria-label="Diagramme en barres des comptes créés chaque semaine. `,
		weekLabel(now) + ` : 3 contributions.`,                              // the chart's text alternative ends on this week
		`Documents dans l’index</dt><dd>5 (la base de données en compte 5)`, // 2 topics, 2 replies, the fiche
	} {
		if !strings.Contains(r.body, row) {
			t.Errorf("the dashboard lacks %q\n%s", row, r.body)
		}
	}
	if n := strings.Count(r.body, `<tr><th scope="row">semaine du`); n != dashboardWeeks {
		t.Errorf("%d weeks in the table, want %d", n, dashboardWeeks)
	}
	if !strings.Contains(r.body, `href="/admin/membres"`) || !strings.Contains(r.body, `href="/admin" aria-current="page"`) {
		t.Error("the dashboard lacks the administration's navigation")
	}

	moderator := ts.loggedIn(ts.mustCreateMember("Mod", content.RoleModerator))
	runScenarios(t, ts, []scenario{
		{name: "visitor", path: "/admin", wantStatus: 303, wantLocation: "/connexion?retour=/admin"},
		{name: "member", as: ts.loggedIn(lucie), path: "/admin", wantStatus: 403, wantNotContains: []string{"Tableau de bord"}},
		{name: "moderator", as: moderator, path: "/admin", wantStatus: 403, wantNotContains: []string{"Tableau de bord"}},
		{name: "admin, trailing slash", as: admin, path: "/admin/", wantStatus: 200, wantContains: []string{"Tableau de bord"}},
		{name: "members page links back", as: admin, path: "/admin/membres", wantStatus: 200, wantContains: []string{`href="/admin"`}},
	})
}
