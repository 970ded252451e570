package search

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

func postID(p *content.Post) string { return content.DocID(content.EntityPost, p.ID) }

// TestGroupedByDiscussion checks a grouped search answers one hit per
// discussion, its best match, with the discussion's other matches counted,
// and that a search within a discussion lists them all.
func TestGroupedByDiscussion(t *testing.T) {
	f := newFixture(t)
	long := f.topic("Karim", "Attestation CAF introuvable", "Où trouver l’attestation de paiement ?")
	var replies []*content.Post
	for i := 0; i < 5; i++ {
		replies = append(replies, f.reply("Lucie", long, "Une attestation, peut-être, numéro "+itoa(int64(i))+"."))
	}
	f.reply("Nadia", long, "Merci à tous !") // does not match
	quiet := f.topic("Lucie", "Imprimer depuis la médiathèque", "Avec quelle imprimante ?")
	weak := f.reply("Karim", quiet, "Il faudra l’attestation, et une imprimante qui marche, et du papier, et de l’encre, et de la patience.")
	strong := f.reply("Nadia", quiet, "Attestation : attestation d’attestation.")
	other := f.topic("Nadia", "Une attestation de formation", "Pour les bénévoles.")
	f.open()

	flat := f.search(Request{Q: "attestation"})
	if flat.Total != 9 || flat.Matches != 9 {
		t.Fatalf("ungrouped: %d results, %d matches %v", flat.Total, flat.Matches, ids(flat))
	}
	res := f.search(Request{Q: "attestation", Grouped: true})
	if res.Total != 3 || res.Matches != 9 || res.Pages != 1 || len(res.Hits) != 3 {
		t.Fatalf("grouped: %d results, %d matches, %d pages: %v", res.Total, res.Matches, res.Pages, ids(res))
	}
	byGroup := map[string]Hit{}
	for _, h := range res.Hits {
		if _, twice := byGroup[h.Group]; twice {
			t.Errorf("two hits of %s: %v", h.Group, ids(res))
		}
		byGroup[h.Group] = h
	}
	for _, tc := range []struct {
		topic  *content.Topic
		best   string
		others int
	}{
		{long, docID(long), 5},     // the title weighs more than any reply
		{quiet, postID(strong), 1}, // the topic does not match: its best reply
		{other, docID(other), 0},
	} {
		h, ok := byGroup[docID(tc.topic)]
		if !ok {
			t.Errorf("no hit for %q: %v", tc.topic.Title, ids(res))
			continue
		}
		if h.ID != tc.best || h.Others != tc.others {
			t.Errorf("%q: hit %s with %d others, want %s with %d", tc.topic.Title, h.ID, h.Others, tc.best, tc.others)
		}
		// The best hit is the first of a search within the discussion.
		within := f.search(Request{Q: "attestation", Group: docID(tc.topic), Grouped: true})
		if within.Total != uint64(tc.others+1) || len(within.Hits) == 0 || within.Hits[0].ID != h.ID {
			t.Errorf("within %q: %d results %v, want %s first of %d", tc.topic.Title, within.Total, ids(within), h.ID, tc.others+1)
		}
		if w := within.Hits[0]; w.Others != 0 || w.Excerpt != h.Excerpt || !reflect.DeepEqual(w.Why, h.Why) {
			t.Errorf("within %q the hit differs: %+v, %+v", tc.topic.Title, h, w)
		}
	}
	if within := f.search(Request{Q: "attestation", Group: docID(quiet)}); !reflect.DeepEqual(ids(within), []string{postID(strong), postID(weak)}) {
		t.Errorf("within %q: %v", quiet.Title, ids(within))
	}
	if res.Hits[0].ID != docID(long) && res.Hits[0].ID != docID(other) {
		t.Errorf("groups in the order of their best match: %v", ids(res))
	}
	// Facets count the matching documents, not the groups.
	if c := facetMap(res); c["type:discussion"] != 2 || c["type:message"] != 7 {
		t.Errorf("facets of a grouped search: %v", c)
	}
	// Most recent first: each discussion by its latest match.
	recent := f.search(Request{Q: "attestation", Grouped: true, Recent: true})
	if got, want := ids(recent), []string{docID(other), postID(strong), postID(replies[4])}; !reflect.DeepEqual(got, want) {
		t.Errorf("recent first: %v, want %v", got, want)
	}

	// A search within a discussion by filters alone lists its documents.
	if res := f.search(Request{Group: docID(quiet)}); res.Total != 3 {
		t.Errorf("the documents of a discussion: %v", ids(res))
	}
}

