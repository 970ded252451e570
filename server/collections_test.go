package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

var collectionLink = regexp.MustCompile(`href="/collections/(\d+)">([^<]+)</a>`)

// collectionIDs reads the collections a page links to, by name.
func collectionIDs(page string) map[string]string {
	ids := map[string]string{}
	for _, m := range collectionLink.FindAllStringSubmatch(page, -1) {
		ids[m[2]] = m[1]
	}
	return ids
}

// mustSaveFicheTo saves the fiche at path through its form and checks the redirect.
func mustSaveFicheTo(t *testing.T, cl *client, path string, form url.Values) {
	t.Helper()
	r := cl.postForm(path+"/enregistrer", form)
	if r.status != http.StatusSeeOther || r.location != path {
		t.Fatalf("save %s: %d %q\n%s", path, r.status, r.location, r.body)
	}
}

func wantPage(t *testing.T, r *response, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestCollectionSaveFromTheFichePage(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	carole := ts.loggedIn(ts.mustCreateMember("carole", content.RoleMember))
	path := mustPublishFiche(t, alice, "Accompagner une démarche CAF sans adresse e-mail", ficheBody)

	if page := ts.client().get(path); strings.Contains(page.body, path+"/enregistrer") {
		t.Error("a visitor is offered to save")
	}
	// The default collection does not exist before the first save.
	wantPage(t, bruno.get("/collections"), 200, "Vous n’avez encore enregistré aucune fiche")
	wantPage(t, bruno.get(path), 200, "0 enregistrement", "Enregistrer dans", `<option value="0">Mes fiches enregistrées</option>`)

	mustSaveFicheTo(t, bruno, path, url.Values{"collection": {"0"}})
	page := bruno.get(path)
	wantPage(t, page, 200, "Fiche enregistrée dans « Mes fiches enregistrées ».", "Enregistrée dans : ", "1 enregistrement",
		"Retirer de « Mes fiches enregistrées »")
	def := collectionIDs(page.body)["Mes fiches enregistrées"]
	if def == "" {
		t.Fatal("the fiche page does not link the default collection")
	}
	wantPage(t, bruno.get("/collections"), 200, `href="/collections/`+def+`">Mes fiches enregistrées</a>`, "1 fiche", "Privée")

	mustSaveFicheTo(t, carole, path, url.Values{})
	wantPage(t, ts.client().get(path), 200, "2 enregistrements")

	// A second collection of the same member: still two members.
	mustSaveFicheTo(t, bruno, path, url.Values{"collection": {"nouvelle"}, "name": {"Démarches CAF"}})
	page = bruno.get(path)
	wantPage(t, page, 200, "2 enregistrements", "Mes fiches enregistrées</a>, <a", "Démarches CAF</a>.")
	caf := collectionIDs(page.body)["Démarches CAF"]
	if strings.Contains(page.body, `<option value="`+def+`"`) {
		t.Error("the select offers a collection that already holds the fiche")
	}

	// Out of one: still saved; out of the other: one member less.
	r := bruno.postForm(path+"/retirer", url.Values{"collection": {def}})
	if r.status != http.StatusSeeOther || r.location != path {
		t.Fatalf("unsave: %d %q", r.status, r.location)
	}
	wantPage(t, bruno.get(path), 200, "La fiche est retirée de « Mes fiches enregistrées ».", "2 enregistrements")
	r = bruno.postForm("/collections/"+caf+"/retirer", url.Values{"fiche": {ficheIDOf(t, ts, path)}})
	if r.status != http.StatusSeeOther || r.location != "/collections/"+caf {
		t.Fatalf("remove from the collection page: %d %q", r.status, r.location)
	}
	wantPage(t, bruno.get("/collections/"+caf), 200, "Cette collection est vide")
	page = ts.client().get(path)
	wantPage(t, page, 200, "1 enregistrement")
	if strings.Contains(bruno.get(path).body, "Enregistrée dans") {
		t.Error("still said saved")
	}
}

// ficheIDOf reads the ID of the fiche at path from the database.
func ficheIDOf(t *testing.T, ts *testSite, path string) string {
	t.Helper()
	l, err := ts.srv.store.FicheBySlug(ts.ctx(), nil, strings.TrimPrefix(path, "/fiches/"))
	if err != nil {
		t.Fatal(err)
	}
	return itoa64(l.Fiche.ID)
}

func TestCollectionPrivateIsInvisibleToOthers(t *testing.T) {
	ts := newTestSite(t)
	aliceUser := ts.mustCreateMember("alice", content.RoleMember)
	alice := ts.loggedIn(aliceUser)
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	moderator := ts.loggedIn(ts.mustCreateMember("modo", content.RoleModerator))
	path := mustPublishFiche(t, alice, "Accompagner une démarche CAF sans adresse e-mail", ficheBody)
	mustSaveFicheTo(t, bruno, path, url.Values{})
	id := collectionIDs(bruno.get(path).body)["Mes fiches enregistrées"]
	wantPage(t, bruno.get("/collections/"+id), 200, "Accompagner une démarche CAF", "visible de vous seul·e")
	if r := bruno.get("/collections/" + id + ".atom"); r.status != http.StatusNotFound {
		t.Errorf("a private collection has a feed: %d", r.status)
	}
	token := ts.mustToken(aliceUser)
	for name, cl := range map[string]*client{"visitor": ts.client(), "alice": alice, "moderator": moderator} {
		for _, p := range []string{"/collections/" + id, "/collections/" + id + ".atom", "/collections/" + id + "/modifier"} {
			if r := cl.get(p); r.status != http.StatusNotFound && !(name == "visitor" && r.status == http.StatusSeeOther) {
				t.Errorf("%s reads %s: %d", name, p, r.status)
			}
		}
	}
	for _, p := range []struct {
		path string
		form url.Values
	}{
		{path + "/enregistrer", url.Values{"collection": {id}}},
		{path + "/retirer", url.Values{"collection": {id}}},
		{"/collections/" + id + "/retirer", url.Values{"fiche": {ficheIDOf(t, ts, path)}}},
		{"/collections/" + id + "/modifier", url.Values{"name": {"Volée"}}},
		{"/collections/" + id + "/supprimer", nil},
		{path + "/enregistrer", url.Values{"collection": {"999999"}}},
	} {
		if r := alice.postForm(p.path, p.form); r.status != http.StatusNotFound {
			t.Errorf("alice posts %s %v: %d", p.path, p.form, r.status)
		}
	}
	status, out := ts.apiCall(token, "POST", "/api/v1"+path+"/enregistrer", `{"collection": `+id+`}`)
	if status != http.StatusNotFound || errorCode(out) != "not_found" {
		t.Errorf("API save into someone else's collection: %d %v", status, out)
	}
	if strings.Contains(ts.client().get("/membres/bruno").body, "/collections/"+id) {
		t.Error("bruno's profile shows a private collection")
	}
	wantPage(t, ts.client().get(path), 200, "1 enregistrement")
}

func TestCollectionPublicPageAndFeed(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	path := mustPublishFiche(t, alice, "Accompagner une démarche CAF sans adresse e-mail", ficheBody)
	r := alice.postForm("/fiches/nouvelle", ficheForm("Un brouillon qu’Alice garde pour elle", ficheBody, ""))
	if r.status != http.StatusSeeOther {
		t.Fatalf("brouillon: %d", r.status)
	}
	draft := r.location

	r = alice.postForm("/collections", url.Values{"name": {"Pour l’équipe"}, "description": {"Les fiches que nous utilisons à l’accueil."},
		"visibility": {"publique"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/collections/") {
		t.Fatalf("create: %d %q\n%s", r.status, r.location, r.body)
	}
	col := r.location
	id := strings.TrimPrefix(col, "/collections/")
	wantPage(t, alice.get(col), 200, "La collection « Pour l’équipe » est créée.", "Cette collection est vide", "Modifier la collection")
	mustSaveFicheTo(t, alice, path, url.Values{"collection": {id}})
	mustSaveFicheTo(t, alice, draft, url.Values{"collection": {id}})

	// Its author sees their brouillon in it; nobody else does, anywhere.
	wantPage(t, alice.get(col), 200, "Un brouillon qu’Alice garde pour elle", "Brouillon", "2 fiches")
	for name, cl := range map[string]*client{"visitor": ts.client(), "bruno": bruno} {
		page := cl.get(col)
		wantPage(t, page, 200, "Pour l’équipe", "Les fiches que nous utilisons à l’accueil.", `collection de <a href="/membres/alice">alice</a>`,
			"Accompagner une démarche CAF sans adresse e-mail", "Pour aider une personne sans adresse e-mail.", "Mise à jour le", "1 fiche",
			`href="`+col+`.atom"`)
		for _, unwanted := range []string{"Un brouillon qu’Alice", "Modifier la collection", "/retirer"} {
			if strings.Contains(page.body, unwanted) {
				t.Errorf("%s sees %q", name, unwanted)
			}
		}
	}
	feed := bruno.get(col + ".atom")
	if feed.status != 200 || !strings.HasPrefix(feed.header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", feed.status, feed.header.Get("Content-Type"))
	}
	for _, want := range []string{"<title>Pour l’équipe · collection de alice · Ligue des mednum</title>",
		"Accompagner une démarche CAF sans adresse e-mail", `href="http://ligue.test` + path + `"`} {
		if !strings.Contains(feed.raw, want) {
			t.Errorf("feed lacks %q\n%s", want, feed.raw)
		}
	}
	if strings.Contains(alice.get(col+".atom").raw, "Un brouillon") {
		t.Error("the brouillon is in the feed, even for its author")
	}
	// Nobody else saves a brouillon they cannot read.
	if r := bruno.postForm(draft+"/enregistrer", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("bruno saves alice's brouillon: %d", r.status)
	}

	// Made private again: gone for others.
	r = alice.postForm(col+"/modifier", url.Values{"name": {"Pour l’équipe"}, "visibility": {"privee"}})
	if r.status != http.StatusSeeOther || r.location != col {
		t.Fatalf("edit: %d %q\n%s", r.status, r.location, r.body)
	}
	for _, p := range []string{col, col + ".atom"} {
		if r := bruno.get(p); r.status != http.StatusNotFound {
			t.Errorf("a collection made private still answers %s: %d", p, r.status)
		}
	}
}

func TestCollectionRefusalsKeepTheForm(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	path := mustPublishFiche(t, alice, "Accompagner une démarche CAF sans adresse e-mail", ficheBody)
	long := strings.Repeat("Démarches ", 8) + "CAF du jeudi"

	runScenarios(t, ts, []scenario{
		{name: "empty name", as: alice, method: "POST", path: "/collections",
			form:       url.Values{"name": {" "}, "description": {"Pour l’atelier du jeudi."}, "visibility": {"publique"}},
			wantStatus: 422, wantContains: []string{"Donnez un nom à la collection.", "Pour l’atelier du jeudi.</textarea>",
				`value="publique" checked`}},
		{name: "long name", as: alice, method: "POST", path: "/collections", form: url.Values{"name": {long}},
			wantStatus: 422, wantContains: []string{"ne doit pas dépasser 80 caractères (il en compte 92)", `value="` + long + `"`}},
		{name: "long description", as: alice, method: "POST", path: "/collections",
			form:       url.Values{"name": {"Ateliers"}, "description": {strings.Repeat("é", 501)}},
			wantStatus: 422, wantContains: []string{"La description ne doit pas dépasser 500 caractères", `value="Ateliers"`}},
		{name: "new collection without a name", as: alice, method: "POST", path: path + "/enregistrer",
			form: url.Values{"collection": {"nouvelle"}}, wantStatus: 422,
			wantContains: []string{"Donnez un nom à la collection.", `<option value="nouvelle" selected>`, `aria-invalid="true"`}},
		{name: "new collection with a long name", as: alice, method: "POST", path: path + "/enregistrer",
			form: url.Values{"collection": {"nouvelle"}, "name": {long}}, wantStatus: 422,
			wantContains: []string{"ne doit pas dépasser 80 caractères", `value="` + long + `"`}},
		{name: "unknown collection", as: alice, method: "POST", path: path + "/enregistrer",
			form: url.Values{"collection": {"999999"}}, wantStatus: 404},
		{name: "not a collection", as: alice, method: "POST", path: path + "/enregistrer",
			form: url.Values{"collection": {"l’autre"}}, wantStatus: 404},
		{name: "a visitor's save", method: "POST", path: path + "/enregistrer", wantStatus: 401},
	})
	if n := ts.client().get(path); !strings.Contains(n.body, "0 enregistrement") {
		t.Error("a refused save was counted")
	}

	// Settings: a refused edit comes back filled; the default has none.
	r := alice.postForm("/collections", url.Values{"name": {"Ateliers"}})
	col := r.location
	mustSaveFicheTo(t, alice, path, url.Values{})
	def := collectionIDs(alice.get(path).body)["Mes fiches enregistrées"]
	runScenarios(t, ts, []scenario{
		{name: "edit without a name", as: alice, method: "POST", path: col + "/modifier",
			form: url.Values{"name": {""}, "description": {"Gardée."}}, wantStatus: 422,
			wantContains: []string{"Donnez un nom à la collection.", "Gardée.</textarea>"}},
		{name: "the default's settings", as: alice, method: "GET", path: "/collections/" + def + "/modifier",
			wantStatus: 303, wantLocation: "/collections/" + def},
		{name: "the default deleted", as: alice, method: "POST", path: "/collections/" + def + "/supprimer",
			wantStatus: 303, wantLocation: "/collections/" + def},
		{name: "the default made public", as: alice, method: "POST", path: "/collections/" + def + "/modifier",
			form: url.Values{"name": {"Mes fiches enregistrées"}, "visibility": {"publique"}}, wantStatus: 303, wantLocation: "/collections/" + def},
		{name: "the default still there, still private", as: alice, method: "GET", path: "/collections/" + def,
			wantStatus: 200, wantContains: []string{"est votre collection par défaut", "Privée", "Accompagner une démarche CAF"}},
		{name: "delete", as: alice, method: "POST", path: col + "/supprimer", wantStatus: 303, wantLocation: "/collections"},
		{name: "deleted", as: alice, method: "GET", path: col, wantStatus: 404},
	})
}

func TestCollectionSaveThroughTheAPI(t *testing.T) {
	ts := newTestSite(t)
	aliceUser := ts.mustCreateMember("alice", content.RoleMember)
	alice := ts.loggedIn(aliceUser)
	brunoUser := ts.mustCreateMember("bruno", content.RoleMember)
	path := mustPublishFiche(t, alice, "Accompagner une démarche CAF sans adresse e-mail", ficheBody)
	r := alice.postForm("/fiches/nouvelle", ficheForm("Un brouillon qu’Alice garde pour elle", ficheBody, ""))
	draft := r.location
	bt := ts.mustToken(brunoUser)
	save := "/api/v1" + path + "/enregistrer"

	status, out := ts.apiCall(bt, "POST", save, "")
	cols, _ := out["collections"].([]any)
	if status != 200 || out["saved"] != true || out["save_count"] != float64(1) || len(cols) != 1 {
		t.Fatalf("save: %d %v", status, out)
	}
	first, _ := cols[0].(map[string]any)
	if first["name"] != "Mes fiches enregistrées" || first["default"] != true || first["public"] != false {
		t.Errorf("default collection %v", first)
	}
	col, err := ts.srv.store.CreateCollection(ts.ctx(), brunoUser, content.CollectionInput{Name: "Pour l’équipe", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	status, out = ts.apiCall(bt, "POST", save, `{"collection": `+itoa64(col.ID)+`}`)
	if cols, _ = out["collections"].([]any); status != 200 || len(cols) != 2 || out["save_count"] != float64(1) {
		t.Fatalf("second collection: %d %v", status, out)
	}
	status, out = ts.apiCall(bt, "POST", save, `{"name": "Nouvelle boîte"}`)
	if cols, _ = out["collections"].([]any); status != 200 || len(cols) != 3 {
		t.Fatalf("new collection: %d %v", status, out)
	}
	status, out = ts.apiCall(bt, "POST", save, `{"name": "x"}`)
	if status != 422 || errorCode(out) != "invalid" {
		t.Errorf("short name: %d %v", status, out)
	}
	status, out = ts.apiCall(bt, "POST", save, `{"saved": false}`)
	if status != 200 || out["saved"] != false || out["save_count"] != float64(0) {
		t.Fatalf("unsave: %d %v", status, out)
	}
	for name, c := range map[string]struct {
		token, path, body string
		status            int
	}{
		"unknown collection":     {bt, save, `{"collection": 999999}`, 404},
		"someone else's":         {ts.mustToken(aliceUser), save, `{"collection": ` + itoa64(col.ID) + `}`, 404},
		"a brouillon not theirs": {bt, "/api/v1" + draft + "/enregistrer", "", 404},
		"an unknown fiche":       {bt, "/api/v1/fiches/n-existe-pas/enregistrer", "", 404},
		"no token":               {"", save, "", 401},
		"not JSON":               {bt, save, `{"collection": "deux"}`, 400},
	} {
		if status, out := ts.apiCall(c.token, "POST", c.path, c.body); status != c.status || errorCode(out) == "" {
			t.Errorf("%s: %d %v, want %d", name, status, out, c.status)
		}
	}
	wantPage(t, ts.client().get(path), 200, "0 enregistrement")
}
