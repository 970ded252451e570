package content

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// mustPublishFicheBody creates and publishes a fiche with that text.
func mustPublishFicheBody(t *testing.T, s *Store, author *User, title, body string) *Fiche {
	t.Helper()
	f := mustCreateFiche(t, s, author, title, body)
	published, err := s.PublishFiche(context.Background(), author, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	return published
}

func TestReportFicheSectionsLimitsAndHandling(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	f := mustPublishFicheBody(t, s, alice, "Accompagner une démarche CAF", "## 1️⃣ Préparer l’accueil\n\nTexte.\n\n## Les délais\n\nTrois semaines.")
	toc := f.TOC()
	if len(toc) != 2 {
		t.Fatalf("toc %+v", toc)
	}

	head := mustHead(t, s)
	r, err := s.ReportFiche(ctx, bruno, f.ID, ReportInput{Section: toc[1].ID, Comment: "  Le délai est de six semaines depuis mars.  "})
	if err != nil {
		t.Fatal(err)
	}
	if r.Heading != "Les délais" || r.Comment != "Le délai est de six semaines depuis mars." || r.Pseudo != "bruno" {
		t.Errorf("report %+v", r)
	}
	if es := findEvents(eventsAfter(t, s, head), EventReported, EntityFiche, f.ID); len(es) != 1 || es[0].Data.Number != int(r.ID) || es[0].ActorID != bruno.ID {
		t.Errorf("reported events %+v", es)
	}
	if _, err := s.ReportFiche(ctx, bruno, f.ID, ReportInput{Comment: "Toute la fiche date de 2021."}); err != nil {
		t.Fatal(err)
	}

	// Refusals: the comment's bounds, a section that is not a heading.
	for _, c := range []struct {
		in    ReportInput
		field string
	}{
		{ReportInput{Comment: ""}, "comment"},
		{ReportInput{Comment: "vieux"}, "comment"},
		{ReportInput{Comment: strings.Repeat("é", MaxReportComment+1)}, "comment"},
		{ReportInput{Section: "pas-un-titre", Comment: "Le lien ne marche plus."}, "section"},
	} {
		_, err := s.ReportFiche(ctx, bruno, f.ID, c.in)
		wantValidation(t, err, c.field)
	}
	if _, err := s.ReportFiche(ctx, bruno, f.ID, ReportInput{Comment: strings.Repeat("é", MaxReportComment)}); err != nil {
		t.Errorf("a comment of exactly the limit: %v", err)
	}

	// At most five open reports per member and fiche; others still report.
	for range MaxOpenReports - 3 {
		if _, err := s.ReportFiche(ctx, bruno, f.ID, ReportInput{Comment: "Encore une information datée."}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.ReportFiche(ctx, bruno, f.ID, ReportInput{Comment: "Une de trop, sans doute."})
	if msg := wantValidation(t, err, "comment"); !strings.Contains(msg, "5 signalements") {
		t.Errorf("limit message %q", msg)
	}
	if _, err := s.ReportFiche(ctx, mod, f.ID, ReportInput{Comment: "Le formulaire a changé de nom."}); err != nil {
		t.Errorf("another member reports: %v", err)
	}
	open, err := s.OpenFicheReports(ctx, f)
	if err != nil || len(open) != MaxOpenReports+1 || open[0].ID != r.ID {
		t.Fatalf("open reports: %d, %v", len(open), err)
	}

	// Handling: an editor of the fiche; once protected, its authors and
	// moderators only.
	if _, err := s.db.W.Exec(`UPDATE fiches SET protected = 1 WHERE id = ?`, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HandleFicheReport(ctx, bruno, f.ID, r.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("a member handles a report on a protected fiche: %v", err)
	}
	head = mustHead(t, s)
	if h, err := s.HandleFicheReport(ctx, alice, f.ID, r.ID); err != nil || h.HandledAt == nil {
		t.Fatalf("its author handles: %+v, %v", h, err)
	}
	if _, err := s.HandleFicheReport(ctx, mod, f.ID, r.ID); err != nil {
		t.Errorf("handled twice: %v", err)
	}
	if es := findEvents(eventsAfter(t, s, head), EventReportHandled, EntityFiche, f.ID); len(es) != 1 || es[0].Data.Number != int(r.ID) {
		t.Errorf("handled events %+v", es)
	}
	if _, err := s.HandleFicheReport(ctx, mod, f.ID, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown report: %v", err)
	}
	other := mustPublishFicheBody(t, s, alice, "Une autre fiche", "Texte.")
	if _, err := s.HandleFicheReport(ctx, alice, other.ID, open[1].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a report handled through another fiche: %v", err)
	}
	if open, _ := s.OpenFicheReports(ctx, f); len(open) != MaxOpenReports {
		t.Errorf("open reports after handling one: %d", len(open))
	}
	// A handled report frees a place under the limit.
	if _, err := s.ReportFiche(ctx, bruno, f.ID, ReportInput{Comment: "Une place s’est libérée."}); err != nil {
		t.Errorf("report after one was handled: %v", err)
	}
}

func TestReportFicheRefusesBrouillonsAndVisitors(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	draft := mustCreateFiche(t, s, alice, "Un brouillon à signaler", "Texte.")
	if _, err := s.ReportFiche(ctx, bruno, draft.ID, ReportInput{Comment: "Rien n’est à jour ici."}); !errors.Is(err, ErrNotFound) {
		t.Errorf("brouillon reported by another member: %v", err)
	}
	if _, err := s.ReportFiche(ctx, alice, draft.ID, ReportInput{Comment: "Rien n’est à jour ici."}); !errors.Is(err, ErrForbidden) {
		t.Errorf("brouillon reported by its author: %v", err)
	}
	if _, err := s.ReportFiche(ctx, nil, draft.ID, ReportInput{Comment: "Rien n’est à jour ici."}); !errors.Is(err, ErrNotFound) {
		t.Errorf("reported by a visitor: %v", err)
	}
	if CanHandleReport(alice, draft) || CanHandleReport(nil, draft) {
		t.Error("reports handled on a brouillon")
	}
}
