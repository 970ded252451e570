package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

var amendmentLink = regexp.MustCompile(`/amendements/(\d+)$`)

// amend proposes an amendment through the form and returns its page's address.
func (ps *proposalSite) amend(t *testing.T, cl *client, path string, form url.Values) string {
	t.Helper()
	r := cl.postForm(path+"/amendements/nouveau", form)
	if r.status != http.StatusSeeOther || !amendmentLink.MatchString(r.location) {
		t.Fatalf("proposing %v: %d to %q\n%s", form, r.status, r.location, r.body)
	}
	return r.location
}

// open takes the text to « Ouvert aux contributions », to members only or not.
func (ps *proposalSite) open(t *testing.T, path string, membersOnly bool) {
	t.Helper()
	form := url.Values{"etat": {"open"}, "confirmer": {"oui"}}
	if membersOnly {
		form.Set("reserve", "1")
	}
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", form)), 200, "Ouvert aux contributions")
}

func TestAmendmentLifecycle(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Pour des permanences numériques", "Un accueil physique partout", "Des médiateurs formés")
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/membres", url.Values{"pseudo": {"Karim"}, "role": {"coauthor"}})), 200)
	ids := itemIDs(ps.owner.get(path).body)

	// A brouillon takes no amendment, and shows nothing of itself.
	if r := ps.member.get(path + "/amendements/nouveau?type=modifier&proposition=" + ids[0]); r.status != 404 {
		t.Errorf("the amendment form of a brouillon: %d, want 404", r.status)
	}
	if r := ps.member.get(path + "/amendements"); r.status != 404 {
		t.Errorf("the amendments of a brouillon: %d, want 404", r.status)
	}
	ps.open(t, path, true)

	// Nadia reads it: every proposition may be amended, and a new one proposed.
	page := ps.member.get(path)
	must(t, page, 200, `Proposer un amendement<span class="visually-hidden"> à la proposition 1</span>`, "Proposer une nouvelle proposition", "Notifications pour ce texte")
	form := ps.member.get(path + "/amendements/nouveau?type=modifier&proposition=" + ids[0])
	must(t, form, 200, "Proposer un amendement à la proposition 1", ">Nous proposons : Un accueil physique partout.</textarea>",
		`name="kind" value="change"`)
	must(t, ps.member.get(path+"/amendements/nouveau?type=ajouter"), 200, "Proposer une nouvelle proposition", `name="kind" value="add"`)

	// Refused: the text unchanged, no justification; the form is kept.
	r := ps.member.postForm(path+"/amendements/nouveau", url.Values{"kind": {"change"}, "item": {ids[0]},
		"title": {"Un accueil physique partout"}, "body": {"Nous proposons : Un accueil physique partout."}, "justification": {""}})
	must(t, r, 422, "reprend le texte actuel mot pour mot", "Expliquez en quelques mots", "Nous proposons : Un accueil physique partout.")

	change := ps.amend(t, ps.member, path, url.Values{"kind": {"change"}, "item": {ids[0]}, "title": {"Un accueil physique partout"},
		"body": {"Nous proposons : Un accueil physique dans chaque commune."}, "justification": {"Plus précis.\nEt plus juste."}})
	must(t, follow(t, ps.member, ps.member.postForm(change+"/soutien", url.Values{"soutien": {"oui"}})), 200) // the author may support too
	r = ps.member.get(change)
	must(t, r, 200, "Modifier la proposition 1", "Proposé par", "Nadia", "<del>", "<ins>", "dans chaque commune", "Plus précis.\nEt plus juste.",
		"Je ne le soutiens plus", "1 soutien")
	if strings.Contains(r.body, "Trancher l’amendement") {
		t.Error("a member who does not write the text is offered to decide")
	}

	// Two more members support it; one takes it back; a visitor cannot.
	for _, cl := range []*client{ps.modo, ps.coauthor} {
		must(t, follow(t, cl, cl.postForm(change+"/soutien", url.Values{"soutien": {"oui"}})), 200, "Vous soutenez cet amendement")
	}
	must(t, ps.owner.get(change), 200, "3 soutiens", "Je soutiens cet amendement")
	must(t, follow(t, ps.member, ps.member.postForm(change+"/soutien", url.Values{"soutien": {"non"}})), 200,
		"Vous ne soutenez plus cet amendement (2 soutiens)", "Je soutiens cet amendement")
	if r := ps.visitor.postForm(change+"/soutien", url.Values{"soutien": {"oui"}}); r.status == http.StatusSeeOther && !strings.HasPrefix(r.location, "/connexion") {
		t.Errorf("a visitor's support: %d to %q", r.status, r.location)
	}
	must(t, ps.owner.get(path), 200, "1 amendement ouvert", "Amendements</a> : 1 ouvert")

	// Léa changes the proposition's title since: the amendment is stale,
	// and accepting it merges both changes.
	edit := ps.owner.get(path + "/propositions/" + ids[0] + "/modifier")
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/propositions/"+ids[0]+"/modifier", url.Values{"base_revision": {revisionOf(t, edit.body)},
		"title": {"Un accueil physique, partout"}, "body": {"Nous proposons : Un accueil physique partout."}})), 200)
	must(t, ps.coauthor.get(change), 200, "La proposition a changé depuis cet amendement", "Trancher l’amendement", "Accepter", "Refuser",
		"Marquer comme repris à la main")
	if r := ps.member.postForm(change+"/accepter", nil); r.status != 403 {
		t.Errorf("a member's decision: %d, want 403", r.status)
	}
	r = follow(t, ps.coauthor, ps.coauthor.postForm(change+"/accepter", nil))
	must(t, r, 200, "L’amendement est accepté", "au nom de Nadia", "Accepté par Karim")
	must(t, ps.member.get(path), 200, "Un accueil physique, partout", "dans chaque commune", "Amendée par Nadia (", "amendement n° ")
	// Accepting twice is refused with the store's message.
	must(t, ps.coauthor.postForm(change+"/accepter", nil), 422, "a déjà été tranché (accepté)")

	// A new proposition, refused with a public reason (required).
	add := ps.amend(t, ps.modo, path, url.Values{"kind": {"add"}, "title": {"Financer la médiation"}, "body": {"Des postes pérennes."},
		"justification": {"Le nerf de la guerre."}})
	must(t, ps.owner.postForm(add+"/refuser", url.Values{"reason": {""}}), 422,
		"Dites en une phrase pourquoi", "Raison du refus")
	must(t, follow(t, ps.owner, ps.owner.postForm(add+"/refuser", url.Values{"reason": {"Un autre texte en parle."}})),
		200, "L’amendement est refusé")
	must(t, ps.member.get(add), 200, "Refusé par Lea", "Raison : « Un autre texte en parle. »", "Ajouter une proposition", "Financer la médiation")
	list := ps.member.get(path + "/amendements")
	must(t, list, 200, "Amendements ouverts (0)", "Amendements tranchés (2)", "Accepté", "Refusé", "Lucie", "Nadia")

	// Overlapping changes: accepting is refused, the form kept; marked merged by hand instead.
	overlap := ps.amend(t, ps.member, path, url.Values{"kind": {"change"}, "item": {ids[1]}, "title": {"Des médiateurs formés"},
		"body": {"Nous proposons : Des médiateurs formés et reconnus."}, "justification": {"Reconnus aussi."}})
	edit = ps.owner.get(path + "/propositions/" + ids[1] + "/modifier")
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/propositions/"+ids[1]+"/modifier", url.Values{"base_revision": {revisionOf(t, edit.body)},
		"title": {"Des médiateurs formés"}, "body": {"Nous proposons : Des médiateurs formés et payés."}})), 200)
	must(t, ps.owner.get(overlap), 200, "La proposition a changé depuis cet amendement")
	must(t, ps.owner.postForm(overlap+"/accepter", nil), 422, "aux mêmes endroits", "Marquer comme repris à la main")
	must(t, follow(t, ps.owner, ps.owner.postForm(overlap+"/repris", nil)), 200, "Repris à la main")

	// The owner closes amendments: refused with the form kept; then opens them again.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/amendements/cloture", url.Values{"fermer": {"oui"}})), 200, "Les amendements sont clos",
		"Rouvrir les amendements")
	if r := ps.coauthor.postForm(path+"/amendements/cloture", url.Values{"fermer": {"non"}}); r.status != 403 {
		t.Errorf("a co-author closes amendments: %d", r.status)
	}
	newItem := url.Values{"kind": {"add"}, "title": {"Un titre gardé"}, "body": {"Un texte gardé."}, "justification": {"Une raison gardée."}}
	must(t, ps.member.postForm(path+"/amendements/nouveau", newItem), 422, "Les amendements de ce texte sont clos", "Un texte gardé.", "Une raison gardée.")
	if strings.Contains(ps.member.get(path).body, "Proposer un amendement") {
		t.Error("closed amendments are still offered")
	}
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/amendements/cloture", url.Values{"fermer": {"non"}})), 200, "de nouveau ouverts")

	// Published: no more amendments, the same refusal for the form and the link.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"published"}, "confirmer": {"oui"}})), 200)
	must(t, ps.member.postForm(path+"/amendements/nouveau", newItem), 422, "pas sur une version publiée", "Un texte gardé.")
	must(t, ps.member.get(path+"/amendements/nouveau?type=ajouter"), 422, "pas sur une version publiée")
	must(t, ps.visitor.get(path+"/amendements"), 200, "Amendements tranchés (3)", "Un autre texte en parle.")
}

