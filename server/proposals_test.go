package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// proposalSite is a site with the four people of a text's life: its owner
// Léa, her co-author Karim, a member Nadia, a moderator Lucie; and a visitor.
type proposalSite struct {
	*testSite
	owner, coauthor, member, modo, visitor *client
	lea, karim                             *content.User
}

func newProposalSite(t *testing.T) *proposalSite {
	ts := newTestSite(t)
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	nadia, lucie := ts.mustCreateMember("Nadia", content.RoleMember), ts.mustCreateMember("Lucie", content.RoleModerator)
	return &proposalSite{testSite: ts, owner: ts.loggedIn(lea), coauthor: ts.loggedIn(karim), member: ts.loggedIn(nadia),
		modo: ts.loggedIn(lucie), visitor: ts.client(), lea: lea, karim: karim}
}

// must checks a response's status and that it shows every text of want.
func must(t *testing.T, r *response, status int, want ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("the page lacks %q\n%s", w, r.body)
		}
	}
}

// follow reads the page a redirect leads to, with its flash.
func follow(t *testing.T, cl *client, r *response) *response {
	t.Helper()
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", r.status, r.body)
	}
	return cl.get(r.location)
}

// create starts a text as the owner and adds its propositions.
func (ps *proposalSite) create(t *testing.T, title string, items ...string) string {
	t.Helper()
	r := ps.owner.postForm("/propositions/nouveau", url.Values{"title": {title}, "preamble": {"Nous, médiateurs et médiatrices…"}})
	must(t, follow(t, ps.owner, r), 200, title, "Brouillon")
	path := r.location
	for _, it := range items {
		r := ps.owner.postForm(path+"/propositions/nouvelle", url.Values{"title": {it}, "body": {"Nous proposons : " + it + "."}, "base_revision": {"1"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("adding %q: %d\n%s", it, r.status, r.body)
		}
	}
	return path
}

var itemLink = regexp.MustCompile(`/propositions/(\d+)/modifier`)

// itemIDs are the propositions' IDs in the page's order.
func itemIDs(body string) []string {
	var ids []string
	for _, m := range itemLink.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

var revisionInput = regexp.MustCompile(`name="(?:revision|base_revision)" value="(\d+)"`)

func revisionOf(t *testing.T, body string) string {
	t.Helper()
	m := revisionInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no revision in the page\n%s", body)
	}
	return m[1]
}

var shareURL = regexp.MustCompile(`http://ligue\.test(/propositions/[^"?]+\?partage=[A-Za-z0-9_-]+)`)

func TestProposalLifecycle(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "10 propositions pour un numérique à échelle humaine", "Un accueil physique partout", "Des médiateurs formés")

	// A brouillon is its owner's: 404 for everyone else, moderator included, on every page.
	for _, who := range []*client{ps.visitor, ps.member, ps.modo, ps.coauthor} {
		for _, p := range []string{path, path + "/gerer", path + "/modifier?partie=titre", path + "/propositions/nouvelle",
			path + "/versions/1", path + "/comparer?de=1&a=2"} {
			if r := who.get(p); r.status != 404 && !(who == ps.visitor && r.status == 303) {
				t.Errorf("%s on a brouillon: %d, want 404", p, r.status)
			}
		}
	}
	for _, who := range []*client{ps.visitor, ps.member, ps.modo} {
		if r := who.get("/propositions"); strings.Contains(r.body, "échelle humaine") {
			t.Error("the list shows a brouillon to someone not invited")
		}
	}
	if r := ps.member.postForm(path+"/modifier", url.Values{"partie": {"titre"}, "title": {"Piraté"}, "base_revision": {"1"}}); r.status != 404 {
		t.Errorf("a member's edit of a brouillon: %d, want 404", r.status)
	}

	// Léa invites Karim as co-author.
	r := follow(t, ps.owner, ps.owner.postForm(path+"/membres", url.Values{"pseudo": {"Karim"}, "role": {"coauthor"}}))
	must(t, r, 200, "Karim écrit désormais ce texte avec vous.", "Karim : co-auteur·rice")
	page := ps.coauthor.get(path)
	must(t, page, 200, "Ajouter une proposition", "1.</span> Un accueil physique partout", `id="proposition-2"`)
	if strings.Contains(page.body, "Gérer le texte") {
		t.Error("a co-author is offered to manage the text")
	}

	// A reading share link opens the brouillon to a visitor, through a cookie scoped to the text.
	r = ps.owner.postForm(path+"/partages", url.Values{"access": {"read"}})
	must(t, r, 200, "il ne sera plus jamais affiché")
	link := shareURL.FindStringSubmatch(r.body)[1]
	if again := ps.owner.get(path + "/gerer"); strings.Contains(again.body, "partage=") {
		t.Error("the share link's secret is shown twice")
	}
	opened := ps.visitor.get(link)
	if opened.status != http.StatusSeeOther || opened.location != path {
		t.Fatalf("opening the link: %d to %q", opened.status, opened.location)
	}
	if c := opened.header.Get("Set-Cookie"); !strings.Contains(strings.ToLower(c), "path="+path) || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Errorf("the share cookie is %q", c)
	}
	must(t, ps.visitor.get(path), 200, "Un accueil physique partout")
	// A member who opens it joins as a reader.
	must(t, follow(t, ps.member, ps.member.get(link)), 200, "Vous lisez ce texte grâce au lien de partage.")
	must(t, ps.member.get("/propositions"), 200, "échelle humaine")
	// Revoked: it stops at once, for both.
	m := regexp.MustCompile(`action="(` + regexp.QuoteMeta(path) + `/partages/\d+/revoquer)"`).FindStringSubmatch(ps.owner.get(path + "/gerer").body)
	must(t, follow(t, ps.owner, ps.owner.postForm(m[1], nil)), 200, "Le lien est révoqué")
	must(t, ps.visitor.get(path), 404, "Cette page n’existe pas")
	must(t, ps.member.get(path), 404)
	must(t, ps.visitor.get(link), 404)

	// Karim edits the préambule; then Léa, from the same revision, crosses his change.
	form := ps.coauthor.get(path + "/modifier?partie=preambule")
	must(t, form, 200, "Modifier le préambule")
	base := revisionOf(t, form.body)
	must(t, follow(t, ps.coauthor, ps.coauthor.postForm(path+"/modifier", url.Values{"partie": {"preambule"}, "base_revision": {base},
		"body": {"Nous, médiateurs et médiatrices du Finistère…"}})), 200, "Vos modifications sont enregistrées.", "du Finistère")
	r = ps.owner.postForm(path+"/modifier", url.Values{"partie": {"preambule"}, "base_revision": {base}, "body": {"Nous, conseillers numériques…"}})
	must(t, r, http.StatusConflict, "Vos modifications croisent celles de Karim", "Nous, conseillers numériques…", "du Finistère", "&lt;&lt;&lt;&lt;&lt;&lt;&lt;")
	// A change of another part from the same old revision merges cleanly.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/modifier", url.Values{"partie": {"conclusion"}, "base_revision": {base},
		"body": {"Signez ce texte."}})), 200, "Signez ce texte.")

	// Reorder by buttons; a stale revision is refused and shows the current order.
	page = ps.coauthor.get(path)
	ids, rev := itemIDs(page.body), revisionOf(t, page.body)
	must(t, follow(t, ps.coauthor, ps.coauthor.postForm(path+"/propositions/"+ids[1]+"/monter", url.Values{"revision": {rev}})),
		200, "« Des médiateurs formés » est maintenant la n° 1", "1.</span> Des médiateurs formés")
	r = follow(t, ps.owner, ps.owner.postForm(path+"/propositions/"+ids[1]+"/descendre", url.Values{"revision": {rev}}))
	must(t, r, 200, "Le texte a changé depuis que vous l’avez ouvert", "1.</span> Des médiateurs formés", "2.</span> Un accueil physique partout")

	// Open to members only: the visitor no longer sees it, Nadia does.
	confirm := ps.owner.postForm(path+"/etat", url.Values{"etat": {"open"}, "reserve": {"1"}})
	must(t, confirm, 200, "Confirmer : Ouvrir aux contributions")
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"open"}, "reserve": {"1"}, "confirmer": {"oui"}})),
		200, "Ouvert aux contributions", "réservé aux membres")
	must(t, ps.visitor.get(path), 404)
	must(t, ps.member.get(path), 200, "Des médiateurs formés")
	if r := ps.member.get(path + "/gerer"); r.status != 403 {
		t.Errorf("a member on the manage page: %d, want 403", r.status)
	}

	// Publish v1: everyone reads it; the moderator may manage it now.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"published"}, "confirmer": {"oui"}})),
		200, "La version 1 est publiée")
	must(t, ps.visitor.get(path), 200, "Version 1, publiée le", "1.</span> Des médiateurs formés")
	must(t, ps.modo.get(path+"/gerer"), 200, "Publier la version 2", "Archiver")

	// Working edits do not change what readers see; co-authors see the working text.
	page = ps.coauthor.get(path)
	must(t, page, 200, "prépare la version 2", "version 1 publiée")
	item := itemIDs(page.body)[0]
	form = ps.coauthor.get(path + "/propositions/" + item + "/modifier")
	must(t, follow(t, ps.coauthor, ps.coauthor.postForm(path+"/propositions/"+item+"/modifier", url.Values{"base_revision": {revisionOf(t, form.body)},
		"title": {"Des médiateurs formés et payés"}, "body": {"Nous proposons : des médiateurs formés, payés comme il se doit."}})),
		200, "Des médiateurs formés et payés")
	if r := ps.visitor.get(path); strings.Contains(r.body, "payés") {
		t.Error("a visitor sees the working text of a published one")
	}
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"published"}, "confirmer": {"oui"}})),
		200, "La version 2 est publiée")
	must(t, ps.visitor.get(path), 200, "Version 2, publiée le", "Des médiateurs formés et payés", path+"/versions/1")
	must(t, ps.visitor.get(path+"/versions/1"), 200, "Version 1", "1.</span> Des médiateurs formés", "version 2")
	cmp := ps.visitor.get(path + "/comparer?de=1&a=2")
	must(t, cmp, 200, "Comparer les versions 1 et 2", "<ins>", "payés")
	must(t, ps.visitor.get(path+"/comparer?de=2&a=2"), 400, "deux versions différentes")

	// Archive: read only.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"archived"}, "confirmer": {"oui"}})), 200, "Archivé")
	must(t, follow(t, ps.coauthor, ps.coauthor.get(path+"/modifier?partie=titre")), 200, "Ce texte est archivé")
	must(t, ps.visitor.get("/propositions"), 200, "Archivé", "(version 2)")
}

