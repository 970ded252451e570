package server

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// A fiche's comments under it: the latest posts of its discussion, and the
// "Commenter" form whose first use starts that discussion.

// ficheCommentsView is the fiche page's part about comments.
type ficheCommentsView struct {
	Topic *content.Topic // nil until the first comment
	Posts []*postView
	More  bool // older comments are only on the discussion's page
	Form  form
}

// fillFicheComments loads the latest comments of the fiche on the page.
func (s *Server) fillFicheComments(c *fiber.Ctx, p *fichePage) error {
	p.Comments.Form = emptyForm()
	if p.Can.Comment {
		d, err := s.store.DraftAt(c.UserContext(), currentUser(c), content.DraftFicheComment(p.Fiche.ID))
		if err == nil {
			p.Comments.Form.Values["body"] = d.Body
		} else if !errors.Is(err, content.ErrNotFound) {
			return err
		}
	}
	comments, err := s.store.FicheCommentsOf(c.UserContext(), currentUser(c), p.Fiche)
	if err != nil || comments.Topic == nil {
		return err
	}
	p.Comments.Topic = comments.Topic
	for _, post := range comments.Posts {
		p.Comments.Posts = append(p.Comments.Posts, s.postView(c, comments.Topic, post))
	}
	p.Comments.More = len(comments.Posts) > 0 && comments.Posts[0].Number > 1
	return nil
}

func (s *Server) handleFicheComment(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	fm := readForm(c, "body")
	if c.FormValue("action") == "brouillon" {
		return s.saveDraft(c, fm, content.Draft{Place: content.DraftFicheComment(f.ID), Body: fm.Get("body")}, f.Path()+"#commenter")
	}
	post, err := s.store.CommentFiche(c.UserContext(), currentUser(c), f.ID, fm.Get("body"))
	if err := s.writeRefusal(&fm, err); err != nil {
		return err
	}
	if fm.HasErrors() {
		p, err := s.fichePageOf(c, f)
		if err != nil {
			return err
		}
		p.Comments.Form = fm
		return s.render(c, fiber.StatusUnprocessableEntity, "fiches/show", p)
	}
	return s.redirectWithFlash(c, f.Path()+"#"+post.Anchor(), "Votre commentaire est publié.")
}

// ficheOfTopic is the fiche whose comments t holds, if any.
func (s *Server) ficheOfTopic(c *fiber.Ctx, t *content.Topic) (*content.FicheRef, error) {
	ref, err := s.store.FicheOfTopic(c.UserContext(), t.ID)
	if errors.Is(err, content.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &ref, nil
}
