package content

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
)

// The notifier applies a batch and moves its position in one transaction:
// a crash in the middle of a batch leaves no notification behind, and the
// next run — in a new process over the same database — writes each one
// exactly once.
func TestNotifierReplaysAfterACrashWithoutDuplicates(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	s := NewStore(db)
	if err := s.RegisterNotifier(ctx); err != nil {
		t.Fatal(err)
	}
	lea, karim, lucie := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember),
		mustCreateMember(t, s, "Lucie", RoleMember)
	tp := mustCreateTopic(t, s, lea, "Attestation CAF", "Où la trouver ?")
	mustReply(t, s, karim, tp.ID, "Dans Mon Compte, @Lucie le sait aussi.", 1)
	mustReply(t, s, lucie, tp.ID, "Oui, rubrique attestations.", 2)

	// The process stops after writing the first event's notifications,
	// before the batch commits.
	crash := errors.New("le processus s’arrête")
	_, err := s.events.Consume(ctx, NotifierConsumer, 500, func(tx *sqlx.Tx, events []Event) error {
		if _, err := s.notifyEvent(ctx, tx, events[0]); err != nil {
			return err
		}
		return crash
	})
	if !errors.Is(err, crash) {
		t.Fatalf("the crash: %v", err)
	}
	count := func() int {
		var n int
		if err := db.R.Get(&n, `SELECT count(*) FROM notifications`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("a crashed batch left %d notifications", n)
	}

	// A new process over the same file: everything once; a second run
	// adds nothing.
	restarted := NewStore(db)
	if err := restarted.RegisterNotifier(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := restarted.NotifyPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var rows []struct {
		Pseudo string `db:"pseudo"`
		Kind   string `db:"kind"`
		Count  int    `db:"count"`
	}
	if err := db.R.Select(&rows, `SELECT u.pseudo, n.kind, n.count FROM notifications n JOIN users u ON u.id = n.user_id
		ORDER BY u.pseudo, n.id`); err != nil {
		t.Fatal(err)
	}
	want := []string{"Karim reply 1", "Lea reply 1", "Lea topic_reply 1", "Lucie mention 1"}
	var got []string
	for _, r := range rows {
		got = append(got, r.Pseudo+" "+r.Kind+" "+itoa64(int64(r.Count)))
	}
	if len(got) != len(want) {
		t.Fatalf("after the replay: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("after the replay: %v, want %v", got, want)
			break
		}
	}
}
