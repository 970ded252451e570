package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// ficheForm is the form of a fiche as the edit page sends it.
func ficheForm(title, body, base string) url.Values {
	return url.Values{"title": {title}, "summary": {"Pour aider une personne sans adresse e-mail."}, "body": {body},
		"tags": {"caf, e-mail"}, "audiences": {"seniors", "allophones"}, "base_revision": {base}, "action": {"enregistrer"}}
}

// mustPublishFiche creates and publishes a fiche through the pages, and
// returns its address.
func mustPublishFiche(t *testing.T, cl *client, title, body string) string {
	t.Helper()
	r := cl.postForm("/fiches/nouvelle", ficheForm(title, body, ""))
	if r.status != http.StatusSeeOther {
		t.Fatalf("create fiche: %d\n%s", r.status, r.body)
	}
	if p := cl.postForm(r.location+"/publier", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", p.status)
	}
	return r.location
}

var baseRevisionInput = regexp.MustCompile(`name="base_revision" value="(\d+)"`)

func baseRevisionOf(t *testing.T, page string) string {
	t.Helper()
	m := baseRevisionInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no base_revision in the edit form")
	}
	return m[1]
}

const ficheBody = "## 1️⃣ Préparer l’accueil\n\nPremier paragraphe.\n\n## 2️⃣ Créer l’adresse\n\nDeuxième paragraphe.\n\n## 3️⃣ Faire la démarche\n\nTroisième paragraphe.\n"

