package content

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// publishedWith publishes a text of owner's with one proposition.
func publishedWith(t *testing.T, s *Store, owner *User, title string) *Proposal {
	t.Helper()
	p := proposalWith(t, s, owner, title, "Un accueil physique partout")
	p, err := s.MoveProposal(context.Background(), owner, p.ID, ProposalPublished, false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mailBox keeps the mails a visitor's signature composes.
type mailBox []SignatureMail

func (b *mailBox) compose(m SignatureMail) Mail {
	*b = append(*b, m)
	return Mail{To: m.To, Subject: string(m.Kind), Body: "jeton=" + m.ConfirmToken}
}

func (b *mailBox) last(t *testing.T) SignatureMail {
	t.Helper()
	if len(*b) == 0 {
		t.Fatal("no mail composed")
	}
	return (*b)[len(*b)-1]
}

// signatureCounts are a text's figures, as its pages show them.
type signatureCounts struct {
	Total, Pending int
	ByDepartement  []DepartementCount
}

func counts(t *testing.T, s *Store, p *Proposal, metier string) signatureCounts {
	t.Helper()
	var c signatureCounts
	var err error
	if c.Total, c.Pending, err = s.SignatureTotals(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if c.ByDepartement, err = s.SignaturesByDepartement(context.Background(), p, metier); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMemberSignsOnceAndWithdraws(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner, karim := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember)
	if err := s.UpdateProfile(ctx, karim.ID, Profile{Structure: "Médiathèque de Brest", Departement: "29", Metier: "mediateur"}); err != nil {
		t.Fatal(err)
	}
	karim, _ = s.UserByID(ctx, karim.ID)
	p := publishedWith(t, s, owner, "Pour un numérique à échelle humaine")
	head := mustHead(t, s)

	sig, err := s.SignProposal(ctx, karim, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sig.Name != "Karim" || sig.Structure != "Médiathèque de Brest" || sig.Departement != "29" || sig.Metier != "mediateur" ||
		sig.Version != 1 || !sig.Member() || sig.ConfirmedAt == nil {
		t.Errorf("the signature does not show the profile: %+v", sig)
	}
	if len(findEvents(eventsAfter(t, s, head), EventCreated, EntitySignature, sig.ID)) != 1 {
		t.Error("no event for the signature")
	}
	_, err = s.SignProposal(ctx, karim, p.ID)
	if msg := wantValidation(t, err, "signature"); !strings.Contains(msg, "déjà signé") || !strings.Contains(msg, "version 1") {
		t.Errorf("second signature: %q", msg)
	}
	if c := counts(t, s, p, ""); c.Total != 1 || len(c.ByDepartement) != 1 || c.ByDepartement[0] != (DepartementCount{"29", 1}) {
		t.Errorf("counts: %+v", c)
	}
	if err := s.WithdrawSignature(ctx, karim, p.ID); err != nil {
		t.Fatal(err)
	}
	if c := counts(t, s, p, ""); c.Total != 0 {
		t.Errorf("a withdrawn signature still counts: %+v", c)
	}
	wantValidation(t, s.WithdrawSignature(ctx, karim, p.ID), "signature")
	if len(findEvents(eventsAfter(t, s, head), EventWithdrawn, EntitySignature, sig.ID)) != 1 {
		t.Error("no event for the withdrawal")
	}
	// Signed again after a new version: the version shown is the new one.
	if _, err := s.EditProposal(ctx, owner, p.ID, PartEdit{Part: PartItem, Title: "Des médiateurs formés", Body: "Formés."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveProposal(ctx, owner, p.ID, ProposalPublished, false); err != nil {
		t.Fatal(err)
	}
	if sig, err := s.SignProposal(ctx, karim, p.ID); err != nil || sig.Version != 2 {
		t.Errorf("signed on the second version: %+v %v", sig, err)
	}
}

func TestVisitorSignatureIsConfirmedByMail(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner := mustCreateMember(t, s, "Lea", RoleMember)
	p := publishedWith(t, s, owner, "Pour un numérique à échelle humaine")
	var box mailBox
	in := SignatureInput{Name: "  Aurélie   Le Goff ", Email: " Aurelie@Exemple.FR ", Structure: "Centre social", Departement: "finistère", Metier: "conseiller"}
	if err := s.SignProposalAsVisitor(ctx, p.ID, in, box.compose); err != nil {
		t.Fatal(err)
	}
	m := box.last(t)
	if m.Kind != SignatureMailConfirm || m.To != "aurelie@exemple.fr" || m.ConfirmToken == "" || m.WithdrawToken == "" || m.Name != "Aurélie Le Goff" {
		t.Fatalf("mail: %+v", m)
	}
	if c := counts(t, s, p, ""); c.Total != 0 || c.Pending != 1 {
		t.Errorf("an unconfirmed signature counts: %+v", c)
	}
	if err := s.CheckSignatureConfirmation(ctx, p.ID, m.ConfirmToken); err != nil {
		t.Fatal(err)
	}
	sig, err := s.ConfirmSignature(ctx, p.ID, m.ConfirmToken)
	if err != nil {
		t.Fatal(err)
	}
	if sig.Departement != "29" || sig.Member() {
		t.Errorf("confirmed: %+v", sig)
	}
	if _, err := s.ConfirmSignature(ctx, p.ID, m.ConfirmToken); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("a confirmation link works twice: %v", err)
	}
	if c := counts(t, s, p, ""); c.Total != 1 || c.Pending != 0 {
		t.Errorf("after confirmation: %+v", c)
	}

	// The same address again: nothing new counts; the mail says it signed
	// and brings a new withdrawal link (the old one stops).
	if err := s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: "Aurélie", Email: "aurelie@exemple.fr", Departement: "75"}, box.compose); err != nil {
		t.Fatal(err)
	}
	again := box.last(t)
	if again.Kind != SignatureMailAlready || again.ConfirmToken != "" || again.WithdrawToken == "" {
		t.Fatalf("second mail: %+v", again)
	}
	if c := counts(t, s, p, ""); c.Total != 1 || c.ByDepartement[0].Code != "29" {
		t.Errorf("a second signature with one address: %+v", c)
	}
	if err := s.WithdrawSignatureByToken(ctx, p.ID, m.WithdrawToken); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("the replaced withdrawal link works: %v", err)
	}

	// The address is not kept, only its hash.
	var n int
	if err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM signatures WHERE instr(lower(name || structure || coalesce(email_hash, '')), 'aurelie@') > 0`); err != nil || n != 0 {
		t.Errorf("the address is stored: %d %v", n, err)
	}

	// A member's address: the mail asks to log in; no signature is made.
	if err := s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: "Léa", Email: "lea@exemple.fr", Departement: "69"}, box.compose); err != nil {
		t.Fatal(err)
	}
	if box.last(t).Kind != SignatureMailAccount || counts(t, s, p, "").Pending != 0 {
		t.Errorf("a member's address signs as a visitor: %+v", box.last(t))
	}

	// Withdrawn by the link of the mail, once.
	if _, err := s.CheckSignatureWithdrawal(ctx, p.ID, again.WithdrawToken); err != nil {
		t.Fatal(err)
	}
	if err := s.WithdrawSignatureByToken(ctx, p.ID, again.WithdrawToken); err != nil {
		t.Fatal(err)
	}
	if err := s.WithdrawSignatureByToken(ctx, p.ID, again.WithdrawToken); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("withdrawn twice: %v", err)
	}
	if c := counts(t, s, p, ""); c.Total != 0 {
		t.Errorf("after withdrawal: %+v", c)
	}
}

func TestVisitorSignatureRefusals(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner := mustCreateMember(t, s, "Lea", RoleMember)
	p := publishedWith(t, s, owner, "Pour un numérique à échelle humaine")
	var box mailBox
	err := s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: " ", Email: "pas-une-adresse", Departement: "Atlantide", Metier: "roi"}, box.compose)
	for _, field := range []string{"name", "email", "departement", "metier"} {
		wantValidation(t, err, field)
	}
	err = s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: strings.Repeat("a", 101), Email: "a@exemple.fr"}, box.compose)
	wantValidation(t, err, "name")
	wantValidation(t, err, "departement")
	if len(box) != 0 {
		t.Errorf("refused forms sent mail: %+v", box)
	}
}

func TestUnconfirmedSignatureExpiresAfterSevenDays(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner := mustCreateMember(t, s, "Lea", RoleMember)
	p := publishedWith(t, s, owner, "Pour un numérique à échelle humaine")
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	now := start
	s.SetClock(func() time.Time { return now })
	var box mailBox
	if err := s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: "Sans suite", Email: "oubli@exemple.fr", Departement: "13"}, box.compose); err != nil {
		t.Fatal(err)
	}
	token := box.last(t).ConfirmToken

	now = start.Add(SignatureConfirmWithin - time.Minute)
	if n, err := s.PruneUnconfirmedSignatures(ctx); err != nil || n != 0 {
		t.Errorf("pruned within 7 days: %d %v", n, err)
	}
	if c := counts(t, s, p, ""); c.Pending != 1 {
		t.Errorf("within 7 days: %+v", c)
	}
	now = start.Add(SignatureConfirmWithin)
	if c := counts(t, s, p, ""); c.Pending != 0 || c.Total != 0 {
		t.Errorf("after 7 days, before the clean-up: %+v", c)
	}
	if _, err := s.ConfirmSignature(ctx, p.ID, token); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("confirmed after 7 days: %v", err)
	}
	if n, err := s.PruneUnconfirmedSignatures(ctx); err != nil || n != 1 {
		t.Errorf("pruned %d, %v; want 1", n, err)
	}
	var left int
	if err := s.db.R.GetContext(ctx, &left, `SELECT count(*) FROM signatures`); err != nil || left != 0 {
		t.Errorf("%d signatures left, %v", left, err)
	}
}

func TestSignaturesFollowTheTextsState(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner, karim, modo := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember),
		mustCreateMember(t, s, "Lucie", RoleModerator)
	var box mailBox
	visitor := SignatureInput{Name: "Aurélie", Email: "aurelie@exemple.fr", Departement: "29"}

	draft := proposalWith(t, s, owner, "Un brouillon", "Une proposition")
	if _, err := s.SignProposal(ctx, karim, draft.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a stranger signs a brouillon: %v", err)
	}
	wantValidation(t, func() error { _, err := s.SignProposal(ctx, owner, draft.ID); return err }(), "signature")
	if err := s.SignProposalAsVisitor(ctx, draft.ID, visitor, box.compose); !errors.Is(err, ErrNotFound) {
		t.Errorf("a visitor signs a brouillon: %v", err)
	}
	if err := CanExportSignatures(owner, draft); !errors.Is(err, ErrNotFound) {
		t.Errorf("export of a brouillon: %v", err)
	}

	open := proposalWith(t, s, owner, "Un texte ouvert", "Une proposition")
	open, err := s.MoveProposal(ctx, owner, open.ID, ProposalOpen, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.SignProposal(ctx, karim, open.ID)
	if msg := wantValidation(t, err, "signature"); !strings.Contains(msg, "pas encore publié") {
		t.Errorf("signing an open text: %q", msg)
	}
	wantValidation(t, s.SignProposalAsVisitor(ctx, open.ID, visitor, box.compose), "signature")

	p := publishedWith(t, s, owner, "Un texte publié")
	if _, err := s.SignProposal(ctx, karim, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SignProposalAsVisitor(ctx, p.ID, visitor, box.compose); err != nil {
		t.Fatal(err)
	}
	pending := box.last(t).ConfirmToken
	for _, who := range []*User{owner, modo} {
		if list, err := s.ExportSignatures(ctx, who, p); err != nil || len(list) != 1 {
			t.Errorf("export by %s: %d, %v", who.Pseudo, len(list), err)
		}
	}
	if _, err := s.ExportSignatures(ctx, karim, p); !errors.Is(err, ErrForbidden) {
		t.Errorf("export by a member: %v", err)
	}
	if _, err := s.ExportSignatures(ctx, nil, p); !errors.Is(err, ErrForbidden) {
		t.Errorf("export by a visitor: %v", err)
	}

	// Archived: signatures close, a pending one cannot be confirmed, a
	// signatory may still withdraw.
	if _, err := s.MoveProposal(ctx, owner, p.ID, ProposalArchived, false); err != nil {
		t.Fatal(err)
	}
	_, err = s.SignProposal(ctx, modo, p.ID)
	if msg := wantValidation(t, err, "signature"); !strings.Contains(msg, "archivé") {
		t.Errorf("signing an archived text: %q", msg)
	}
	wantValidation(t, s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: "Autre", Email: "autre@exemple.fr", Departement: "29"}, box.compose), "signature")
	_, err = s.ConfirmSignature(ctx, p.ID, pending)
	wantValidation(t, err, "signature")
	if err := s.WithdrawSignature(ctx, karim, p.ID); err != nil {
		t.Errorf("withdrawing from an archived text: %v", err)
	}
}

func TestSignatureListAndCountsPerDepartement(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner := mustCreateMember(t, s, "Lea", RoleMember)
	p := publishedWith(t, s, owner, "Pour un numérique à échelle humaine")
	var box mailBox
	for i, sg := range []SignatureInput{
		{Name: "Un", Departement: "29", Metier: "mediateur"},
		{Name: "Deux", Departement: "29", Metier: "conseiller"},
		{Name: "Trois", Departement: "75", Metier: "mediateur"},
		{Name: "Quatre", Departement: "2a", Metier: "mediateur"},
		{Name: "Cinq", Departement: "29", Metier: "mediateur"},
	} {
		sg.Email = "signataire" + itoa64(int64(i)) + "@exemple.fr"
		if err := s.SignProposalAsVisitor(ctx, p.ID, sg, box.compose); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmSignature(ctx, p.ID, box.last(t).ConfirmToken); err != nil {
			t.Fatal(err)
		}
	}
	// A member without a département counts as « Non précisé ».
	if _, err := s.SignProposal(ctx, owner, p.ID); err != nil {
		t.Fatal(err)
	}
	c := counts(t, s, p, "")
	want := []DepartementCount{{"29", 3}, {"", 1}, {"2A", 1}, {"75", 1}}
	if c.Total != 6 || len(c.ByDepartement) != len(want) {
		t.Fatalf("counts: %+v", c)
	}
	for i, w := range want {
		if c.ByDepartement[i] != w {
			t.Errorf("count %d: %+v, want %+v", i, c.ByDepartement[i], w)
		}
	}
	if c.ByDepartement[1].Label() != "Non précisé" || c.ByDepartement[2].Label() != "2A – Corse-du-Sud" {
		t.Errorf("labels: %q %q", c.ByDepartement[1].Label(), c.ByDepartement[2].Label())
	}
	if c := counts(t, s, p, "mediateur"); len(c.ByDepartement) != 3 || c.ByDepartement[0] != (DepartementCount{"29", 2}) {
		t.Errorf("counts of the médiateurs: %+v", c.ByDepartement)
	}

	list, total, err := s.Signatures(ctx, p, SignatureFilter{Departement: "29", Limit: 2})
	if err != nil || total != 3 || len(list) != 2 || list[0].Name != "Cinq" || list[1].Name != "Deux" {
		t.Errorf("first page of the 29: %d %+v %v", total, list, err)
	}
	list, total, _ = s.Signatures(ctx, p, SignatureFilter{Departement: "29", Limit: 2, Offset: 2})
	if total != 3 || len(list) != 1 || list[0].Name != "Un" {
		t.Errorf("second page of the 29: %d %+v", total, list)
	}
	list, total, _ = s.Signatures(ctx, p, SignatureFilter{Departement: "29", Metier: "mediateur", Limit: 10})
	if total != 2 || len(list) != 2 {
		t.Errorf("médiateurs of the 29: %d %+v", total, list)
	}
}

func TestMemberWhoSignedAsVisitorSignsOnce(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner := mustCreateMember(t, s, "Lea", RoleMember)
	p := publishedWith(t, s, owner, "Pour un numérique à échelle humaine")
	var box mailBox
	// Signed as a visitor, confirmed, then made an account with the address.
	if err := s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: "Nadia B.", Email: "nadia@exemple.fr", Departement: "69"}, box.compose); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmSignature(ctx, p.ID, box.last(t).ConfirmToken); err != nil {
		t.Fatal(err)
	}
	nadia := mustCreateMember(t, s, "Nadia", RoleMember)
	_, err := s.SignProposal(ctx, nadia, p.ID)
	if msg := wantValidation(t, err, "signature"); !strings.Contains(msg, "avec votre adresse e-mail") {
		t.Errorf("signing again as a member: %q", msg)
	}
	// Not confirmed: the member's signature takes its place.
	if err := s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: "Karim", Email: "karim@exemple.fr", Departement: "29"}, box.compose); err != nil {
		t.Fatal(err)
	}
	karim := mustCreateMember(t, s, "Karim", RoleMember)
	if _, err := s.SignProposal(ctx, karim, p.ID); err != nil {
		t.Fatal(err)
	}
	if c := counts(t, s, p, ""); c.Total != 2 || c.Pending != 0 {
		t.Errorf("counts: %+v", c)
	}
}

func TestUnconfirmedSignatureIsReplacedBySigningAgain(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	owner := mustCreateMember(t, s, "Lea", RoleMember)
	p := publishedWith(t, s, owner, "Pour un numérique à échelle humaine")
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	now := start
	s.SetClock(func() time.Time { return now })
	var box mailBox
	sign := func(name string) SignatureMail {
		t.Helper()
		if err := s.SignProposalAsVisitor(ctx, p.ID, SignatureInput{Name: name, Email: "tard@exemple.fr", Departement: "13"}, box.compose); err != nil {
			t.Fatal(err)
		}
		return box.last(t)
	}
	first := sign("Premier nom")
	now = start.Add(6 * 24 * time.Hour)
	second := sign("Second nom")
	if second.Kind != SignatureMailConfirm || second.ConfirmToken == first.ConfirmToken {
		t.Fatalf("second mail: %+v", second)
	}
	if _, err := s.ConfirmSignature(ctx, p.ID, first.ConfirmToken); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("the replaced link confirms: %v", err)
	}
	now = start.Add(SignatureConfirmWithin + time.Hour) // 7 days after the first, 1 after the second
	if c := counts(t, s, p, ""); c.Pending != 1 {
		t.Errorf("signing again did not give 7 more days: %+v", c)
	}
	sig, err := s.ConfirmSignature(ctx, p.ID, second.ConfirmToken)
	if err != nil || sig.Name != "Second nom" {
		t.Errorf("confirmed: %+v %v", sig, err)
	}
}
