package content

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func flagPost(s *Store, u *User, p *Post, reason FlagReason) (*FlagResult, error) {
	return s.FlagContent(context.Background(), u, FlagInput{Type: FlagTargetPost, ID: p.ID, Reason: reason})
}

// notificationTexts lists what u is told, after the notifier ran.
func notificationTexts(t *testing.T, s *Store, u *User) string {
	t.Helper()
	if _, err := s.NotifyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	groups, err := s.Notifications(context.Background(), u, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range groups {
		for _, n := range g.Items {
			out = append(out, n.Text()+" → "+n.Path)
		}
	}
	return strings.Join(out, "\n")
}

func auditActions(t *testing.T, s *Store, targetType string, id int64) []string {
	t.Helper()
	var as []string
	if err := s.db.R.Select(&as, `SELECT action FROM audit_log WHERE target_type = ? AND target_id = ? ORDER BY id`, targetType, id); err != nil {
		t.Fatal(err)
	}
	return as
}

func TestFlagThresholdHoldsAPost(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	s.RegisterNotifier(ctx)
	author := mustCreateMember(t, s, "auteur", RoleMember)
	members := []*User{mustCreateMember(t, s, "anne", RoleMember), mustCreateMember(t, s, "bruno", RoleMember),
		mustCreateMember(t, s, "chloe", RoleMember)}
	topic := mustCreateTopic(t, s, author, "Une question sur la CAF", "Comment faire une demande de RSA en ligne ?")
	p := mustReply(t, s, author, topic.ID, "Allez sur le site et venez à ma permanence, c’est la meilleure du coin !", 0)

	if _, err := flagPost(s, author, p, FlagSpam); err == nil {
		t.Fatal("the author flags their own post")
	} else {
		wantValidation(t, err, "reason")
	}
	if _, err := flagPost(s, nil, p, FlagSpam); !errors.Is(err, ErrForbidden) {
		t.Errorf("a visitor flags: %v", err)
	}
	wantValidation(t, func() error { _, err := flagPost(s, members[0], p, "nimporte"); return err }(), "reason")
	for i, m := range members[:2] {
		res, err := flagPost(s, m, p, FlagSpam)
		if err != nil || res.Held {
			t.Fatalf("flag %d: %+v, %v", i+1, res, err)
		}
	}
	wantValidation(t, func() error { _, err := flagPost(s, members[0], p, FlagOffTopic); return err }(), "reason")
	if got := mustPost(t, s, nil, topic.ID, 2); got.HiddenAt != nil {
		t.Fatal("hidden below the threshold")
	}
	res, err := flagPost(s, members[2], p, FlagSpam)
	if err != nil || !res.Held {
		t.Fatalf("third flag: %+v, %v", res, err)
	}
	held := mustPost(t, s, author, topic.ID, 2)
	if held.HiddenAt == nil || !held.Held {
		t.Fatalf("not held at the threshold: %+v", held)
	}
	if CanReadPost(members[0], held) || !CanReadPost(author, held) {
		t.Error("a held post is read by others, or not by its author")
	}
	told := notificationTexts(t, s, author)
	if !strings.Contains(told, "masquée en attendant l’examen") || !strings.Contains(told, "/decisions/") {
		t.Errorf("the author is not told why: %q", told)
	}
	d, _, err := s.DecisionByID(ctx, author, 1)
	if err != nil || !strings.Contains(d.Reason, "spam") {
		t.Errorf("the decision's reason: %+v, %v", d, err)
	}
	if got := auditActions(t, s, FlagTargetPost, p.ID); len(got) != 1 || got[0] != "flags_held" {
		t.Errorf("audit log: %v", got)
	}

	// A lower threshold, from the server's setting.
	s.SetFlagThreshold(1)
	other := mustReply(t, s, author, topic.ID, "Un autre message.", 0)
	if res, err := flagPost(s, members[0], other, FlagOffTopic); err != nil || !res.Held {
		t.Errorf("threshold 1: %+v, %v", res, err)
	}
}

func TestPersonalDataAndModeratorsHoldAtOnce(t *testing.T) {
	s := mustOpenStore(t)
	author := mustCreateMember(t, s, "auteur", RoleMember)
	anne := mustCreateMember(t, s, "anne", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	mod2 := mustCreateMember(t, s, "moda", RoleModerator)
	topic := mustCreateTopic(t, s, author, "Accompagner Mme Durand", "Une bénéficiaire à aider.")
	phone := mustReply(t, s, author, topic.ID, "Appelez-la au 06 12 34 56 78, elle habite 3 rue des Lilas.", 0)
	if res, err := flagPost(s, anne, phone, FlagPersonalData); err != nil || !res.Held {
		t.Fatalf("personal data: %+v, %v", res, err)
	}
	if p := mustPost(t, s, nil, topic.ID, 2); CanReadPost(nil, p) {
		t.Error("a visitor still reads the beneficiary's phone number")
	}
	spam := mustReply(t, s, author, topic.ID, "Achetez mes formations !", 0)
	if res, err := flagPost(s, mod, spam, FlagSpam); err != nil || !res.Held {
		t.Errorf("a moderator's flag: %+v, %v", res, err)
	}
	// On a moderator's post, a moderator's flag weighs 1.
	modPost := mustReply(t, s, mod2, topic.ID, "Message de la modératrice.", 0)
	if res, err := flagPost(s, mod, modPost, FlagOffTopic); err != nil || res.Held {
		t.Errorf("a moderator hid another moderator's post alone: %+v, %v", res, err)
	}
	if FlagWeight(anne, TrustMember) != 1 || FlagWeight(anne, TrustTrusted) != 2 || FlagWeight(mod, TrustModerator) < s.FlagThreshold() {
		t.Errorf("weights: member %d, trusted member %d, moderator %d", FlagWeight(anne, TrustMember), FlagWeight(anne, TrustTrusted),
			FlagWeight(mod, TrustModerator))
	}
}

func TestEveryQueueActionIsLoggedAndTold(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	s.RegisterNotifier(ctx)
	author := mustCreateMember(t, s, "auteur", RoleMember)
	anne := mustCreateMember(t, s, "anne", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	topic := mustCreateTopic(t, s, author, "Sujet", "Le premier message du sujet.")
	reply := func(body string) *Post {
		p := mustReply(t, s, author, topic.ID, body, 0)
		if _, err := flagPost(s, anne, p, FlagDisrespectful); err != nil {
			t.Fatal(err)
		}
		return p
	}
	decide := func(p *Post, in DecisionInput) {
		t.Helper()
		in.TargetType, in.TargetID = FlagTargetPost, p.ID
		res, err := s.Decide(ctx, mod, in)
		if err != nil || res.Proposed {
			t.Fatalf("%s: %+v, %v", in.Action, res, err)
		}
	}
	wantLogged := func(p *Post, action string) {
		t.Helper()
		got := auditActions(t, s, FlagTargetPost, p.ID)
		if len(got) == 0 || got[len(got)-1] != action {
			t.Errorf("audit log of post %d: %v, want %s last", p.ID, got, action)
		}
	}
	wantValidation(t, func() error {
		_, err := s.Decide(ctx, mod, DecisionInput{TargetType: FlagTargetPost, TargetID: reply("x x x").ID, Action: ActionHide})
		return err
	}(), "reason")
	if _, err := s.Decide(ctx, anne, DecisionInput{TargetType: FlagTargetPost, TargetID: 1, Action: ActionKeep}); !errors.Is(err, ErrForbidden) {
		t.Errorf("a member decides: %v", err)
	}

	kept := reply("Un message un peu vif, mais correct.")
	decide(kept, DecisionInput{Action: ActionKeep})
	wantLogged(kept, "moderation_keep")

	hidden := reply("Des insultes.")
	decide(hidden, DecisionInput{Action: ActionHide, Reason: "Propos insultants envers un membre."})
	wantLogged(hidden, "moderation_hide")
	if p := mustPost(t, s, author, topic.ID, hidden.Number); p.HiddenAt == nil || p.Held {
		t.Errorf("hidden: %+v", p)
	}

	edited := reply("Contactez Mme Durand au 06 12 34 56 78.")
	decide(edited, DecisionInput{Action: ActionEdit, Reason: "Numéro de téléphone d’une bénéficiaire retiré.", Body: "Contactez la bénéficiaire."})
	wantLogged(edited, "moderation_edit")
	history, err := s.PostHistory(ctx, mod, edited.ID)
	if err != nil || len(history) != 2 || history[1].Body != "Contactez la bénéficiaire." || history[1].NextReason == "" {
		t.Errorf("edit history: %+v, %v", history, err)
	}

	deleted := reply("Du spam.")
	decide(deleted, DecisionInput{Action: ActionDelete, Reason: "Publicité."})
	wantLogged(deleted, "moderation_delete")
	if p := mustPost(t, s, mod, topic.ID, deleted.Number); p.DeletedAt == nil {
		t.Error("not deleted")
	}

	warned := reply("Encore un message vif.")
	decide(warned, DecisionInput{Action: ActionWarn, Reason: "Merci de rester courtois·e : relisez la charte."})
	wantLogged(warned, "moderation_warn")

	suspended := reply("Un message de trop.")
	decide(suspended, DecisionInput{Action: ActionSuspend, Reason: "Insultes répétées.", Days: 7})
	wantLogged(suspended, "moderation_suspend")
	sp, err := s.ActiveSuspension(ctx, author.ID)
	if err != nil || sp.Reason != "Insultes répétées." || sp.EndsAt == nil || sp.EndsAt.Sub(sp.StartsAt) != 7*24*time.Hour {
		t.Fatalf("suspension: %+v, %v", sp, err)
	}
	if _, err := s.Authenticate(ctx, "auteur", testPassword); !errors.Is(err, ErrSuspended) {
		t.Errorf("a suspended member logs in: %v", err)
	}
	s.SetClock(func() time.Time { return time.Now().Add(8 * 24 * time.Hour) })
	if n, err := s.EndSuspensions(ctx); err != nil || n != 1 {
		t.Errorf("suspensions ended: %d, %v", n, err)
	}
	if u, err := s.UserByID(ctx, author.ID); err != nil || u.Suspended() {
		t.Errorf("still suspended after its end: %v", err)
	}
	s.SetClock(time.Now)

	told := notificationTexts(t, s, author)
	for _, want := range []string{"reste visible", "a masqué votre contribution", "a modifié votre contribution",
		"a supprimé votre contribution", "vous adresse un avertissement"} {
		if !strings.Contains(told, want) {
			t.Errorf("the author is not told %q:\n%s", want, told)
		}
	}
	if told := notificationTexts(t, s, anne); strings.Count(told, "examiné votre signalement") != 4 {
		t.Errorf("the flagger is not told each outcome (keep, hide, edit, delete):\n%s", told)
	}
	queue, err := s.ModerationQueue(ctx, mod)
	if err != nil || len(queue) != 3 { // the first, refused decision's post, warned and suspended: flags stay open
		t.Errorf("queue after the decisions: %d items, %v", len(queue), err)
	}
	// The journal is append-only.
	if _, err := s.db.W.Exec(`UPDATE audit_log SET detail = 'effacé'`); err == nil {
		t.Error("the audit log was changed")
	}
	if _, err := s.db.W.Exec(`DELETE FROM audit_log`); err == nil {
		t.Error("the audit log was emptied")
	}
}

func TestModeratorContentNeedsASecondModerator(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	alice := mustCreateMember(t, s, "alice", RoleModerator)
	bruno := mustCreateMember(t, s, "bruno", RoleModerator)
	chloe := mustCreateMember(t, s, "chloe", RoleAdmin)
	anne := mustCreateMember(t, s, "anne", RoleMember)
	topic := mustCreateTopic(t, s, anne, "Sujet", "Le premier message du sujet.")
	p := mustReply(t, s, alice, topic.ID, "Un message de modératrice discutable.", 0)
	if _, err := flagPost(s, anne, p, FlagDisrespectful); err != nil {
		t.Fatal(err)
	}
	res, err := s.Decide(ctx, bruno, DecisionInput{TargetType: FlagTargetPost, TargetID: p.ID, Action: ActionHide, Reason: "Ton inapproprié."})
	if err != nil || !res.Proposed {
		t.Fatalf("decision on a moderator's post: %+v, %v", res, err)
	}
	if got := mustPost(t, s, bruno, topic.ID, p.Number); got.HiddenAt != nil {
		t.Fatal("applied without a second moderator")
	}
	if _, err := s.Decide(ctx, chloe, DecisionInput{TargetType: FlagTargetPost, TargetID: p.ID, Action: ActionKeep}); err == nil {
		t.Error("a second decision over a pending proposal")
	}
	id := res.Decision.ID
	if _, err := s.SecondDecision(ctx, bruno, id, true); err == nil {
		t.Error("the proposer confirms alone")
	}
	if _, err := s.SecondDecision(ctx, alice, id, true); !errors.Is(err, ErrForbidden) {
		t.Errorf("the moderator concerned confirms: %v", err)
	}
	queue, _ := s.ModerationQueue(ctx, chloe)
	if len(queue) != 1 || queue[0].Proposal == nil || queue[0].Proposal.ModeratorPseudo != "bruno" {
		t.Fatalf("the queue does not show the proposal: %+v", queue)
	}
	if _, err := s.SecondDecision(ctx, chloe, id, true); err != nil {
		t.Fatal(err)
	}
	if got := mustPost(t, s, bruno, topic.ID, p.Number); got.HiddenAt == nil {
		t.Error("not applied once confirmed")
	}
	want := []string{"propose_hide", "confirm_hide", "moderation_hide"}
	if got := auditActions(t, s, FlagTargetPost, p.ID); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit log: %v, want %v", got, want)
	}
	// Suspending a moderator is proposed too, and a proposal may be cancelled.
	res, err = s.Decide(ctx, bruno, DecisionInput{TargetType: EntityUser, TargetID: alice.ID, Action: ActionSuspend, Days: 1, Reason: "Test."})
	if err != nil || !res.Proposed {
		t.Fatalf("suspending a moderator: %+v, %v", res, err)
	}
	if _, err := s.SecondDecision(ctx, chloe, res.Decision.ID, false); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.UserByID(ctx, alice.ID); u.Suspended() {
		t.Error("a cancelled suspension applied")
	}
}

func TestFlagsOnFicheRevisions(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	author := mustCreateMember(t, s, "auteur", RoleMember)
	vandal := mustCreateMember(t, s, "vandale", RoleMember)
	anne := mustCreateMember(t, s, "anne", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	f := mustPublishFicheBody(t, s, author, "Le pass numérique", "## Principe\n\nUn chèque pour se former.")
	mustSaveFiche(t, s, vandal, f, 1, "## Principe\n\nAppelez Mme Durand au 06 12 34 56 78.")
	mustSaveFiche(t, s, author, f, 2, "## Principe\n\nUn chèque pour se former, sans numéro.")
	var revs []int64
	if err := s.db.R.Select(&revs, `SELECT id FROM fiche_revisions WHERE fiche_id = ? ORDER BY number`, f.ID); err != nil {
		t.Fatal(err)
	}
	res, err := s.FlagContent(ctx, anne, FlagInput{Type: FlagTargetRevision, ID: revs[1], Reason: FlagPersonalData})
	if err != nil || !res.Held {
		t.Fatalf("revision with personal data: %+v, %v", res, err)
	}
	got, _ := s.FicheByID(ctx, f.ID)
	if r, err := s.FicheRevisionAt(ctx, anne, got, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("the held revision is still read: %+v, %v", r, err)
	}
	// The current revision waits in the queue, shown.
	res, err = s.FlagContent(ctx, anne, FlagInput{Type: FlagTargetRevision, ID: revs[2], Reason: FlagPersonalData})
	if err != nil || res.Held {
		t.Errorf("the current revision: %+v, %v", res, err)
	}
	wantValidation(t, func() error {
		_, err := s.Decide(ctx, mod, DecisionInput{TargetType: FlagTargetRevision, TargetID: revs[2], Action: ActionHide, Reason: "x"})
		return err
	}(), "action")
	wantValidation(t, func() error {
		_, err := s.Decide(ctx, mod, DecisionInput{TargetType: FlagTargetRevision, TargetID: revs[1], Action: ActionDelete, Reason: "x"})
		return err
	}(), "action")
}
