package server

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// The comments of a text open to members only are read by the members
// only, through every channel; back to brouillon, by its co-authors only,
// on its page; published, by everyone.
func TestProposalCommentsFollowTheTextsReaders(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Un texte entre membres", "Un accueil physique partout")
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(ps.logs.String())
		}
	})
	follow(t, ps.owner, ps.owner.postForm(path+"/membres", url.Values{"pseudo": {"Karim"}, "role": {"coauthor"}}))
	ps.open(t, path, true)
	secret := "Remarque réservée aux membres zygomatique"
	r := follow(t, ps.member, ps.member.postForm(path+"/commentaires", url.Values{"proposition": {"1"}, "body": {secret + ", @Karim."}}))
	must(t, r, 200, "Votre commentaire est publié.", secret, "que lisent les membres connectés")
	p, err := ps.srv.store.ProposalBySlug(ps.ctx(), ps.lea, strings.TrimPrefix(path, "/propositions/"), "")
	if err != nil {
		t.Fatal(err)
	}
	comments, err := ps.srv.store.ProposalCommentsOf(ps.ctx(), ps.lea, p)
	if err != nil || comments.Topic == nil {
		t.Fatalf("comments: %+v, %v", comments, err)
	}
	topic, topicID := comments.Topic.Path(), strconv.FormatInt(comments.Topic.ID, 10)
	ps.syncIndex()
	if err := ps.srv.SyncNotifications(ps.ctx()); err != nil {
		t.Fatal(err)
	}

	// Where a discussion may show, and what of it: its title names the text.
	channels := []string{"/discussions", "/categories/commentaires-propositions", "/", "/discussions.atom",
		"/categories/commentaires-propositions.atom", "/membres/Nadia", "/recherche?q=zygomatique",
		"/recherche?q=zygomatiqe", "/api/v1/discussions", "/api/v1/recherche?q=zygomatique", "/brouillons"}
	shows := func(cl *client, where string) bool {
		body := cl.get(where).body
		return strings.Contains(body, "réservée aux membres") || strings.Contains(body, "Un texte entre membres")
	}
	for _, where := range channels[:len(channels)-1] {
		if shows(ps.visitor, where) {
			t.Errorf("open to members: a visitor finds the comments at %s", where)
		}
	}
	for _, where := range []string{"/discussions", "/recherche?q=zygomatique", "/membres/Nadia", "/api/v1/recherche?q=zygomatique"} {
		if !shows(ps.member, where) {
			t.Errorf("open to members: a member does not find the comments at %s", where)
		}
	}
	must(t, ps.visitor.get(topic), 404)
	must(t, ps.visitor.get(topic+".atom"), 404)
	must(t, ps.visitor.get(topic+".md"), 404)
	must(t, ps.visitor.get("/api/v1/discussions/"+topicID), 404)
	page := ps.coauthor.get(topic)
	must(t, page, 200, secret, "lue par les seuls membres connectés")
	if strings.Contains(page.body, ".atom") || strings.Contains(page.body, "Exporter en markdown") {
		t.Error("a discussion kept to members offers a feed or an export")
	}
	must(t, ps.coauthor.get("/notifications"), 200, "Nadia", "/discussions/"+topicID)
	// A reply on the discussion's own page, by a member.
	replied := ps.coauthor.postForm("/discussions/"+topicID+"/reponses", url.Values{"body": {"Réponse entre membres."}})
	if replied.status != 303 {
		t.Fatalf("replying in a discussion kept to members: %d\n%s", replied.status, replied.body)
	}

	// Back to brouillon: the member who commented loses it everywhere.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"draft"}, "confirmer": {"oui"}})), 200)
	ps.syncIndex()
	for _, where := range channels {
		if shows(ps.member, where) {
			t.Errorf("brouillon: a member finds the comments at %s", where)
		}
	}
	must(t, ps.member.get(topic), 404)
	must(t, ps.member.get("/api/v1/discussions/"+topicID), 404)
	if strings.Contains(ps.coauthor.get("/notifications").body, "/discussions/"+topicID) {
		t.Error("brouillon: a notification still points to its comments")
	}
	must(t, ps.coauthor.get(path), 200, secret, "redevenu un brouillon")

	// Published: everyone reads them, and they are found.
	must(t, follow(t, ps.owner, ps.owner.postForm(path+"/etat", url.Values{"etat": {"published"}, "confirmer": {"oui"}})), 200)
	ps.syncIndex()
	must(t, ps.visitor.get(topic), 200, secret, "Réponse entre membres.")
	for _, where := range []string{"/discussions", "/recherche?q=zygomatique", "/discussions.atom"} {
		if !shows(ps.visitor, where) {
			t.Errorf("published: a visitor does not find the comments at %s", where)
		}
	}
}
