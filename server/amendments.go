package server

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Amendments to a text open to contributions: the list, the form (to
// change, add or remove a proposition), an amendment's page with its diff,
// supports and the co-authors' decision, and the owner's switch that
// closes them. A refusal of the store comes back as a 422 page with the
// form as typed and the store's French message.

func (s *Server) amendmentRoutes(app *fiber.App) {
	app.Get("/propositions/:slug/amendements", s.handleAmendmentList)
	app.Get("/propositions/:slug/amendements/nouveau", s.requireMember, s.handleAmendmentForm)
	app.Post("/propositions/:slug/amendements/nouveau", s.requireMember, s.handleAmendmentCreate)
	app.Post("/propositions/:slug/amendements/cloture", s.requireMember, s.handleAmendmentsClose)
	app.Get("/propositions/:slug/amendements/:id<int>", s.handleAmendmentShow)
	app.Post("/propositions/:slug/amendements/:id<int>/soutien", s.requireMember, s.handleAmendmentSupport)
	app.Post("/propositions/:slug/amendements/:id<int>/accepter", s.requireMember, s.handleAmendmentDecide(content.AmendmentAccepted))
	app.Post("/propositions/:slug/amendements/:id<int>/refuser", s.requireMember, s.handleAmendmentDecide(content.AmendmentRejected))
	app.Post("/propositions/:slug/amendements/:id<int>/repris", s.requireMember, s.handleAmendmentDecide(content.AmendmentMerged))
}

// amendmentKinds are the kinds as the addresses name them (?type=…).
var amendmentKinds = map[string]content.AmendmentKind{
	"modifier": content.AmendChange, "ajouter": content.AmendAdd, "retirer": content.AmendRemove,
}

// itemNumber is the place of proposition id in p's working text, from 1;
// 0 when it is no longer there.
func itemNumber(p *content.Proposal, id *int64) (int, *content.ProposalItem) {
	if id == nil {
		return 0, nil
	}
	for i := range p.Items {
		if p.Items[i].ID == *id {
			return i + 1, &p.Items[i]
		}
	}
	return 0, nil
}

// amendmentRow is an amendment as the list shows it.
type amendmentRow struct {
	content.Amendment
	What string // « Modifier la proposition 2 »
	Item string // the proposition's title, as the amendment found it or proposes it
	Path string
}

func amendmentRowOf(p *content.Proposal, a content.Amendment) amendmentRow {
	n, _ := itemNumber(p, a.ItemID)
	r := amendmentRow{Amendment: a, What: a.Label(n), Item: a.BaseTitle, Path: content.AmendmentPath(p, a.ID)}
	if a.Kind != content.AmendRemove && a.Title != "" {
		r.Item = a.Title
	}
	return r
}

type amendmentListPage struct {
	Page
	Proposal      *content.Proposal
	Open, Decided []amendmentRow
	CanAmend      bool
	Closed        string // why no amendment is taken now, "" when they are
}

// amendable tells whether u may amend p now, or the store's reason why not
// (nothing to say to a reader who may not write at all).
func amendable(u *content.User, p *content.Proposal) (bool, string) {
	err := content.CanAmendProposal(u, p)
	if v, ok := content.AsValidation(err); ok {
		return false, v.Fields[0].Message
	}
	return err == nil, ""
}

func (s *Server) handleAmendmentList(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	as, err := s.store.Amendments(c.UserContext(), p)
	if err != nil {
		return err
	}
	page := &amendmentListPage{Page: s.page(c, "Amendements à « "+p.Title+" »"), Proposal: p}
	page.CanAmend, page.Closed = amendable(currentUser(c), p)
	for _, a := range as {
		if a.State == content.AmendmentOpen {
			page.Open = append(page.Open, amendmentRowOf(p, a))
		} else {
			page.Decided = append(page.Decided, amendmentRowOf(p, a))
		}
	}
	return s.render(c, 200, "proposals/amendments", page)
}

type amendmentFormPage struct {
	Page
	Proposal *content.Proposal
	Form     form
	Kind     content.AmendmentKind
	Item     *content.ProposalItem // the proposition changed or removed
	Number   int
}

var amendmentFields = []string{"kind", "item", "title", "body", "justification"}

func (s *Server) amendmentFormPage(c *fiber.Ctx, p *content.Proposal, f form) *amendmentFormPage {
	page := &amendmentFormPage{Proposal: p, Form: f, Kind: content.AmendmentKind(f.Get("kind"))}
	if id, err := strconv.ParseInt(f.Get("item"), 10, 64); err == nil {
		page.Number, page.Item = itemNumber(p, &id)
	}
	title := "Proposer une nouvelle proposition"
	switch page.Kind {
	case content.AmendChange:
		title = "Proposer un amendement à la proposition " + strconv.Itoa(page.Number)
	case content.AmendRemove:
		title = "Proposer de retirer la proposition " + strconv.Itoa(page.Number)
	}
	if page.Item == nil && page.Kind != content.AmendAdd {
		title = "Proposer un amendement"
	}
	page.Page = s.page(c, title)
	return page
}

// handleAmendmentForm opens the form for the kind the followed link chose;
// changing a proposition starts from its current text. A text that takes
// no amendment says why (422), as its form would.
func (s *Server) handleAmendmentForm(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	kind, ok := amendmentKinds[c.Query("type", "ajouter")]
	if !ok {
		return content.ErrNotFound
	}
	f := emptyForm()
	f.Values["kind"] = string(kind)
	if kind != content.AmendAdd {
		id := int64(queryNumber(c, "proposition"))
		_, it := itemNumber(p, &id)
		if it == nil {
			return content.ErrNotFound
		}
		f.Values["item"] = strconv.FormatInt(it.ID, 10)
		if kind == content.AmendChange {
			f.Values["title"], f.Values["body"] = it.Title, it.Body
		}
	}
	status := 200
	if err := s.writeRefusal(&f, content.CanAmendProposal(currentUser(c), p)); err != nil {
		return err
	}
	if f.HasErrors() {
		status = fiber.StatusUnprocessableEntity
	}
	return s.render(c, status, "proposals/amendment_form", s.amendmentFormPage(c, p, f))
}

func (s *Server) handleAmendmentCreate(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	f := readForm(c, amendmentFields...)
	item, _ := strconv.ParseInt(f.Get("item"), 10, 64)
	a, err := s.store.ProposeAmendment(c.UserContext(), currentUser(c), p.ID, content.AmendmentInput{
		Kind: content.AmendmentKind(f.Get("kind")), ItemID: item, Title: f.Get("title"), Body: f.Get("body"),
		Justification: f.Get("justification")})
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.render(c, fiber.StatusUnprocessableEntity, "proposals/amendment_form", s.amendmentFormPage(c, p, f))
	}
	return s.redirectWithFlash(c, content.AmendmentPath(p, a.ID),
		"Votre amendement est proposé : les membres peuvent le soutenir, et les auteur·rices du texte le trancheront.")
}

