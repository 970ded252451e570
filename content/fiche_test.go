package content

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func mustCreateFiche(t *testing.T, s *Store, author *User, title, body string) *Fiche {
	t.Helper()
	f, err := s.CreateFiche(context.Background(), author, FicheInput{Title: title, Summary: "Un chapô.", Body: body, Tags: "caf", Audiences: []string{"seniors"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustSaveFiche(t *testing.T, s *Store, editor *User, f *Fiche, base int, body string) SaveResult {
	t.Helper()
	res, err := s.SaveFiche(context.Background(), editor, f.ID, FicheInput{Title: f.Title, Summary: f.Summary, Body: body,
		Tags: strings.Join(f.Tags, ","), Audiences: f.AudienceSlugs(), BaseRevision: base})
	if err != nil {
		t.Fatalf("save on base %d: %v", base, err)
	}
	return res
}

func TestFicheBrouillonIsReadByItsAuthorsOnly(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	f := mustCreateFiche(t, s, alice, "Accompagner une démarche CAF sans adresse e-mail", "## 1️⃣ Préparer\n\nTexte.")
	if f.Slug != "accompagner-une-demarche-caf-sans-adresse-e-mail" {
		t.Errorf("slug %q", f.Slug)
	}
	for _, viewer := range []*User{nil, bruno, mod} {
		if _, err := s.FicheBySlug(ctx, viewer, f.Slug); !errors.Is(err, ErrNotFound) {
			t.Errorf("brouillon read by %v: %v", viewer, err)
		}
	}
	if _, err := s.InviteCoauthor(ctx, alice, f.ID, "bruno"); err != nil {
		t.Fatal(err)
	}
	got, err := s.FicheBySlug(ctx, bruno, f.Slug)
	if err != nil || got.Fiche.Title != f.Title {
		t.Fatalf("co-author reads: %v", err)
	}
	if toc := got.Fiche.TOC(); len(toc) != 1 || toc[0].ID == "" || !strings.Contains(toc[0].Text, "Préparer") {
		t.Errorf("toc %+v", toc)
	}
	if _, err := s.PublishFiche(ctx, alice, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FicheBySlug(ctx, nil, f.Slug); err != nil {
		t.Errorf("published fiche read by a visitor: %v", err)
	}
}

func TestFicheConcurrentEdits(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	base := "Premier paragraphe.\n\nDeuxième paragraphe.\n\nTroisième paragraphe.\n"
	f := mustCreateFiche(t, s, alice, "Une fiche à plusieurs mains", base)
	if _, err := s.PublishFiche(ctx, alice, f.ID); err != nil {
		t.Fatal(err)
	}
	// Disjoint: merged, and the second editor is told with whom.
	mustSaveFiche(t, s, alice, f, 1, strings.Replace(base, "Premier", "Tout premier", 1))
	res := mustSaveFiche(t, s, bruno, f, 1, strings.Replace(base, "Troisième", "Le troisième", 1))
	if len(res.MergedWith) != 1 || res.MergedWith[0] != "alice" || res.Fiche.Revision != 3 {
		t.Fatalf("merge: %+v", res)
	}
	if !strings.Contains(res.Fiche.Body, "Tout premier") || !strings.Contains(res.Fiche.Body, "Le troisième") {
		t.Fatalf("merged body lost an edit: %q", res.Fiche.Body)
	}
	// Identical: clean, and no empty revision.
	now := res.Fiche.Body
	same := strings.Replace(now, "Deuxième", "Second", 1)
	mustSaveFiche(t, s, alice, res.Fiche, 3, same)
	res = mustSaveFiche(t, s, bruno, res.Fiche, 3, same)
	if !res.Unchanged {
		t.Errorf("identical change made a revision: %+v", res)
	}
	// Overlapping: a conflict with both texts, nothing saved.
	cur, _ := s.FicheBySlug(ctx, nil, f.Slug)
	mustSaveFiche(t, s, alice, cur.Fiche, 4, strings.Replace(same, "Second paragraphe.", "Le second, selon Alice.", 1))
	_, err := s.SaveFiche(ctx, bruno, f.ID, FicheInput{Title: f.Title, Summary: f.Summary, Body: strings.Replace(same, "Second paragraphe.", "Le second, selon Bruno.", 1), BaseRevision: 4})
	var conflict *FicheConflict
	if !errors.As(err, &conflict) {
		t.Fatalf("overlap: %v", err)
	}
	if !strings.Contains(conflict.Merged.Body, "selon Alice") || !strings.Contains(conflict.Merged.Body, "selon Bruno") || !HasConflictMarkers(conflict.Merged.Body) {
		t.Errorf("conflict text %q", conflict.Merged.Body)
	}
	// Saving the markers as they are is refused.
	_, err = s.SaveFiche(ctx, bruno, f.ID, FicheInput{Title: f.Title, Body: conflict.Merged.Body, BaseRevision: conflict.Merged.BaseRevision})
	wantValidation(t, err, "body")
	for _, b := range []int{0, 99} {
		_, err = s.SaveFiche(ctx, bruno, f.ID, FicheInput{Title: f.Title, Body: "x", BaseRevision: b})
		wantValidation(t, err, "base_revision")
	}
}

func TestFicheRenameRedirectsAndWikiLinksComeAlive(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	a := mustCreateFiche(t, s, alice, "Fiche qui renvoie", "Voir [[Fiche à écrire]] et [[fiche-qui-renvoie]].")
	if _, err := s.PublishFiche(ctx, alice, a.ID); err != nil {
		t.Fatal(err)
	}
	a, _ = s.FicheByID(ctx, a.ID)
	if !strings.Contains(string(a.HTML), `class="wiki-missing"`) || !strings.Contains(string(a.HTML), `class="wiki"`) {
		t.Fatalf("links %s", a.HTML)
	}
	b := mustCreateFiche(t, s, alice, "Fiche à écrire", "Enfin écrite.")
	if _, err := s.PublishFiche(ctx, alice, b.ID); err != nil {
		t.Fatal(err)
	}
	a, _ = s.FicheByID(ctx, a.ID)
	if strings.Contains(string(a.HTML), `wiki-missing`) {
		t.Errorf("link still missing after the fiche was published: %s", a.HTML)
	}
	back, err := s.Backlinks(ctx, b)
	if err != nil || len(back) != 1 || back[0].Slug != a.Slug {
		t.Errorf("backlinks %+v %v", back, err)
	}
	res, err := s.SaveFiche(ctx, alice, b.ID, FicheInput{Title: "Fiche enfin écrite", Body: "Enfin écrite.", BaseRevision: 1})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.FicheBySlug(ctx, nil, "fiche-a-ecrire")
	if err != nil || l.Redirect != res.Fiche.Path() {
		t.Errorf("old slug: %+v %v", l, err)
	}
	if _, err := s.CreateFiche(ctx, alice, FicheInput{Title: "Fiche à écrire", Body: "Une autre."}, 0); err != nil {
		t.Fatal(err)
	}
}

// TestFicheTextsAreSanitized runs the XSS corpus through a fiche's body,
// inside and around [[links]], and through its table of contents.
func TestFicheTextsAreSanitized(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	target := mustCreateFiche(t, s, alice, "Une cible de lien", "Texte.")
	if _, err := s.PublishFiche(ctx, alice, target.ID); err != nil {
		t.Fatal(err)
	}
	for i, p := range xssPayloads {
		for _, body := range []string{p.src, "## " + p.src + "\n\nTexte.", "[[" + p.src + "]]", "[[une-cible-de-lien|" + p.src + "]]", "[[Une cible de lien]] " + p.src} {
			f, err := s.CreateFiche(ctx, alice, FicheInput{Title: "Fiche piégée " + itoa64(int64(i)), Body: body}, 0)
			if err != nil {
				if _, ok := AsValidation(err); ok {
					continue
				}
				t.Fatal(err)
			}
			assertSafeHTML(t, string(f.HTML))
			preview, err := s.PreviewFiche(ctx, body)
			if err == nil {
				assertSafeHTML(t, string(preview))
			}
		}
	}
}
