package content

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// emitEvents writes n events in one transaction, as a store change would,
// and returns their IDs.
func emitEvents(t *testing.T, db *DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	tx, err := db.W.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var before int64
	if err := tx.GetContext(ctx, &before, `SELECT coalesce(max(id), 0) FROM outbox`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := Emit(ctx, tx, Event{Kind: EventCreated, EntityType: EntityTopic, EntityID: int64(1000 + i)}); err != nil {
			t.Fatalf("Emit: %v", err)
		}
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM outbox WHERE id > ? ORDER BY id`, before); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// applyTable creates the table where the test consumers apply events; the
// UNIQUE constraint turns an event applied twice into an error.
func applyTable(t *testing.T, db *DB) {
	t.Helper()
	if _, err := db.W.Exec(`CREATE TABLE applied (consumer TEXT NOT NULL, event_id INTEGER NOT NULL, UNIQUE (consumer, event_id))`); err != nil {
		t.Fatal(err)
	}
}

// applyInto is a consumer's apply function: one row per event, in tx.
func applyInto(name string) func(tx *sqlx.Tx, events []Event) error {
	return func(tx *sqlx.Tx, events []Event) error {
		for _, e := range events {
			if _, err := tx.Exec(`INSERT INTO applied (consumer, event_id) VALUES (?, ?)`, name, e.ID); err != nil {
				return err
			}
		}
		return nil
	}
}

// appliedIDs lists, in order, the events a consumer applied.
func appliedIDs(t *testing.T, db *DB, name string) []int64 {
	t.Helper()
	var ids []int64
	if err := db.R.Select(&ids, `SELECT event_id FROM applied WHERE consumer = ? ORDER BY event_id`, name); err != nil {
		t.Fatal(err)
	}
	return ids
}

func mustConsume(t *testing.T, o *Outbox, name string, limit int) int {
	t.Helper()
	n, err := o.Consume(context.Background(), name, limit, applyInto(name))
	if err != nil {
		t.Fatalf("Consume(%s): %v", name, err)
	}
	return n
}

// drain consumes until nothing is left and returns how many were applied.
func drain(t *testing.T, o *Outbox, name string, limit int) int {
	t.Helper()
	total := 0
	for i := 0; i < 1000; i++ {
		n := mustConsume(t, o, name, limit)
		if n == 0 {
			return total
		}
		if n > limit {
			t.Fatalf("Consume(%s, %d) applied %d events", name, limit, n)
		}
		total += n
	}
	t.Fatalf("Consume(%s) never ran dry", name)
	return total
}

func mustConsumers(t *testing.T, o *Outbox) map[string]int64 {
	t.Helper()
	cs, err := o.Consumers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func mustPrune(t *testing.T, o *Outbox) int64 {
	t.Helper()
	n, err := o.Prune(context.Background())
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	return n
}

// remaining returns the IDs of the events still in the stream.
func remaining(t *testing.T, o *Outbox) []int64 {
	t.Helper()
	es, err := o.After(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestConsumersKeepTheirOwnCursors(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	s := NewStore(db)
	o := s.Events()
	applyTable(t, db)

	for _, name := range []string{"rapide", "lent"} {
		if c, err := o.Register(ctx, name, 0); err != nil || c != 0 {
			t.Fatalf("Register(%s) = %d, %v", name, c, err)
		}
	}
	first := emitEvents(t, db, 10)

	// "rapide" keeps up, in batches of 4; "lent" applies 3 and stops.
	if n := drain(t, o, "rapide", 4); n != 10 {
		t.Fatalf("rapide applied %d events, want 10", n)
	}
	if n := mustConsume(t, o, "lent", 3); n != 3 {
		t.Fatalf("lent applied %d events, want 3", n)
	}
	cs := mustConsumers(t, o)
	if cs["rapide"] != first[9] || cs["lent"] != first[2] || len(cs) != 2 {
		t.Fatalf("consumers = %v, want rapide at %d, lent at %d", cs, first[9], first[2])
	}

	// A crash after applying a batch but before the position is saved: the
	// rows written by apply roll back with it, and the position stays.
	crash := errors.New("le processus s’arrête")
	n, err := o.Consume(ctx, "lent", 5, func(tx *sqlx.Tx, events []Event) error {
		if err := applyInto("lent")(tx, events); err != nil {
			return err
		}
		return crash
	})
	if !errors.Is(err, crash) || n != 0 {
		t.Fatalf("Consume with a failing apply = %d, %v; want 0, the apply error", n, err)
	}
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("apply's panic did not reach the caller")
			}
		}()
		o.Consume(ctx, "lent", 5, func(tx *sqlx.Tx, events []Event) error {
			if err := applyInto("lent")(tx, events); err != nil {
				return err
			}
			panic("apply panics mid-batch")
		})
	}()
	if got := appliedIDs(t, db, "lent"); !equalIDs(got, first[:3]) {
		t.Fatalf("after the crashes lent has applied %v, want %v", got, first[:3])
	}
	if cs := mustConsumers(t, o); cs["lent"] != first[2] || cs["rapide"] != first[9] {
		t.Fatalf("crashes moved a position: %v", cs)
	}

	// Both resume, with more events written meanwhile.
	more := emitEvents(t, db, 5)
	all := append(append([]int64{}, first...), more...)
	if n := drain(t, o, "lent", 4); n != 12 {
		t.Errorf("lent applied %d more events, want 12", n)
	}
	if n := drain(t, o, "rapide", 100); n != 5 {
		t.Errorf("rapide applied %d more events, want 5", n)
	}
	for _, name := range []string{"rapide", "lent"} {
		if got := appliedIDs(t, db, name); !equalIDs(got, all) {
			t.Errorf("%s applied %v, want each of %v exactly once", name, got, all)
		}
	}
	head, err := o.Head(ctx)
	if err != nil || head != all[len(all)-1] {
		t.Fatalf("Head = %d, %v; want %d", head, err, all[len(all)-1])
	}
	if cs := mustConsumers(t, o); cs["rapide"] != head || cs["lent"] != head {
		t.Errorf("positions at the end = %v, want both at %d", cs, head)
	}

	// An unknown consumer cannot consume.
	if _, err := o.Consume(ctx, "inconnu", 10, applyInto("inconnu")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Consume of an unregistered consumer: err = %v, want ErrNotFound", err)
	}
	// Registering again keeps the position.
	if c, err := o.Register(ctx, "lent", 0); err != nil || c != head {
		t.Errorf("Register of an existing consumer = %d, %v; want its position %d", c, err, head)
	}
	// A consumer registered later starts where it is told to.
	if c, err := o.Register(ctx, "tardif", head-2); err != nil || c != head-2 {
		t.Fatalf("Register(tardif) = %d, %v", c, err)
	}
	if n := drain(t, o, "tardif", 10); n != 2 {
		t.Errorf("tardif applied %d events, want the 2 after its starting point", n)
	}
}

func TestEventsKeepTheirData(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	o := NewStore(db).Events()
	at := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	tx, err := db.W.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := Event{Kind: EventMentioned, EntityType: EntityPost, EntityID: 7, ParentType: EntityTopic, ParentID: 3,
		Data: EventData{Mentioned: []int64{4, 9}, Number: 2}, CreatedAt: at}
	if err := Emit(ctx, tx, in); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	es, err := o.After(ctx, 0, 10)
	if err != nil || len(es) != 1 {
		t.Fatalf("After = %v, %v", es, err)
	}
	e := es[0]
	if e.Kind != in.Kind || e.EntityType != in.EntityType || e.EntityID != 7 || e.ParentType != EntityTopic || e.ParentID != 3 ||
		e.ActorID != 0 || !equalIDs(e.Data.Mentioned, []int64{4, 9}) || e.Data.Number != 2 || !e.CreatedAt.Equal(at) {
		t.Errorf("event read back = %+v, want %+v", e, in)
	}
	// A rolled-back transaction leaves no event.
	tx, err = db.W.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Emit(ctx, tx, Event{Kind: EventEdited, EntityType: EntityPost, EntityID: 7}); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if h, err := o.Head(ctx); err != nil || h != e.ID {
		t.Errorf("Head after a rollback = %d, %v; want %d", h, err, e.ID)
	}
}

func TestPruneKeepsWhatTheSlowestConsumerNeeds(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	o := NewStore(db).Events()
	applyTable(t, db)

	ids := emitEvents(t, db, 10)
	// With no consumer, nothing goes: the first one may still need it all.
	if n := mustPrune(t, o); n != 0 {
		t.Fatalf("Prune with no consumer deleted %d events", n)
	}
	if got := remaining(t, o); !equalIDs(got, ids) {
		t.Fatalf("events after Prune with no consumer = %v", got)
	}

	for _, name := range []string{"rapide", "lent"} {
		if _, err := o.Register(ctx, name, 0); err != nil {
			t.Fatal(err)
		}
	}
	if n := mustPrune(t, o); n != 0 {
		t.Fatalf("Prune with consumers at 0 deleted %d events", n)
	}
	drain(t, o, "rapide", 100)
	mustConsume(t, o, "lent", 3)

	if n := mustPrune(t, o); n != 3 {
		t.Errorf("Prune deleted %d events, want the 3 lent applied", n)
	}
	if got := remaining(t, o); !equalIDs(got, ids[3:]) {
		t.Errorf("events after Prune = %v, want %v", got, ids[3:])
	}
	if h, err := o.Head(ctx); err != nil || h != ids[9] {
		t.Errorf("Head after Prune = %d, %v; want %d", h, err, ids[9])
	}
	if n := mustPrune(t, o); n != 0 {
		t.Errorf("second Prune deleted %d events", n)
	}
	// The lagging consumer still finds every event it has not applied.
	mustConsume(t, o, "lent", 4)
	if got := appliedIDs(t, db, "lent"); !equalIDs(got, ids[:7]) {
		t.Errorf("lent applied %v, want %v", got, ids[:7])
	}
	if n := mustPrune(t, o); n != 4 {
		t.Errorf("Prune deleted %d events, want 4", n)
	}

	// New events; rapide applies two of them.
	more := emitEvents(t, db, 5)
	mustConsume(t, o, "rapide", 2)
	if n := mustPrune(t, o); n != 0 {
		t.Errorf("Prune deleted %d events while lent holds them", n)
	}
	// Releasing the lagging consumer lets Prune go up to the next slowest.
	if err := o.Release(ctx, "lent"); err != nil {
		t.Fatal(err)
	}
	if cs := mustConsumers(t, o); len(cs) != 1 || cs["rapide"] != more[1] {
		t.Errorf("consumers after Release = %v", cs)
	}
	if n := mustPrune(t, o); n != 5 {
		t.Errorf("Prune after Release deleted %d events, want 5 (%d..%d)", n, ids[7], more[1])
	}
	if got := remaining(t, o); !equalIDs(got, more[2:]) {
		t.Errorf("events after Release and Prune = %v, want %v", got, more[2:])
	}
	if h, err := o.Head(ctx); err != nil || h != more[4] {
		t.Errorf("Head = %d, %v; want %d", h, err, more[4])
	}
	drain(t, o, "rapide", 100)
	if got := appliedIDs(t, db, "rapide"); !equalIDs(got, append(append([]int64{}, ids...), more...)) {
		t.Errorf("rapide applied %v", got)
	}
}

// Once every consumer has caught up, Prune may empty the stream; the events
// written afterwards must still come after every consumer's position (SQLite
// numbers a row after the highest one left), or they would be silently
// skipped by the search index and the live updates.
func TestEventsAfterAFullPruneAreNotSkipped(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	o := NewStore(db).Events()
	applyTable(t, db)
	if _, err := o.Register(ctx, "indexeur", 0); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		ids := emitEvents(t, db, 5)
		last := ids[len(ids)-1]
		if n := drain(t, o, "indexeur", 100); n != 5 {
			t.Fatalf("round %d: consumer applied %d events, want 5", round, n)
		}
		n := mustPrune(t, o)
		if n < 4 {
			t.Errorf("round %d: Prune deleted %d events, want at least the 4 before the last", round, n)
		}
		if got := remaining(t, o); len(got) > 1 || (len(got) == 1 && got[0] != last) {
			t.Errorf("round %d: events left after a full prune = %v", round, got)
		}
		if h, err := o.Head(ctx); err != nil || h < last {
			t.Errorf("round %d: Head after pruning = %d, %v; want at least %d (the last event written)", round, h, err, last)
		}
		next := emitEvents(t, db, 1)
		if next[0] <= last {
			t.Errorf("round %d: event written after a full prune got ID %d, reusing the IDs of pruned events (last was %d)", round, next[0], last)
		}
		if n := drain(t, o, "indexeur", 100); n != 1 {
			t.Errorf("round %d: consumer applied %d of the events written after a full prune, want 1", round, n)
		}
		if got, want := appliedIDs(t, db, "indexeur"), (round+1)*6; len(got) != want {
			t.Errorf("round %d: consumer applied %d events in all, want %d", round, len(got), want)
		}
	}
}

func TestAckKeepsAnExternalPosition(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	o := NewStore(db).Events()
	ids := emitEvents(t, db, 6)

	if err := o.Ack(ctx, "recherche", ids[4]); err != nil {
		t.Fatal(err)
	}
	if cs := mustConsumers(t, o); cs["recherche"] != ids[4] {
		t.Fatalf("Ack did not register: %v", cs)
	}
	// Such a consumer may start again from an older state: its position goes back.
	if err := o.Ack(ctx, "recherche", ids[1]); err != nil {
		t.Fatal(err)
	}
	if cs := mustConsumers(t, o); cs["recherche"] != ids[1] {
		t.Fatalf("Ack back to %d: consumers = %v", ids[1], cs)
	}
	// Register does not override a position set by Ack.
	if c, err := o.Register(ctx, "recherche", ids[5]); err != nil || c != ids[1] {
		t.Errorf("Register after Ack = %d, %v; want %d", c, err, ids[1])
	}
	if n := mustPrune(t, o); n != 2 {
		t.Errorf("Prune deleted %d events, want the 2 at or below the acked position", n)
	}
	if got := remaining(t, o); !equalIDs(got, ids[2:]) {
		t.Errorf("events after Prune = %v, want %v", got, ids[2:])
	}
	// It reads on with After, from its own position.
	es, err := o.After(ctx, ids[1], 2)
	if err != nil || len(es) != 2 || es[0].ID != ids[2] || es[1].ID != ids[3] {
		t.Errorf("After(%d, 2) = %+v, %v", ids[1], es, err)
	}
	if err := o.Ack(ctx, "recherche", ids[4]); err != nil {
		t.Fatal(err)
	}
	if n := mustPrune(t, o); n != 3 {
		t.Errorf("Prune after acking up to %d deleted %d events, want 3", ids[4], n)
	}
	if got := remaining(t, o); !equalIDs(got, ids[5:]) {
		t.Errorf("events after Prune = %v, want %v", got, ids[5:])
	}
}

func TestChangedIsClosedAfterACommit(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	o := s.Events()
	head, err := o.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}

	ch := o.Changed()
	isClosed := func() bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	if isClosed() {
		t.Fatal("Changed is closed before any write")
	}
	if o.Changed() != ch {
		t.Error("Changed returned another channel with no commit in between")
	}
	// Refused writes commit nothing: invalid input, and a transaction rolled back.
	if _, err := s.CreateTopic(ctx, alice, NewTopic{Title: "", Body: "", Category: "demarches-en-ligne"}); err == nil {
		t.Fatal("empty topic accepted")
	}
	if _, err := s.Reply(ctx, alice, 9999, NewReply{Body: "Nulle part."}); err == nil {
		t.Fatal("reply to a missing topic accepted")
	}
	if isClosed() {
		t.Fatal("Changed is closed after writes that committed nothing")
	}

	tp, err := s.CreateTopic(ctx, alice, NewTopic{Title: "Dossier CAF bloqué", Body: "Le dossier ne passe pas.", Category: "demarches-en-ligne"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("Changed not closed after CreateTopic committed")
	}
	// What the commit emitted is readable once the channel is closed.
	es, err := o.After(ctx, head, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(findEvents(es, EventCreated, EntityTopic, tp.ID)) != 1 {
		t.Errorf("events readable after the wake-up: %+v", es)
	}
	// The next channel waits for the next commit.
	next := o.Changed()
	if next == ch {
		t.Fatal("Changed returned the closed channel again")
	}
	select {
	case <-next:
		t.Fatal("the new Changed channel is already closed")
	default:
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-next:
		case <-time.After(5 * time.Second):
			t.Error("a waiting consumer was not woken by Reply")
		}
	}()
	mustReply(t, s, alice, tp.ID, "Je relance.", 0)
	<-done
}
