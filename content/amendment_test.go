package content

import (
	"context"
	"strings"
	"testing"
)

func TestAmendmentsAcceptedRejectedAndCredited(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	lea, karim, lucie := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember),
		mustCreateMember(t, s, "Lucie", RoleMember)
	p := proposalWith(t, s, lea, "Dix propositions", "Un accueil physique partout", "Former les agents")
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	first, second := p.Items[0], p.Items[1]

	// A brouillon takes no amendment; an open text does.
	if _, err := s.ProposeAmendment(ctx, karim, p.ID, AmendmentInput{Kind: AmendAdd, Title: "X", Body: "Y", Justification: "Z"}); err == nil {
		t.Error("an amendment to a stranger's brouillon")
	}
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalOpen, true); err != nil {
		t.Fatal(err)
	}
	change, err := s.ProposeAmendment(ctx, karim, p.ID, AmendmentInput{Kind: AmendChange, ItemID: first.ID,
		Body: "Nous proposons un accueil physique dans chaque commune.", Justification: "Plus précis."})
	if err != nil {
		t.Fatal(err)
	}
	add, err := s.ProposeAmendment(ctx, lucie, p.ID, AmendmentInput{Kind: AmendAdd, Title: "Financer la médiation",
		Body: "Un financement pérenne des postes.", Justification: "C’est le nerf de la guerre."})
	if err != nil {
		t.Fatal(err)
	}
	remove, err := s.ProposeAmendment(ctx, lucie, p.ID, AmendmentInput{Kind: AmendRemove, ItemID: second.ID, Justification: "Hors sujet."})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []AmendmentInput{
		{Kind: AmendChange, ItemID: first.ID, Body: first.Body, Justification: "Rien."},
		{Kind: AmendChange, ItemID: 99999, Body: "x", Justification: "y"},
		{Kind: AmendAdd, Title: "Sans justification", Body: "Texte."},
		{Kind: AmendAdd, Title: "Vide", Body: " ", Justification: "y"},
		{Kind: "fusion", Justification: "y"},
	} {
		if _, err := s.ProposeAmendment(ctx, karim, p.ID, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		} else if _, ok := AsValidation(err); !ok {
			t.Errorf("%+v: %v, want a French refusal", bad, err)
		}
	}

	// Support is counted once per member, and can be taken back.
	for _, u := range []*User{lucie, lucie, lea} {
		if _, err := s.SupportAmendment(ctx, u, p.ID, change.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.SupportAmendment(ctx, lea, p.ID, change.ID, false); n != 1 {
		t.Errorf("supports: %d, want 1", n)
	}

	// The proposition changes after the amendment was written, elsewhere:
	// the amendment is stale, and accepting it merges both.
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, ItemID: first.ID, Title: "Un accueil physique partout, toujours",
		Body: first.Body, BaseRevision: 1}); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	if !change.Stale(p) {
		t.Error("the amendment is not stale after its proposition changed")
	}
	if _, err := s.DecideAmendment(ctx, karim, p.ID, change.ID, AmendmentAccepted, ""); err == nil {
		t.Error("a member who is not a co-author accepts an amendment")
	}
	if _, err := s.DecideAmendment(ctx, lea, p.ID, change.ID, AmendmentAccepted, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideAmendment(ctx, lea, p.ID, change.ID, AmendmentAccepted, ""); err == nil || !strings.Contains(err.Error(), "déjà été tranché") {
		t.Errorf("accepting twice: %v", err)
	}
	if _, err := s.DecideAmendment(ctx, lea, p.ID, add.ID, AmendmentAccepted, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideAmendment(ctx, lea, p.ID, remove.ID, AmendmentRejected, ""); err == nil {
		t.Error("a rejection without a reason")
	}
	if _, err := s.DecideAmendment(ctx, lea, p.ID, remove.ID, AmendmentRejected, "La formation reste essentielle."); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	if got := titles(p.Items); got != "Un accueil physique partout, toujours Former les agents Financer la médiation" {
		t.Errorf("propositions after the decisions: %s", got)
	}
	if p.Items[0].Body != "Nous proposons un accueil physique dans chaque commune." {
		t.Errorf("the accepted change: %q", p.Items[0].Body)
	}
	// The revisions credit the amendments' authors.
	var credited []string
	if err := s.db.R.Select(&credited, `SELECT u.pseudo FROM proposal_revisions r JOIN users u ON u.id = r.author_id
		WHERE r.proposal_id = ? AND r.amendment_id IS NOT NULL ORDER BY r.number`, p.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Join(credited, ",") != "Karim,Lucie" {
		t.Errorf("credited: %v", credited)
	}
	as, _ := s.Amendments(ctx, p)
	if len(as) != 3 || as[0].State == AmendmentOpen {
		t.Errorf("amendments listed: %+v", as)
	}
	if _, err := s.SupportAmendment(ctx, karim, p.ID, remove.ID, true); err == nil {
		t.Error("supporting a rejected amendment")
	}

	// Closed amendments; a published version takes none.
	if err := s.CloseAmendments(ctx, lea, p.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProposeAmendment(ctx, karim, p.ID, AmendmentInput{Kind: AmendAdd, Title: "Encore", Body: "Une autre.", Justification: "Oui."}); err == nil {
		t.Error("an amendment once they are closed")
	}
	if err := s.CloseAmendments(ctx, karim, p.ID, false); err == nil {
		t.Error("a member reopens amendments")
	}
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalPublished, false); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseAmendments(ctx, lea, p.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProposeAmendment(ctx, karim, p.ID, AmendmentInput{Kind: AmendAdd, Title: "Encore", Body: "Une autre.", Justification: "Oui."}); err == nil ||
		!strings.Contains(err.Error(), "pas ouvert aux contributions") {
		t.Errorf("amending a published version: %v", err)
	}
}

func TestAmendmentOverlappingALaterEditIsRefused(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	lea, karim := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember)
	p := proposalWith(t, s, lea, "Texte", "Accueil")
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	it := p.Items[0]
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalOpen, false); err != nil {
		t.Fatal(err)
	}
	a, err := s.ProposeAmendment(ctx, karim, p.ID, AmendmentInput{Kind: AmendChange, ItemID: it.ID, Body: "Version de Karim.", Justification: "Mieux."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, ItemID: it.ID, Title: it.Title, Body: "Version de Léa.", BaseRevision: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideAmendment(ctx, lea, p.ID, a.ID, AmendmentAccepted, ""); err == nil || !strings.Contains(err.Error(), "reprenez-le à la main") {
		t.Errorf("accepting over an overlapping edit: %v", err)
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	if p.Items[0].Body != "Version de Léa." {
		t.Errorf("the refused acceptance changed the text: %q", p.Items[0].Body)
	}
	if _, err := s.DecideAmendment(ctx, lea, p.ID, a.ID, AmendmentMerged, ""); err != nil {
		t.Errorf("marking it merged by hand: %v", err)
	}
}
