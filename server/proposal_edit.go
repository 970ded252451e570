package server

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Writing a text: its title, préambule and conclusion, its propositions
// (added, changed, moved, removed). Each form carries the revision it
// started from: a change crossing another is merged, or comes back as a
// 409 conflict with both versions kept.

func (s *Server) proposalEditRoutes(app *fiber.App) {
	app.Get("/propositions/:slug/modifier", s.requireMember, s.handleProposalPartForm)
	app.Post("/propositions/:slug/modifier", s.requireMember, s.handleProposalPartEdit)
	app.Get("/propositions/:slug/propositions/nouvelle", s.requireMember, s.handleProposalItemForm)
	app.Post("/propositions/:slug/propositions/nouvelle", s.requireMember, s.handleProposalItemEdit)
	app.Get("/propositions/:slug/propositions/:item<int>/modifier", s.requireMember, s.handleProposalItemForm)
	app.Post("/propositions/:slug/propositions/:item<int>/modifier", s.requireMember, s.handleProposalItemEdit)
	app.Post("/propositions/:slug/propositions/:item<int>/monter", s.requireMember, s.handleProposalItemMove(-1))
	app.Post("/propositions/:slug/propositions/:item<int>/descendre", s.requireMember, s.handleProposalItemMove(1))
	app.Post("/propositions/:slug/propositions/:item<int>/retirer", s.requireMember, s.handleProposalItemRemove)
}

// proposalParts are the parts the address names (?partie=…), in French.
var proposalParts = map[string]content.ProposalPart{
	"titre": content.PartTitle, "preambule": content.PartPreamble, "conclusion": content.PartConclusion,
}

var partNames = map[content.ProposalPart]string{
	content.PartTitle: "le titre", content.PartPreamble: "le préambule", content.PartConclusion: "la conclusion",
	content.PartItem: "la proposition",
}

type proposalEditPage struct {
	Page
	Proposal *content.Proposal
	Form     form
	Action   string
	Part     content.ProposalPart
	Conflict *proposalConflictView
}

// TitleOnly tells whether the form edits the text's title alone.
func (p *proposalEditPage) TitleOnly() bool { return p.Part == content.PartTitle }

// IsItem tells whether the form edits a proposition (a title and a body).
func (p *proposalEditPage) IsItem() bool { return p.Part == content.PartItem }

// proposalConflictView is what the conflict page shows besides the form;
// the "merge-conflict" partial reads By, Regions and YourText.
type proposalConflictView struct {
	By           string
	Regions      []content.MergeConflict
	YourText     string
	Current      string // the part as it is now
	CurrentTitle string // a proposition's or the text's title, when it changed too
	YourTitle    string
}

var proposalEditFields = []string{"partie", "title", "body", "comment", "base_revision"}

func (s *Server) proposalEditPage(c *fiber.Ctx, p *content.Proposal, part content.ProposalPart, f form, action string) *proposalEditPage {
	title := "Modifier " + partNames[part] + " de « " + p.Title + " »"
	if part == content.PartItem && strings.HasSuffix(action, "/nouvelle") {
		title = "Ajouter une proposition à « " + p.Title + " »"
	} else if partNames[part] == "" {
		title = "Modifier « " + p.Title + " »"
	}
	return &proposalEditPage{Page: s.page(c, title), Proposal: p, Form: f, Action: action, Part: part}
}

// editableProposal loads the text for u's edit form, or says why not: a
// text u may not read is 404, one u only reads 403, an archived one sends
// back to the text with the reason.
func (s *Server) editableProposal(c *fiber.Ctx) (*content.Proposal, error) {
	p, err := s.loadProposal(c)
	if err != nil {
		return nil, err
	}
	if err := content.CanEditProposal(currentUser(c), p); err != nil {
		if v, ok := content.AsValidation(err); ok {
			s.setFlash(c, refusalMark+v.Fields[0].Message)
			return nil, redirectTo(p.Path(), fiber.StatusSeeOther)
		}
		return nil, err
	}
	return p, nil
}

func (s *Server) handleProposalPartForm(c *fiber.Ctx) error {
	part, ok := proposalParts[c.Query("partie")]
	if !ok {
		return content.ErrNotFound
	}
	p, err := s.editableProposal(c)
	if err != nil {
		return err
	}
	f := emptyForm()
	f.Values["partie"], f.Values["base_revision"] = strings.Clone(c.Query("partie")), strconv.Itoa(p.Revision)
	f.Values["title"], f.Values["body"] = p.Title, p.Preamble
	if part == content.PartConclusion {
		f.Values["body"] = p.Conclusion
	}
	return s.render(c, 200, "proposals/edit", s.proposalEditPage(c, p, part, f, p.Path()+"/modifier"))
}

func (s *Server) handleProposalPartEdit(c *fiber.Ctx) error {
	p, err := s.editableProposal(c)
	if err != nil {
		return err
	}
	f := readForm(c, proposalEditFields...)
	part, ok := proposalParts[f.Get("partie")]
	if !ok {
		part = content.ProposalPart(f.Get("partie")) // the store refuses it in French
	}
	return s.saveProposalPart(c, p, part, 0, f, p.Path()+"/modifier")
}

