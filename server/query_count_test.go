package server

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// queryCaps is the most SQL queries each page type may make, for a visitor
// and for a member (who costs a session read, notification counts and
// what they follow or read). They do not depend on how much there is to
// show: the test measures each page with a little data, then with more
// topics, replies, fiches and texts, and wants no more queries — no N+1.
// Lower a cap when a page gets cheaper; raise one only for a good reason
// (lists count their pinned topics apart: one more query, but no sort).
var queryCaps = map[string][2]int{ // page: {visitor, member}
	"/":                                   {10, 19},
	"/discussions":                        {7, 10},
	"/categories/demarches-en-ligne":      {8, 12},
	"/etiquettes/caf":                     {8, 12},
	"topic":                               {11, 17},
	"topic?page=2":                        {11, 16},
	"/discussions.atom":                   {7, 8},
	"/categories/demarches-en-ligne.atom": {8, 9},
	"topic.atom":                          {3, 4},
	"/fiches":                             {6, 10},
	"fiche":                               {13, 20},
	"/propositions":                       {1, 4},
	"proposal":                            {12, 17},
	"/recherche?q=caf":                    {8, 11},
	"/membres/Lea":                        {7, 10}, // with the member's trust level and who vouched
	"/notifications":                      {0, 5},
}

func TestQueriesPerPageStayFixed(t *testing.T) {
	ts := newTestSite(t)
	lea := ts.mustCreateMember("Lea", content.RoleMember)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	visitor, member := ts.client(), ts.loggedIn(lea)
	ps := &proposalSite{testSite: ts, owner: member, lea: lea}
	tagged := func(nt *content.NewTopic) { nt.Tags = "caf" }
	long := ts.mustCreateTopic(lea, "Une longue discussion sur la CAF", "Le début.", tagged)
	for i := range content.PostsPerPage + 5 {
		ts.mustReply(karim, long, fmt.Sprintf("Réponse %d", i), 0)
	}
	var fiche, proposal string
	made := 0 // each topic and fiche its own title: the same text twice is refused
	grow := func(n int) {
		for range n {
			i := made
			made++
			tp := ts.mustCreateTopic(karim, fmt.Sprintf("Question %d sur la CAF", i), "Texte de la question @Lea", tagged)
			ts.mustReply(lea, tp, "Une réponse", 0)
			ts.mustReply(karim, long, fmt.Sprintf("Réponse %d à la longue discussion, @Lea", i), 0)
			f, err := ts.srv.store.CreateFiche(ts.ctx(), karim, content.FicheInput{Title: fmt.Sprintf("Fiche CAF %d", i),
				Summary: "Un résumé", Body: "## Étapes\n\nLe texte.", Tags: "caf"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if f, err = ts.srv.store.PublishFiche(ts.ctx(), karim, f.ID); err != nil {
				t.Fatal(err)
			}
			fiche = f.Path()
			proposal = ps.create(t, fmt.Sprintf("Texte %d", i), "Une proposition", "Une autre")
			follow(t, member, member.postForm(proposal+"/etat", url.Values{"etat": {"published"}, "confirmer": {"oui"}}))
		}
		ts.syncIndex()
		if err := ts.srv.SyncNotifications(ts.ctx()); err != nil {
			t.Fatal(err)
		}
	}
	queries := countQueries(t, ts)
	measure := func() map[string][2]int {
		out := map[string][2]int{}
		pages := slices.Sorted(maps.Keys(queryCaps)) // in the same order each time: reading a page changes others
		for _, page := range pages {
			path := map[string]string{"topic": long.Path(), "topic?page=2": long.Path() + "?page=2", "topic.atom": long.Path() + ".atom",
				"fiche": fiche, "proposal": proposal}[page]
			if path == "" {
				path = page
			}
			var counts [2]int
			for i, cl := range []*client{visitor, member} {
				if page == "/notifications" && i == 0 {
					continue
				}
				if err := ts.srv.visits.flush(ts.ctx()); err != nil { // what was read shows everywhere
					t.Fatal(err)
				}
				queries.reset()
				if r := cl.get(path); r.status != 200 {
					t.Fatalf("%s: %d", path, r.status)
				}
				counts[i] = len(queries.list())
			}
			out[page] = counts
		}
		return out
	}
	grow(2)
	few := measure()
	grow(content.TopicsPerPage + 1)
	many := measure()
	for page, limit := range queryCaps {
		if many[page][0] > few[page][0] || many[page][1] > few[page][1] {
			t.Errorf("%s: %v queries (visitor, member) with a little data, %v with more", page, few[page], many[page])
		}
		if many[page][0] > limit[0] || many[page][1] > limit[1] {
			t.Errorf("%s: %v queries (visitor, member), at most %v", page, many[page], limit)
		}
	}
}