func TestFicheLifecycleThroughThePages(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	visitor := ts.client()

	r := alice.postForm("/fiches/nouvelle", ficheForm("Accompagner une démarche CAF sans adresse e-mail", ficheBody, ""))
	if r.status != http.StatusSeeOther || r.location != "/fiches/accompagner-une-demarche-caf-sans-adresse-e-mail" {
		t.Fatalf("create: %d %q\n%s", r.status, r.location, r.body)
	}
	path := r.location
	// A brouillon: 404 for everybody else, everywhere.
	for _, p := range []string{path, path + ".md", path + "/historique", path + "/revisions/1", path + "/comparer?de=1&a=1"} {
		for name, cl := range map[string]*client{"visitor": visitor, "bruno": bruno} {
			if got := cl.get(p); got.status != http.StatusNotFound {
				t.Errorf("%s reads brouillon %s: %d", name, p, got.status)
			}
		}
	}
	if got := alice.get(path); got.status != 200 || !strings.Contains(got.body, "Brouillon") || !strings.Contains(got.body, "Publier la fiche") {
		t.Fatalf("author's brouillon page: %d", got.status)
	}
	if got := visitor.get("/fiches"); strings.Contains(got.body, "Accompagner une démarche CAF") {
		t.Error("brouillon listed to a visitor")
	}
	if got := alice.postForm(path+"/publier", url.Values{}); got.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", got.status)
	}

	page := visitor.get(path)
	for _, want := range []string{"Sommaire", `href="#1-preparer-l-accueil"`, "Préparer l’accueil", "Mise à jour le", "CC BY-SA 4.0",
		"Seniors", "Personnes allophones", "alice", "révision 1"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("fiche page lacks %q", want)
		}
	}
	if list := visitor.get("/fiches?theme=caf&public=seniors"); !strings.Contains(list.body, "Accompagner une démarche CAF") {
		t.Error("published fiche missing from the filtered list")
	}
	if list := visitor.get("/fiches?public=jeunes"); strings.Contains(list.body, "Accompagner une démarche CAF") {
		t.Error("fiche listed under a public it does not have")
	}

	// Two members edit from revision 1: disjoint changes merge.
	formA := alice.get(path + "/modifier")
	formB := bruno.get(path + "/modifier")
	base := baseRevisionOf(t, formA.body)
	if baseRevisionOf(t, formB.body) != base {
		t.Fatal("both forms start from the same revision")
	}
	if r := alice.postForm(path+"/modifier", ficheForm("Accompagner une démarche CAF sans adresse e-mail", strings.Replace(ficheBody, "Premier paragraphe.", "Premier paragraphe, revu par Alice.", 1), base)); r.status != http.StatusSeeOther {
		t.Fatalf("alice saves: %d\n%s", r.status, r.body)
	}
	r = bruno.postForm(path+"/modifier", ficheForm("Accompagner une démarche CAF sans adresse e-mail", strings.Replace(ficheBody, "Troisième paragraphe.", "Troisième paragraphe, revu par Bruno.", 1), base))
	if r.status != http.StatusSeeOther {
		t.Fatalf("bruno saves: %d\n%s", r.status, r.body)
	}
	page = bruno.get(r.location)
	if !strings.Contains(page.body, "fusionnées avec celles de alice") || !strings.Contains(page.body, "revu par Alice") || !strings.Contains(page.body, "revu par Bruno") {
		t.Fatalf("merge not said or lost:\n%s", page.body)
	}

	// Overlapping changes: 409, both texts in the form, nothing lost.
	base = baseRevisionOf(t, alice.get(path+"/modifier").body)
	alice.postForm(path+"/modifier", ficheForm("Accompagner une démarche CAF sans adresse e-mail", strings.Replace(ficheBody, "Deuxième paragraphe.", "Deuxième, version Alice.", 1), base))
	r = bruno.postForm(path+"/modifier", ficheForm("Accompagner une démarche CAF sans adresse e-mail", strings.Replace(ficheBody, "Deuxième paragraphe.", "Deuxième, version Bruno.", 1), base))
	if r.status != http.StatusConflict {
		t.Fatalf("overlap: %d\n%s", r.status, r.body)
	}
	for _, want := range []string{"croisent celles de alice", "Deuxième, version Alice.", "Deuxième, version Bruno.", "&lt;&lt;&lt;&lt;&lt;&lt;&lt; Votre version"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	// Sending the markers back is refused with the text kept.
	if base2 := baseRevisionOf(t, r.body); base2 == base {
		t.Error("conflict form should carry the current revision")
	}

	// History, comparison with words marked for screen readers, restore.
	hist := visitor.get(path + "/historique")
	if hist.status != 200 || !strings.Contains(hist.body, "Création de la fiche") || !strings.Contains(hist.body, "bruno") {
		t.Fatalf("history: %d", hist.status)
	}
	cmp := visitor.get(path + "/comparer?de=1&a=2")
	if cmp.status != 200 || !strings.Contains(cmp.body, "[ajout : </span>") {
		t.Fatalf("compare: %d\n%s", cmp.status, cmp.body)
	}
	restore := alice.get(path + "/revisions/1")
	current := strings.TrimSpace(regexp.MustCompile(`\(révision (\d+)\)`).FindStringSubmatch(alice.get(path).body)[1])
	r = alice.postForm(path+"/revisions/1/retablir", url.Values{"base_revision": {current}})
	if r.status != http.StatusSeeOther || restore.status != 200 {
		t.Fatalf("restore: %d", r.status)
	}
	if page := visitor.get(path); strings.Contains(page.body, "revu par Alice") {
		t.Error("restored fiche still has the later text")
	}
	n, _ := strconv.Atoi(current)
	if hist := visitor.get(path + "/historique"); !strings.Contains(hist.body, "retour à la révision 1") || !strings.Contains(hist.body, ">"+strconv.Itoa(n+1)+"<") {
		t.Error("restore is not a new revision in the history")
	}
}

func TestFicheRefusalsKeepTheText(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	path := mustPublishFiche(t, alice, "Une fiche pour les refus", ficheBody)
	long := strings.Repeat("mot ", content.MaxFicheBody/4+10) + "texte gardé"
	cases := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"empty title", ficheForm("", ficheBody+"texte gardé", "1"), 422, "Donnez un titre"},
		{"body too long", ficheForm("Une fiche pour les refus", long, "1"), 422, "100 000 caractères"},
		{"no base", ficheForm("Une fiche pour les refus", ficheBody+"texte gardé", ""), 422, "révision de départ"},
		{"unknown base", ficheForm("Une fiche pour les refus", ficheBody+"texte gardé", "99"), 422, "révision de départ"},
		{"unknown public", func() url.Values {
			f := ficheForm("Une fiche pour les refus", ficheBody+"texte gardé", "1")
			f["audiences"] = []string{"martiens"}
			return f
		}(), 422, "n’existe pas"},
		{"markers left", ficheForm("Une fiche pour les refus", "<<<<<<< Votre version\na\n=======\nb\n>>>>>>> Version de x\ntexte gardé", "1"), 422, "marques de conflit"},
	}
	for _, c := range cases {
		r := alice.postForm(path+"/modifier", c.form)
		if r.status != c.status || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d, want %d with %q", c.name, r.status, c.status, c.want)
		}
		if !strings.Contains(r.body, "texte gardé") {
			t.Errorf("%s: the text is lost", c.name)
		}
	}
}

