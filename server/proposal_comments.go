package server

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Under a text: its comments (the latest posts of its discussion, each
// saying which proposition it is about, read by those who read the text)
// and the « Commenter » form, whose first use starts that discussion; and
// the « Notifications pour ce texte » control.

func (s *Server) proposalCommentRoutes(app *fiber.App) {
	app.Post("/propositions/:slug/commentaires", s.requireMember, s.handleProposalComment)
	app.Post("/propositions/:slug/suivre", s.requireMember, s.handleProposalFollow)
}

// proposalCommentsView is the text page's part about comments.
type proposalCommentsView struct {
	Shown   bool           // past the brouillon, or comments were written
	Topic   *content.Topic // nil until the first comment
	Posts   []*postView
	More    bool   // older comments are only on the discussion's page
	Listed  bool   // the discussion has its own page (not a brouillon's)
	Members bool   // … read by the members only
	Can     bool   // the viewer may comment
	Refusal string // why the text takes no comment now, to a member
	Form    form
	About   []option // the propositions a comment may name
	Version int      // the version their numbers come from, 0: the working text
}

// fillProposalComments loads the latest comments of the text on the page;
// f is the form to show (as typed after a refusal), or nil.
func (s *Server) fillProposalComments(c *fiber.Ctx, page *proposalPage, f *form) error {
	ctx, u, p := c.UserContext(), currentUser(c), page.Proposal
	v := &page.Comments
	v.Form = emptyForm()
	if f != nil {
		v.Form = *f
	}
	v.About = []option{{"0", "Le texte dans son ensemble"}}
	readers := content.ProposalCommentReaders(p)
	v.Listed, v.Members = readers != content.ReadOnPage, readers == content.ReadByMembers
	refusal := content.CanCommentProposal(u, p)
	v.Can = refusal == nil
	if ve, ok := content.AsValidation(refusal); ok && u != nil {
		v.Refusal = ve.Get("body")
	}
	if f == nil {
		v.Form.Values["proposition"] = c.Query("sur")
		if v.Can {
			d, err := s.store.DraftAt(ctx, u, content.DraftProposalComment(p.ID))
			if err == nil {
				v.Form.Values["body"] = d.Body
			} else if !errors.Is(err, content.ErrNotFound) {
				return err
			}
		}
	}
	targets, version, err := s.store.ProposalCommentTargets(ctx, p)
	if err != nil {
		return err
	}
	v.Version = version
	for _, t := range targets {
		v.About = append(v.About, option{strconv.Itoa(t.Number), "Proposition " + strconv.Itoa(t.Number) + " : " + t.Title})
	}
	comments, err := s.store.ProposalCommentsOf(ctx, u, p)
	if err != nil {
		return err
	}
	v.Shown = p.State != content.ProposalDraft || comments.Topic != nil
	if comments.Topic == nil {
		return nil
	}
	v.Topic = comments.Topic
	for _, post := range comments.Posts {
		v.Posts = append(v.Posts, s.postView(c, comments.Topic, post))
	}
	v.More = len(comments.Posts) > 0 && comments.Posts[0].Number > 1
	return nil
}

func (s *Server) handleProposalComment(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	f := readForm(c, "body", "proposition")
	if c.FormValue("action") == "brouillon" {
		return s.saveDraft(c, f, content.Draft{Place: content.DraftProposalComment(p.ID), Body: f.Get("body")}, p.Path()+"#commenter")
	}
	about, _ := strconv.Atoi(f.Get("proposition"))
	post, err := s.store.CommentProposal(c.UserContext(), currentUser(c), p.ID, about, f.Get("body"))
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		page, err := s.proposalPageOf(c, p)
		if err != nil {
			return err
		}
		if err := s.fillProposalComments(c, page, &f); err != nil {
			return err
		}
		page.Comments.Shown = true // the refusal says why, even on a brouillon
		return s.render(c, fiber.StatusUnprocessableEntity, "proposals/show", page)
	}
	return s.redirectWithFlash(c, p.Path()+"#"+post.Anchor(), "Votre commentaire est publié.")
}

func (s *Server) handleProposalFollow(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	return s.setWatch(c, content.FollowProposal, p.ID, p.Path(), "ce texte")
}
