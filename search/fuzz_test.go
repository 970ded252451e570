package search

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ligue-mednum/ligue/content"
)

var querySeeds = []string{"numérique", `"phrase exacte" -exclu titre:caf auteur:Karim numéri*`, "", "*", "-", `"`, "titre:",
	"auteur:", "(a+)+$ [[[ ((( \\\\", strings.Repeat("a1 b2 ", 30), "l’attestation d'hébergement", "\x00\xff", "ŒUVRE æ ß",
	"tag:caf etiquette:caf", "-*", "**", `"" "`, "a*b*c*"}

// The parser keeps its bounds whatever is typed: at most maxClauses clauses,
// each of valid text within the query's length.
func FuzzParseQuery(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		clauses, _ := parse(q)
		if len(clauses) > maxClauses {
			t.Fatalf("%q gives %d clauses", q, len(clauses))
		}
		for _, c := range clauses {
			if utf8.RuneCountInString(c.text) > MaxQueryLength {
				t.Fatalf("%q gives a clause of %d characters", q, utf8.RuneCountInString(c.text))
			}
		}
	})
}

// Whatever is typed, a search on a real index answers without error.
func FuzzSearch(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s)
	}
	fx := newFixture(f)
	fx.topic("Karim", "Le numérique pour tous", "Une attestation d’hébergement, la CAF et l’œuvre.", func(n *content.NewTopic) { n.Tags = "caf" })
	ix := fx.open()
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := ix.Search(context.Background(), Request{Q: q, Tag: "caf"}); err != nil {
			t.Fatalf("%q: %v", q, err)
		}
	})
}