func TestProposalBadInput(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Un texte à refuser", "Première")
	other := ps.create(t, "Un autre texte")
	r := ps.owner.postForm(other+"/partages", url.Values{"access": {"read"}})
	otherLink := shareURL.FindStringSubmatch(r.body)[1]
	token := otherLink[strings.Index(otherLink, "=")+1:]

	runScenarios(t, ps.testSite, []scenario{
		{name: "empty proposition", as: ps.owner, method: "POST", path: path + "/propositions/nouvelle",
			form: url.Values{"title": {"Un titre gardé"}, "body": {"  "}, "base_revision": {"1"}}, wantStatus: 422,
			wantContains: []string{"La proposition est vide", `value="Un titre gardé"`}},
		{name: "unknown part", as: ps.owner, method: "POST", path: path + "/modifier",
			form: url.Values{"partie": {"annexe"}, "body": {"Un texte gardé"}, "base_revision": {"1"}}, wantStatus: 422,
			wantContains: []string{"Cette partie du texte n’existe pas.", "Un texte gardé"}},
		{name: "unknown part in the address", as: ps.owner, path: path + "/modifier?partie=annexe", wantStatus: 404},
		{name: "empty title", as: ps.owner, method: "POST", path: "/propositions/nouveau",
			form: url.Values{"title": {""}, "preamble": {"Un préambule gardé"}}, wantStatus: 422,
			wantContains: []string{"Donnez un titre au texte.", "Un préambule gardé"}},
		{name: "unknown pseudo", as: ps.owner, method: "POST", path: path + "/membres",
			form: url.Values{"pseudo": {"Personne"}, "role": {"reader"}}, wantStatus: 422,
			wantContains: []string{"Aucun membre ne porte ce pseudo", `value="Personne"`}},
		{name: "share link without access", as: ps.owner, method: "POST", path: path + "/partages", wantStatus: 422,
			wantContains: []string{"Choisissez un lien de lecture ou d’écriture."}},
		{name: "another text's share link", path: path + "?partage=" + token, wantStatus: 404,
			wantContains: []string{"Cette page n’existe pas"}},
		{name: "another text's share link, member", as: ps.member, path: path + "?partage=" + token, wantStatus: 404},
		{name: "publish without confirming", as: ps.owner, method: "POST", path: path + "/etat",
			form: url.Values{"etat": {"published"}}, wantStatus: 200, wantContains: []string{"Confirmer : Publier la version 1"}},
		{name: "a move not allowed", as: ps.owner, method: "POST", path: path + "/etat",
			form: url.Values{"etat": {"archived"}, "confirmer": {"oui"}}, wantStatus: 303},
		{name: "publish an empty text", as: ps.owner, method: "POST", path: other + "/etat",
			form: url.Values{"etat": {"published"}, "confirmer": {"oui"}}, wantStatus: 303},
	})
	must(t, ps.owner.get(other+"/gerer"), 200, "aucune proposition")

	// The 101st proposition is refused, its text kept.
	p, err := ps.srv.store.ProposalBySlug(ps.ctx(), ps.lea, strings.TrimPrefix(path, "/propositions/"), "")
	if err != nil {
		t.Fatal(err)
	}
	for i := len(p.Items); i < content.MaxProposalItems; i++ {
		if _, err := ps.srv.store.EditProposal(ps.ctx(), ps.lea, p.ID, content.PartEdit{Part: content.PartItem, Title: "Proposition", Body: "Un texte."}); err != nil {
			t.Fatal(err)
		}
	}
	r = ps.owner.postForm(path+"/propositions/nouvelle", url.Values{"title": {"La cent-unième"}, "body": {"Un texte de trop, gardé."}, "base_revision": {"1"}})
	must(t, r, 422, "Un texte compte au plus 100 propositions", "Un texte de trop, gardé.")
}
