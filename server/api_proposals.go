package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The proposals API calls the same content methods as the pages: the
// texts the viewer may read (a brouillon is its authors' and invited
// readers' only, a 404 to anyone else), starting one, changing a
// proposition on top of base_revision (409 with the merged text when it
// crosses another change), and moving a text to another state.

func (s *Server) apiProposalRoutes(api fiber.Router) {
	api.Get("/propositions", s.handleAPIProposals)
	api.Post("/propositions", s.requireMember, s.handleAPIProposalCreate)
	api.Get("/propositions/:slug", s.handleAPIProposal)
	api.Post("/propositions/:slug/items", s.requireMember, s.handleAPIProposalItem)
	api.Put("/propositions/:slug/items/:item<int>", s.requireMember, s.handleAPIProposalItem)
	api.Post("/propositions/:slug/etat", s.requireMember, s.handleAPIProposalMove)
	s.apiProposalAmendmentRoutes(api) // api_proposal_amendments.go
}

type apiProposalSummary struct {
	Slug         string    `json:"slug"`
	Title        string    `json:"title"`
	URL          string    `json:"url"`
	State        string    `json:"state"`
	Version      int       `json:"version"` // the latest published, 0 for none
	Items        int       `json:"items"`
	Contributors int       `json:"contributors"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// apiProposalText is a text as one reads it: the working text (its
// propositions with their ID and revision, for PUT) or a frozen version.
type apiProposalText struct {
	Revision   int               `json:"revision,omitempty"` // the working text's; base_revision of a new proposition
	Title      string            `json:"title"`
	Preamble   string            `json:"preamble"`
	Conclusion string            `json:"conclusion"`
	Items      []apiProposalItem `json:"items"`
}

type apiProposalItem struct {
	Number   int    `json:"number"`
	ID       int64  `json:"id,omitempty"`
	Revision int    `json:"revision,omitempty"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	HTML     string `json:"html"`
}

type apiProposalVersion struct {
	Number      int             `json:"number"`
	PublishedAt time.Time       `json:"published_at"`
	URL         string          `json:"url"`
	Markdown    string          `json:"markdown_url"`
	PDF         string          `json:"pdf_url"`
	Text        apiProposalText `json:"text"`
}

type apiProposal struct {
	Slug         string               `json:"slug"`
	URL          string               `json:"url"`
	State        string               `json:"state"`
	MembersOnly  bool                 `json:"members_only"`
	Version      int                  `json:"version"`
	Role         string               `json:"role"` // the viewer's: "owner", "coauthor", "reader" or ""
	CanEdit      bool                 `json:"can_edit"`
	CanManage    bool                 `json:"can_manage"` // its state, and closing its amendments
	CanAmend     bool                 `json:"can_amend"`
	Moves        []string             `json:"moves"` // the states the viewer may move it to
	Closed       bool                 `json:"amendments_closed"`
	Working      *apiProposalText     `json:"working,omitempty"`
	Versions     []apiProposalVersion `json:"versions"`
	Contributors []apiContributor     `json:"contributors"`
	UpdatedAt    time.Time            `json:"updated_at"`
}

type apiContributor struct {
	Pseudo     string `json:"pseudo"`
	Changes    int    `json:"changes"`
	Amendments int    `json:"amendments"`
}

func workingAPIText(p *content.Proposal) *apiProposalText {
	t := &apiProposalText{Revision: p.Revision, Title: p.Title, Preamble: p.Preamble, Conclusion: p.Conclusion, Items: []apiProposalItem{}}
	for i, it := range p.Items {
		t.Items = append(t.Items, apiProposalItem{Number: i + 1, ID: it.ID, Revision: it.Revision, Title: it.Title, Body: it.Body, HTML: string(it.HTML)})
	}
	return t
}

func (s *Server) handleAPIProposals(c *fiber.Ctx) error {
	list, err := s.store.ListProposals(c.UserContext(), currentUser(c), 200)
	if err != nil {
		return err
	}
	out := make([]apiProposalSummary, len(list))
	for i, p := range list {
		out[i] = apiProposalSummary{Slug: p.Slug, Title: p.Title, URL: s.cfg.BaseURL + p.Path(), State: string(p.State), Version: p.Version,
			Items: p.Items, Contributors: p.Contributors, UpdatedAt: p.UpdatedAt}
	}
	return c.JSON(fiber.Map{"propositions": out})
}