func TestFicheSlugsRedirectAndMarkdownExport(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	first := mustPublishFiche(t, alice, "Créer une adresse e-mail", "Voir [[Fiche pas encore écrite]] et [[créer une adresse e-mail]].\n")
	second := mustPublishFiche(t, alice, "Créer une adresse e-mail", "Une autre fiche au même titre.\n")
	if first == second || second != first+"-2" {
		t.Fatalf("slugs %q %q", first, second)
	}
	page := ts.client().get(first)
	if !strings.Contains(page.raw, `class="wiki-missing"`) || !strings.Contains(page.raw, `/fiches/nouvelle?titre=Fiche+pas+encore+%C3%A9crite`) {
		t.Errorf("missing wiki link not offered:\n%s", page.raw)
	}
	// Renaming: the old slug redirects, subpages and query included.
	r := alice.postForm(second+"/modifier", ficheForm("Ouvrir une boîte mail", "Une autre fiche au même titre.\n", "1"))
	if r.status != http.StatusSeeOther || r.location != "/fiches/ouvrir-une-boite-mail" {
		t.Fatalf("rename: %d %q", r.status, r.location)
	}
	for from, to := range map[string]string{second: r.location, second + "/historique": r.location + "/historique",
		second + "/comparer?de=1&a=2": r.location + "/comparer?de=1&a=2", second + ".md": r.location + ".md"} {
		if got := ts.client().get(from); got.status != http.StatusMovedPermanently || got.location != to {
			t.Errorf("%s: %d → %q, want 301 → %q", from, got.status, got.location, to)
		}
	}
	md := ts.client().get(first + ".md")
	if md.status != 200 || !strings.HasPrefix(md.raw, "---\n") {
		t.Fatalf("markdown export: %d\n%s", md.status, md.raw)
	}
	front, body, ok := strings.Cut(strings.TrimPrefix(md.raw, "---\n"), "\n---\n\n")
	if !ok || body != "Voir [[Fiche pas encore écrite]] et [[créer une adresse e-mail]].\n" {
		t.Fatalf("export body %q", body)
	}
	fields := map[string]json.RawMessage{}
	for _, line := range strings.Split(strings.TrimSpace(front), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		fields[k] = json.RawMessage(v)
	}
	var title, licence, link string
	var revision int
	var authors []string
	json.Unmarshal(fields["title"], &title)
	json.Unmarshal(fields["licence"], &licence)
	json.Unmarshal(fields["url"], &link)
	json.Unmarshal(fields["revision"], &revision)
	json.Unmarshal(fields["authors"], &authors)
	if title != "Créer une adresse e-mail" || licence != "CC BY-SA 4.0" || link != "http://ligue.test"+first || revision != 1 || len(authors) != 1 || authors[0] != "alice" {
		t.Errorf("front matter %q", front)
	}
	// Round trip: the exported text, saved again, changes nothing.
	if r := alice.postForm(first+"/modifier", ficheForm(title, body, "1")); r.status != http.StatusSeeOther {
		t.Fatalf("save export back: %d", r.status)
	} else if page := alice.get(r.location); !strings.Contains(page.body, "Aucune modification") {
		t.Error("saving the exported text back made a revision")
	}
}

