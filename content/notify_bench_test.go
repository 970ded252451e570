package content

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkNotifyReplyFanOut applies one reply in a topic 2,000 members
// follow: the notifier writes 2,000 notifications in one transaction.
func BenchmarkNotifyReplyFanOut(b *testing.B) {
	ctx := context.Background()
	s := mustOpenStore(b)
	author := mustCreateMember(b, s, "auteur", RoleMember)
	t, err := s.CreateTopic(ctx, author, NewTopic{Title: "Une discussion très suivie", Body: "Texte.", Category: "demarches-en-ligne"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 2000 {
		if _, err := s.db.W.ExecContext(ctx, `INSERT INTO users (pseudo, pseudo_key, email, password_hash, role, created_at, updated_at)
			VALUES (?, ?, ?, 'x', 'member', ?, ?)`, fmt.Sprint("m", i), fmt.Sprint("m", i), fmt.Sprint("m", i, "@exemple.fr"), s.Now(), s.Now()); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO follows (user_id, target_type, target_id, created_at)
		SELECT id, 'topic', ?, ? FROM users WHERE pseudo LIKE 'm%'`, t.ID, s.Now()); err != nil {
		b.Fatal(err)
	}
	if err := s.RegisterNotifier(ctx); err != nil {
		b.Fatal(err)
	}
	replier := mustCreateMember(b, s, "repondeur", RoleMember)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if _, err := s.Reply(ctx, replier, t.ID, NewReply{Body: "Une réponse."}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		users, err := s.NotifyPending(ctx)
		if err != nil || len(users) < 2000 {
			b.Fatalf("%d notified, %v", len(users), err)
		}
	}
}
