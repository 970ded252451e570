package content

import (
	"context"
	"sort"
	"strings"
	"testing"
)

// TestProposalNotifications runs a text's life and checks, after each
// event, that exactly the right people were told, once, with what.
func TestProposalNotifications(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	if err := s.RegisterNotifier(ctx); err != nil {
		t.Fatal(err)
	}
	lea, karim := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember)
	nadia, omar := mustCreateMember(t, s, "Nadia", RoleMember), mustCreateMember(t, s, "Omar", RoleMember)
	paul := mustCreateMember(t, s, "Paul", RoleMember)
	everyone := []*User{lea, karim, nadia, omar, paul}

	p := proposalWith(t, s, lea, "Dix propositions", "Un accueil physique partout", "Former les agents")
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	second := proposalWith(t, s, lea, "Un brouillon suivi", "Une idée")
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.InviteToProposal(ctx, lea, p.ID, "Karim", RoleCoauthor)
	check(err)
	_, err = s.InviteToProposal(ctx, lea, second.ID, "Karim", RoleCoauthor)
	check(err)
	// Omar follows both texts closely, Paul silenced the first; Omar set
	// his level on the brouillon though he cannot read it.
	check(s.SetWatch(ctx, omar, FollowProposal, p.ID, Watching))
	check(s.SetWatch(ctx, paul, FollowProposal, p.ID, Muted))
	check(s.SetWatch(ctx, omar, FollowProposal, second.ID, Watching))

	var change, add *Amendment
	steps := []struct {
		name string
		do   func()
		want map[*User]string // who is told, with the text of the notification
	}{
		{"the text opens", func() {
			_, err := s.MoveProposal(ctx, lea, p.ID, ProposalOpen, true)
			check(err)
		}, map[*User]string{karim: "Lea a ouvert le texte aux contributions", omar: "Lea a ouvert le texte aux contributions"}},
		{"a member's amendment", func() {
			change, err = s.ProposeAmendment(ctx, nadia, p.ID, AmendmentInput{Kind: AmendChange, ItemID: p.Items[0].ID,
				Body: "Un accueil physique dans chaque commune.", Justification: "Plus précis."})
			check(err)
		}, map[*User]string{lea: "Nadia propose un amendement", karim: "Nadia propose un amendement"}},
		{"a co-author's amendment", func() {
			add, err = s.ProposeAmendment(ctx, karim, p.ID, AmendmentInput{Kind: AmendAdd, Title: "Financer", Body: "Des postes pérennes.",
				Justification: "Le nerf de la guerre."})
			check(err)
		}, map[*User]string{lea: "Karim propose un amendement"}},
		{"a support tells nobody", func() {
			_, err := s.SupportAmendment(ctx, omar, p.ID, change.ID, true)
			check(err)
		}, nil},
		{"accepted", func() {
			_, err := s.DecideAmendment(ctx, lea, p.ID, change.ID, AmendmentAccepted, "")
			check(err)
		}, map[*User]string{nadia: "Lea a accepté votre amendement : il est entré dans le texte"}},
		{"rejected, with its reason", func() {
			_, err := s.DecideAmendment(ctx, lea, p.ID, add.ID, AmendmentRejected, "Hors du sujet de ce texte.")
			check(err)
		}, map[*User]string{karim: "Lea n’a pas retenu votre amendement : « Hors du sujet de ce texte. »"}},
		{"a new version", func() {
			_, err := s.MoveProposal(ctx, lea, p.ID, ProposalPublished, false)
			check(err)
		}, map[*User]string{karim: "Lea a publié la version 1 du texte", omar: "Lea a publié la version 1 du texte",
			nadia: "Lea a publié la version 1 du texte"}}, // Nadia follows what she amended
		{"a text edit is no state change", func() {
			_, err := s.EditProposal(ctx, karim, p.ID, PartEdit{Part: PartConclusion, Body: "Signez.", BaseRevision: 100})
			if err == nil {
				t.Fatal("an edit from a revision that does not exist")
			}
		}, nil},
		{"a brouillon's opening", func() {
			_, err := s.MoveProposal(ctx, lea, second.ID, ProposalOpen, true)
			check(err)
		}, map[*User]string{karim: "Lea a ouvert le texte aux contributions", omar: "Lea a ouvert le texte aux contributions"}},
		{"back to brouillon: only those who read it", func() {
			_, err := s.MoveProposal(ctx, lea, second.ID, ProposalDraft, true)
			check(err)
		}, map[*User]string{karim: "Lea a remis le texte en brouillon"}},
	}
	for _, step := range steps {
		if _, err := s.db.W.Exec(`UPDATE notifications SET read_at = ? WHERE read_at IS NULL`, s.Now()); err != nil {
			t.Fatal(err)
		}
		step.do()
		if _, err := s.NotifyPending(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range everyone {
			groups, err := s.Notifications(ctx, u, true)
			check(err)
			var got []string
			for _, g := range groups {
				for _, n := range g.Items {
					got = append(got, n.Text())
					if n.Count != 1 {
						t.Errorf("%s: %s told %d times", step.name, u.Pseudo, n.Count)
					}
					if !strings.HasPrefix(n.Path, "/propositions/") {
						t.Errorf("%s: %s's notification links to %q", step.name, u.Pseudo, n.Path)
					}
				}
			}
			sort.Strings(got)
			want := ""
			if w, ok := step.want[u]; ok {
				want = w
			}
			if strings.Join(got, " | ") != want {
				t.Errorf("%s: %s is told %q, want %q", step.name, u.Pseudo, got, want)
			}
		}
	}

	// Omar was told the second text opened; back in brouillon, that notice
	// is no longer shown to him, nor written anew.
	groups, err := s.Notifications(ctx, omar, false)
	check(err)
	for _, g := range groups {
		if g.Title == "Un brouillon suivi" {
			t.Errorf("Omar still sees the brouillon's notices: %+v", g)
		}
	}
	var n int
	check(s.db.R.Get(&n, `SELECT count(*) FROM notifications WHERE user_id = ? AND object_id = ? AND detail = 'draft'`, omar.ID, second.ID))
	if n != 0 {
		t.Error("a notice about a brouillon was written for a member who cannot read it")
	}
	// The amendment's notification leads to its page, and opening it reads it.
	groups, err = s.Notifications(ctx, nadia, false)
	check(err)
	var path string
	for _, g := range groups {
		for _, it := range g.Items {
			if it.Kind == NotifyAmendmentDecision {
				path = it.Path
			}
		}
	}
	if path != AmendmentPath(p, change.ID) {
		t.Errorf("the decision links to %q", path)
	}
	check(s.MarkProposalNoticesRead(ctx, nadia, p.ID, change.ID))
	groups, err = s.Notifications(ctx, nadia, true)
	check(err)
	for _, g := range groups {
		for _, it := range g.Items {
			if it.Kind == NotifyAmendmentDecision {
				t.Error("opening the amendment left its notification unread")
			}
		}
	}
	// Every kind has its label in the preferences.
	for _, k := range []NotificationKind{NotifyAmendment, NotifyAmendmentDecision, NotifyProposalState} {
		if _, ok := Kind(k); !ok {
			t.Errorf("%s has no label", k)
		}
	}
}
