package server

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Signatures of a published text: the « Signer ce texte » box of its page
// (one button for a member, the fields for a visitor, whose signature
// counts once the link mailed is followed), the public list of
// signatories with its counts per département, withdrawal (a button, or
// the link of the mail) and the CSV export for the owner and moderators.

func (s *Server) signatureRoutes(app *fiber.App) {
	app.Get("/propositions/:slug/signatures", s.handleSignatureList)
	app.Get("/propositions/:slug/signatures.csv", s.requireMember, s.handleSignatureExport)
	app.Post("/propositions/:slug/signatures", s.handleVisitorSign)
	app.Post("/propositions/:slug/signer", s.requireMember, s.handleMemberSign)
	app.Post("/propositions/:slug/signatures/retirer", s.requireMember, s.handleMemberWithdraw)
	app.Get("/propositions/:slug/signatures/confirmer", s.handleSignatureConfirmForm)
	app.Post("/propositions/:slug/signatures/confirmer", s.handleSignatureConfirm)
	app.Get("/propositions/:slug/signatures/retrait", s.handleSignatureWithdrawForm)
	app.Post("/propositions/:slug/signatures/retrait", s.handleSignatureWithdraw)
}

// signatureFields are the visitor's fields, in the form's order.
var signatureFields = []string{"name", "email", "structure", "departement", "metier"}

// signatureBox is the « Signer ce texte » part of a published text's page.
type signatureBox struct {
	Proposal *content.Proposal
	CSRF     csrfValue
	Total    int
	Pending  int
	Mine     *content.Signature // the member's own signature
	Signer   *content.User      // a member who may sign, their profile as the signature will show it
	Closed   string             // why nobody signs (archived), or why this member cannot yet
	Visitor  bool               // the visitor's fields are shown
	Form     form
	Metiers  []option
	Export   bool
}

// signatureBoxFor builds the box for the text's page, nil while the text
// is not published (it has no signatures).
func (s *Server) signatureBoxFor(c *fiber.Ctx, p *content.Proposal, f form) (*signatureBox, error) {
	if p.State != content.ProposalPublished && p.State != content.ProposalArchived {
		return nil, nil
	}
	u := currentUser(c)
	b := &signatureBox{Proposal: p, CSRF: s.csrfToken(c), Form: f, Metiers: metierOptions(), Export: content.CanExportSignatures(u, p) == nil}
	var err error
	if b.Total, b.Pending, err = s.store.SignatureTotals(c.UserContext(), p); err != nil {
		return nil, err
	}
	if b.Mine, err = s.store.SignatureOf(c.UserContext(), u, p); err != nil && !errors.Is(err, content.ErrNotFound) {
		return nil, err
	}
	if b.Mine != nil {
		return b, nil
	}
	switch err := content.CanSignProposal(u, p); {
	case err == nil && u != nil:
		b.Signer = u
	case err == nil:
		b.Visitor = true
	case errors.Is(err, content.ErrUnverified):
		b.Closed = "Confirmez d’abord votre adresse e-mail pour signer ce texte : ouvrez le lien reçu à l’inscription, ou demandez-en un nouveau depuis votre compte."
	default:
		if v, ok := content.AsValidation(err); ok {
			b.Closed = v.Fields[0].Message
		}
	}
	return b, nil
}

// signAsMember signs p for the member, with their profile, within the
// per-address limit the page and the API share.
func (s *Server) signAsMember(c *fiber.Ctx, p *content.Proposal) (*content.Signature, error) {
	u := currentUser(c)
	if wait := s.limits.signEmail.wait(c.UserContext(), "email:"+u.Email); wait > 0 {
		return nil, tooMany(c, wait)
	}
	s.limits.signEmail.add(c.UserContext(), "email:"+u.Email)
	return s.store.SignProposal(c.UserContext(), u, p.ID)
}

// handleMemberSign signs the text in one click, with the member's profile.
func (s *Server) handleMemberSign(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	_, err = s.signAsMember(c, p)
	return s.afterAction(c, err, p.Path(), "Merci, votre signature est enregistrée : elle figure dans la liste des signataires.")
}

