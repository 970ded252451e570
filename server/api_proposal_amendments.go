package server

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The amendments and signatures of a text, through the API: the same
// content methods as the pages of amendments.go and signatures.go, on the
// text as the viewer may read it (anything else is 404, as a text that
// does not exist). Kinds are the store's and the pages' form values:
// "change", "add", "remove". Members support an amendment and take their
// support back, co-authors decide it (accepted, rejected, merged by hand),
// the owner closes and reopens amendments; members sign and withdraw. A
// visitor signs on the text's page only, where the address is confirmed
// by mail: the API answers 401.

func (s *Server) apiProposalAmendmentRoutes(api fiber.Router) {
	api.Get("/propositions/:slug/amendements", s.handleAPIAmendments)
	api.Post("/propositions/:slug/amendements", s.requireMember, s.handleAPIAmendmentCreate)
	api.Post("/propositions/:slug/amendements/cloture", s.requireMember, s.handleAPIAmendmentsClose)
	api.Get("/propositions/:slug/amendements/:id<int>", s.handleAPIAmendment)
	api.Post("/propositions/:slug/amendements/:id<int>/soutien", s.requireMember, s.handleAPIAmendmentSupport)
	api.Post("/propositions/:slug/amendements/:id<int>/accepter", s.requireMember, s.handleAPIAmendmentDecide(content.AmendmentAccepted))
	api.Post("/propositions/:slug/amendements/:id<int>/rejeter", s.requireMember, s.handleAPIAmendmentDecide(content.AmendmentRejected))
	// refuser: the pages' word for the same decision.
	api.Post("/propositions/:slug/amendements/:id<int>/refuser", s.requireMember, s.handleAPIAmendmentDecide(content.AmendmentRejected))
	api.Post("/propositions/:slug/amendements/:id<int>/repris", s.requireMember, s.handleAPIAmendmentDecide(content.AmendmentMerged))
	api.Get("/propositions/:slug/signatures", s.handleAPISignatures)
	api.Post("/propositions/:slug/signatures", s.requireMember, s.handleAPISign)
	api.Post("/propositions/:slug/signatures/retirer", s.requireMember, s.handleAPISignatureWithdraw)
}

type apiAmendment struct {
	ID            int64      `json:"id"`
	URL           string     `json:"url"`
	Kind          string     `json:"kind"`        // "change", "add" or "remove"
	ItemID        *int64     `json:"item_id"`     // the proposition changed or removed; null for "add"
	ItemNumber    int        `json:"item_number"` // its place in the working text now, 0 when gone or new
	Title         string     `json:"title"`
	Body          string     `json:"body"`
	HTML          string     `json:"html"`
	Justification string     `json:"justification"`
	Author        string     `json:"author"`
	State         string     `json:"state"` // "open", "accepted", "rejected" or "merged"
	Reason        string     `json:"reason"`
	Supports      int        `json:"supports"`
	Supported     bool       `json:"supported"` // by the viewer
	Stale         bool       `json:"stale"`     // open, and its proposition changed since it was written
	CanSupport    bool       `json:"can_support"`
	CanDecide     bool       `json:"can_decide"` // accept, reject or mark as merged by hand
	CreatedAt     time.Time  `json:"created_at"`
	DecidedAt     *time.Time `json:"decided_at"`
}

// toAPIAmendment is a as u reads it on p's page, supported by u or not.
func (s *Server) toAPIAmendment(u *content.User, p *content.Proposal, a *content.Amendment, supported bool) apiAmendment {
	n, _ := itemNumber(p, a.ItemID)
	can := content.AmendmentActionsFor(u, p, a)
	return apiAmendment{ID: a.ID, URL: s.cfg.BaseURL + content.AmendmentPath(p, a.ID), Kind: string(a.Kind), ItemID: a.ItemID,
		ItemNumber: n, Title: a.Title, Body: a.Body, HTML: string(a.HTML), Justification: a.Justification, Author: a.AuthorPseudo,
		State: string(a.State), Reason: a.Reason, Supports: a.Supports, Supported: supported,
		Stale: a.State == content.AmendmentOpen && a.Stale(p), CanSupport: can.Support, CanDecide: can.Decide,
		CreatedAt: a.CreatedAt, DecidedAt: a.DecidedAt}
}

