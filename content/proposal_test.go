package content

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// proposalWith starts a brouillon by owner with the propositions titled.
func proposalWith(t *testing.T, s *Store, owner *User, title string, items ...string) *Proposal {
	t.Helper()
	p, err := s.CreateProposal(context.Background(), owner, NewProposal{Title: title, Preamble: "Nous, médiateurs et médiatrices…"})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if _, err := s.EditProposal(context.Background(), owner, p.ID, PartEdit{Part: PartItem, Title: it, Body: "Nous proposons : " + it + "."}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func reads(s *Store, u *User, p *Proposal, token string) bool {
	_, err := s.ProposalBySlug(context.Background(), u, p.Slug, token)
	return err == nil
}

func TestProposalBrouillonIsPrivateUntilShared(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner, coauthor, member, modo := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember),
		mustCreateMember(t, s, "Lucie", RoleMember), mustCreateMember(t, s, "Modo", RoleModerator)
	p := proposalWith(t, s, owner, "10 propositions pour un numérique à échelle humaine", "Un accueil physique partout")

	for _, u := range []*User{nil, member, modo, coauthor} {
		if reads(s, u, p, "") {
			t.Errorf("%v reads a brouillon they were not invited to", u)
		}
	}
	if list, _ := s.ListProposals(ctx, member, 50); len(list) != 0 {
		t.Errorf("the list shows a stranger's brouillon: %+v", list)
	}
	if _, err := s.EditProposal(ctx, member, p.ID, PartEdit{Part: PartItem, Title: "Intrus", Body: "Texte."}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a stranger edits a brouillon: %v", err)
	}
	if _, err := s.MoveProposal(ctx, modo, p.ID, ProposalOpen, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("a moderator opens someone's brouillon: %v", err)
	}

	// Invited by pseudo: a co-author reads and writes; a reader only reads.
	if _, err := s.InviteToProposal(ctx, owner, p.ID, "karim", RoleCoauthor); err != nil {
		t.Fatal(err)
	}
	if !reads(s, coauthor, p, "") {
		t.Error("the co-author cannot read")
	}
	if _, err := s.EditProposal(ctx, coauthor, p.ID, PartEdit{Part: PartItem, Title: "Former les agents", Body: "Former chaque agent d’accueil."}); err != nil {
		t.Errorf("the co-author cannot add a proposition: %v", err)
	}
	if _, err := s.InviteToProposal(ctx, owner, p.ID, "personne", RoleReader); err == nil {
		t.Error("inviting an unknown pseudo")
	}

	// A reading link opens it to a visitor holding it, and to a member who
	// becomes a reader; revoking it closes both at once.
	token, err := s.CreateShareLink(ctx, owner, p.ID, ShareRead)
	if err != nil {
		t.Fatal(err)
	}
	if !reads(s, nil, p, token) || reads(s, nil, p, token+"x") {
		t.Error("the reading link does not open the brouillon to a visitor, or a wrong one does")
	}
	other := proposalWith(t, s, owner, "Un autre texte", "Autre")
	if reads(s, nil, other, token) {
		t.Error("a link of one text opens another")
	}
	if access, err := s.JoinByShareLink(ctx, member, p.ID, token); err != nil || access != ShareRead {
		t.Fatalf("join: %v %v", access, err)
	}
	if !reads(s, member, p, "") {
		t.Error("a member who came through the link cannot read")
	}
	if _, err := s.EditProposal(ctx, member, p.ID, PartEdit{Part: PartItem, Title: "Intrus", Body: "Texte."}); !errors.Is(err, ErrForbidden) {
		t.Errorf("a reader edits: %v", err)
	}
	links, _ := s.ProposalShareLinks(ctx, p)
	if err := s.RevokeShareLink(ctx, owner, p.ID, links[0].ID); err != nil {
		t.Fatal(err)
	}
	if reads(s, nil, p, token) || reads(s, member, p, "") {
		t.Error("a revoked link still opens the brouillon")
	}
	if err := s.RevokeShareLink(ctx, owner, p.ID, links[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking twice: %v", err)
	}

	// A writing link makes a member a co-author.
	write, _ := s.CreateShareLink(ctx, owner, p.ID, ShareWrite)
	if access, err := s.JoinByShareLink(ctx, member, p.ID, write); err != nil || access != ShareWrite {
		t.Fatalf("join to write: %v %v", access, err)
	}
	current, _ := s.ProposalBySlug(ctx, member, p.Slug, "")
	if _, err := s.EditProposal(ctx, member, p.ID, PartEdit{Part: PartConclusion, Body: "Signez !", BaseRevision: current.Revision}); err != nil {
		t.Errorf("a co-author by link cannot write: %v", err)
	}

	// Opened to members only: members read it, visitors do not.
	if _, err := s.MoveProposal(ctx, owner, p.ID, ProposalOpen, true); err != nil {
		t.Fatal(err)
	}
	if !reads(s, modo, p, "") || reads(s, nil, p, "") {
		t.Error("an open text (members only) is not read by members, or is by visitors")
	}
	if _, err := s.MoveProposal(ctx, owner, p.ID, ProposalOpen, false); err == nil {
		t.Error("open → open is not a transition")
	}
	if _, err := s.MoveProposal(ctx, owner, p.ID, ProposalDraft, false); err != nil || reads(s, modo, p, "") {
		t.Errorf("back to brouillon, the text is private again: %v", err)
	}
}

func TestProposalEditsMergeOrConflict(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	lea, karim := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember)
	p := proposalWith(t, s, lea, "Texte commun", "Accueil")
	if _, err := s.InviteToProposal(ctx, lea, p.ID, "Karim", RoleCoauthor); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	item := p.Items[0]
	item.Body = "Premier paragraphe.\n\nDeuxième paragraphe.\n\nTroisième paragraphe."
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, ItemID: item.ID, Title: item.Title, Body: item.Body, BaseRevision: 1}); err != nil {
		t.Fatal(err)
	}
	// Both start from revision 2 of the proposition; Léa saves first.
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, ItemID: item.ID, Title: item.Title,
		Body: "Premier paragraphe, revu par Léa.\n\nDeuxième paragraphe.\n\nTroisième paragraphe.", BaseRevision: 2}); err != nil {
		t.Fatal(err)
	}
	res, err := s.EditProposal(ctx, karim, p.ID, PartEdit{Part: PartItem, ItemID: item.ID, Title: item.Title,
		Body: "Premier paragraphe.\n\nDeuxième paragraphe.\n\nTroisième paragraphe, revu par Karim.", BaseRevision: 2})
	if err != nil {
		t.Fatalf("disjoint edits: %v", err)
	}
	got := res.Proposal.item(item.ID)
	if !strings.Contains(got.Body, "revu par Léa") || !strings.Contains(got.Body, "revu par Karim") || strings.Join(res.MergedWith, ",") != "Lea" {
		t.Errorf("merged: %q with %v", got.Body, res.MergedWith)
	}
	// Overlapping edits: a conflict, nothing saved, both texts kept.
	_, err = s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, ItemID: item.ID, Title: item.Title,
		Body: "Tout autre chose.", BaseRevision: 2})
	var conflict *ProposalConflict
	if !errors.As(err, &conflict) || conflict.Current.BaseRevision != 4 || !strings.Contains(conflict.Merged.Body, "Tout autre chose.") ||
		!strings.Contains(conflict.Merged.Body, "revu par Karim") {
		t.Fatalf("overlap: %v %+v", err, conflict)
	}
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, ItemID: item.ID, Title: item.Title, Body: conflict.Merged.Body,
		BaseRevision: conflict.Merged.BaseRevision}); err == nil {
		t.Error("saving with the conflict markers in")
	}
	// Same for the préambule, at the text's revision.
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	base := p.Revision
	if _, err := s.EditProposal(ctx, karim, p.ID, PartEdit{Part: PartPreamble, Body: p.Preamble + "\n\nAjout de Karim.", BaseRevision: base}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartPreamble, Body: "Introduction. " + p.Preamble, BaseRevision: base}); err != nil {
		t.Fatalf("préambule merge: %v", err)
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	if !strings.HasPrefix(p.Preamble, "Introduction.") || !strings.Contains(p.Preamble, "Ajout de Karim.") {
		t.Errorf("préambule: %q", p.Preamble)
	}

	// Bad input.
	for _, e := range []PartEdit{
		{Part: PartItem, Title: "", Body: "x"},
		{Part: PartItem, Title: "Vide", Body: "   "},
		{Part: PartItem, Title: "Trop long", Body: strings.Repeat("a", MaxProposalItemBody+1)},
		{Part: PartItem, ItemID: item.ID, Title: "x", Body: "y", BaseRevision: 99},
		{Part: PartItem, ItemID: 999999, Title: "x", Body: "y", BaseRevision: 1},
		{Part: "annexe", Body: "y", BaseRevision: 1},
		{Part: PartTitle, Title: "", BaseRevision: p.Revision},
	} {
		if _, err := s.EditProposal(ctx, lea, p.ID, e); err == nil {
			t.Errorf("%+v accepted", e)
		} else if _, ok := AsValidation(err); !ok && !errors.Is(err, ErrNotFound) {
			t.Errorf("%+v: %v, want a French refusal", e, err)
		}
	}
}