// handleMemberWithdraw takes the member's signature back.
func (s *Server) handleMemberWithdraw(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	err = s.store.WithdrawSignature(c.UserContext(), currentUser(c), p.ID)
	return s.afterAction(c, err, p.Path(), "Votre signature est retirée.")
}

type signatureFormPage struct {
	Page
	Proposal *content.Proposal
	Box      *signatureBox
}

// handleVisitorSign takes a visitor's signature and mails the link that
// confirms it. A member who sends these fields (the page was opened
// before logging in) signs with their profile.
func (s *Server) handleVisitorSign(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	if currentUser(c) != nil {
		return s.handleMemberSign(c)
	}
	f := readForm(c, signatureFields...)
	again := func(status int) error {
		box, err := s.signatureBoxFor(c, p, f)
		if err != nil {
			return err
		}
		if box == nil {
			return content.ErrNotFound
		}
		return s.render(c, status, "proposals/signatures-form", &signatureFormPage{Page: s.page(c, "Signer « "+p.Title+" »"),
			Proposal: p, Box: box})
	}
	ctx, ip, email := c.UserContext(), clientIP(c), "email:"+content.NormalizeEmail(f.Get("email"))
	if wait := max(s.limits.signIP.wait(ctx, ip), s.limits.signEmail.wait(ctx, email)); wait > 0 {
		f.Errors.Add("email", tooMany(c, wait).Message)
		return again(fiber.StatusTooManyRequests)
	}
	s.limits.signIP.add(ctx, ip)
	in := content.SignatureInput{Name: f.Get("name"), Email: f.Get("email"), Structure: f.Get("structure"),
		Departement: f.Get("departement"), Metier: f.Get("metier")}
	err = s.store.SignProposalAsVisitor(ctx, p.ID, in, s.signatureMail)
	if v, ok := content.AsValidation(err); ok && v.Get("signature") != "" {
		return s.redirectWithRefusal(c, p.Path(), v.Get("signature")) // not published, or archived
	}
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		return again(fiber.StatusUnprocessableEntity)
	}
	s.limits.signEmail.add(ctx, email) // a mail was sent
	s.mailer.poke()
	return s.redirectWithFlash(c, p.Path(), "Merci ! Un e-mail vient d’être envoyé à l’adresse indiquée : "+
		"ouvrez le lien qu’il contient, dans les 7 jours, pour que votre signature compte.")
}

// signatureMailView is what the mails to a visitor who signed show.
type signatureMailView struct {
	Name, Title, SignedAt            string
	TextURL, ConfirmURL, WithdrawURL string
}

// signatureMail composes the mail to a visitor who signed, as account
// mails are: a text template and its HTML part.
func (s *Server) signatureMail(m content.SignatureMail) content.Mail {
	base := s.cfg.BaseURL + m.Proposal.Path()
	v := signatureMailView{Name: m.Name, Title: m.Proposal.Title, TextURL: base}
	if !m.SignedAt.IsZero() {
		v.SignedAt = frenchDate(m.SignedAt)
	}
	if m.ConfirmToken != "" {
		v.ConfirmURL = base + "/signatures/confirmer?jeton=" + m.ConfirmToken
	}
	if m.WithdrawToken != "" {
		v.WithdrawURL = base + "/signatures/retrait?jeton=" + m.WithdrawToken
	}
	name := map[content.SignatureMailKind]string{content.SignatureMailConfirm: "signature",
		content.SignatureMailAlready: "signature-again", content.SignatureMailAccount: "signature-account"}[m.Kind]
	subject, body, err := s.views.Mail(name, v)
	if err != nil {
		panic(err) // a broken template: the tests send every kind
	}
	return content.Mail{To: m.To, Subject: subject, Body: body, HTML: s.plainHTML(subject, body)}
}

// signatureLinkPage asks for the click that uses a link of the mail (mail
// scanners open links: opening one must not confirm or withdraw).
type signatureLinkPage struct {
	Page
	Proposal    *content.Proposal
	Action      string
	Token       string
	Explanation string
	Button      string
}

