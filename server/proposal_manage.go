package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The owner's page of a text (a moderator's too, past the brouillon): its
// state, confirmed before it changes; who writes and reads it; its share
// links, whose secret is shown once.

func (s *Server) proposalManageRoutes(app *fiber.App) {
	app.Get("/propositions/:slug/gerer", s.requireMember, s.handleProposalManage)
	app.Post("/propositions/:slug/etat", s.requireMember, s.handleProposalMove)
	app.Post("/propositions/:slug/membres", s.requireMember, s.handleProposalInvite)
	app.Post("/propositions/:slug/membres/:user<int>/retirer", s.requireMember, s.handleProposalMemberRemove)
	app.Post("/propositions/:slug/partages", s.requireMember, s.handleProposalShare)
	app.Post("/propositions/:slug/partages/:link<int>/revoquer", s.requireMember, s.handleProposalShareRevoke)
}

type proposalManagePage struct {
	Page
	Proposal *content.Proposal
	Moves    []proposalMove
	Links    []content.ShareLink
	Invite   form
	Share    form
	NewLink  string // the secret address of the link just made, shown once
}

// proposalMove is a state change as its button and its confirmation say it.
type proposalMove struct {
	To          content.ProposalState
	Label       string
	Explanation string
}

func movesOf(p *content.Proposal, states []content.ProposalState, membersOnly bool) []proposalMove {
	var out []proposalMove
	for _, to := range states {
		m := proposalMove{To: to}
		switch to {
		case content.ProposalOpen:
			m.Label = "Ouvrir aux contributions"
			m.Explanation = "Le texte sort du brouillon : tous les membres le lisent."
			if !membersOnly {
				m.Explanation = "Le texte sort du brouillon : tout le monde le lit, même sans compte."
			}
		case content.ProposalDraft:
			m.Label = "Revenir au brouillon"
			m.Explanation = "Le texte redevient privé : seuls ses auteur·rices, les personnes invitées et les liens de partage l’ouvrent."
		case content.ProposalPublished:
			n := strconv.Itoa(p.Version + 1)
			m.Label = "Publier la version " + n
			m.Explanation = "La version " + n + " est figée telle qu’elle est maintenant : c’est elle que tout le monde lit. " +
				"Vous pourrez continuer à travailler le texte et publier une version suivante."
		case content.ProposalArchived:
			m.Label = "Archiver"
			m.Explanation = "Le texte ne se modifie plus et ne se publie plus ; ses versions restent lisibles de tout le monde."
		}
		out = append(out, m)
	}
	return out
}

// managedProposal loads the text for its manager: 404 when u may not read
// it, 403 when u reads it without managing it.
func (s *Server) managedProposal(c *fiber.Ctx) (*content.Proposal, error) {
	p, err := s.loadProposal(c)
	if err != nil {
		return nil, err
	}
	if !content.CanManageProposal(currentUser(c), p) {
		return nil, content.ErrForbidden
	}
	return p, nil
}

func (s *Server) renderProposalManage(c *fiber.Ctx, status int, p *content.Proposal, page *proposalManagePage) error {
	var err error
	if page.Links, err = s.store.ProposalShareLinks(c.UserContext(), p); err != nil {
		return err
	}
	page.Page, page.Proposal = s.page(c, "Gérer « "+p.Title+" »"), p
	page.Moves = movesOf(p, content.ProposalActionsFor(currentUser(c), p).Moves, true)
	if page.Invite.Values == nil {
		page.Invite = emptyForm()
		page.Invite.Values["role"] = string(content.RoleReader)
	}
	if page.Share.Values == nil {
		page.Share = emptyForm()
	}
	return s.render(c, status, "proposals/manage", page)
}

func (s *Server) handleProposalManage(c *fiber.Ctx) error {
	p, err := s.managedProposal(c)
	if err != nil {
		return err
	}
	return s.renderProposalManage(c, 200, p, &proposalManagePage{})
}

type proposalConfirmPage struct {
	Page
	Proposal    *content.Proposal
	Move        proposalMove
	MembersOnly bool
}

