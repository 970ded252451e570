package search

import (
	"context"
	"strconv"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// « Voir aussi » looks for what a title is about: a word found in most
// titles (« faire », « comment ») brings nothing, and is left out.
func TestSimilarLeavesOutTheWordsOfMostTitles(t *testing.T) {
	f := newFixture(t)
	for i := range 220 {
		f.topic("Karim", "Comment faire la démarche numéro "+strconv.Itoa(i), "Texte.")
	}
	vitale := f.topic("Lucie", "Commander une carte Vitale", "Sur ameli.fr.")
	lost := f.topic("Nadia", "Carte Vitale perdue", "Que faire ?")
	f.open()
	ids, err := f.ix.Similar(context.Background(), nil, content.DocDiscussion, "Comment faire refaire sa carte Vitale ?", nil, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{content.DocID(content.EntityTopic, vitale.ID): true, content.DocID(content.EntityTopic, lost.ID): true}
	if len(ids) != 2 || !want[ids[0]] || !want[ids[1]] {
		t.Errorf("similar to a carte Vitale question: %v, want only the two about the carte Vitale", ids)
	}
	// A title made of common words only finds nothing rather than anything.
	if ids, err := f.ix.Similar(context.Background(), nil, content.DocDiscussion, "Comment faire ?", nil, "", 5); err != nil || len(ids) != 0 {
		t.Errorf("similar to « Comment faire ? »: %v, %v", ids, err)
	}
}