// amendmentOut is amendment aid of p as u reads it now.
func (s *Server) amendmentOut(c *fiber.Ctx, p *content.Proposal, a *content.Amendment) (apiAmendment, error) {
	u := currentUser(c)
	supported, err := s.store.Supports(c.UserContext(), u, a.ID)
	if err != nil {
		return apiAmendment{}, err
	}
	return s.toAPIAmendment(u, p, a, supported), nil
}

func (s *Server) handleAPIAmendments(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	as, err := s.store.Amendments(ctx, p)
	if err != nil {
		return err
	}
	supported, err := s.store.SupportedAmendments(ctx, u, p)
	if err != nil {
		return err
	}
	out := make([]apiAmendment, len(as))
	for i := range as {
		out[i] = s.toAPIAmendment(u, p, &as[i], supported[as[i].ID])
	}
	can, closed := amendable(u, p)
	return c.JSON(fiber.Map{"amendements": out, "can_amend": can, "closed": closed, "amendments_closed": p.AmendmentsClosed})
}

func (s *Server) handleAPIAmendment(c *fiber.Ctx) error {
	p, a, err := s.loadAmendment(c)
	if err != nil {
		return err
	}
	out, err := s.amendmentOut(c, p, a)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiAmendmentInput is what proposing or deciding an amendment takes, as
// JSON or a form.
type apiAmendmentInput struct {
	Kind          string `json:"kind" form:"kind"`
	ItemID        int64  `json:"item_id" form:"item_id"`
	Title         string `json:"title" form:"title"`
	Body          string `json:"body" form:"body"`
	Justification string `json:"justification" form:"justification"`
	Raison        string `json:"raison" form:"raison"`
	Reason        string `json:"reason" form:"reason"`   // the pages' field name, taken too
	Support       *bool  `json:"support" form:"support"` // false takes one's support back
	Closed        *bool  `json:"closed" form:"closed"`   // false opens amendments again
}

func readAPIAmendment(c *fiber.Ctx) (apiAmendmentInput, error) {
	var in apiAmendmentInput
	if len(c.Body()) == 0 {
		return in, nil
	}
	if err := c.BodyParser(&in); err != nil {
		return in, errBadJSON
	}
	return in, nil
}

func (s *Server) handleAPIAmendmentCreate(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	in, err := readAPIAmendment(c)
	if err != nil {
		return err
	}
	a, err := s.store.ProposeAmendment(c.UserContext(), currentUser(c), p.ID, content.AmendmentInput{
		Kind: content.AmendmentKind(in.Kind), ItemID: in.ItemID, Title: in.Title, Body: in.Body, Justification: in.Justification})
	if err != nil {
		return err
	}
	c.Location(content.AmendmentPath(p, a.ID))
	return c.Status(fiber.StatusCreated).JSON(s.toAPIAmendment(currentUser(c), p, a, false))
}

// handleAPIAmendmentSupport adds the member's support to the amendment
// (« Je soutiens cet amendement »), or with "support": false takes it back.
func (s *Server) handleAPIAmendmentSupport(c *fiber.Ctx) error {
	p, a, err := s.loadAmendment(c)
	if err != nil {
		return err
	}
	in, err := readAPIAmendment(c)
	if err != nil {
		return err
	}
	support := in.Support == nil || *in.Support
	if _, err := s.store.SupportAmendment(c.UserContext(), currentUser(c), p.ID, a.ID, support); err != nil {
		return err
	}
	if a, err = s.store.AmendmentOf(c.UserContext(), p, a.ID); err != nil {
		return err
	}
	out, err := s.amendmentOut(c, p, a)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// handleAPIAmendmentsClose closes the amendments of a text, as its
// owner's page does, or with "closed": false opens them again; it answers
// the text.
func (s *Server) handleAPIAmendmentsClose(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	in, err := readAPIAmendment(c)
	if err != nil {
		return err
	}
	closed := in.Closed == nil || *in.Closed
	if err := s.store.CloseAmendments(c.UserContext(), currentUser(c), p.ID, closed); err != nil {
		return err
	}
	if p, err = s.loadProposal(c); err != nil {
		return err
	}
	out, err := s.toAPIProposal(c, p)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// handleAPIAmendmentDecide accepts the amendment (its change enters the
// working text), rejects it with "raison", or marks it merged by hand
// (« repris à la main »); 422 once it is decided.
func (s *Server) handleAPIAmendmentDecide(to content.AmendmentState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, a, err := s.loadAmendment(c)
		if err != nil {
			return err
		}
		in, err := readAPIAmendment(c)
		if err != nil {
			return err
		}
		reason := in.Raison
		if reason == "" {
			reason = in.Reason
		}
		decided, err := s.store.DecideAmendment(c.UserContext(), currentUser(c), p.ID, a.ID, to, reason)
		if err != nil {
			return err
		}
		// The text as the decision left it, for item_number and stale.
		if now, err := s.loadProposal(c); err == nil {
			p = now
		}
		out, err := s.amendmentOut(c, p, decided)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

type apiSignature struct {
	Name             string    `json:"name"`
	Role             string    `json:"role"` // a code of the roles in the network, or ""
	RoleLabel        string    `json:"role_label"`
	Structure        string    `json:"structure"`
	Departement      string    `json:"departement"` // "29", or ""
	DepartementLabel string    `json:"departement_label"`
	Version          int       `json:"version"`
	SignedAt         time.Time `json:"signed_at"`
}

// toAPISignature keeps the public fields only: never the e-mail.
func toAPISignature(sig *content.Signature) apiSignature {
	return apiSignature{Name: sig.Name, Role: sig.Metier, RoleLabel: sig.MetierLabel(), Structure: sig.Structure,
		Departement: sig.Departement, DepartementLabel: sig.DepartementLabel(), Version: sig.Version, SignedAt: sig.SignedAt()}
}

// handleAPISignatures is the public list of signatories of a published
// or archived text (404 before), as the page filters it.
func (s *Server) handleAPISignatures(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if !content.CanReadSignatures(currentUser(c), p) {
		return content.ErrNotFound
	}
	var departement, metier string
	if code, ok := content.NormalizeDepartement(c.Query("departement")); ok {
		departement = code
	}
	if m := c.Query("role"); content.MetierLabel(m) != "" {
		metier = strings.Clone(m)
	}
	n := pageNumber(c)
	list, matching, err := s.store.Signatures(ctx, p, content.SignatureFilter{Departement: departement, Metier: metier,
		Offset: (n - 1) * signaturesPerPage, Limit: signaturesPerPage})
	if err != nil {
		return err
	}
	pages := pageCount(matching, signaturesPerPage)
	if n > pages {
		return content.ErrNotFound
	}
	total, _, err := s.store.SignatureTotals(ctx, p)
	if err != nil {
		return err
	}
	out := make([]apiSignature, len(list))
	for i := range list {
		out[i] = toAPISignature(&list[i])
	}
	var mine *apiSignature // the member's own, wherever it is in the list
	if sig, err := s.store.SignatureOf(ctx, currentUser(c), p); err == nil {
		own := toAPISignature(sig)
		mine = &own
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	return c.JSON(fiber.Map{"signatures": out, "total": total, "matching": matching, "page": n, "pages": pages,
		"per_page": signaturesPerPage, "departement": departement, "role": metier, "open": p.State == content.ProposalPublished,
		"mine": mine})
}

// handleAPISign signs the text for the member, with their profile, as the
// page's one-click button does (and within the same limits).
func (s *Server) handleAPISign(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	sig, err := s.signAsMember(c, p)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPISignature(sig))
}

// handleAPISignatureWithdraw takes the member's signature back, as the
// page's « Retirer ma signature » does (an archived text's too); 422 when
// they had not signed.
func (s *Server) handleAPISignatureWithdraw(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	if err := s.store.WithdrawSignature(c.UserContext(), currentUser(c), p.ID); err != nil {
		return err
	}
	total, _, err := s.store.SignatureTotals(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"withdrawn": true, "total": total})
}
