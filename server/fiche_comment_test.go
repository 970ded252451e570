package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

func TestFicheCommentsThroughThePages(t *testing.T) {
	ts := newTestSite(t)
	aliceUser := ts.mustCreateMember("alice", content.RoleMember)
	alice := ts.loggedIn(aliceUser)
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	visitor := ts.client()
	path := mustPublishFiche(t, alice, "Accompagner une démarche CAF sans adresse e-mail", ficheBody)

	page := bruno.get(path)
	if !strings.Contains(page.body, "Aucun commentaire pour l’instant") || !strings.Contains(page.body, `action="`+path+`/commentaires"`) ||
		!strings.Contains(page.body, `id="commenter"`) {
		t.Fatalf("comment form missing:\n%s", page.body)
	}
	if page := visitor.get(path); strings.Contains(page.body, path+`/commentaires"`) || !strings.Contains(page.body, "pour commenter") {
		t.Error("a visitor sees the comment form or no way to log in")
	}

	// The first comment starts the discussion, shown under the fiche.
	r := bruno.postForm(path+"/commentaires", url.Values{"body": {"Le lien vers la CAF a changé, @alice."}})
	if r.status != http.StatusSeeOther || r.location != path+"#post-1" {
		t.Fatalf("first comment: %d %q\n%s", r.status, r.location, r.body)
	}
	page = visitor.get(path)
	if !strings.Contains(page.body, "Le lien vers la CAF a changé") || !strings.Contains(page.body, "Voir toute la discussion") {
		t.Fatalf("first comment not under the fiche:\n%s", page.body)
	}
	var topicID int64
	if err := ts.srv.db.R.Get(&topicID, `SELECT topic_id FROM fiches WHERE slug = ?`, strings.TrimPrefix(path, "/fiches/")); err != nil {
		t.Fatal(err)
	}
	topic, err := ts.srv.store.TopicByID(context.Background(), nil, topicID)
	if err != nil {
		t.Fatal(err)
	}
	if topic.Title != "Commentaires : Accompagner une démarche CAF sans adresse e-mail" || topic.CategorySlug != content.FicheCommentsCategory {
		t.Errorf("topic %q in %q", topic.Title, topic.CategorySlug)
	}

	// The second is a reply; the discussion links back to the fiche and is
	// listed with the others.
	if r := alice.postForm(path+"/commentaires", url.Values{"body": {"Merci, je corrige la fiche."}}); r.status != http.StatusSeeOther || r.location != path+"#post-2" {
		t.Fatalf("second comment: %d %q", r.status, r.location)
	}
	tp := visitor.get(topic.Path())
	if tp.status != 200 || !strings.Contains(tp.body, `Discussion de la fiche <a href="`+path+`">« Accompagner une démarche CAF sans adresse e-mail »</a>`) ||
		!strings.Contains(tp.body, "Merci, je corrige la fiche.") {
		t.Errorf("topic page: %d\n%s", tp.status, tp.body)
	}
	if list := visitor.get("/discussions"); !strings.Contains(list.body, "Commentaires : Accompagner une démarche CAF") {
		t.Error("the fiche's discussion is not listed")
	}
	if other := visitor.get(ts.mustCreateTopic(aliceUser, "Une discussion ordinaire", "Texte.").Path()); strings.Contains(other.body, "Discussion de la fiche") {
		t.Error("an ordinary discussion links to a fiche")
	}

	// Refusals come back with the text and a French message.
	unverified, err := ts.srv.store.CreateUser(context.Background(), content.NewUser{Pseudo: "claire", Email: "claire@exemple.fr", Password: testPassword}, nil)
	if err != nil {
		t.Fatal(err)
	}
	claire := ts.loggedIn(unverified)
	if page := claire.get(path); !strings.Contains(page.body, "Confirmez d’abord votre adresse e-mail pour commenter") {
		t.Error("an unverified member is not told why they cannot comment")
	}
	long := strings.Repeat("mot ", content.MaxBodyLength/4+10)
	for _, c := range []struct {
		name, body, want string
		cl               *client
	}{
		{"empty", "   ", "Le message est vide", bruno},
		{"too long", long, "50 000 caractères", bruno},
		{"unverified", "Mon commentaire gardé.", "Confirmez d’abord votre adresse", claire},
	} {
		r := c.cl.postForm(path+"/commentaires", url.Values{"body": {c.body}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d, want 422 with %q", c.name, r.status, c.want)
		}
		if strings.TrimSpace(c.body) != "" && !strings.Contains(r.body, ">"+c.body+"</textarea>") {
			t.Errorf("%s: the text is lost", c.name)
		}
	}
	if r := visitor.postForm(path+"/commentaires", url.Values{"body": {"Un commentaire."}}); r.status != http.StatusUnauthorized {
		t.Errorf("a visitor comments: %d", r.status)
	}
}

func TestFicheCommentsRefusedOnABrouillonAndOfferedOnAProtectedFiche(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	r := alice.postForm("/fiches/nouvelle", ficheForm("Un brouillon à commenter", ficheBody, ""))
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d", r.status)
	}
	draft := r.location
	if page := alice.get(draft); strings.Contains(page.body, "Commenter") {
		t.Error("a brouillon offers comments")
	}
	if got := bruno.postForm(draft+"/commentaires", url.Values{"body": {"Un commentaire."}}); got.status != http.StatusNotFound {
		t.Errorf("brouillon commented by another member: %d", got.status)
	}
	if got := alice.postForm(draft+"/commentaires", url.Values{"body": {"Un commentaire gardé."}}); got.status != http.StatusUnprocessableEntity ||
		!strings.Contains(got.body, "Un brouillon ne se commente pas") {
		t.Errorf("brouillon commented by its author: %d", got.status)
	}

	path := mustPublishFiche(t, alice, "Une fiche protégée", ficheBody)
	if _, err := ts.srv.db.W.Exec(`UPDATE fiches SET protected = 1 WHERE slug = ?`, strings.TrimPrefix(path, "/fiches/")); err != nil {
		t.Fatal(err)
	}
	page := bruno.get(path)
	if !strings.Contains(page.body, `<a href="#commenter">Proposez votre modification`) || !strings.Contains(page.body, `id="commenter"`) {
		t.Errorf("a protected fiche does not point to its comment form:\n%s", page.body)
	}
}