type amendmentPage struct {
	Page
	Proposal   *content.Proposal
	A          *content.Amendment
	What       string
	Number     int                   // the proposition's place now, 0 when gone or new
	Current    *content.ProposalItem // the proposition as it is now
	TitleDiff  template.HTML
	Diff       template.HTML // the change against the text it was written on
	Rewritten  bool
	Stale      bool
	Supported  bool
	CanSupport bool
	CanDecide  bool
	DecidedBy  string
	Support    form
	Decision   form
	Masked     bool // hidden by the moderation, from this viewer
	CanFlag    bool
}

// loadAmendment finds the text and amendment :id of the address.
func (s *Server) loadAmendment(c *fiber.Ctx) (*content.Proposal, *content.Amendment, error) {
	p, err := s.loadProposal(c)
	if err != nil {
		return nil, nil, err
	}
	id, err := paramInt(c, "id")
	if err != nil {
		return nil, nil, err
	}
	a, err := s.store.AmendmentOf(c.UserContext(), p, id)
	return p, a, err
}

func (s *Server) amendmentPageOf(c *fiber.Ctx, p *content.Proposal, a *content.Amendment) (*amendmentPage, error) {
	ctx, u := c.UserContext(), currentUser(c)
	page := &amendmentPage{Proposal: p, A: a, Stale: a.Stale(p), Support: emptyForm(), Decision: emptyForm()}
	page.Number, page.Current = itemNumber(p, a.ItemID)
	page.What = a.Label(page.Number)
	page.Page = s.page(c, "Amendement n° "+strconv.FormatInt(a.ID, 10)+" : "+strings.ToLower(page.What[:1])+page.What[1:])
	switch a.Kind {
	case content.AmendChange:
		if a.Title != a.BaseTitle {
			page.TitleDiff = content.DiffHTML(a.BaseTitle, a.Title)
		}
		page.Diff = content.DiffHTML(a.BaseBody, a.Body)
		page.Rewritten = page.Diff == content.Rewritten
	case content.AmendRemove:
		page.Diff = content.DiffHTML(a.BaseBody, "")
	}
	page.Masked = a.HiddenAt != nil && !content.CanModerate(u) && (u == nil || u.ID != a.AuthorID)
	page.CanFlag = !page.Masked && content.CanFlag(u, a.AuthorID) == nil
	can := content.AmendmentActionsFor(u, p, a)
	page.CanSupport, page.CanDecide = can.Support, can.Decide
	var err error
	if page.CanSupport {
		if page.Supported, err = s.store.Supports(ctx, u, a.ID); err != nil {
			return nil, err
		}
	}
	if a.DecidedBy != nil {
		if by, err := s.store.UserByID(ctx, *a.DecidedBy); err == nil {
			page.DecidedBy = by.Pseudo
		}
	}
	return page, nil
}