func TestProposalOrderAndLimits(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	lea := mustCreateMember(t, s, "Lea", RoleMember)
	p := proposalWith(t, s, lea, "Ordre", "Un", "Deux", "Trois")
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	ids := []int64{p.Items[0].ID, p.Items[1].ID, p.Items[2].ID}
	moved, err := s.MoveProposalItem(ctx, lea, p.ID, ids[2], -1, p.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if got := titles(moved.Items); got != "Un Trois Deux" {
		t.Errorf("after moving « Trois » up: %s", got)
	}
	if _, err := s.ReorderProposalItems(ctx, lea, p.ID, []int64{ids[1], ids[0], ids[2]}, p.Revision); err == nil {
		t.Error("an order chosen on a stale text is accepted")
	}
	if _, err := s.ReorderProposalItems(ctx, lea, p.ID, []int64{ids[0], ids[0], ids[2]}, moved.Revision); err == nil {
		t.Error("an order repeating a proposition is accepted")
	}
	removed, err := s.RemoveProposalItem(ctx, lea, p.ID, ids[0], "Redondant")
	if err != nil || titles(removed.Items) != "Trois Deux" {
		t.Fatalf("remove: %v %s", err, titles(removed.Items))
	}
	for i := len(removed.Items); i < MaxProposalItems; i++ {
		if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, Title: "P" + itoa64(int64(i)), Body: "Texte."}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, Title: "De trop", Body: "Texte."}); err == nil {
		t.Errorf("proposition %d accepted", MaxProposalItems+1)
	}
}