const deadConfirmation = "Ce lien de confirmation ne fonctionne plus : la signature est déjà confirmée, ou plus de 7 jours ont passé " +
	"(elle a alors été effacée). Vous pouvez signer à nouveau depuis la page du texte."

func (s *Server) handleSignatureConfirmForm(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	token := strings.Clone(c.Query("jeton"))
	if err := s.store.CheckSignatureConfirmation(c.UserContext(), p.ID, token); err != nil {
		return s.linkProblem(c, err, deadConfirmation)
	}
	return s.render(c, 200, "proposals/signatures-link", &signatureLinkPage{Page: s.page(c, "Confirmer ma signature"), Proposal: p,
		Action: p.Path() + "/signatures/confirmer", Token: token, Button: "Confirmer ma signature",
		Explanation: "Un dernier clic pour que votre signature compte et figure dans la liste des signataires."})
}

func (s *Server) handleSignatureConfirm(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	_, err = s.store.ConfirmSignature(c.UserContext(), p.ID, c.FormValue("jeton"))
	if errors.Is(err, content.ErrTokenInvalid) {
		return s.linkProblem(c, err, deadConfirmation)
	}
	return s.afterAction(c, err, p.Path(), "Merci, votre signature est confirmée : elle figure dans la liste des signataires.")
}

const deadWithdrawal = "Ce lien de retrait ne fonctionne plus : la signature a déjà été retirée, " +
	"ou un message plus récent vous a envoyé un nouveau lien."

func (s *Server) handleSignatureWithdrawForm(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	token := strings.Clone(c.Query("jeton"))
	sig, err := s.store.CheckSignatureWithdrawal(c.UserContext(), p.ID, token)
	if err != nil {
		return s.linkProblem(c, err, deadWithdrawal)
	}
	return s.render(c, 200, "proposals/signatures-link", &signatureLinkPage{Page: s.page(c, "Retirer ma signature"), Proposal: p,
		Action: p.Path() + "/signatures/retrait", Token: token, Button: "Retirer ma signature",
		Explanation: "Votre signature, au nom de « " + sig.Name + " », sera effacée de la liste des signataires."})
}

func (s *Server) handleSignatureWithdraw(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	if err := s.store.WithdrawSignatureByToken(c.UserContext(), p.ID, c.FormValue("jeton")); err != nil {
		return s.linkProblem(c, err, deadWithdrawal)
	}
	return s.redirectWithFlash(c, p.Path(), "Votre signature est retirée.")
}

// signaturesPerPage is the length of a page of the list of signatories.
const signaturesPerPage = 50

type signaturesPage struct {
	Page
	Proposal                    *content.Proposal
	Signatures                  []content.Signature
	Total                       int // all the signatures that count
	Matching                    int // those the filters keep
	ByDepartement               []content.DepartementCount
	ByRegion                    []content.RegionCount
	Chart, RegionChart          barChart
	Departement                 string // the filters, and how the page names them
	Metier                      string
	DepartementName, MetierName string
	Departements                []option
	Metiers                     []option
	Pager                       pager
	Open                        bool // still open to signatures
	Export                      bool
}