func (s *Server) handleAmendmentShow(c *fiber.Ctx) error {
	p, a, err := s.loadAmendment(c)
	if err != nil {
		return err
	}
	page, err := s.amendmentPageOf(c, p, a)
	if err != nil {
		return err
	}
	// Opening the amendment reads what one was told about it.
	if err := s.store.MarkProposalNoticesRead(c.UserContext(), currentUser(c), p.ID, a.ID); err != nil {
		return err
	}
	return s.render(c, 200, "proposals/amendment", page)
}

// renderAmendmentRefusal shows the amendment again with the store's
// reason on the form that was sent, as typed (422).
func (s *Server) renderAmendmentRefusal(c *fiber.Ctx, p *content.Proposal, a *content.Amendment, set func(*amendmentPage)) error {
	page, err := s.amendmentPageOf(c, p, a)
	if err != nil {
		return err
	}
	set(page)
	return s.render(c, fiber.StatusUnprocessableEntity, "proposals/amendment", page)
}

func (s *Server) handleAmendmentSupport(c *fiber.Ctx) error {
	p, a, err := s.loadAmendment(c)
	if err != nil {
		return err
	}
	f := readForm(c, "soutien")
	support := f.Get("soutien") != "non"
	n, err := s.store.SupportAmendment(c.UserContext(), currentUser(c), p.ID, a.ID, support)
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.renderAmendmentRefusal(c, p, a, func(page *amendmentPage) { page.Support = f })
	}
	msg := "Vous soutenez cet amendement (" + supporters(n) + ")."
	if !support {
		msg = "Vous ne soutenez plus cet amendement (" + supporters(n) + ")."
	}
	return s.redirectWithFlash(c, content.AmendmentPath(p, a.ID), msg)
}

func supporters(n int) string {
	if n == 0 {
		return "aucun soutien"
	}
	if n == 1 {
		return "1 soutien"
	}
	return strconv.Itoa(n) + " soutiens"
}

// handleAmendmentDecide settles the amendment as to: accepted, rejected
// (with the reason typed) or merged by hand.
func (s *Server) handleAmendmentDecide(to content.AmendmentState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, a, err := s.loadAmendment(c)
		if err != nil {
			return err
		}
		f := readForm(c, "reason")
		decided, err := s.store.DecideAmendment(c.UserContext(), currentUser(c), p.ID, a.ID, to, f.Get("reason"))
		if err := s.writeRefusal(&f, err); err != nil {
			return err
		}
		if f.HasErrors() {
			return s.renderAmendmentRefusal(c, p, a, func(page *amendmentPage) { page.Decision = f })
		}
		msg := "L’amendement est marqué comme repris à la main."
		switch decided.State {
		case content.AmendmentAccepted:
			msg = "L’amendement est accepté : il est entré dans le texte, au nom de " + decided.AuthorPseudo + "."
		case content.AmendmentRejected:
			msg = "L’amendement est refusé ; la raison est affichée avec lui."
		}
		return s.redirectWithFlash(c, content.AmendmentPath(p, a.ID), msg)
	}
}

// handleAmendmentsClose closes or opens again the amendments of a text,
// from its owner's page.
func (s *Server) handleAmendmentsClose(c *fiber.Ctx) error {
	p, err := s.managedProposal(c)
	if err != nil {
		return err
	}
	closed := c.FormValue("fermer") == "oui"
	err = s.store.CloseAmendments(c.UserContext(), currentUser(c), p.ID, closed)
	msg := "Les amendements sont de nouveau ouverts."
	if closed {
		msg = "Les amendements sont clos : ceux déjà proposés restent visibles et peuvent encore être tranchés."
	}
	return s.afterAction(c, err, p.Path()+"/gerer#amendements", msg)
}

// textAmendments decorates a text's working propositions with their open
// amendments, the credits of accepted ones and the links to amend them;
// it returns the number of open amendments.
func (s *Server) textAmendments(c *fiber.Ctx, p *content.Proposal, t *proposalText) (open int, some bool, err error) {
	byItem, open, some, err := s.store.AmendmentsByItem(c.UserContext(), p)
	if err != nil {
		return 0, false, err
	}
	can := content.CanAmendProposal(currentUser(c), p) == nil
	if can {
		t.AddAmendment = p.Path() + "/amendements/nouveau?type=ajouter"
	}
	for i := range t.Items {
		it := &t.Items[i]
		if it.ID == 0 {
			continue // a published version: its propositions are frozen
		}
		ia := byItem[it.ID]
		it.OpenAmendments, it.Credits = ia.Open, ia.Credited
		if can {
			it.Amend = p.Path() + "/amendements/nouveau?type=modifier&proposition=" + strconv.FormatInt(it.ID, 10)
			it.Remove = p.Path() + "/amendements/nouveau?type=retirer&proposition=" + strconv.FormatInt(it.ID, 10)
		}
	}
	return open, some, nil
}