func titles(items []ProposalItem) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return strings.Join(out, " ")
}

func TestPublishedVersionIsFrozen(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	lea, visitor := mustCreateMember(t, s, "Lea", RoleMember), (*User)(nil)
	empty, err := s.CreateProposal(ctx, lea, NewProposal{Title: "Vide"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveProposal(ctx, lea, empty.ID, ProposalPublished, false); err == nil {
		t.Error("a text without propositions is published")
	}
	p := proposalWith(t, s, lea, "Publié", "Un accueil physique partout")
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalPublished, false); err != nil {
		t.Fatal(err)
	}
	if !reads(s, visitor, p, "") {
		t.Error("a visitor cannot read the published text")
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, ItemID: p.Items[0].ID, Title: "Un accueil physique partout",
		Body: "Version de travail, pas encore publiée.", BaseRevision: 1}); err != nil {
		t.Fatal(err)
	}
	v1, err := s.ProposalVersionOf(ctx, p, 1)
	if err != nil || v1.Items()[0].Body != "Nous proposons : Un accueil physique partout." {
		t.Fatalf("v1 changed with the working text: %v %+v", err, v1.Items())
	}
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalPublished, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalPublished, false); err == nil {
		t.Error("publishing again with nothing changed")
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	vs, _ := s.ProposalVersions(ctx, p)
	if p.Version != 2 || len(vs) != 2 || vs[0].Items()[0].Body != "Version de travail, pas encore publiée." {
		t.Errorf("versions: %d %+v", p.Version, vs)
	}
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalArchived, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartConclusion, Body: "Trop tard.", BaseRevision: p.Revision}); err == nil {
		t.Error("an archived text is edited")
	}
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalOpen, false); err == nil {
		t.Error("an archived text is opened again")
	}
}

func TestProposalActionsFollowTheRules(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner, coauthor, modo := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember),
		mustCreateMember(t, s, "Modo", RoleModerator)
	p := proposalWith(t, s, owner, "Un texte", "Une proposition")
	if _, err := s.InviteToProposal(ctx, owner, p.ID, "Karim", RoleCoauthor); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ProposalBySlug(ctx, owner, p.Slug, "")
	if a := ProposalActionsFor(owner, p); !a.Edit || !a.Manage || len(a.Moves) != 2 {
		t.Errorf("owner of a brouillon: %+v, want edit, manage, open or publish", a)
	}
	if a := ProposalActionsFor(coauthor, p); !a.Edit || a.Manage || a.Moves != nil {
		t.Errorf("co-author: %+v, want edit only", a)
	}
	if a := ProposalActionsFor(modo, p); a.Edit || a.Manage {
		t.Errorf("moderator on a brouillon: %+v, want nothing", a)
	}
	if _, err := s.MoveProposal(ctx, owner, p.ID, ProposalPublished, false); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ProposalBySlug(ctx, nil, p.Slug, "")
	if a := ProposalActionsFor(modo, p); a.Edit || !a.Manage || len(a.Moves) != 2 {
		t.Errorf("moderator on a published text: %+v, want manage, publish again or archive", a)
	}
	if a := ProposalActionsFor(nil, p); a.Edit || a.Manage {
		t.Errorf("visitor: %+v, want nothing", a)
	}
}

