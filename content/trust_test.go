package content

import (
	"context"
	"testing"
	"time"
)

// The levels as documented: new until two posts are published or someone
// vouches; trusted with age, posts and accepted answers all three.
func TestTrustLevels(t *testing.T) {
	now := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	old, young := now.Add(-TrustedAge), now.Add(-TrustedAge+time.Hour)
	suspended := now
	for _, tc := range []struct {
		name  string
		u     *User
		facts TrustFacts
		want  TrustLevel
	}{
		{"visitor", nil, TrustFacts{}, TrustNew},
		{"just registered", &User{CreatedAt: now}, TrustFacts{}, TrustNew},
		{"one post published", &User{CreatedAt: now}, TrustFacts{Published: HeldFirstPosts - 1}, TrustNew},
		{"first posts published", &User{CreatedAt: now}, TrustFacts{Published: HeldFirstPosts}, TrustMember},
		{"vouched for", &User{CreatedAt: now}, TrustFacts{Vouched: true}, TrustMember},
		{"old, many posts, answers accepted", &User{CreatedAt: old}, TrustFacts{Published: TrustedPosts, Accepted: TrustedAccepted}, TrustTrusted},
		{"not quite old enough", &User{CreatedAt: young}, TrustFacts{Published: TrustedPosts, Accepted: TrustedAccepted}, TrustMember},
		{"no accepted answer", &User{CreatedAt: old}, TrustFacts{Published: 100, Accepted: TrustedAccepted - 1}, TrustMember},
		{"moderator", &User{Role: RoleModerator, CreatedAt: now}, TrustFacts{}, TrustModerator},
		{"suspended", &User{CreatedAt: old, SuspendedAt: &suspended}, TrustFacts{Published: 100, Accepted: 10}, TrustNew},
	} {
		if got := TrustLevelOf(tc.u, tc.facts, now); got != tc.want {
			t.Errorf("%s: %v (%s), want %v (%s)", tc.name, got, got.Label(), tc.want, tc.want.Label())
		}
	}
}

func TestRetryInSaysWhenInFrench(t *testing.T) {
	for d, want := range map[time.Duration]string{
		3 * time.Second:                "Réessayez dans 3\u00a0secondes.",
		time.Minute:                    "Réessayez dans 1\u00a0minute.",
		2*time.Minute + 10*time.Second: "Réessayez dans 3\u00a0minutes.",
		time.Hour:                      "Réessayez dans 60\u00a0minutes.",
	} {
		if got := RetryIn(d); got != want {
			t.Errorf("RetryIn(%s) = %q, want %q", d, got, want)
		}
	}
}

// A held post is published with the post's usual effects: numbered after
// the replies made meanwhile, counted, its author following the topic.
func TestApprovedReplyIsNumberedWhenPublished(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	karim := mustCreateMember(t, s, "Karim", RoleMember)
	mod := mustCreateMember(t, s, "Lucie", RoleModerator)
	topic := mustCreateTopic(t, s, karim, "Un sujet pour la relecture", "Le texte.")
	nina, err := s.CreateUser(ctx, NewUser{Pseudo: "Nina", Email: "nina@exemple.fr", Password: testPassword, Verified: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Reply(ctx, nina, topic.ID, NewReply{Body: "Ma réponse relue.", ReplyTo: 1})
	h, ok := AsHeld(err)
	if !ok {
		t.Fatalf("not held: %v", err)
	}
	mustReply(t, s, karim, topic.ID, "Une réponse publiée entre-temps.", 0)
	if _, err := s.ApproveHeld(ctx, karim, h.ID); err != ErrForbidden {
		t.Errorf("a member approves: %v", err)
	}
	if _, err := s.ApproveHeld(ctx, mod, h.ID); err != nil {
		t.Fatal(err)
	}
	p := mustPost(t, s, nil, topic.ID, 3)
	if p.AuthorID != nina.ID || p.Body != "Ma réponse relue." || p.ReplyTo == nil || *p.ReplyTo != 1 {
		t.Errorf("published post: %+v", p)
	}
	if tp := mustTopic(t, s, topic.ID); tp.Replies() != 2 || tp.LastNumber != 3 {
		t.Errorf("topic counters: %d replies, last %d", tp.Replies(), tp.LastNumber)
	}
	if _, err := s.ApproveHeld(ctx, mod, h.ID); err == nil {
		t.Error("approved twice")
	}
}
