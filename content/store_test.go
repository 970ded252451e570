package content

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testPassword satisfies PasswordProblem for every pseudo used in tests.
const testPassword = "une phrase tranquille pour les essais"

// mustOpenDB opens a fresh SQLite file (never :memory:: the writer and the
// readers are separate pools, as in production) with every migration applied.
func mustOpenDB(t testing.TB) *DB {
	t.Helper()
	db, err := OpenDB(context.Background(), filepath.Join(t.TempDir(), "ligue.db"))
	if err != nil {
		t.Fatalf("OpenDB: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close db: %v", err)
		}
	})
	return db
}

// mustOpenStore returns a store over a fresh database file.
func mustOpenStore(t testing.TB) *Store {
	t.Helper()
	return NewStore(mustOpenDB(t))
}

// mustCreateMember creates a verified account with the given role.
func mustCreateMember(t testing.TB, s *Store, pseudo string, role Role) *User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), NewUser{Pseudo: pseudo, Email: strings.ToLower(pseudo) + "@exemple.fr",
		Password: testPassword, Role: role, Verified: true, Vouched: true}, nil)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", pseudo, err)
	}
	return u
}

// mustCreateTopic starts a discussion in "demarches-en-ligne".
func mustCreateTopic(t *testing.T, s *Store, author *User, title, body string) *Topic {
	t.Helper()
	tp, err := s.CreateTopic(context.Background(), author, NewTopic{Title: title, Body: body, Category: "demarches-en-ligne"})
	if err != nil {
		t.Fatalf("CreateTopic(%q): %v", title, err)
	}
	return tp
}

func mustReply(t *testing.T, s *Store, author *User, topicID int64, body string, replyTo int) *Post {
	t.Helper()
	p, err := s.Reply(context.Background(), author, topicID, NewReply{Body: body, ReplyTo: replyTo})
	if err != nil {
		t.Fatalf("Reply(%q): %v", body, err)
	}
	return p
}

func mustTopic(t *testing.T, s *Store, id int64) *Topic {
	t.Helper()
	tp, err := s.TopicByID(context.Background(), nil, id)
	if err != nil {
		t.Fatalf("TopicByID(%d): %v", id, err)
	}
	return tp
}

func mustPost(t *testing.T, s *Store, viewer *User, topicID int64, n int) *Post {
	t.Helper()
	p, err := s.PostByNumber(context.Background(), viewer, topicID, n)
	if err != nil {
		t.Fatalf("PostByNumber(%d, %d): %v", topicID, n, err)
	}
	return p
}

func mustHead(t *testing.T, s *Store) int64 {
	t.Helper()
	h, err := s.Events().Head(context.Background())
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h
}

// eventsAfter returns every event after cursor.
func eventsAfter(t *testing.T, s *Store, cursor int64) []Event {
	t.Helper()
	es, err := s.Events().After(context.Background(), cursor, 10000)
	if err != nil {
		t.Fatalf("After(%d): %v", cursor, err)
	}
	return es
}

// findEvents keeps the events of one kind about one entity.
func findEvents(es []Event, kind EventKind, entityType string, entityID int64) []Event {
	var out []Event
	for _, e := range es {
		if e.Kind == kind && e.EntityType == entityType && e.EntityID == entityID {
			out = append(out, e)
		}
	}
	return out
}

// wantValidation checks err is a *ValidationError with a message on field.
func wantValidation(t *testing.T, err error, field string) string {
	t.Helper()
	v, ok := AsValidation(err)
	if !ok {
		t.Fatalf("err = %v, want a ValidationError on %q", err, field)
	}
	msg := v.Get(field)
	if msg == "" {
		t.Fatalf("ValidationError %v has no message on %q", v, field)
	}
	return msg
}