func TestRevokingALinkGivesBackTheInvitedRole(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	lea, karim, lucie := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember),
		mustCreateMember(t, s, "Lucie", RoleMember)
	p := proposalWith(t, s, lea, "Texte", "Accueil")
	if _, err := s.InviteToProposal(ctx, lea, p.ID, "Karim", RoleReader); err != nil {
		t.Fatal(err)
	}
	write, _ := s.CreateShareLink(ctx, lea, p.ID, ShareWrite)
	for _, u := range []*User{karim, lucie} {
		if _, err := s.JoinByShareLink(ctx, u, p.ID, write); err != nil {
			t.Fatal(err)
		}
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	if p.RoleOf(karim) != RoleCoauthor || p.RoleOf(lucie) != RoleCoauthor {
		t.Fatalf("through the writing link: %q %q", p.RoleOf(karim), p.RoleOf(lucie))
	}
	links, _ := s.ProposalShareLinks(ctx, p)
	if err := s.RevokeShareLink(ctx, lea, p.ID, links[0].ID); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	if p.RoleOf(karim) != RoleReader || p.RoleOf(lucie) != "" {
		t.Errorf("after revoking: Karim %q (invited as reader), Lucie %q (came by the link)", p.RoleOf(karim), p.RoleOf(lucie))
	}
	if err := s.RemoveFromProposal(ctx, lea, p.ID, lucie.ID); err == nil {
		t.Error("removing someone who is not a member")
	}
	if _, err := s.MoveProposalItem(ctx, lea, p.ID, p.Items[0].ID, 3, p.Revision); err == nil {
		t.Error("a move of three places")
	}
}

func TestRestoringARevision(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	lea := mustCreateMember(t, s, "Lea", RoleMember)
	p := proposalWith(t, s, lea, "Texte", "Un", "Deux")
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	one := p.Items[0]
	if _, err := s.EditProposal(ctx, lea, p.ID, PartEdit{Part: PartItem, ItemID: one.ID, Title: "Un", Body: "Réécrit.", BaseRevision: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveProposalItem(ctx, lea, p.ID, p.Items[1].ID, ""); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	rows := map[string]int64{}
	changes, err := s.ProposalHistory(ctx, p, 1, p.Revision)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		for _, part := range c.Parts {
			key := string(part.Part) + ":" + part.Title
			if _, seen := rows[key]; !seen || c.Number < 3 {
				rows[key] = part.ID // the oldest row of each part
			}
		}
	}
	// The first wording of « Un » comes back as a new revision.
	res, err := s.RestoreProposalRevision(ctx, lea, p.ID, rows["item:Un"], p.Revision)
	if err != nil || res.Unchanged || res.Proposal.Items[0].Body != "Nous proposons : Un." {
		t.Fatalf("restore a wording: %v %+v", err, res.Proposal.Items)
	}
	// « Deux », removed, comes back at the end.
	res, err = s.RestoreProposalRevision(ctx, lea, p.ID, rows["removed:Deux"], res.Proposal.Revision)
	if err != nil || titles(res.Proposal.Items) != "Un Deux" {
		t.Fatalf("restore a removed proposition: %v %s", err, titles(res.Proposal.Items))
	}
	if _, err := s.RestoreProposalRevision(ctx, lea, p.ID, rows["item:Un"], 1); err == nil {
		t.Error("a restore from a stale history")
	}
	if _, err := s.RestoreProposalRevision(ctx, lea, p.ID, 999999, res.Proposal.Revision); err == nil {
		t.Error("restoring a revision of nothing")
	}
	other := proposalWith(t, s, lea, "Autre", "X")
	if _, err := s.RestoreProposalRevision(ctx, lea, other.ID, rows["item:Un"], 2); err == nil {
		t.Error("restoring another text's revision")
	}
}