func (s *Server) handleProposalItemForm(c *fiber.Ctx) error {
	p, err := s.editableProposal(c)
	if err != nil {
		return err
	}
	f := emptyForm()
	action := p.Path() + "/propositions/nouvelle"
	f.Values["base_revision"] = strconv.Itoa(p.Revision)
	if c.Params("item") != "" {
		it, _, err := proposalItemOf(c, p)
		if err != nil {
			return err
		}
		f.Values["title"], f.Values["body"], f.Values["base_revision"] = it.Title, it.Body, strconv.Itoa(it.Revision)
		action = p.Path() + "/propositions/" + strconv.FormatInt(it.ID, 10) + "/modifier"
	}
	return s.render(c, 200, "proposals/edit", s.proposalEditPage(c, p, content.PartItem, f, action))
}

func (s *Server) handleProposalItemEdit(c *fiber.Ctx) error {
	p, err := s.editableProposal(c)
	if err != nil {
		return err
	}
	f := readForm(c, proposalEditFields...)
	if c.Params("item") == "" {
		return s.saveProposalPart(c, p, content.PartItem, 0, f, p.Path()+"/propositions/nouvelle")
	}
	it, _, err := proposalItemOf(c, p)
	if err != nil {
		return err
	}
	return s.saveProposalPart(c, p, content.PartItem, it.ID, f, p.Path()+"/propositions/"+strconv.FormatInt(it.ID, 10)+"/modifier")
}

// proposalItemOf finds the proposition :item of the address in p, and its
// number in the text.
func proposalItemOf(c *fiber.Ctx, p *content.Proposal) (*content.ProposalItem, int, error) {
	id, err := paramInt(c, "item")
	if err != nil {
		return nil, 0, err
	}
	for i := range p.Items {
		if p.Items[i].ID == id {
			return &p.Items[i], i + 1, nil
		}
	}
	return nil, 0, content.ErrNotFound
}

// saveProposalPart saves a part's form: back to the text, merged if need
// be; refused, the form comes back as typed (422) or with the conflict (409).
func (s *Server) saveProposalPart(c *fiber.Ctx, p *content.Proposal, part content.ProposalPart, itemID int64, f form, action string) error {
	base, _ := strconv.Atoi(f.Get("base_revision"))
	res, err := s.store.EditProposal(c.UserContext(), currentUser(c), p.ID, content.PartEdit{Part: part, ItemID: itemID,
		Title: f.Get("title"), Body: f.Get("body"), Comment: f.Get("comment"), BaseRevision: base})
	var conflict *content.ProposalConflict
	if errors.As(err, &conflict) {
		return s.renderProposalConflict(c, p, f, action, conflict)
	}
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.render(c, fiber.StatusUnprocessableEntity, "proposals/edit", s.proposalEditPage(c, p, part, f, action))
	}
	msg := "Vos modifications sont enregistrées."
	switch {
	case res.Unchanged:
		msg = "Aucune modification à enregistrer : le texte contenait déjà ceci."
	case len(res.MergedWith) > 0:
		msg = "Vos modifications ont été fusionnées avec celles de " + strings.Join(res.MergedWith, ", ") + "."
	}
	to := res.Proposal.Path()
	if part == content.PartItem {
		to += "#propositions"
		for i, it := range res.Proposal.Items {
			if it.ID == itemID || itemID == 0 && i == len(res.Proposal.Items)-1 {
				to = res.Proposal.Path() + "#" + it.Anchor(i+1)
			}
		}
	}
	return s.redirectWithFlash(c, to, msg)
}

// renderProposalConflict answers a change that crossed another: 409, the
// form holding the merged text with both versions between markers.
func (s *Server) renderProposalConflict(c *fiber.Ctx, p *content.Proposal, f form, action string, conflict *content.ProposalConflict) error {
	view := &proposalConflictView{By: strings.Join(conflict.By, ", "), Regions: conflict.Conflicts, YourText: f.Get("body"),
		Current: conflict.Current.Body, YourTitle: f.Get("title")}
	if conflict.Current.Title != f.Get("title") && (conflict.Part == content.PartItem || conflict.Part == content.PartTitle) {
		view.CurrentTitle = conflict.Current.Title
	}
	f.Values["title"], f.Values["body"] = conflict.Merged.Title, conflict.Merged.Body
	f.Values["base_revision"] = strconv.Itoa(conflict.Merged.BaseRevision)
	page := s.proposalEditPage(c, p, conflict.Part, f, action)
	page.Conflict = view
	return s.render(c, fiber.StatusConflict, "proposals/edit", page)
}

func (s *Server) handleProposalItemMove(delta int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := s.loadProposal(c)
		if err != nil {
			return err
		}
		it, _, err := proposalItemOf(c, p)
		if err != nil {
			return err
		}
		revision, _ := strconv.Atoi(c.FormValue("revision"))
		moved, err := s.store.MoveProposalItem(c.UserContext(), currentUser(c), p.ID, it.ID, delta, revision)
		if err != nil {
			return s.afterAction(c, err, p.Path()+"#propositions", "")
		}
		for i, m := range moved.Items {
			if m.ID == it.ID {
				return s.redirectWithFlash(c, p.Path()+"#"+m.Anchor(i+1), "La proposition « "+m.Title+" » est maintenant la n° "+strconv.Itoa(i+1)+".")
			}
		}
		return c.Redirect(p.Path(), fiber.StatusSeeOther)
	}
}

func (s *Server) handleProposalItemRemove(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	it, _, err := proposalItemOf(c, p)
	if err != nil {
		return err
	}
	_, err = s.store.RemoveProposalItem(c.UserContext(), currentUser(c), p.ID, it.ID, "")
	return s.afterAction(c, err, p.Path()+"#propositions", "La proposition « "+it.Title+" » est retirée du texte.")
}