func TestReplyNumbersPostsAndUpdatesCounters(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bob := mustCreateMember(t, s, "bob_42", RoleMember)
	carol := mustCreateMember(t, s, "Carole", RoleMember)
	tp := mustCreateTopic(t, s, alice, "Dossier CAF bloqué", "Le dossier ne passe pas depuis une semaine.")

	p2 := mustReply(t, s, bob, tp.ID, "Avez-vous essayé de vider le cache ?", 1)
	p3 := mustReply(t, s, carol, tp.ID, "Ça a marché pour moi aussi.", 2)
	p4 := mustReply(t, s, alice, tp.ID, "Merci à tous.", 0)
	if p2.Number != 2 || p3.Number != 3 || p4.Number != 4 {
		t.Fatalf("numbers = %d, %d, %d; want 2, 3, 4", p2.Number, p3.Number, p4.Number)
	}
	got := mustTopic(t, s, tp.ID)
	if got.PostCount != 4 || got.LastNumber != 4 || got.Replies() != 3 {
		t.Errorf("topic post_count=%d last_number=%d replies=%d; want 4, 4, 3", got.PostCount, got.LastNumber, got.Replies())
	}
	if !got.LastPosterPseudo.Valid || got.LastPosterPseudo.String != "alice" {
		t.Errorf("last poster = %v, want alice", got.LastPosterPseudo)
	}

	posts, err := s.AllPosts(ctx, nil, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, p := range posts {
		numbers = append(numbers, p.Number)
	}
	if !slices.Equal(numbers, []int{1, 2, 3, 4}) {
		t.Errorf("posts in order %v, want [1 2 3 4]", numbers)
	}
	// reply_to and the answered post's reply count.
	if r := mustPost(t, s, nil, tp.ID, 2); r.ReplyTo == nil || *r.ReplyTo != 1 {
		t.Errorf("post 2 reply_to = %v, want 1", r.ReplyTo)
	}
	if r := mustPost(t, s, nil, tp.ID, 3); r.ReplyTo == nil || *r.ReplyTo != 2 || r.ReplyToPseudo.String != "bob_42" {
		t.Errorf("post 3 reply_to = %v (%v), want 2 (bob_42)", r.ReplyTo, r.ReplyToPseudo)
	}
	if r := mustPost(t, s, nil, tp.ID, 4); r.ReplyTo != nil {
		t.Errorf("post 4 reply_to = %v, want none", *r.ReplyTo)
	}
	for n, want := range map[int]int{1: 1, 2: 1, 3: 0, 4: 0} {
		if p := mustPost(t, s, nil, tp.ID, n); p.ReplyCount != want {
			t.Errorf("post %d reply_count = %d, want %d", n, p.ReplyCount, want)
		}
	}
}

func TestReplyRefusals(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bob := mustCreateMember(t, s, "bob_42", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	tp := mustCreateTopic(t, s, alice, "Dossier CAF bloqué", "Le dossier ne passe pas.")
	mustReply(t, s, bob, tp.ID, "Deuxième message.", 1)
	mustReply(t, s, bob, tp.ID, "Troisième message.", 0)
	other := mustCreateTopic(t, s, alice, "Rendez-vous ANTS", "Plus de créneaux disponibles.")

	unchanged := func(id int64, count int) {
		t.Helper()
		if got := mustTopic(t, s, id); got.PostCount != count || got.LastNumber != count {
			t.Errorf("topic %d post_count=%d last_number=%d after a refused reply, want %d", id, got.PostCount, got.LastNumber, count)
		}
	}

	t.Run("reply_to missing from the topic", func(t *testing.T) {
		head := mustHead(t, s)
		// Post 3 exists in tp, not in other.
		_, err := s.Reply(ctx, bob, other.ID, NewReply{Body: "Réponse égarée.", ReplyTo: 3})
		wantValidation(t, err, "reply_to")
		_, err = s.Reply(ctx, bob, tp.ID, NewReply{Body: "Réponse égarée.", ReplyTo: 99})
		wantValidation(t, err, "reply_to")
		unchanged(other.ID, 1)
		unchanged(tp.ID, 3)
		if p := mustPost(t, s, nil, tp.ID, 3); p.ReplyCount != 0 {
			t.Errorf("post 3 of tp got reply_count %d from a reply in another topic", p.ReplyCount)
		}
		if h := mustHead(t, s); h != head {
			t.Errorf("a refused reply wrote events: head %d → %d", head, h)
		}
	})

	t.Run("locked topic", func(t *testing.T) {
		locked := true
		if err := s.ModerateTopic(ctx, mod, other.ID, TopicUpdate{Locked: &locked}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Reply(ctx, bob, other.ID, NewReply{Body: "Trop tard ?"})
		msg := wantValidation(t, err, "body")
		if !strings.Contains(msg, "fermée") {
			t.Errorf("locked message %q is not the French explanation", msg)
		}
		unchanged(other.ID, 1)
		unlocked := false
		if err := s.ModerateTopic(ctx, mod, other.ID, TopicUpdate{Locked: &unlocked}); err != nil {
			t.Fatal(err)
		}
		mustReply(t, s, bob, other.ID, "Rouvert, je peux répondre.", 0)
	})

	t.Run("merged topic", func(t *testing.T) {
		src := mustCreateTopic(t, s, alice, "Doublon CAF bloqué", "Même problème.")
		if err := s.MergeTopic(ctx, mod, src.ID, tp.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.Reply(ctx, bob, src.ID, NewReply{Body: "Dans le doublon."})
		msg := wantValidation(t, err, "body")
		if !strings.Contains(msg, "fusionnée") {
			t.Errorf("merged message %q is not the French explanation", msg)
		}
		if got := mustTopic(t, s, src.ID); got.PostCount != 0 {
			t.Errorf("merged topic post_count = %d, want 0", got.PostCount)
		}
	})

	t.Run("unverified author", func(t *testing.T) {
		u, err := s.CreateUser(ctx, NewUser{Pseudo: "nouveau", Email: "nouveau@exemple.fr", Password: testPassword}, nil)
		if err != nil {
			t.Fatal(err)
		}
		head := mustHead(t, s)
		if _, err := s.Reply(ctx, u, tp.ID, NewReply{Body: "Bonjour !"}); !errors.Is(err, ErrUnverified) {
			t.Errorf("unverified reply: err = %v, want ErrUnverified", err)
		}
		if h := mustHead(t, s); h != head {
			t.Errorf("a refused reply wrote events: head %d → %d", head, h)
		}
	})

	t.Run("nil user", func(t *testing.T) {
		if _, err := s.Reply(ctx, nil, tp.ID, NewReply{Body: "Visiteur."}); !errors.Is(err, ErrForbidden) {
			t.Errorf("visitor reply: err = %v, want ErrForbidden", err)
		}
	})

	t.Run("missing topic and empty body", func(t *testing.T) {
		if _, err := s.Reply(ctx, bob, 9999, NewReply{Body: "Nulle part."}); !errors.Is(err, ErrNotFound) {
			t.Errorf("reply to a missing topic: err = %v, want ErrNotFound", err)
		}
		_, err := s.Reply(ctx, bob, tp.ID, NewReply{Body: "  \n "})
		wantValidation(t, err, "body")
	})
	unchanged(tp.ID, 4) // 3 + the merged opening post
}

func TestReplyDeletesDraftFollowsAndWritesEvents(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bob := mustCreateMember(t, s, "bob_42", RoleMember)
	carol := mustCreateMember(t, s, "Carole", RoleMember)
	tp := mustCreateTopic(t, s, alice, "Dossier CAF bloqué", "Le dossier ne passe pas.")

	// Bob saved a draft of his answer; Carol one of hers.
	for _, u := range []*User{bob, carol} {
		if err := s.SaveDraft(ctx, u, Draft{Place: DraftReply(tp.ID), Body: "Brouillon de " + u.Pseudo}); err != nil {
			t.Fatalf("SaveDraft: %v", err)
		}
	}
	if d, err := s.DraftAt(ctx, bob, DraftReply(tp.ID)); err != nil || d.Body != "Brouillon de bob_42" {
		t.Fatalf("DraftAt before reply = %v, %v", d, err)
	}
	if f, err := s.WatchLevelOf(ctx, bob, FollowTopic, tp.ID); err != nil || f != WatchNormal {
		t.Fatalf("bob follows before replying: %v, %v", f, err)
	}

	head := mustHead(t, s)
	p := mustReply(t, s, bob, tp.ID, "Demandez à @carole (elle connaît) et pas à @personne.", 1)

	if _, err := s.DraftAt(ctx, bob, DraftReply(tp.ID)); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob's reply draft after publishing: err = %v, want ErrNotFound", err)
	}
	if d, err := s.DraftAt(ctx, carol, DraftReply(tp.ID)); err != nil || d.Body != "Brouillon de Carole" {
		t.Errorf("carol's draft was touched by bob's reply: %v, %v", d, err)
	}
	if f, err := s.WatchLevelOf(ctx, bob, FollowTopic, tp.ID); err != nil || f != Watching {
		t.Errorf("bob does not follow the topic he answered: %v, %v", f, err)
	}
	// The reply marks the topic read for its author.
	if got, err := s.TopicByID(ctx, bob, tp.ID); err != nil || got.Unread != 0 || got.ReadUpTo != 2 {
		t.Errorf("bob's read mark: %+v, %v", got, err)
	}
	if !strings.Contains(string(p.HTML), `href="/membres/Carole"`) {
		t.Errorf("mention not linked: %s", p.HTML)
	}

	es := eventsAfter(t, s, head)
	created := findEvents(es, EventCreated, EntityPost, p.ID)
	if len(created) != 1 {
		t.Fatalf("created events for the reply: %+v", es)
	}
	if e := created[0]; e.ParentType != EntityTopic || e.ParentID != tp.ID || e.ActorID != bob.ID || e.Data.Number != 2 {
		t.Errorf("created event = %+v, want parent topic %d, actor %d, number 2", e, tp.ID, bob.ID)
	}
	mentioned := findEvents(es, EventMentioned, EntityPost, p.ID)
	if len(mentioned) != 1 {
		t.Fatalf("mentioned events for the reply: %+v", es)
	}
	if e := mentioned[0]; !slices.Equal(e.Data.Mentioned, []int64{carol.ID}) || e.ParentID != tp.ID || e.ActorID != bob.ID {
		t.Errorf("mentioned event = %+v, want [%d] in topic %d by %d", e, carol.ID, tp.ID, bob.ID)
	}
	if len(es) != 2 {
		t.Errorf("reply wrote %d events, want 2: %+v", len(es), es)
	}

	// Without a mention, no "mentioned" event.
	head = mustHead(t, s)
	q := mustReply(t, s, carol, tp.ID, "Bonjour, bob_42 a raison.", 0)
	es = eventsAfter(t, s, head)
	if len(es) != 1 || es[0].Kind != EventCreated || es[0].EntityID != q.ID {
		t.Errorf("events of a reply without mention: %+v", es)
	}
}

func TestEditPostKeepsVersions(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bob := mustCreateMember(t, s, "bob_42", RoleMember)
	tp := mustCreateTopic(t, s, alice, "Dossier CAF bloqué", "Le dossier ne passe pas.")
	p := mustReply(t, s, bob, tp.ID, "Premier jet.", 0)

	edited, err := s.EditPost(ctx, bob, p.ID, "Version\ncorrigée.")
	if err != nil {
		t.Fatal(err)
	}
	if edited.Body != "Version\ncorrigée." || edited.EditedAt == nil {
		t.Errorf("edited post = %q, edited_at %v", edited.Body, edited.EditedAt)
	}
	vs, err := s.PostHistory(ctx, alice, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Body != "Premier jet." || vs[1].Body != "Version\ncorrigée." {
		t.Fatalf("history = %+v, want old then new", vs)
	}
	if vs[1].CreatedAt.Before(vs[0].CreatedAt) {
		t.Errorf("history dates out of order: %v then %v", vs[0].CreatedAt, vs[1].CreatedAt)
	}
	if !strings.Contains(string(vs[0].HTML), "Premier jet.") {
		t.Errorf("old version HTML = %q", vs[0].HTML)
	}

	// The same text again changes nothing: no version, no event (a browser
	// sends line breaks as \r\n).
	head := mustHead(t, s)
	for _, same := range []string{"Version\ncorrigée.", "Version\r\ncorrigée."} {
		got, err := s.EditPost(ctx, bob, p.ID, same)
		if err != nil {
			t.Fatal(err)
		}
		if got.Body != "Version\ncorrigée." {
			t.Errorf("no-op edit returned body %q", got.Body)
		}
	}
	if h := mustHead(t, s); h != head {
		t.Errorf("a no-op edit wrote events: head %d → %d", head, h)
	}
	if vs, _ := s.PostHistory(ctx, alice, p.ID); len(vs) != 2 {
		t.Errorf("a no-op edit wrote a version: %d versions", len(vs))
	}

	// A real edit writes one "edited" event.
	if _, err := s.EditPost(ctx, bob, p.ID, "Troisième version."); err != nil {
		t.Fatal(err)
	}
	es := eventsAfter(t, s, head)
	if len(es) != 1 || es[0].Kind != EventEdited || es[0].EntityID != p.ID || es[0].ParentID != tp.ID || es[0].ActorID != bob.ID {
		t.Errorf("events of an edit: %+v", es)
	}
	if vs, _ := s.PostHistory(ctx, alice, p.ID); len(vs) != 3 || vs[2].Body != "Troisième version." {
		t.Errorf("history after a second edit: %+v", vs)
	}

	// Somebody else's post is not theirs to edit.
	if _, err := s.EditPost(ctx, alice, p.ID, "Réécrit par alice."); !errors.Is(err, ErrForbidden) {
		t.Errorf("alice editing bob's post: err = %v, want ErrForbidden", err)
	}
	if _, err := s.EditPost(ctx, nil, p.ID, "Visiteur."); !errors.Is(err, ErrForbidden) {
		t.Errorf("visitor editing: err = %v, want ErrForbidden", err)
	}
	_, err = s.EditPost(ctx, bob, p.ID, "   ")
	wantValidation(t, err, "body")
}

func TestEditPostPermissionsOnHiddenAndWithdrawnPosts(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bob := mustCreateMember(t, s, "bob_42", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	tp := mustCreateTopic(t, s, alice, "Dossier CAF bloqué", "Le dossier ne passe pas.")
	hidden := mustReply(t, s, bob, tp.ID, "Propos déplacés.", 0)
	withdrawn := mustReply(t, s, bob, tp.ID, "Je retire ce message.", 0)

	if err := s.SetPostHidden(ctx, mod, hidden.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditPost(ctx, bob, hidden.ID, "Je corrige en douce."); !errors.Is(err, ErrForbidden) {
		t.Errorf("author editing their hidden post: err = %v, want ErrForbidden", err)
	}
	got, err := s.EditPost(ctx, mod, hidden.ID, "Message modéré.")
	if err != nil {
		t.Fatalf("moderator editing a hidden post: %v", err)
	}
	if got.Body != "Message modéré." {
		t.Errorf("moderated body = %q", got.Body)
	}
	if vs, err := s.PostHistory(ctx, mod, hidden.ID); err != nil || len(vs) != 2 || vs[0].Body != "Propos déplacés." {
		t.Errorf("moderator sees history %+v, %v", vs, err)
	}
	if _, err := s.PostHistory(ctx, alice, hidden.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("another member reading a hidden post's history: err = %v, want ErrForbidden", err)
	}
	// A moderator's edit is logged.
	var logged int
	if err := s.db.R.GetContext(ctx, &logged, `SELECT count(*) FROM audit_log WHERE action = 'edit_post' AND target_id = ? AND actor_id = ?`,
		hidden.ID, mod.ID); err != nil || logged != 1 {
		t.Errorf("audit of the moderator's edit: %d rows, %v", logged, err)
	}

	if err := s.DeletePost(ctx, bob, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	head := mustHead(t, s)
	if _, err := s.EditPost(ctx, mod, withdrawn.ID, "Réécrit par la modération."); !errors.Is(err, ErrForbidden) {
		t.Errorf("moderator editing a withdrawn post: err = %v, want ErrForbidden", err)
	}
	if _, err := s.EditPost(ctx, bob, withdrawn.ID, "Finalement je le garde."); !errors.Is(err, ErrForbidden) {
		t.Errorf("author editing their withdrawn post: err = %v, want ErrForbidden", err)
	}
	if p := mustPost(t, s, mod, tp.ID, withdrawn.Number); p.Body != "Je retire ce message." || p.EditedAt != nil {
		t.Errorf("withdrawn post changed: %q, edited %v", p.Body, p.EditedAt)
	}
	if h := mustHead(t, s); h != head {
		t.Errorf("refused edits wrote events: head %d → %d", head, h)
	}
}

func TestEditPostMentionsOnlyNewMembers(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bob := mustCreateMember(t, s, "bob_42", RoleMember)
	mustCreateMember(t, s, "Carole", RoleMember)
	dan := mustCreateMember(t, s, "Daniel", RoleMember)
	tp := mustCreateTopic(t, s, alice, "Dossier CAF bloqué", "Le dossier ne passe pas.")
	p := mustReply(t, s, bob, tp.ID, "Je demande à @Carole.", 0)

	mentions := func(head int64) [][]int64 {
		t.Helper()
		var out [][]int64
		for _, e := range findEvents(eventsAfter(t, s, head), EventMentioned, EntityPost, p.ID) {
			out = append(out, e.Data.Mentioned)
		}
		return out
	}

	// Carol was named when the post was written; the edit keeps her and adds Daniel.
	head := mustHead(t, s)
	if _, err := s.EditPost(ctx, bob, p.ID, "Je demande à @Carole et à @daniel."); err != nil {
		t.Fatal(err)
	}
	if got := mentions(head); len(got) != 1 || !slices.Equal(got[0], []int64{dan.ID}) {
		t.Errorf("mentions after adding Daniel = %v, want [[%d]]", got, dan.ID)
	}

	// An edit that keeps the same mentions names nobody new.
	head = mustHead(t, s)
	if _, err := s.EditPost(ctx, bob, p.ID, "Je demande à @Carole et à @Daniel, merci d’avance."); err != nil {
		t.Fatal(err)
	}
	if got := mentions(head); len(got) != 0 {
		t.Errorf("mentions after an edit keeping them = %v, want none", got)
	}
	es := eventsAfter(t, s, head)
	if len(es) != 1 || es[0].Kind != EventEdited {
		t.Errorf("events of the edit keeping mentions: %+v", es)
	}
}

func TestMergeTopicMovesPostsAfterTheTarget(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bob := mustCreateMember(t, s, "bob_42", RoleMember)
	carol := mustCreateMember(t, s, "Carole", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)

	into := mustCreateTopic(t, s, alice, "Dossier CAF bloqué", "Cible 1.")
	mustReply(t, s, bob, into.ID, "Cible 2.", 1)
	mustReply(t, s, carol, into.ID, "Cible 3.", 2)
	from := mustCreateTopic(t, s, carol, "Mon dossier CAF aussi", "Source 1.")
	s2 := mustReply(t, s, bob, from.ID, "Source 2.", 1)
	s3 := mustReply(t, s, alice, from.ID, "Source 3.", 2)
	s4 := mustReply(t, s, bob, from.ID, "Source 4.", 0)

	head := mustHead(t, s)
	if err := s.MergeTopic(ctx, mod, from.ID, into.ID); err != nil {
		t.Fatal(err)
	}

	posts, err := s.AllPosts(ctx, nil, into.ID)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for i, p := range posts {
		bodies = append(bodies, p.Body)
		if p.Number != i+1 {
			t.Errorf("post %q has number %d, want %d", p.Body, p.Number, i+1)
		}
	}
	want := []string{"Cible 1.", "Cible 2.", "Cible 3.", "Source 1.", "Source 2.", "Source 3.", "Source 4."}
	if !slices.Equal(bodies, want) {
		t.Fatalf("merged posts = %q, want %q", bodies, want)
	}
	// The same posts (IDs kept), renumbered after the target's, replies following.
	replyTo := map[int64]*int{}
	for _, p := range posts {
		replyTo[p.ID] = p.ReplyTo
	}
	for _, c := range []struct {
		id   int64
		want int
	}{{s2.ID, 4}, {s3.ID, 5}, {s4.ID, 0}} {
		got := replyTo[c.id]
		switch {
		case c.want == 0 && got != nil:
			t.Errorf("post %d reply_to = %d, want none", c.id, *got)
		case c.want != 0 && (got == nil || *got != c.want):
			t.Errorf("post %d reply_to = %v, want %d", c.id, got, c.want)
		}
	}
	if p := mustPost(t, s, nil, into.ID, 6); p.ReplyToPseudo.String != "bob_42" {
		t.Errorf("moved reply answers %q, want bob_42", p.ReplyToPseudo.String)
	}
	target := mustTopic(t, s, into.ID)
	if target.PostCount != 7 || target.LastNumber != 7 || target.MergedInto != nil {
		t.Errorf("target post_count=%d last_number=%d merged_into=%v; want 7, 7, nil", target.PostCount, target.LastNumber, target.MergedInto)
	}
	src := mustTopic(t, s, from.ID)
	if src.MergedInto == nil || *src.MergedInto != into.ID || src.PostCount != 0 {
		t.Errorf("source merged_into=%v post_count=%d; want %d, 0", src.MergedInto, src.PostCount, into.ID)
	}
	if ps, err := s.AllPosts(ctx, nil, from.ID); err != nil || len(ps) != 0 {
		t.Errorf("source still has %d posts (%v)", len(ps), err)
	}
	// The next reply in the target continues the numbering.
	if p := mustReply(t, s, alice, into.ID, "Après la fusion.", 7); p.Number != 8 {
		t.Errorf("reply after merge got number %d, want 8", p.Number)
	}

	es := eventsAfter(t, s, head)
	for _, id := range []int64{from.ID, into.ID} {
		got := findEvents(es, EventMerged, EntityTopic, id)
		if len(got) != 1 || got[0].Data.Into != into.ID || got[0].ActorID != mod.ID {
			t.Errorf("merged events for topic %d: %+v", id, got)
		}
	}
	var logged int
	if err := s.db.R.GetContext(ctx, &logged, `SELECT count(*) FROM audit_log WHERE action = 'merge' AND target_id = ?`, from.ID); err != nil || logged != 1 {
		t.Errorf("merge audit: %d rows, %v", logged, err)
	}
}

func TestMergeTopicRefusals(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	admin := mustCreateMember(t, s, "admin", RoleAdmin)
	a := mustCreateTopic(t, s, alice, "Discussion A", "Texte A.")
	b := mustCreateTopic(t, s, alice, "Discussion B", "Texte B.")
	c := mustCreateTopic(t, s, alice, "Discussion C", "Texte C.")

	head := mustHead(t, s)
	if err := s.MergeTopic(ctx, alice, b.ID, a.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("member merging: err = %v, want ErrForbidden", err)
	}
	if err := s.MergeTopic(ctx, nil, b.ID, a.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("visitor merging: err = %v, want ErrForbidden", err)
	}
	wantValidation(t, s.MergeTopic(ctx, mod, a.ID, a.ID), "into")
	wantValidation(t, s.MergeTopic(ctx, mod, a.ID, 9999), "into")
	if h := mustHead(t, s); h != head {
		t.Errorf("refused merges wrote events: head %d → %d", head, h)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if tp := mustTopic(t, s, id); tp.PostCount != 1 || tp.MergedInto != nil {
			t.Errorf("topic %d changed by a refused merge: %+v", id, tp)
		}
	}

	// b is merged into a (an administrator moderates too); c cannot go into b.
	if err := s.MergeTopic(ctx, admin, b.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	head = mustHead(t, s)
	wantValidation(t, s.MergeTopic(ctx, mod, c.ID, b.ID), "into")
	if tp := mustTopic(t, s, c.ID); tp.PostCount != 1 || tp.MergedInto != nil {
		t.Errorf("topic c changed by a refused merge: %+v", tp)
	}
	if h := mustHead(t, s); h != head {
		t.Errorf("refused merge wrote events: head %d → %d", head, h)
	}
}

func TestQuoteKeepsOnlyThePostsOwnWords(t *testing.T) {
	topic := &Topic{ID: 3, Slug: "carte-vitale"}
	for _, tc := range []struct{ body, want string }{
		{"Merci !", "> Merci !"},
		{"> **@Lucie** [a écrit](/x) :\n> Il faut la carte.\n\nMerci, et sans carte ?", "> Merci, et sans carte ?"},
		{"Avant.\n\n> > double\n> simple\nsuite paresseuse\n\nAprès.", "> Avant.\n>\n> Après."},
		{"   > indenté\n\n    > code indenté, pas une citation", ">     > code indenté, pas une citation"},
	} {
		p := &Post{Number: 4, Body: tc.body, Author: PostAuthor{Pseudo: "Karim"}}
		got := QuoteOf(topic, p)
		lines := strings.SplitN(got, "\n", 2)
		if !strings.HasPrefix(lines[0], "> **@Karim** [a écrit](/discussions/3/carte-vitale?post=4#post-4)") {
			t.Errorf("header: %q", lines[0])
		}
		if body := strings.TrimSpace(lines[1]); body != tc.want {
			t.Errorf("quote of %q:\n%s\nwant\n%s", tc.body, body, tc.want)
		}
	}
}

func TestTagsSpelledWithOrWithoutAccentsAreOne(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	a, err := s.CreateTopic(ctx, alice, NewTopic{Title: "Sécurité des comptes", Body: "x", Category: "demarches-en-ligne", Tags: "Sécurité, CAF"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateTopic(ctx, alice, NewTopic{Title: "Mots de passe sûrs", Body: "x", Category: "demarches-en-ligne", Tags: "securite, sécurité"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{a.ID, b.ID} {
		got, _ := s.TopicByID(ctx, nil, id)
		if !strings.Contains(strings.Join(got.Tags, ","), "sécurité") || strings.Contains(strings.Join(got.Tags, ","), "securite") {
			t.Errorf("topic %d tags %v", id, got.Tags)
		}
	}
	counts, _ := s.TagCounts(ctx)
	if len(counts) != 2 || counts[0].Name != "sécurité" || counts[0].Count != 2 {
		t.Errorf("tag counts %+v", counts)
	}
}