func TestProposalComments(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Un texte commenté", "Un accueil physique partout", "Des médiateurs formés")
	slug := strings.TrimPrefix(path, "/propositions/")
	comment := url.Values{"proposition": {"2"}, "body": {"Une remarque secrète, @Karim."}}

	// A brouillon takes no comment, and says why.
	must(t, ps.owner.postForm(path+"/commentaires", comment), 422, "Ce texte est un brouillon", "Une remarque secrète")
	if page := ps.owner.get(path); strings.Contains(page.body, `action="`+path+`/commentaires"`) {
		t.Error("a brouillon offers the comment form")
	}
	// Open to everyone: members comment, about a proposition or the whole
	// text, with a server draft of the comment.
	ps.open(t, path, false)
	r := ps.member.postForm(path+"/commentaires", url.Values{"body": {"Un brouillon de commentaire."}, "action": {"brouillon"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("saving a comment draft: %d\n%s", r.status, r.body)
	}
	page := ps.member.get(path)
	must(t, page, 200, "Commenter", "Votre commentaire porte sur", "Proposition 2 : Des médiateurs formés", "Un brouillon de commentaire.")
	must(t, ps.member.get("/brouillons"), 200, path+"#commenter")
	must(t, ps.member.postForm(path+"/commentaires", url.Values{"proposition": {"7"}, "body": {"Hors liste"}}), 422, "pas dans le texte")
	r = follow(t, ps.member, ps.member.postForm(path+"/commentaires", comment))
	must(t, r, 200, "Votre commentaire est publié.", "proposition 2</a> : Des médiateurs formés", "Une remarque secrète")
	if strings.Contains(r.body, "Un brouillon de commentaire.") {
		t.Error("the draft of the comment is still in the form once published")
	}
	must(t, follow(t, ps.coauthor, ps.coauthor.postForm(path+"/commentaires", url.Values{"proposition": {"0"}, "body": {"Merci pour la remarque."}})),
		200, "Merci pour la remarque.")
	// One discussion, in its own category, linked both ways; replies and quotes happen there.
	p, err := ps.srv.store.ProposalBySlug(ps.ctx(), ps.lea, slug, "")
	if err != nil {
		t.Fatal(err)
	}
	comments, err := ps.srv.store.ProposalCommentsOf(ps.ctx(), nil, p)
	if err != nil || comments.Topic == nil || len(comments.Posts) != 2 {
		t.Fatalf("comments: %+v, %v", comments, err)
	}
	topic := ps.visitor.get(comments.Topic.Path())
	must(t, topic, 200, "Commentaires : Un texte commenté", "Discussion du texte de propositions", `href="`+path+`"`,
		"Commentaires des textes de propositions", path+"#proposition-2")
	must(t, ps.visitor.get(path), 200, "Une remarque secrète", "Voir toute la discussion", "pour commenter")
	if strings.Contains(ps.member.get("/discussions/nouvelle").body, content.ProposalCommentsCategory) {
		t.Error("the new-discussion form offers the comments' category")
	}

	// Back to brouillon: its co-authors still read the comments on its page,
	// nobody else anywhere; it takes none.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"draft"}, "confirmer": {"oui"}})), 200)
	draftPage := ps.owner.get(path)
	must(t, draftPage, 200, "Une remarque secrète", "redevenu un brouillon")
	if strings.Contains(draftPage.body, "Voir toute la discussion") {
		t.Error("a brouillon links to its discussion's page")
	}
	must(t, ps.visitor.get(comments.Topic.Path()), 404)
	must(t, ps.member.get(comments.Topic.Path()), 404)
	must(t, ps.owner.postForm(path+"/commentaires", comment), 422, "Ce texte est un brouillon")

	// Published: comments name the propositions of the version everyone reads.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"published"}, "confirmer": {"oui"}})), 200)
	must(t, ps.member.get(path), 200, "numérotées comme dans la version 1")
	must(t, follow(t, ps.member, ps.member.postForm(path+"/commentaires", url.Values{"proposition": {"1"}, "body": {"Bravo."}})), 200,
		path+"/versions/1#proposition-1", "Une remarque secrète", "Bravo.")
}

// TestProposalWatch: the text page's « Notifications pour ce texte ».
func TestProposalWatch(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Un texte suivi", "Une idée")
	ps.open(t, path, true)
	must(t, follow(t, ps.member, ps.member.postForm(path+"/suivre", url.Values{"niveau": {"suivre"}})), 200, "Vous suivez ce texte",
		`value="suivre" class="secondary" aria-pressed="true"`)
	if r := ps.visitor.postForm(path+"/suivre", url.Values{"niveau": {"suivre"}}); r.status == http.StatusSeeOther && !strings.HasPrefix(r.location, "/connexion") {
		t.Errorf("a visitor follows: %d", r.status)
	}
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"published"}, "confirmer": {"oui"}})), 200)
	if err := ps.srv.SyncNotifications(ps.ctx()); err != nil {
		t.Fatal(err)
	}
	must(t, ps.member.get("/notifications"), 200, "Lea a publié la version 1 du texte", "Un texte suivi", path+"/versions/1")
	// A brouillon is not followed by who cannot read it.
	other := ps.create(t, "Un brouillon")
	if r := ps.member.postForm(other+"/suivre", url.Values{"niveau": {"suivre"}}); r.status != 404 {
		t.Errorf("following a brouillon one cannot read: %d", r.status)
	}
}
