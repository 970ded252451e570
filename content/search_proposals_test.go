package content

import (
	"context"
	"strings"
	"testing"
)

// TestProposalSearchDocs checks what is indexed of a text at each stage:
// the working text and its readers while a brouillon, the members while
// open to them, everybody once published — the latest version, not the
// working text.
func TestProposalSearchDocs(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	lea, karim := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember)
	p := proposalWith(t, s, lea, "Des permanences numériques", "Une permanence hebdomadaire")
	if _, err := s.InviteToProposal(ctx, lea, p.ID, "Karim", RoleReader); err != nil {
		t.Fatal(err)
	}
	doc := func() SearchDoc {
		t.Helper()
		docs, remove, err := s.SearchSources().Changed(ctx, Event{Kind: EventEdited, EntityType: EntityProposal, EntityID: p.ID})
		if err != nil || len(docs) != 1 || len(remove) != 0 {
			t.Fatalf("changed: %v %v %v", docs, remove, err)
		}
		return docs[0]
	}
	d := doc()
	if d.ID != DocID(EntityProposal, p.ID) || d.Type != DocProposal || d.Title != "Des permanences numériques" ||
		!strings.Contains(d.Body, "Nous, médiateurs et médiatrices…\nUne permanence hebdomadaire\nNous proposons : Une permanence hebdomadaire.") ||
		strings.Join(d.Access, " ") != "restricted user:"+itoa64(lea.ID)+" user:"+itoa64(karim.ID) {
		t.Errorf("brouillon: %+v", d)
	}
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalOpen, true); err != nil {
		t.Fatal(err)
	}
	if d := doc(); strings.Join(d.Access, " ") != "restricted members" {
		t.Errorf("open to members: %v", d.Access)
	}
	published, err := s.MoveProposal(ctx, lea, p.ID, ProposalPublished, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartConclusion, Body: "Une conclusion pas encore publiée.", BaseRevision: published.Revision}); err != nil {
		t.Fatal(err)
	}
	if d := doc(); strings.Join(d.Access, " ") != "public" || strings.Contains(d.Body, "pas encore publiée") {
		t.Errorf("published: %+v", d)
	}
	if n, _ := s.SearchSources().Count(ctx); n != 1 {
		t.Errorf("count %d", n)
	}
	// A member's marks: their own and the members'; a suspended one's, none.
	if marks := strings.Join(AccessFor(karim), " "); marks != "public user:"+itoa64(karim.ID)+" members" {
		t.Errorf("marks %s", marks)
	}
	if marks := AccessFor(nil); len(marks) != 1 {
		t.Errorf("a visitor's marks %v", marks)
	}
}