// handleProposalMove asks to confirm a state change, then makes it.
func (s *Server) handleProposalMove(c *fiber.Ctx) error {
	p, err := s.managedProposal(c)
	if err != nil {
		return err
	}
	to := content.ProposalState(strings.Clone(c.FormValue("etat")))
	membersOnly := c.FormValue("reserve") == "1"
	if err := content.CanMoveProposal(currentUser(c), p, to); err != nil {
		return s.afterAction(c, err, p.Path()+"/gerer", "")
	}
	if c.FormValue("confirmer") != "oui" {
		m := movesOf(p, []content.ProposalState{to}, membersOnly)[0]
		return s.render(c, 200, "proposals/confirm", &proposalConfirmPage{Page: s.page(c, m.Label+" : « "+p.Title+" »"), Proposal: p,
			Move: m, MembersOnly: membersOnly})
	}
	moved, err := s.store.MoveProposal(c.UserContext(), currentUser(c), p.ID, to, membersOnly)
	if err != nil {
		return s.afterAction(c, err, p.Path()+"/gerer", "")
	}
	msg := "Le texte est maintenant « " + moved.State.Label() + " »."
	if to == content.ProposalPublished {
		msg = "La version " + strconv.Itoa(moved.Version) + " est publiée : c’est elle que tout le monde lit désormais."
	}
	return s.redirectWithFlash(c, moved.Path(), msg)
}

func (s *Server) handleProposalInvite(c *fiber.Ctx) error {
	p, err := s.managedProposal(c)
	if err != nil {
		return err
	}
	f := readForm(c, "pseudo", "role")
	role := content.ProposalRole(f.Get("role"))
	invited, err := s.store.InviteToProposal(c.UserContext(), currentUser(c), p.ID, f.Get("pseudo"), role)
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.renderProposalManage(c, fiber.StatusUnprocessableEntity, p, &proposalManagePage{Invite: f})
	}
	msg := invited.Pseudo + " lit désormais ce texte."
	if role == content.RoleCoauthor {
		msg = invited.Pseudo + " écrit désormais ce texte avec vous."
	}
	return s.redirectWithFlash(c, p.Path()+"/gerer", msg)
}

func (s *Server) handleProposalMemberRemove(c *fiber.Ctx) error {
	p, err := s.managedProposal(c)
	if err != nil {
		return err
	}
	id, err := paramInt(c, "user")
	if err != nil {
		return err
	}
	pseudo := ""
	for _, m := range p.Members {
		if m.UserID == id {
			pseudo = m.Pseudo
		}
	}
	if pseudo == "" {
		return content.ErrNotFound
	}
	err = s.store.RemoveFromProposal(c.UserContext(), currentUser(c), p.ID, id)
	return s.afterAction(c, err, p.Path()+"/gerer", pseudo+" n’a plus accès à ce texte, sauf s’il est ouvert à tous.")
}

// handleProposalShare makes a share link and shows its secret address on
// the page it answers: it is kept hashed, so this is the only time.
func (s *Server) handleProposalShare(c *fiber.Ctx) error {
	p, err := s.managedProposal(c)
	if err != nil {
		return err
	}
	f := readForm(c, "access")
	token, err := s.store.CreateShareLink(c.UserContext(), currentUser(c), p.ID, content.ShareAccess(f.Get("access")))
	if err := f.fail(err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.renderProposalManage(c, fiber.StatusUnprocessableEntity, p, &proposalManagePage{Share: f})
	}
	return s.renderProposalManage(c, 200, p, &proposalManagePage{NewLink: s.cfg.BaseURL + p.Path() + "?partage=" + token})
}

func (s *Server) handleProposalShareRevoke(c *fiber.Ctx) error {
	p, err := s.managedProposal(c)
	if err != nil {
		return err
	}
	id, err := paramInt(c, "link")
	if err != nil {
		return err
	}
	err = s.store.RevokeShareLink(c.UserContext(), currentUser(c), p.ID, id)
	return s.afterAction(c, err, p.Path()+"/gerer", "Le lien est révoqué : il n’ouvre plus rien, et les personnes venues par lui n’ont plus accès au texte.")
}
