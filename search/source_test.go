package search_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
)

// A searchable type is a content.SearchSource registered before the index
// opens: this one lives only in this test, with a table of its own, and is
// found through the real index using nothing but exported API.

const entityNote = "note"

type noteSource struct{ db *content.DB }

type noteRow struct {
	ID     int64  `db:"id"`
	Title  string `db:"title"`
	Body   string `db:"body"`
	Reader int64  `db:"reader"` // 0: public; else the one member who may read it
	Gone   bool   `db:"gone"`
}

func (n noteRow) doc() content.SearchDoc {
	access := []string{content.AccessPublic}
	if n.Reader != 0 {
		access = []string{content.AccessRestricted, "user:" + itoa(n.Reader)}
	}
	return content.SearchDoc{ID: content.DocID(entityNote, n.ID), Type: "note", Title: n.Title, Body: n.Body,
		Tags: []string{}, Date: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), Access: access}
}

func (noteSource) Entities() []string { return []string{entityNote} }
func (noteSource) Types() []content.DocType {
	return []content.DocType{{Value: "note", Label: "Notes"}}
}

func (s noteSource) Changed(ctx context.Context, e content.Event) ([]content.SearchDoc, []string, error) {
	if e.EntityType != entityNote {
		return nil, nil, nil
	}
	var n noteRow
	if err := s.db.R.GetContext(ctx, &n, `SELECT id, title, body, reader, gone FROM notes WHERE id = ?`, e.EntityID); err != nil || n.Gone {
		return nil, []string{content.DocID(entityNote, e.EntityID)}, nil
	}
	return []content.SearchDoc{n.doc()}, nil, nil
}

func (s noteSource) Each(ctx context.Context, fn func([]content.SearchDoc) error) error {
	var rows []noteRow
	if err := s.db.R.SelectContext(ctx, &rows, `SELECT id, title, body, reader, gone FROM notes WHERE NOT gone`); err != nil {
		return err
	}
	docs := make([]content.SearchDoc, len(rows))
	for i, r := range rows {
		docs[i] = r.doc()
	}
	return fn(docs)
}

func (s noteSource) Count(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM notes WHERE NOT gone`)
	return n, err
}

func (s noteSource) Targets(ctx context.Context, viewer *content.User, ids []string) (map[string]content.SearchTarget, error) {
	out := map[string]content.SearchTarget{}
	for _, id := range content.IDsOf(ids, entityNote) {
		var n noteRow
		if err := s.db.R.GetContext(ctx, &n, `SELECT id, title, body, reader, gone FROM notes WHERE id = ?`, id); err != nil {
			continue
		}
		if n.Gone || (n.Reader != 0 && (viewer == nil || viewer.ID != n.Reader)) {
			continue
		}
		out[content.DocID(entityNote, id)] = content.SearchTarget{DocID: content.DocID(entityNote, id), Type: "note",
			Title: n.Title, URL: "/notes/" + itoa(id)}
	}
	return out, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeNote stores a note and its event in one transaction, as a store does.
func writeNote(t *testing.T, db *content.DB, kind content.EventKind, n noteRow) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.W.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.NamedExecContext(ctx, `INSERT INTO notes (id, title, body, reader, gone) VALUES (:id, :title, :body, :reader, :gone)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, reader = excluded.reader, gone = excluded.gone`, n); err != nil {
		t.Fatal(err)
	}
	if err := content.Emit(ctx, tx, content.Event{Kind: kind, EntityType: entityNote, EntityID: n.ID}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestANewSearchableTypeIsFoundWithoutChangingTheIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := content.OpenDB(ctx, filepath.Join(dir, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT, reader INTEGER, gone INTEGER)`); err != nil {
		t.Fatal(err)
	}
	store := content.NewStore(db)
	lucie, err := store.CreateUser(ctx, content.NewUser{Pseudo: "Lucie", Email: "lucie@exemple.fr", Password: "une phrase assez longue", Verified: true, Vouched: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	karim, err := store.CreateUser(ctx, content.NewUser{Pseudo: "Karim", Email: "karim@exemple.fr", Password: "une phrase assez longue", Verified: true, Vouched: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	store.SearchSources().Register(noteSource{db})

	// One note exists before the index is built: the rebuild streams it.
	writeNote(t, db, content.EventCreated, noteRow{ID: 1, Title: "Atelier tablette", Body: "Les seniors apprennent la visioconférence."})
	ix := search.Open(ctx, dir, store.SearchSources(), store.Events(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { ix.Close() })
	if err := ix.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// Two more arrive through the event stream, one only Lucie may read.
	writeNote(t, db, content.EventCreated, noteRow{ID: 2, Title: "Pass numérique", Body: "Où retirer les chèques de médiation ?"})
	writeNote(t, db, content.EventCreated, noteRow{ID: 3, Title: "Note privée", Body: "Médiation avec la mairie, à confirmer.", Reader: lucie.ID})
	if err := ix.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	find := func(viewer *content.User, q string, types ...string) (*search.Results, map[string]content.SearchTarget) {
		t.Helper()
		res, err := ix.Search(ctx, search.Request{Q: q, Types: types, Viewer: viewer})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		targets, err := store.SearchSources().Targets(ctx, viewer, ids)
		if err != nil {
			t.Fatal(err)
		}
		return res, targets
	}

	res, targets := find(nil, "visioconference")
	if res.Total != 1 || res.Hits[0].ID != "note:1" || res.Hits[0].Type != "note" {
		t.Fatalf("the note built into the index: %+v", res.Hits)
	}
	if targets["note:1"].URL != "/notes/1" {
		t.Errorf("its result loads through its own source: %+v", targets)
	}
	if res, _ := find(nil, "mediation", "note"); res.Total != 1 || res.Hits[0].ID != "note:2" {
		t.Errorf("a visitor finds the public note only (accents folded, type filter): %+v", res.Hits)
	}
	if res, _ := find(karim, "mediation"); res.Total != 1 {
		t.Errorf("another member does not see Lucie's note, not even in the count: %d", res.Total)
	}
	res, targets = find(lucie, "mediation")
	if res.Total != 2 || len(targets) != 2 {
		t.Errorf("Lucie finds both notes: %+v", res.Hits)
	}
	found := false
	for _, f := range res.Types {
		found = found || (f.Value == "note" && f.Count == 2)
	}
	if !found {
		t.Errorf("the type facet counts the notes: %+v", res.Types)
	}
	var types []string
	for _, dt := range store.SearchSources().Types() {
		types = append(types, dt.Value)
	}
	if strings.Join(types, ",") != "discussion,message,fiche,proposition,note" {
		t.Errorf("the registry lists every kind of result: %v", types)
	}

	// Removed from the database: gone from the index at the next event.
	writeNote(t, db, content.EventWithdrawn, noteRow{ID: 2, Title: "Pass numérique", Gone: true})
	if err := ix.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if res, _ := find(nil, "mediation"); res.Total != 0 {
		t.Errorf("a withdrawn note is no longer found: %+v", res.Hits)
	}
	if n, err := store.SearchSources().Count(ctx); err != nil || n != 2 {
		t.Errorf("the count check adds the notes to the discussions: %d, %v", n, err)
	}
}
