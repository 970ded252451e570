package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The amendments and signatures of a text, through the API: the same
// content methods as the pages of amendments.go and signatures.go, on the
// text as the viewer may read it (anything else is 404, as a text that
// does not exist). Kinds are the store's and the pages' form values:
// "change", "add", "remove". A visitor signs on the text's page only,
// where the confirmation mail is sent: the API answers 401.

func (s *Server) apiProposalAmendmentRoutes(api fiber.Router) {
	api.Get("/propositions/:slug/amendements", s.handleAPIAmendments)
	api.Post("/propositions/:slug/amendements", s.requireMember, s.handleAPIAmendmentCreate)
	api.Get("/propositions/:slug/amendements/:id<int>", s.handleAPIAmendment)
	api.Post("/propositions/:slug/amendements/:id<int>/accepter", s.requireMember, s.handleAPIAmendmentDecide(content.AmendmentAccepted))
	api.Post("/propositions/:slug/amendements/:id<int>/rejeter", s.requireMember, s.handleAPIAmendmentDecide(content.AmendmentRejected))
	// refuser: the pages' word for the same decision.
	api.Post("/propositions/:slug/amendements/:id<int>/refuser", s.requireMember, s.handleAPIAmendmentDecide(content.AmendmentRejected))
	api.Get("/propositions/:slug/signatures", s.handleAPISignatures)
	api.Post("/propositions/:slug/signatures", s.requireMember, s.handleAPISign)
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
	Stale         bool       `json:"stale"` // open, and its proposition changed since it was written
	CreatedAt     time.Time  `json:"created_at"`
	DecidedAt     *time.Time `json:"decided_at"`
}

func (s *Server) toAPIAmendment(p *content.Proposal, a *content.Amendment) apiAmendment {
	n, _ := itemNumber(p, a.ItemID)
	return apiAmendment{ID: a.ID, URL: s.cfg.BaseURL + content.AmendmentPath(p, a.ID), Kind: string(a.Kind), ItemID: a.ItemID,
		ItemNumber: n, Title: a.Title, Body: a.Body, HTML: string(a.HTML), Justification: a.Justification, Author: a.AuthorPseudo,
		State: string(a.State), Reason: a.Reason, Supports: a.Supports, Stale: a.State == content.AmendmentOpen && a.Stale(p),
		CreatedAt: a.CreatedAt, DecidedAt: a.DecidedAt}
}

func (s *Server) handleAPIAmendments(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	as, err := s.store.Amendments(c.UserContext(), p)
	if err != nil {
		return err
	}
	out := make([]apiAmendment, len(as))
	for i := range as {
		out[i] = s.toAPIAmendment(p, &as[i])
	}
	can, closed := amendable(currentUser(c), p)
	return c.JSON(fiber.Map{"amendements": out, "can_amend": can, "closed": closed})
}

func (s *Server) handleAPIAmendment(c *fiber.Ctx) error {
	p, a, err := s.loadAmendment(c)
	if err != nil {
		return err
	}
	return c.JSON(s.toAPIAmendment(p, a))
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
	Reason        string `json:"reason" form:"reason"` // the pages' field name, taken too
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
	return c.Status(fiber.StatusCreated).JSON(s.toAPIAmendment(p, a))
}

// handleAPIAmendmentDecide accepts the amendment (its change enters the
// working text) or rejects it with "raison"; 422 once it is decided.
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
		return c.JSON(s.toAPIAmendment(p, decided))
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
	if p.State != content.ProposalPublished && p.State != content.ProposalArchived {
		return content.ErrNotFound
	}
	ctx := c.UserContext()
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
	return c.JSON(fiber.Map{"signatures": out, "total": total, "matching": matching, "page": n, "pages": pages,
		"per_page": signaturesPerPage, "departement": departement, "role": metier, "open": p.State == content.ProposalPublished})
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
