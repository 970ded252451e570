package content

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func mustSavableFiche(t *testing.T, s *Store, author *User, title string) *Fiche {
	t.Helper()
	f := mustCreateFiche(t, s, author, title, "## Étapes\n\nTexte de la fiche.")
	if _, err := s.PublishFiche(context.Background(), author, f.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

func saveCount(t *testing.T, s *Store, id int64) int {
	t.Helper()
	f, err := s.FicheByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f.SaveCount
}

func mustSaveTo(t *testing.T, s *Store, u *User, f *Fiche, to SaveTarget) *Collection {
	t.Helper()
	c, err := s.SaveToCollection(context.Background(), u, f.ID, to)
	if err != nil {
		t.Fatalf("save %q for %s: %v", f.Title, u.Pseudo, err)
	}
	return c
}

func TestCollectionSavesKeepSaveCountExact(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	f := mustSavableFiche(t, s, alice, "Créer une adresse e-mail avec une personne")

	// No collection before the first save; then the default, private.
	if list, _ := s.CollectionsOf(ctx, bruno, bruno.ID); len(list) != 0 {
		t.Fatalf("collections before any save: %+v", list)
	}
	saves, err := s.FicheSaves(ctx, bruno, f)
	if err != nil || len(saves) != 1 || saves[0].ID != 0 || !saves[0].IsDefault || len(saves.In()) != 0 {
		t.Fatalf("choices before the first save: %+v %v", saves, err)
	}
	head := mustHead(t, s)
	def := mustSaveTo(t, s, bruno, f, SaveTarget{})
	if !def.IsDefault || def.Public || def.Name != DefaultCollectionName || saveCount(t, s, f.ID) != 1 {
		t.Fatalf("default collection %+v, count %d", def, saveCount(t, s, f.ID))
	}
	if es := findEvents(eventsAfter(t, s, head), EventSaved, EntityFiche, f.ID); len(es) != 1 || es[0].ActorID != bruno.ID {
		t.Errorf("save events: %+v", es)
	}

	// Saving again, or in a second collection of the same member: still one member.
	head = mustHead(t, s)
	mustSaveTo(t, s, bruno, f, SaveTarget{})
	named := mustSaveTo(t, s, bruno, f, SaveTarget{New: true, Name: "  Démarches   CAF "})
	if named.Name != "Démarches CAF" || named.IsDefault || saveCount(t, s, f.ID) != 1 {
		t.Fatalf("named collection %+v, count %d", named, saveCount(t, s, f.ID))
	}
	if es := findEvents(eventsAfter(t, s, head), EventSaved, EntityFiche, f.ID); len(es) != 0 {
		t.Errorf("an unchanged count emitted %d events", len(es))
	}
	if again := mustSaveTo(t, s, bruno, f, SaveTarget{}); again.ID != def.ID {
		t.Errorf("a second default collection: %d, want %d", again.ID, def.ID)
	}
	mustSaveTo(t, s, alice, f, SaveTarget{})
	if n := saveCount(t, s, f.ID); n != 2 {
		t.Fatalf("two members saved: count %d", n)
	}
	saves, _ = s.FicheSaves(ctx, bruno, f)
	if in := saves.In(); len(in) != 2 || in[0].ID != def.ID || in[1].ID != named.ID {
		t.Errorf("bruno's saves: %+v", saves)
	}

	// Out of one collection: still saved; out of the other: one member less.
	if err := s.RemoveFromCollection(ctx, bruno, f.ID, def.ID); err != nil {
		t.Fatal(err)
	}
	if n := saveCount(t, s, f.ID); n != 2 {
		t.Errorf("still in bruno's named collection: count %d", n)
	}
	if err := s.DeleteCollection(ctx, bruno, named.ID); err != nil {
		t.Fatal(err)
	}
	if n := saveCount(t, s, f.ID); n != 1 {
		t.Errorf("after deleting bruno's last collection holding it: count %d", n)
	}
	if err := s.RemoveFromCollection(ctx, alice, f.ID, 0); err != nil {
		t.Fatal(err)
	}
	if n := saveCount(t, s, f.ID); n != 0 {
		t.Errorf("nobody saves it: count %d", n)
	}
}

func TestCollectionRefusals(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	f := mustSavableFiche(t, s, alice, "Créer une adresse e-mail avec une personne")
	draft := mustCreateFiche(t, s, alice, "Un brouillon d’Alice", "Texte.")

	for name, in := range map[string]CollectionInput{"empty": {Name: "  "}, "short": {Name: "a"}, "long": {Name: strings.Repeat("é", 81)},
		"default's name": {Name: "mes fiches ENREGISTREES"}} {
		if _, err := s.CreateCollection(ctx, bruno, in); err == nil {
			t.Errorf("%s name accepted", name)
		} else {
			wantValidation(t, err, "name")
		}
	}
	if _, err := s.CreateCollection(ctx, bruno, CollectionInput{Name: "Ateliers", Description: strings.Repeat("x", 501)}); err == nil {
		t.Error("long description accepted")
	} else {
		wantValidation(t, err, "description")
	}
	ateliers, err := s.CreateCollection(ctx, bruno, CollectionInput{Name: "Ateliers", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCollection(ctx, bruno, CollectionInput{Name: "ateliers"}); err == nil {
		t.Error("a second collection of the same name")
	}
	if _, err := s.UpdateCollection(ctx, bruno, ateliers.ID, CollectionInput{Name: "Ateliers", Description: "Pour les séances du jeudi."}); err != nil {
		t.Errorf("keeping its own name: %v", err)
	}

	// Someone else's collection does not exist for you, public or not.
	errOf := func(_ *Collection, err error) error { return err }
	for _, err := range []error{
		errOf(s.SaveToCollection(ctx, alice, f.ID, SaveTarget{Collection: ateliers.ID})),
		s.RemoveFromCollection(ctx, alice, f.ID, ateliers.ID),
		errOf(s.UpdateCollection(ctx, mod, ateliers.ID, CollectionInput{Name: "Volée"})),
		s.DeleteCollection(ctx, mod, ateliers.ID),
		errOf(s.SaveToCollection(ctx, bruno, f.ID, SaveTarget{Collection: 999})),
		errOf(s.SaveToCollection(ctx, bruno, draft.ID, SaveTarget{})),
		errOf(s.SaveToCollection(ctx, bruno, 999, SaveTarget{})),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	}
	if n := saveCount(t, s, draft.ID); n != 0 {
		t.Errorf("refused save counted: %d", n)
	}
	if _, err := s.SaveToCollection(ctx, bruno, f.ID, SaveTarget{New: true}); err == nil {
		t.Error("a new collection without a name")
	} else {
		wantValidation(t, err, "name")
	}
	if list, _ := s.CollectionsOf(ctx, bruno, bruno.ID); len(list) != 1 {
		t.Errorf("a refused save left collections behind: %+v", list)
	}

	// The default stays private, keeps its name, and is never deleted.
	def := mustSaveTo(t, s, bruno, f, SaveTarget{})
	if _, err := s.UpdateCollection(ctx, bruno, def.ID, CollectionInput{Name: DefaultCollectionName, Public: true}); err == nil {
		t.Error("default made public")
	}
	if err := s.DeleteCollection(ctx, bruno, def.ID); err == nil {
		t.Error("default deleted")
	}
	if a := CollectionActionsFor(bruno, def); !a.Edit || a.Manage {
		t.Errorf("default's actions %+v", a)
	}

	// An unverified member saves privately, but publishes nothing.
	fresh, err := s.CreateUser(ctx, NewUser{Pseudo: "nouveau", Email: "nouveau@exemple.fr", Password: testPassword}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustSaveTo(t, s, fresh, f, SaveTarget{New: true, Name: "À lire"})
	if _, err := s.CreateCollection(ctx, fresh, CollectionInput{Name: "Publique", Public: true}); !errors.Is(err, ErrUnverified) {
		t.Errorf("unverified public collection: %v", err)
	}
}

func TestCollectionPrivacyAndReadableFiches(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	pub := mustSavableFiche(t, s, alice, "Créer une adresse e-mail avec une personne")
	draft := mustCreateFiche(t, s, alice, "Un brouillon d’Alice", "Texte.")
	gone := mustSavableFiche(t, s, alice, "Une fiche supprimée ensuite")

	shared, err := s.CreateCollection(ctx, alice, CollectionInput{Name: "Pour l’équipe", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*Fiche{pub, draft, gone} {
		mustSaveTo(t, s, alice, f, SaveTarget{Collection: shared.ID})
	}
	if _, err := s.db.W.ExecContext(ctx, `UPDATE fiches SET deleted_at = ? WHERE id = ?`, s.Now(), gone.ID); err != nil {
		t.Fatal(err)
	}
	private := mustSaveTo(t, s, alice, pub, SaveTarget{})

	titles := func(viewer *User, c *Collection) string {
		page, err := s.CollectionFiches(ctx, viewer, c, "")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range page.Fiches {
			out = append(out, f.Title)
		}
		return strings.Join(out, " | ")
	}
	if got := titles(alice, shared); got != "Un brouillon d’Alice | Créer une adresse e-mail avec une personne" {
		t.Errorf("owner sees %q", got)
	}
	for _, viewer := range []*User{nil, bruno, mod} {
		c, err := s.CollectionByID(ctx, viewer, shared.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := titles(viewer, c); got != "Créer une adresse e-mail avec une personne" || c.Count != 1 {
			t.Errorf("%v sees %q (count %d)", viewer, got, c.Count)
		}
		if _, err := s.CollectionByID(ctx, viewer, private.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("%v reads a private collection: %v", viewer, err)
		}
		if _, err := s.CollectionFiches(ctx, viewer, private, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("%v lists a private collection: %v", viewer, err)
		}
		if list, _ := s.CollectionsOf(ctx, viewer, alice.ID); len(list) != 1 || list[0].ID != shared.ID {
			t.Errorf("%v lists alice's collections: %+v", viewer, list)
		}
	}
	if list, _ := s.CollectionsOf(ctx, alice, alice.ID); len(list) != 2 || !list[0].IsDefault || list[1].Count != 2 {
		t.Errorf("alice's own list: %+v", list)
	}

	// A suspended owner's public collections go with their profile.
	admin := mustCreateMember(t, s, "admin", RoleAdmin)
	if err := s.SetSuspended(ctx, admin, alice.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CollectionByID(ctx, bruno, shared.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("suspended owner's collection: %v", err)
	}
	if _, err := s.CollectionByID(ctx, mod, shared.ID); err != nil {
		t.Errorf("a moderator still sees it: %v", err)
	}
}

func TestCollectionPages(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	var fiches []*Fiche
	for i := 0; i < CollectionFichesPerPage+3; i++ {
		f := mustSavableFiche(t, s, alice, "Fiche numéro "+itoa64(int64(i+1)))
		mustSaveTo(t, s, bruno, f, SaveTarget{})
		fiches = append(fiches, f)
	}
	c, err := s.CollectionByID(ctx, bruno, mustSaveTo(t, s, bruno, fiches[0], SaveTarget{}).ID)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.CollectionFiches(ctx, bruno, c, "")
	if err != nil || len(first.Fiches) != CollectionFichesPerPage || first.Next == "" {
		t.Fatalf("first page: %d fiches, next %q, %v", len(first.Fiches), first.Next, err)
	}
	second, err := s.CollectionFiches(ctx, bruno, c, first.Next)
	if err != nil || len(second.Fiches) != 3 || second.Next != "" {
		t.Fatalf("second page: %d fiches, next %q, %v", len(second.Fiches), second.Next, err)
	}
	seen := map[int64]bool{}
	for _, f := range append(first.Fiches, second.Fiches...) {
		if seen[f.ID] {
			t.Errorf("fiche %d on both pages", f.ID)
		}
		seen[f.ID] = true
	}

}

func TestCollectionFilterMatchesCanReadFiche(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	pub := mustSavableFiche(t, s, alice, "Une fiche publiée")
	draft := mustCreateFiche(t, s, alice, "Un brouillon d’Alice", "Texte.")
	shared := mustCreateFiche(t, s, alice, "Un brouillon partagé", "Texte.")
	if _, err := s.InviteCoauthor(ctx, alice, shared.ID, "bruno"); err != nil {
		t.Fatal(err)
	}
	deleted := mustSavableFiche(t, s, alice, "Une fiche supprimée")
	merged := mustSavableFiche(t, s, alice, "Une fiche fusionnée")
	deletedDraft := mustCreateFiche(t, s, alice, "Un brouillon supprimé", "Texte.")
	for _, q := range []string{`UPDATE fiches SET deleted_at = updated_at WHERE id IN (?, ?)`, `UPDATE fiches SET merged_into = ? WHERE id = ?`} {
		args := []any{deleted.ID, deletedDraft.ID}
		if strings.Contains(q, "merged") {
			args = []any{pub.ID, merged.ID}
		}
		if _, err := s.db.W.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	suspended := mustCreateMember(t, s, "parti", RoleMember)
	if _, err := s.InviteCoauthor(ctx, alice, draft.ID, "parti"); err != nil {
		t.Fatal(err)
	}
	admin := mustCreateMember(t, s, "admin", RoleAdmin)
	if err := s.SetSuspended(ctx, admin, suspended.ID, true); err != nil {
		t.Fatal(err)
	}
	suspended, _ = s.UserByPseudo(ctx, "parti")

	for _, viewer := range []*User{nil, alice, bruno, mod, suspended} {
		cond, args := readableFicheSQL(viewer)
		var ids []int64
		if err := s.db.R.SelectContext(ctx, &ids, `SELECT f.id FROM fiches f WHERE `+cond, args...); err != nil {
			t.Fatal(err)
		}
		got := map[int64]bool{}
		for _, id := range ids {
			got[id] = true
		}
		for _, f := range []*Fiche{pub, draft, shared, deleted, merged, deletedDraft} {
			full, err := s.FicheByID(ctx, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := CanReadFiche(viewer, full); got[f.ID] != want {
				t.Errorf("viewer %v, fiche %q: SQL says %v, CanReadFiche %v", viewer, f.Title, got[f.ID], want)
			}
		}
	}
}