func TestWhyAHitMatched(t *testing.T) {
	f := newFixture(t)
	tagged := f.topic("Karim", "Changement de coordonnées", "Comment déclarer une nouvelle adresse ?", func(n *content.NewTopic) { n.Tags = "caf,carte-vitale" })
	f.open()
	for _, tc := range []struct {
		q        string
		why      []string
		tags     []string
		wantMark bool
	}{
		{"caf", []string{WhyTag}, []string{"caf"}, false},
		{"coordonnées", []string{WhyTitle}, nil, false},
		{"adresse", []string{WhyBody}, nil, true},
		{"changement adresse", []string{WhyTitle, WhyBody}, nil, true},
		{"vitale adresse", []string{WhyBody, WhyTag}, []string{"carte-vitale"}, true},
		{"coord*", []string{WhyTitle}, nil, false},
	} {
		res := f.search(Request{Q: tc.q, Grouped: true})
		if len(res.Hits) != 1 || res.Hits[0].ID != docID(tagged) {
			t.Errorf("%q: %v", tc.q, ids(res))
			continue
		}
		h := res.Hits[0]
		if !reflect.DeepEqual(h.Why, tc.why) || !reflect.DeepEqual(h.TagsMatched, tc.tags) {
			t.Errorf("%q: why %v tags %v, want %v %v", tc.q, h.Why, h.TagsMatched, tc.why, tc.tags)
		}
		if strings.Contains(string(h.Excerpt), "<mark>") != tc.wantMark {
			t.Errorf("%q: excerpt %q", tc.q, h.Excerpt)
		}
	}
	// By filters alone no word matched.
	if res := f.search(Request{Tag: "caf", Grouped: true}); len(res.Hits) != 1 || res.Hits[0].Why != nil {
		t.Errorf("filters alone: %+v", res.Hits)
	}
}