// toAPIProposal is p as u reads it: its versions (each with its text),
// the working text for those who read it (its writers; everyone while it
// is a brouillon or open), and its contributors up to what u reads.
func (s *Server) toAPIProposal(c *fiber.Ctx, p *content.Proposal) (*apiProposal, error) {
	ctx, u := c.UserContext(), currentUser(c)
	can := content.ProposalActionsFor(u, p)
	out := &apiProposal{Slug: p.Slug, URL: s.cfg.BaseURL + p.Path(), State: string(p.State), MembersOnly: p.MembersOnly, Version: p.Version,
		Role: string(p.RoleOf(u)), CanEdit: can.Edit, CanManage: can.Manage, CanAmend: content.CanAmendProposal(u, p) == nil,
		Closed: p.AmendmentsClosed, Moves: []string{}, Versions: []apiProposalVersion{}, Contributors: []apiContributor{},
		UpdatedAt: p.UpdatedAt}
	for _, m := range can.Moves {
		out.Moves = append(out.Moves, string(m))
	}
	if p.Writes(u) || p.State == content.ProposalDraft || p.State == content.ProposalOpen {
		out.Working = workingAPIText(p)
	}
	versions, err := s.store.ProposalVersions(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		t := apiProposalText{Title: v.Title, Preamble: v.Preamble, Conclusion: v.Conclusion, Items: []apiProposalItem{}}
		for i, it := range v.Items() {
			t.Items = append(t.Items, apiProposalItem{Number: i + 1, Title: it.Title, Body: it.Body, HTML: string(it.HTML)})
		}
		base := s.cfg.BaseURL + p.Path()
		n := strconv.Itoa(v.Number)
		out.Versions = append(out.Versions, apiProposalVersion{Number: v.Number, PublishedAt: v.PublishedAt, URL: base + "/versions/" + n,
			Markdown: base + "/versions/" + n + ".md", PDF: base + "/versions/" + n + ".pdf", Text: t})
	}
	upTo, err := s.store.RevisionShown(ctx, u, p)
	if err != nil {
		return nil, err
	}
	contributors, err := s.store.ProposalContributors(ctx, p, upTo)
	if err != nil {
		return nil, err
	}
	for _, ct := range contributors {
		out.Contributors = append(out.Contributors, apiContributor{ct.Pseudo, ct.Changes, ct.Amendments})
	}
	return out, nil
}

func (s *Server) handleAPIProposal(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	out, err := s.toAPIProposal(c, p)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiProposalInput is what the API's writes take, as JSON or a form.
type apiProposalInput struct {
	Title        string `json:"title" form:"title"`
	Preamble     string `json:"preamble" form:"preamble"`
	Body         string `json:"body" form:"body"`
	Comment      string `json:"comment" form:"comment"`
	BaseRevision int    `json:"base_revision" form:"base_revision"`
	State        string `json:"state" form:"state"`
	MembersOnly  bool   `json:"members_only" form:"members_only"`
}

func readAPIProposal(c *fiber.Ctx) (apiProposalInput, error) {
	var in apiProposalInput
	if err := c.BodyParser(&in); err != nil {
		return in, errBadJSON
	}
	return in, nil
}

func (s *Server) handleAPIProposalCreate(c *fiber.Ctx) error {
	in, err := readAPIProposal(c)
	if err != nil {
		return err
	}
	p, err := s.store.CreateProposal(c.UserContext(), currentUser(c), content.NewProposal{Title: in.Title, Preamble: in.Preamble})
	if err != nil {
		return err
	}
	out, err := s.toAPIProposal(c, p)
	if err != nil {
		return err
	}
	c.Location(p.Path())
	return c.Status(fiber.StatusCreated).JSON(out)
}

// handleAPIProposalItem adds a proposition (POST …/items, base_revision
// ignored) or changes one (PUT …/items/{id}, base_revision its revision):
// 200 with the text (and "merged_with" when others' changes were merged
// in), or 409 with the merged text and the conflicting passages.
func (s *Server) handleAPIProposalItem(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	var itemID int64
	if c.Params("item") != "" {
		it, _, err := proposalItemOf(c, p)
		if err != nil {
			return err
		}
		itemID = it.ID
	}
	in, err := readAPIProposal(c)
	if err != nil {
		return err
	}
	res, err := s.store.EditProposal(c.UserContext(), currentUser(c), p.ID, content.PartEdit{Part: content.PartItem, ItemID: itemID,
		Title: in.Title, Body: in.Body, Comment: in.Comment, BaseRevision: in.BaseRevision})
	var conflict *content.ProposalConflict
	if errors.As(err, &conflict) {
		type region struct {
			Base   string `json:"base"`
			Ours   string `json:"ours"`
			Theirs string `json:"theirs"`
			Start  int    `json:"start"`
			End    int    `json:"end"`
		}
		regions := make([]region, len(conflict.Conflicts))
		for i, r := range conflict.Conflicts {
			regions[i] = region{r.Base, r.Ours, r.Theirs, r.Start, r.End}
		}
		m := conflict.Merged
		return c.Status(fiber.StatusConflict).JSON(fiber.Map{"error": fiber.Map{"code": "edit_conflict",
			"message": "Vos modifications croisent celles de " + strings.Join(conflict.By, ", ") + " : résolvez les passages en conflit puis renvoyez la proposition avec base_revision " + itoa(m.BaseRevision) + "."},
			"base_revision": m.BaseRevision, "merged": fiber.Map{"title": m.Title, "body": m.Body},
			"current": fiber.Map{"title": conflict.Current.Title, "body": conflict.Current.Body}, "conflicts": regions, "by": conflict.By})
	}
	if err != nil {
		return err
	}
	out, err := s.toAPIProposal(c, res.Proposal)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"proposition": out, "unchanged": res.Unchanged, "merged_with": append([]string{}, res.MergedWith...)})
}

// handleAPIProposalMove takes a text to another state ("open" with
// "members_only", "draft", "published": the next version, "archived"),
// as the owner's confirmed button does.
func (s *Server) handleAPIProposalMove(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	in, err := readAPIProposal(c)
	if err != nil {
		return err
	}
	moved, err := s.store.MoveProposal(c.UserContext(), currentUser(c), p.ID, content.ProposalState(in.State), in.MembersOnly)
	if err != nil {
		return err
	}
	out, err := s.toAPIProposal(c, moved)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