// handleSignatureList is the public list of signatories, filtered by
// département and role, with the counts per département.
func (s *Server) handleSignatureList(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	if !content.CanReadSignatures(u, p) {
		return content.ErrNotFound
	}
	page := &signaturesPage{Page: s.page(c, "Signataires de « "+p.Title+" »"), Proposal: p, Metiers: metierOptions(),
		Open: p.State == content.ProposalPublished, Export: content.CanExportSignatures(u, p) == nil}
	page.Metiers[0].Label = "Tous les rôles"
	if code, ok := content.NormalizeDepartement(c.Query("departement")); ok {
		page.Departement = code
	}
	if m := c.Query("role"); content.MetierLabel(m) != "" {
		page.Metier = strings.Clone(m)
	}
	page.DepartementName, page.MetierName = content.DepartementLabel(page.Departement), content.MetierLabel(page.Metier)
	n := pageNumber(c)
	f := content.SignatureFilter{Departement: page.Departement, Metier: page.Metier, Offset: (n - 1) * signaturesPerPage, Limit: signaturesPerPage}
	if page.Signatures, page.Matching, err = s.store.Signatures(ctx, p, f); err != nil {
		return err
	}
	page.Pager = newPager(c, n, page.Matching, signaturesPerPage)
	if n > page.Pager.Pages {
		return content.ErrNotFound
	}
	if page.Total, _, err = s.store.SignatureTotals(ctx, p); err != nil {
		return err
	}
	if page.ByDepartement, err = s.store.SignaturesByDepartement(ctx, p, page.Metier); err != nil {
		return err
	}
	page.Chart = departementChart(page.ByDepartement)
	page.ByRegion = content.CountByRegion(page.ByDepartement)
	page.RegionChart = regionChart(page.ByRegion)
	// The départements to choose from are those that signed, and the one chosen.
	page.Departements = []option{{"", "Tous les départements"}}
	chosen := page.Departement == ""
	for _, d := range page.ByDepartement {
		if d.Code != "" {
			page.Departements = append(page.Departements, option{d.Code, d.Label() + " (" + strconv.Itoa(d.Count) + ")"})
			chosen = chosen || d.Code == page.Departement
		}
	}
	if !chosen {
		page.Departements = append(page.Departements, option{page.Departement, content.DepartementLabel(page.Departement) + " (0)"})
	}
	return s.render(c, 200, "proposals/signatures", page)
}

// chartBars is how many départements the chart draws: the top ten.
const chartBars = 10

// departementChart draws the départements with the most signatures; the
// signatures whose département is not given are left to the table.
func departementChart(counts []content.DepartementCount) barChart {
	var top []content.DepartementCount // most first, as counted
	for _, d := range counts {
		if d.Code != "" && len(top) < chartBars {
			top = append(top, d)
		}
	}
	labels, figures := make([]string, len(top)), make([]int, len(top))
	for i, d := range top {
		labels[i], figures[i] = d.Label(), d.Count
	}
	return newBarChart("Diagramme en barres des départements qui comptent le plus de signatures. ", labels, figures, signatureCount)
}

// regionChart draws every région of France, in the order of
// content.Regions, the ones without signatures too: where the text has
// reached, and where not yet.
func regionChart(byRegion []content.RegionCount) barChart {
	labels, counts := make([]string, len(byRegion)), make([]int, len(byRegion))
	for i, r := range byRegion {
		labels[i], counts[i] = r.Name, r.Count
	}
	return newBarChart("Diagramme en barres des signatures dans chaque région de France. ", labels, counts, signatureCount)
}

func signatureCount(n int) string {
	if n < 2 {
		return strconv.Itoa(n) + " signature"
	}
	return strconv.Itoa(n) + " signatures"
}

// handleSignatureExport sends the signatures as a CSV file to the owner
// and the moderators. Excel in a French locale splits a CSV at the
// locale's list separator, « ; » (the comma is the decimal separator
// there): with « , » every line would land in one column. It reads the
// file as UTF-8 only after a byte order mark (else « Maëlle » turns to
// « MaÃ«lle »); LibreOffice detects both. Addresses are not exported: the
// signatures do not keep them.
func (s *Server) handleSignatureExport(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	list, err := s.store.ExportSignatures(c.UserContext(), currentUser(c), p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	w.Write([]string{"Nom", "Rôle", "Structure", "Département", "Version signée", "Date"})
	for _, sig := range list {
		w.Write([]string{spreadsheetText(sig.Name), sig.MetierLabel(), spreadsheetText(sig.Structure), sig.DepartementLabel(),
			strconv.Itoa(sig.Version), sig.SignedAt().In(paris).Format("02/01/2006 15:04")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="signatures-`+p.Slug+`.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// spreadsheetText keeps what a signatory typed from being read as a
// formula by a spreadsheet (« =HYPERLINK(…) »): such a cell starts with
// an apostrophe, which spreadsheets show as text.
func spreadsheetText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