// groupDocs writes documents straight into the index, in one batch.
func groupDocs(t *testing.T, ix *Index, docs []content.SearchDoc) {
	t.Helper()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b := ix.idx.NewBatch()
	for _, d := range docs {
		if err := b.Index(d.ID, indexable(d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.idx.Batch(b); err != nil {
		t.Fatal(err)
	}
}

// TestGroupsArePaginatedAndCountReadableMatchesOnly spreads a long
// discussion whose matches outrank every other over more than the first
// window of matches, many short discussions, and restricted documents: the
// pages list each readable discussion once, and counts ignore what the
// viewer may not read.
func TestGroupsArePaginatedAndCountReadableMatchesOnly(t *testing.T) {
	f := newFixture(t)
	f.open()
	reader := f.users["Nadia"]
	restricted := []string{content.AccessRestricted, "user:" + itoa(reader.ID)}
	doc := func(id, group, body string, access []string) content.SearchDoc {
		return content.SearchDoc{ID: id, Type: content.DocMessage, Body: body, Category: "demarches-en-ligne", Tags: []string{},
			Date: time.Unix(1e9, 0), Access: access, Group: group}
	}
	var docs []content.SearchDoc
	n := 0
	next := func() string { n++; return "post:" + strconv.Itoa(n) }
	const longReplies = 3 * groupWindow
	for i := 0; i < longReplies; i++ {
		docs = append(docs, doc(next(), "topic:1", "atelier atelier atelier", []string{content.AccessPublic}))
	}
	const short = 45
	for g := 2; g < 2+short; g++ {
		group := "topic:" + strconv.Itoa(g)
		docs = append(docs, doc(next(), group, "Un atelier parmi d’autres activités de la semaine, avec des bénévoles.", []string{content.AccessPublic}),
			doc(next(), group, "Encore un atelier, le jeudi, pour les familles du quartier et leurs enfants.", []string{content.AccessPublic}))
	}
	// Restricted matches: two more in a public discussion (outranking its
	// public ones), and a discussion of restricted documents only.
	docs = append(docs, doc(next(), "topic:2", "atelier atelier atelier confidentiel", restricted),
		doc(next(), "topic:2", "atelier atelier confidentiel", restricted),
		doc(next(), "topic:999", "atelier atelier atelier secret", restricted),
		doc(next(), "", "Un atelier sans discussion.", []string{content.AccessPublic})) // its own group
	groupDocs(t, f.ix, docs)

	for _, tc := range []struct {
		who               string
		viewer            *content.User
		groups, matches   int
		othersOfTopic2    int
		restrictedVisible bool
	}{
		{"visitor", nil, 1 + short + 1, longReplies + 2*short + 1, 1, false},
		{"Karim", f.users["Karim"], 1 + short + 1, longReplies + 2*short + 1, 1, false},
		{"Nadia", reader, 1 + short + 2, longReplies + 2*short + 4, 3, true},
	} {
		seen := map[string]bool{}
		var first *Results
		for page := 1; ; page++ {
			res := f.search(Request{Q: "atelier", Grouped: true, Viewer: tc.viewer, Page: page})
			if first == nil {
				first = res
			}
			if res.Total != uint64(tc.groups) || res.Matches != uint64(tc.matches) || res.Pages != (tc.groups+PerPage-1)/PerPage {
				t.Fatalf("%s page %d: %d groups, %d matches, %d pages; want %d, %d", tc.who, page, res.Total, res.Matches, res.Pages, tc.groups, tc.matches)
			}
			for _, h := range res.Hits {
				key := h.Group
				if key == "" {
					key = h.ID
				}
				if seen[key] {
					t.Errorf("%s page %d: %s again", tc.who, page, key)
				}
				seen[key] = true
				if h.Group == "topic:1" && h.Others != longReplies-1 {
					t.Errorf("%s: the long discussion has %d others", tc.who, h.Others)
				}
				if h.Group == "topic:2" && h.Others != tc.othersOfTopic2 {
					t.Errorf("%s: topic:2 has %d others, want %d", tc.who, h.Others, tc.othersOfTopic2)
				}
				if secret := strings.Contains(string(h.Excerpt), "confidentiel") || strings.Contains(string(h.Excerpt), "secret"); secret != (tc.restrictedVisible && (h.Group == "topic:2" || h.Group == "topic:999")) {
					t.Errorf("%s: %s %s shows %q", tc.who, h.Group, h.ID, h.Excerpt)
				}
			}
			if page == res.Pages {
				if len(res.Hits) != tc.groups-(page-1)*PerPage {
					t.Errorf("%s: last page has %d hits", tc.who, len(res.Hits))
				}
				break
			}
			if len(res.Hits) != PerPage {
				t.Errorf("%s page %d: %d hits", tc.who, page, len(res.Hits))
			}
		}
		if len(seen) != tc.groups || !seen["topic:1"] || !seen["post:"+strconv.Itoa(n)] || seen["topic:999"] != tc.restrictedVisible {
			t.Errorf("%s: groups seen %d, want %d", tc.who, len(seen), tc.groups)
		}
		if first.Hits[0].Group != "topic:1" {
			t.Errorf("%s: the long discussion is not first: %v", tc.who, ids(first))
		}
		if !tc.restrictedVisible {
			checkReadable(t, "grouped", &Results{Total: first.Matches, Types: first.Types, Categories: first.Categories, Tags: first.Tags}, nil)
		}
	}

	// Split in parts, the groups and their counts are the same.
	ix := f.ix
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	snap, err := openSnapshot(ix.idx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	clauses, _ := parse("atelier")
	p := matcher{idx: ix.idx}.build(clauses)
	var want []string
	for _, parts := range []int{1, 2, 3} {
		g, err := collectGroups(context.Background(), snap, ix.idx.Mapping(), &ix.facets, p.query(Request{}), sortOrder(false), 20, PerPage, parts)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{strconv.FormatUint(g.groups, 10)}
		for _, h := range g.hits {
			got = append(got, h.ID+" "+g.found.counter.group(h)+" "+strconv.Itoa(g.found.counter.others(h)))
		}
		if parts == 1 {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("in %d parts: %v, want %v", parts, got, want)
		}
	}
}