func TestFicheViewsOncePerVisitorPerDay(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	path := mustPublishFiche(t, alice, "Une fiche très lue", ficheBody)
	visitor := ts.client()
	for range 3 {
		visitor.get(path)
		alice.get(path)
	}
	other := ts.client()
	other.headers["User-Agent"] = "un autre navigateur"
	other.get(path)
	if page := ts.client().get(path); !strings.Contains(page.body, "3 vues") {
		t.Errorf("views: want 3 (alice, a visitor, another browser) before this one:\n%s", page.body)
	}
}

func TestFicheModeration(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	modo := ts.loggedIn(ts.mustCreateMember("modo", content.RoleModerator))
	path := mustPublishFiche(t, alice, "Une fiche à protéger", ficheBody)
	other := mustPublishFiche(t, alice, "Une fiche en double", ficheBody)

	// A vandal's revision, hidden by a moderator once the text is restored.
	if r := bruno.postForm(path+"/modifier", ficheForm("Une fiche à protéger", "N’importe quoi.", "1")); r.status != http.StatusSeeOther {
		t.Fatalf("vandal: %d", r.status)
	}
	if r := modo.postForm(path+"/revisions/2/masquer", url.Values{"masquer": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("hide: %d", r.status)
	} else if page := modo.get(r.location); !strings.Contains(page.body, "version actuelle") {
		t.Error("hiding the current revision should be refused")
	}
	modo.postForm(path+"/revisions/1/retablir", url.Values{"base_revision": {"2"}})
	modo.postForm(path+"/revisions/2/masquer", url.Values{"masquer": {"1"}})
	if r := ts.client().get(path + "/revisions/2"); r.status != http.StatusNotFound {
		t.Errorf("hidden revision read by a visitor: %d", r.status)
	}
	if r := modo.get(path + "/revisions/2"); r.status != 200 {
		t.Errorf("hidden revision read by a moderator: %d", r.status)
	}
	if hist := ts.client().get(path + "/historique"); !strings.Contains(hist.body, "masquée par la modération") || strings.Contains(hist.body, "N’importe quoi") {
		t.Error("history shows the hidden revision's text or not its mark")
	}
	r := alice.postForm(path+"/revisions/2/retablir", url.Values{"base_revision": {"3"}})
	if page := alice.get(r.location); r.status != http.StatusSeeOther || !strings.Contains(page.body, "ne peut pas être rétablie") {
		t.Errorf("restoring a hidden revision: %d, not refused", r.status)
	}
	if strings.Contains(alice.get(path).body, "N’importe quoi") {
		t.Error("a hidden revision was restored")
	}

	// Protection: bruno is refused and offered to propose in the comments.
	if r := bruno.postForm(path+"/protection", url.Values{"proteger": {"1"}}); r.status != http.StatusForbidden {
		t.Errorf("a member protects: %d", r.status)
	}
	modo.postForm(path+"/protection", url.Values{"proteger": {"1"}})
	if r := bruno.get(path + "/modifier"); r.status != http.StatusSeeOther || r.location != path+"#commenter" {
		t.Errorf("edit form of a protected fiche: %d", r.status)
	}
	if r := bruno.postForm(path+"/modifier", ficheForm("Une fiche à protéger", "Encore.", "3")); r.status != 422 || !strings.Contains(r.body, "protégée") || !strings.Contains(r.body, "Encore.") {
		t.Errorf("saving a protected fiche: %d", r.status)
	}
	if page := bruno.get(path); !strings.Contains(page.body, "Proposez votre modification") {
		t.Error("a protected fiche does not offer to propose a change")
	}
	if r := alice.postForm(path+"/modifier", ficheForm("Une fiche à protéger", ficheBody+"\nAjout d’Alice.\n", "3")); r.status != http.StatusSeeOther {
		t.Errorf("its author edits a protected fiche: %d", r.status)
	}

	// Merge: the old address redirects; delete: 410.
	if r := modo.postForm(other+"/fusionner", url.Values{"into": {path}}); r.status != http.StatusSeeOther {
		t.Fatalf("merge: %d", r.status)
	}
	if r := ts.client().get(other); r.status != http.StatusMovedPermanently || r.location != path {
		t.Errorf("merged fiche: %d → %q", r.status, r.location)
	}
	if r := modo.postForm(path+"/supprimer", url.Values{"raison": {"doublon"}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	for _, p := range []string{path, path + ".md", path + "/historique"} {
		if r := ts.client().get(p); r.status != http.StatusGone {
			t.Errorf("deleted fiche %s: %d", p, r.status)
		}
	}
	var actions []string
	ts.srv.db.R.Select(&actions, `SELECT action FROM audit_log WHERE target_type = 'fiche' ORDER BY id`)
	if strings.Join(actions, ",") != "hide_revision,protect,merge,delete" {
		t.Errorf("audit log: %v", actions)
	}
}

func TestFichesInSearch(t *testing.T) {
	ts := newTestSite(t)
	aliceU := ts.mustCreateMember("alice", content.RoleMember)
	alice := ts.loggedIn(aliceU)
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	modo := ts.loggedIn(ts.mustCreateMember("modo", content.RoleModerator))
	published := mustPublishFiche(t, alice, "Accompagner la démarche de retraite en ligne", "## Préparer\n\nLes papiers du relevé de carrière.\n")
	if r := alice.postForm("/fiches/nouvelle", ficheForm("Brouillon secret sur la retraite", "Le relevé de carrière, en cours.\n", "")); r.status != http.StatusSeeOther {
		t.Fatal(r.status)
	}
	ts.syncIndex()
	visitor := ts.client()
	r := visitor.get("/recherche?q=retraite")
	if !strings.Contains(r.body, "Accompagner la démarche de retraite en ligne") || !strings.Contains(r.body, "Fiche pratique") {
		t.Fatalf("published fiche not found:\n%s", r.body)
	}
	for name, cl := range map[string]*client{"visitor": visitor, "bruno": bruno, "modo": modo} {
		for _, p := range []string{"/recherche?q=retraite", "/recherche?q=secret", "/api/v1/recherche?q=secret"} {
			if r := cl.get(p); strings.Contains(r.body, "Brouillon secret") {
				t.Errorf("%s finds the brouillon in %s", name, p)
			}
		}
	}
	if r := alice.get("/recherche?q=secret"); !strings.Contains(r.body, "Brouillon secret sur la retraite") {
		t.Error("the author does not find their brouillon")
	}
	if r := visitor.get("/recherche?q=retraite&public=seniors"); !strings.Contains(r.body, "Accompagner la démarche de retraite") || !strings.Contains(r.body, "Public visé : Seniors") {
		t.Error("public filter")
	}
	if r := visitor.get("/recherche?q=retraite&public=jeunes"); strings.Contains(r.body, "Accompagner la démarche de retraite") {
		t.Error("public filter lets another public through")
	}
	modo.postForm(published+"/supprimer", url.Values{"raison": {"test"}})
	ts.syncIndex()
	if r := visitor.get("/recherche?q=retraite"); strings.Contains(r.body, "Accompagner la démarche de retraite") {
		t.Error("deleted fiche still found")
	}
}

func TestFicheFromASolvedDiscussion(t *testing.T) {
	ts := newTestSite(t)
	karim, lucie := ts.mustCreateMember("Karim", content.RoleMember), ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Comment créer une adresse e-mail sans téléphone ?", "La personne n’a pas de téléphone portable.",
		func(n *content.NewTopic) { n.Kind = content.KindQuestion })
	ts.mustReply(lucie, topic, "On passe par une adresse de la médiathèque pour la vérification, puis on la change.", 0)
	cl := ts.loggedIn(karim)
	if page := cl.get(topic.Path()); strings.Contains(page.body, "Créer une fiche à partir de cette discussion") {
		t.Error("an unsolved discussion offers to become a fiche")
	}
	if r := cl.get("/fiches/nouvelle?discussion=" + itoa64(topic.ID)); r.status != 422 {
		t.Errorf("fiche from an unsolved discussion: %d", r.status)
	}
	if _, err := ts.srv.store.AcceptAnswer(ts.ctx(), karim, topic.ID, 2); err != nil {
		t.Fatal(err)
	}
	page := cl.get(topic.Path())
	if !strings.Contains(page.body, "Créer une fiche à partir de cette discussion") {
		t.Fatal("a solved discussion does not offer to become a fiche")
	}
	form := cl.get("/fiches/nouvelle?discussion=" + itoa64(topic.ID))
	for _, want := range []string{"Comment créer une adresse e-mail sans téléphone ?", "La personne n’a pas de téléphone portable.",
		"une adresse de la médiathèque", "question de @Karim, réponse de @Lucie", `name="discussion" value="` + itoa64(topic.ID) + `"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("prefilled form lacks %q", want)
		}
	}
	f := ficheForm("Créer une adresse e-mail sans téléphone", "## La question\n\nSans téléphone.\n\n## La réponse\n\nLa médiathèque.\n", "")
	f.Set("discussion", itoa64(topic.ID))
	r := cl.postForm("/fiches/nouvelle", f)
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d", r.status)
	}
	cl.postForm(r.location+"/publier", url.Values{})
	if fiche := ts.client().get(r.location); !strings.Contains(fiche.body, "née de la discussion") || !strings.Contains(fiche.raw, topic.Path()) {
		t.Error("the fiche does not link to its discussion")
	}
	if page := ts.client().get(topic.Path()); !strings.Contains(page.body, "Cette discussion a donné la fiche") || !strings.Contains(page.raw, r.location) {
		t.Error("the discussion does not link to its fiche")
	}
	// Composing a question proposes the fiche.
	ts.syncIndex()
	if r := cl.get("/discussions/similaires?titre=adresse+e-mail+sans+t%C3%A9l%C3%A9phone"); !strings.Contains(r.body, `"fiche":true`) {
		t.Errorf("similar while composing does not propose the fiche: %s", r.body)
	}
	// The live preview of a fiche's composer renders it as a fiche.
	composer := composerClient(ts, karim)
	link := url.Values{"body": {"Voir [[Créer une adresse e-mail sans téléphone]]."}, "place": {"new-fiche"}}
	if r := composer.postBody("/composer/apercu", link); r.status != 200 || !strings.Contains(r.raw, `class="wiki"`) {
		t.Errorf("fiche live preview: %d %s", r.status, r.raw)
	}
	long := url.Values{"body": {strings.Repeat("mot ", 15000)}, "place": {"fiche:1"}}
	if r := composer.postBody("/composer/apercu", long); r.status != 200 {
		t.Errorf("a 60,000-character fiche preview: %d %s", r.status, r.body)
	}
}

func TestFicheCommentKeepsItsDraft(t *testing.T) {
	ts := newTestSite(t)
	aliceU := ts.mustCreateMember("alice", content.RoleMember)
	alice := ts.loggedIn(aliceU)
	path := mustPublishFiche(t, alice, "Une fiche à commenter", ficheBody)
	r := alice.postForm(path+"/commentaires", url.Values{"body": {"Un commentaire à finir plus tard."}, "action": {"brouillon"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("draft: %d %s", r.status, r.body)
	}
	if page := alice.get(path); !strings.Contains(page.body, ">Un commentaire à finir plus tard.</textarea>") || !strings.Contains(page.raw, `data-draft="fiche-comment:`) {
		t.Fatal("the comment's draft is not back in its form")
	}
	if drafts := alice.get("/brouillons"); !strings.Contains(drafts.body, "Une fiche à commenter") {
		t.Error("the comment's draft is not listed with the fiche's title")
	}
	if r := alice.postForm(path+"/commentaires", url.Values{"body": {"Un commentaire à finir plus tard, fini."}}); r.status != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.status)
	}
	if page := alice.get(path); strings.Contains(page.body, ">Un commentaire à finir plus tard.</textarea>") || !strings.Contains(page.body, "fini.") {
		t.Error("the published comment's draft stayed")
	}
	// A second comment (a reply in the discussion) deletes its draft too.
	alice.postForm(path+"/commentaires", url.Values{"body": {"Deuxième, en brouillon."}, "action": {"brouillon"}})
	alice.postForm(path+"/commentaires", url.Values{"body": {"Deuxième, publié."}})
	if page := alice.get(path); strings.Contains(page.body, ">Deuxième, en brouillon.</textarea>") {
		t.Error("the second comment's draft stayed")
	}
}
