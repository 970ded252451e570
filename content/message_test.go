package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func mustStartConversation(t *testing.T, s *Store, author *User, to, title, body string) *Conversation {
	t.Helper()
	c, err := s.StartConversation(context.Background(), author, NewConversation{Participants: to, Title: title, Body: body})
	if err != nil {
		t.Fatalf("StartConversation(%s → %s): %v", author.Pseudo, to, err)
	}
	return c
}

func TestParseParticipants(t *testing.T) {
	got := ParseParticipants(" @Karim, lucie;  Maëlle_29 karim\n@@Lucie ")
	if strings.Join(got, "|") != "Karim|lucie|Maëlle_29" {
		t.Errorf("ParseParticipants = %q", got)
	}
}

func TestConversationRecipientsRefusals(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	alice := mustCreateMember(t, s, "alice", RoleMember)
	mustCreateMember(t, s, "bruno", RoleMember)
	claire := mustCreateMember(t, s, "claire", RoleMember)
	gone := mustCreateMember(t, s, "suspendu", RoleMember)
	admin := mustCreateMember(t, s, "admin", RoleAdmin)
	if err := s.SetSuspended(ctx, admin, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlocked(ctx, claire, alice, true); err != nil {
		t.Fatal(err)
	}
	many := make([]string, 500)
	for i := range many {
		many[i] = fmt.Sprintf("membre%d", i)
	}
	neutral := wantValidation(t, first(s.StartConversation(ctx, alice, NewConversation{Participants: "personne", Title: "Bonjour", Body: "Texte"})), "participants")
	for _, tc := range []struct {
		name, to, title, body, field, want string
	}{
		{"nobody", "", "Bonjour", "Texte", "participants", "Indiquez à qui écrire"},
		{"oneself only", "alice, @Alice", "Bonjour", "Texte", "participants", "vous-même"},
		{"more than 20", strings.Join(many, ", "), "Bonjour", "Texte", "participants", "20 personnes au plus"},
		{"suspended", "suspendu", "Bonjour", "Texte", "participants", "« suspendu »"},
		{"only a blocker: as an unknown pseudo", "claire", "Bonjour", "Texte", "participants", strings.Replace(neutral, "personne", "claire", 1)},
		{"empty body", "bruno", "Bonjour", "  ", "body", "vide"},
		{"body too long", "bruno", "Bonjour", strings.Repeat("a", MaxBodyLength+1), "body", "50 000"},
		{"no title", "bruno", "", "Texte", "title", "objet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.StartConversation(ctx, alice, NewConversation{Participants: tc.to, Title: tc.title, Body: tc.body})
			if msg := wantValidation(t, err, tc.field); !strings.Contains(msg, tc.want) {
				t.Errorf("message %q lacks %q", msg, tc.want)
			}
		})
	}
	// With somebody else, the blocker is left out without a word.
	c := mustStartConversation(t, s, alice, "claire, bruno", "Atelier", "Bonjour à vous deux.")
	page, err := s.ConversationFor(ctx, alice, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if page.Others != "bruno" {
		t.Errorf("members besides alice: %q, want bruno alone", page.Others)
	}
	if _, err := s.ConversationFor(ctx, claire, c.ID, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("the blocker reads the conversation: %v", err)
	}
	// Nor can alice add claire afterwards.
	if _, err := s.AddToConversation(ctx, alice, c.ID, "claire"); err == nil {
		t.Error("alice added the member who blocked her")
	}
	// Nineteen others is the most.
	var nineteen []string
	for i := 0; i < 19; i++ {
		nineteen = append(nineteen, mustCreateMember(t, s, fmt.Sprintf("invite%d", i), RoleMember).Pseudo)
	}
	mustStartConversation(t, s, alice, strings.Join(nineteen, ","), "Réseau", "Bonjour à toutes et à tous.")
	_, err = s.StartConversation(ctx, alice, NewConversation{Participants: strings.Join(nineteen, ",") + ",bruno", Title: "Réseau", Body: "Bonjour."})
	wantValidation(t, err, "participants")
}

func first[T any](_ T, err error) error { return err }

func TestConversationReadsUnreadAndLeaving(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleAdmin)
	c := mustStartConversation(t, s, alice, "bruno", "Atelier de jeudi", "Tu viens jeudi ?")
	for i := 0; i < 2; i++ {
		if _, err := s.ReplyInConversation(ctx, alice, c.ID, "Et le vendredi ?"); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := s.Conversations(ctx, bruno, 1)
	if err != nil || total != 1 || list[0].Unread != 3 || list[0].Others != "alice" {
		t.Fatalf("bruno's list: %+v, %d, %v", list, total, err)
	}
	if n, _ := s.UnreadConversations(ctx, bruno); n != 1 {
		t.Errorf("unread conversations = %d", n)
	}
	if _, err := s.ConversationFor(ctx, mod, c.ID, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("an administrator reads the conversation: %v", err)
	}
	if err := s.MarkConversationRead(ctx, bruno, c.ID, 3); err != nil {
		t.Fatal(err)
	}
	if list, _, _ := s.Conversations(ctx, bruno, 1); list[0].Unread != 0 {
		t.Errorf("unread after reading: %d", list[0].Unread)
	}
	if err := s.LeaveConversation(ctx, bruno, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplyInConversation(ctx, bruno, c.ID, "Encore moi"); !errors.Is(err, ErrLeftConversation) {
		t.Errorf("reply after leaving: %v", err)
	}
	if _, err := s.ConversationFor(ctx, bruno, c.ID, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("read after leaving: %v", err)
	}
	if _, err := s.ReplyInConversation(ctx, mod, c.ID, "Je m’invite"); !errors.Is(err, ErrNotFound) {
		t.Errorf("reply by an outsider: %v", err)
	}
}

func TestMessageNotificationsGroupPerConversation(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	if err := s.RegisterNotifier(ctx); err != nil {
		t.Fatal(err)
	}
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	claire := mustCreateMember(t, s, "claire", RoleMember)
	c := mustStartConversation(t, s, alice, "bruno, claire", "Atelier", "Premier message.")
	if _, err := s.NotifyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlocked(ctx, claire, alice, true); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, err := s.ReplyInConversation(ctx, alice, c.ID, "Encore un message."); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.NotifyPending(ctx); err != nil {
		t.Fatal(err)
	}
	groups, err := s.Notifications(ctx, bruno, false)
	if err != nil || len(groups) != 1 || len(groups[0].Items) != 1 {
		t.Fatalf("bruno's notifications: %+v, %v", groups, err)
	}
	n := groups[0].Items[0]
	if n.Count != 5 || n.Text() != "5 nouveaux messages, le dernier de alice" || n.Path != "/messages/"+itoa64(c.ID)+"#message-5" {
		t.Errorf("notification: count %d, %q, %q", n.Count, n.Text(), n.Path)
	}
	// claire blocked alice after the first message: told of that one only.
	if g, _ := s.Notifications(ctx, claire, false); len(g) != 1 || g[0].Items[0].Count != 1 {
		t.Errorf("claire's notifications: %+v", g)
	}
	if g, _ := s.Notifications(ctx, alice, false); len(g) != 0 {
		t.Errorf("alice is told of her own messages: %+v", g)
	}
	if err := s.MarkConversationRead(ctx, bruno, c.ID, 5); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.UnreadNotifications(ctx, bruno); n != 0 {
		t.Errorf("unread notifications after reading: %d", n)
	}
	if err := s.LeaveConversation(ctx, claire, c.ID); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Notifications(ctx, claire, false); len(g) != 0 {
		t.Errorf("claire left but is still told: %+v", g)
	}
}

func TestReportedMessageIsReadAloneByModerators(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	c := mustStartConversation(t, s, alice, "bruno", "Objet privé", "Un message correct.")
	bad, err := s.ReplyInConversation(ctx, alice, c.ID, "Un message insultant.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MessageByID(ctx, mod, bad.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("moderator reads an unreported message: %v", err)
	}
	flag := func(u *User, reason FlagReason, comment string) error {
		_, err := s.FlagContent(ctx, u, FlagInput{Type: FlagTargetMessage, ID: bad.ID, Reason: reason, Comment: comment})
		return err
	}
	wantValidation(t, flag(alice, FlagDisrespectful, "Le mien"), "reason")
	wantValidation(t, flag(bruno, FlagOther, ""), "comment")
	if err := flag(mod, FlagDisrespectful, "Je ne suis pas dedans"); !errors.Is(err, ErrNotFound) {
		t.Errorf("report by an outsider: %v", err)
	}
	if err := flag(bruno, FlagDisrespectful, "Propos insultants."); err != nil {
		t.Fatal(err)
	}
	wantValidation(t, flag(bruno, FlagSpam, "Encore"), "reason")
	queue, err := s.ModerationQueue(ctx, mod)
	if err != nil || len(queue) != 1 || queue[0].Target.Body != "Un message insultant." || queue[0].Flags[0].FlaggerPseudo != "bruno" {
		t.Fatalf("queue: %+v, %v", queue, err)
	}
	if queue[0].Target.Title != "" || queue[0].Context != nil {
		t.Errorf("the queue shows more of the conversation than the message: %+v", queue[0])
	}
	if _, err := s.MessageByID(ctx, mod, bad.ID); err != nil {
		t.Errorf("moderator cannot read the reported message: %v", err)
	}
	if _, err := s.ConversationFor(ctx, mod, c.ID, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("moderator reads the conversation of a reported message: %v", err)
	}
	if _, err := s.ModerationQueue(ctx, bruno); !errors.Is(err, ErrForbidden) {
		t.Errorf("member reads the queue: %v", err)
	}
	if _, err := s.Decide(ctx, mod, DecisionInput{TargetType: FlagTargetMessage, TargetID: bad.ID, Action: ActionKeep}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MessageByID(ctx, mod, bad.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("moderator still reads a handled report: %v", err)
	}
}

func TestBlockRules(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	wantValidation(t, s.SetBlocked(ctx, alice, alice, true), "block")
	wantValidation(t, s.SetBlocked(ctx, alice, mod, true), "block")
	if err := s.SetBlocked(ctx, alice, bruno, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlocked(ctx, alice, bruno, true); err != nil {
		t.Fatalf("blocking twice: %v", err)
	}
	if bs, _ := s.BlockedMembers(ctx, alice); len(bs) != 1 || bs[0].Pseudo != "bruno" {
		t.Errorf("blocked: %+v", bs)
	}
	if err := s.SetBlocked(ctx, alice, bruno, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.HasBlocked(ctx, alice, bruno.ID); ok {
		t.Error("still blocked")
	}
}

func TestMessageDrafts(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	if err := s.SaveDraft(ctx, alice, Draft{Place: DraftNewMessage, Title: "Objet", Body: "Début",
		Fields: DraftFields{Participants: "bruno"}}); err != nil {
		t.Fatal(err)
	}
	d, err := s.DraftAt(ctx, alice, DraftNewMessage)
	if err != nil || d.Fields.Participants != "bruno" {
		t.Fatalf("draft: %+v, %v", d, err)
	}
	c := mustStartConversation(t, s, alice, "bruno", "Objet", "Début et fin")
	if _, err := s.DraftAt(ctx, alice, DraftNewMessage); !errors.Is(err, ErrNotFound) {
		t.Errorf("draft kept after sending: %v", err)
	}
	wantValidation(t, s.SaveDraft(ctx, bruno, Draft{Place: DraftMessageReply(c.ID + 1), Body: "x"}), "place")
	if err := s.SaveDraft(ctx, bruno, Draft{Place: DraftMessageReply(c.ID), Body: "Ma réponse"}); err != nil {
		t.Fatal(err)
	}
	ds, _ := s.Drafts(ctx, bruno)
	if len(ds) != 1 || ds[0].Where != "Objet" {
		t.Errorf("bruno's drafts: %+v", ds)
	}
	outsider := mustCreateMember(t, s, "claire", RoleMember)
	wantValidation(t, s.SaveDraft(ctx, outsider, Draft{Place: DraftMessageReply(c.ID), Body: "x"}), "place")
}
