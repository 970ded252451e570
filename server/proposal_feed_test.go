package server

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

func TestProposalFeedOnlyForTextsEveryoneReads(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Pour des permanences numériques", "Une permanence par semaine")
	// A brouillon, then a text open to members only: no feed, for anyone.
	for _, step := range []func(){func() {}, func() { ps.move(t, path, "open", true) }} {
		step()
		for _, who := range []*client{ps.owner, ps.member, ps.visitor} {
			if r := who.get(path + ".atom"); r.status != 404 {
				t.Errorf("the feed of a text not everyone reads: %d", r.status)
			}
		}
		if strings.Contains(ps.owner.get(path).body, "application/atom+xml") {
			t.Error("the page announces a feed that does not exist")
		}
	}

	// Nadia's amendment is accepted while the text is open; then version 1.
	ctx := context.Background()
	p, err := ps.srv.store.ProposalBySlug(ctx, ps.lea, strings.TrimPrefix(path, "/propositions/"), "")
	if err != nil {
		t.Fatal(err)
	}
	nadia, _ := ps.srv.store.UserByPseudo(ctx, "Nadia")
	a, err := ps.srv.store.ProposeAmendment(ctx, nadia, p.ID, content.AmendmentInput{Kind: content.AmendAdd, Title: "Un numéro unique",
		Body: "Un numéro d’appel pour tout le département.", Justification: "Les personnes ne savent pas qui appeler."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.srv.store.DecideAmendment(ctx, ps.lea, p.ID, a.ID, content.AmendmentAccepted, ""); err != nil {
		t.Fatal(err)
	}
	ps.move(t, path, "published", false)
	feed := ps.visitor.get(path + ".atom")
	if feed.status != 200 || !strings.HasPrefix(feed.header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", feed.status, feed.header.Get("Content-Type"))
	}
	for _, want := range []string{"Version 1 publiée : « Pour des permanences numériques »", "http://ligue.test" + path + "/versions/1",
		"2 propositions : 1. Une permanence par semaine ; 2. Un numéro unique", "Amendement n° " + itoa(int(a.ID)) + " accepté : ajouter « Un numéro unique »",
		"<name>Nadia</name>", "http://ligue.test" + path + "/historique#amendement-" + itoa(int(a.ID))} {
		if !strings.Contains(feed.raw, want) {
			t.Errorf("the feed lacks %q\n%s", want, feed.raw)
		}
	}
	must(t, ps.visitor.get(path), 200, `<link rel="alternate" type="application/atom+xml" title="Pour des permanences numériques (Atom)" href="`+path+`.atom">`)
	// The amendment's link lands on its place in the history.
	must(t, ps.visitor.get(path+"/historique"), 200, `id="amendement-`+itoa(int(a.ID))+`"`, "Nadia</a> a ajouté la proposition « Un numéro unique »")
}

func TestProposalContributorsBoxAndHistory(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Pour des permanences numériques", "Une permanence par semaine")
	follow(t, ps.owner, ps.owner.postForm(path+"/membres", url.Values{"pseudo": {"Karim"}, "role": {"coauthor"}}))
	ps.move(t, path, "published", false)
	// Karim writes on the working text after version 1, the next week.
	store := ps.srv.store
	store.SetClock(func() time.Time { return time.Now().AddDate(0, 0, 8) })
	r := ps.coauthor.get(path + "/modifier?partie=conclusion")
	must(t, follow(t, ps.coauthor, ps.coauthor.postForm(path+"/modifier", url.Values{"partie": {"conclusion"}, "body": {"Signez, et faites signer."},
		"base_revision": {revisionOf(t, r.body)}, "comment": {"Une conclusion courte"}})), 200)

	// Readers see who wrote version 1; Karim sees himself too, with the chart
	// of two weeks, its caption and its table.
	page := ps.visitor.get(path)
	must(t, page, 200, "Contributeur·rices", `<a href="/membres/Lea">Lea</a> : 2 modifications`)
	if strings.Contains(page.body, "/membres/Karim") || strings.Contains(page.body, "<svg") {
		t.Errorf("a reader sees what was written after the version:\n%s", page.body)
	}
	own := ps.coauthor.get(path)
	must(t, own, 200, `<a href="/membres/Karim">Karim</a> : 1 modification`, `<figure class="contributors-chart">`,
		"<figcaption>Nombre de contributeur·rices du texte, semaine par semaine : 1 contributeur·rice la semaine du",
		", 2 contributeur·rices la semaine du", `<svg class="chart" viewBox="0 0 400 160" aria-hidden="true"`, "<caption>Contributeur·rices du texte, semaine par semaine</caption>",
		`<th scope="col">Semaine</th>`, "<title>semaine du")
	if n := strings.Count(own.body, "<rect "); n != 2 {
		t.Errorf("the chart has %d bars, want 2", n)
	}

	// The history: who, what, when, the comment; readers stop at the version.
	hist := ps.coauthor.get(path + "/historique")
	must(t, hist, 200, "Karim</a> a modifié la conclusion", "« Une conclusion courte »", "Lea</a> a ajouté la proposition « Une permanence par semaine »",
		"Lea</a> a créé le texte", `id="revision-3"`)
	visitor := ps.visitor.get(path + "/historique")
	must(t, visitor, 200, "Lea</a> a créé le texte", "jusqu’à la version 1 publiée")
	if strings.Contains(visitor.body, "conclusion") {
		t.Error("a reader's history shows a change made after the version")
	}
	// A brouillon's history is the 404 of nothing, to a stranger.
	draft := ps.create(t, "Un brouillon secret")
	for _, who := range []*client{ps.member, ps.visitor, ps.modo} {
		if r := who.get(draft + "/historique"); r.status != 404 {
			t.Errorf("a brouillon's history to a stranger: %d", r.status)
		}
	}
}
