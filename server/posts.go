package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Actions on one post: edit, history, withdraw, hide, thank, accept.

// loadPost finds the post of the URL (/messages/{id}/…) and its topic.
func (s *Server) loadPost(c *fiber.Ctx) (*content.Topic, *content.Post, error) {
	id, err := paramInt(c, "id")
	if err != nil {
		return nil, nil, err
	}
	u := currentUser(c)
	p, err := s.store.PostByID(c.UserContext(), u, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.store.TopicByID(c.UserContext(), u, p.TopicID)
	return t, p, err
}

type editPostPage struct {
	Page
	Topic      *content.Topic
	Post       *content.Post
	Form       form
	EditTopic  bool // the opening post: its topic's title, category and tags too
	Categories []option
}

// editPage is the edit form of p, filled with f.
func (s *Server) editPage(c *fiber.Ctx, t *content.Topic, p *content.Post, f form) (*editPostPage, error) {
	page := &editPostPage{Page: s.page(c, "Modifier mon message"), Topic: t, Post: p, Form: f}
	if p.Number == 1 && content.CanEditTopic(currentUser(c), t, p) {
		page.EditTopic = true
		var err error
		if page.Categories, err = s.categoryOptions(c); err != nil {
			return nil, err
		}
		if content.IsCommentsCategory(t.CategorySlug) {
			page.Categories = append(page.Categories, option{t.CategorySlug, t.CategoryName})
		}
	}
	return page, nil
}

func (s *Server) handlePostEditForm(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	if !content.CanEditPost(currentUser(c), p) {
		return content.ErrForbidden
	}
	f := emptyForm()
	f.Values["body"], f.Values["title"], f.Values["category"] = p.Body, t.Title, t.CategorySlug
	f.Values["tags"] = strings.Join(t.Tags, ", ")
	page, err := s.editPage(c, t, p, f)
	if err != nil {
		return err
	}
	return s.render(c, 200, "discussions/edit", page)
}

// handlePostEdit saves a post's new text, and for an opening post its
// topic's title, category and tags; refused, the form comes back filled.
func (s *Server) handlePostEdit(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	f := readForm(c, "body", "title", "category", "tags")
	page, err := s.editPage(c, t, p, f)
	if err != nil {
		return err
	}
	if c.FormValue("action") == "apercu" {
		if err := s.preview(c, &f); err != nil {
			return err
		}
		page.Form = f
		return s.render(c, attachStatus(f), "discussions/edit", page)
	}
	edit := content.TopicEdit{Title: f.Get("title"), Category: f.Get("category"), Tags: f.Get("tags")}
	if page.EditTopic {
		_, _, _, err := s.store.ValidateTopicEdit(c.UserContext(), edit)
		if err := f.fail(err); err != nil {
			return err
		}
	}
	if !f.HasErrors() {
		_, err = s.store.EditPost(c.UserContext(), currentUser(c), p.ID, f.Get("body"))
		if err := s.writeRefusal(&f, err); err != nil {
			return err
		}
	}
	if !f.HasErrors() && page.EditTopic {
		if err := f.fail(s.store.EditTopic(c.UserContext(), currentUser(c), t.ID, edit)); err != nil {
			return err
		}
	}
	if f.HasErrors() {
		page.Form = f
		return s.render(c, 422, "discussions/edit", page)
	}
	return s.redirectWithFlash(c, t.PostPath(p.Number), "Le message est modifié.")
}

type versionsPage struct {
	Page
	Topic    *content.Topic
	Post     *content.Post
	Versions []versionView
	Single   bool // one version in full (?version=N)
	Pager    pager
	// For the opening post: the topic's earlier titles, categories, tags.
	TopicHistory []content.TopicVersion
}

type versionView struct {
	content.PostVersion
	Number    int
	Rewritten bool // too different from the previous one for a diff
}

// versionsPerPage bounds the weight of a history page.
const versionsPerPage = 5

// handlePostVersions lists a post's versions, newest first, each as its
// changes from the one before (5 a page); ?version=N shows one in full.
func (s *Server) handlePostVersions(c *fiber.Ctx) error {
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	n64, err := paramInt(c, "n")
	if err != nil {
		return err
	}
	n := int(n64)
	p, err := s.store.PostByNumber(c.UserContext(), currentUser(c), t.ID, n)
	if err != nil {
		return err
	}
	history, err := s.store.PostHistory(c.UserContext(), currentUser(c), p.ID)
	if err != nil {
		return err
	}
	page := &versionsPage{Page: s.page(c, "Historique du message n°"+strconv.Itoa(n)), Topic: t, Post: p}
	if v := queryNumber(c, "version"); v > 0 {
		if v > len(history) {
			return content.ErrNotFound
		}
		page.Single, page.Title = true, "Version "+strconv.Itoa(v)+" du message n°"+strconv.Itoa(n)
		page.Versions = []versionView{{PostVersion: history[v-1], Number: v}}
		return s.render(c, 200, "discussions/versions", page)
	}
	if n == 1 {
		if page.TopicHistory, err = s.store.TopicHistory(c.UserContext(), t.ID); err != nil {
			return err
		}
	}
	number := pageNumber(c)
	page.Pager = newPager(c, number, len(history), versionsPerPage)
	if number > page.Pager.Pages {
		return content.ErrNotFound
	}
	newest := len(history) - 1 - (number-1)*versionsPerPage
	for i := newest; i >= 0 && i > newest-versionsPerPage; i-- {
		v := versionView{PostVersion: history[i], Number: i + 1}
		v.Rewritten = i > 0 && v.Diff == content.Rewritten
		page.Versions = append(page.Versions, v)
	}
	return s.render(c, 200, "discussions/versions", page)
}

type deletePage struct {
	Page
	Topic *content.Topic
	Post  *content.Post
}

// handlePostDeleteForm asks the author to confirm a withdrawal (the no-JS
// confirmation; the post's button links here).
func (s *Server) handlePostDeleteForm(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	if !content.CanDeletePost(currentUser(c), p) {
		return content.ErrForbidden
	}
	return s.render(c, 200, "discussions/delete", &deletePage{Page: s.page(c, "Supprimer mon message"), Topic: t, Post: p})
}

// handlePostRestore takes back a withdrawal, for its author, for a while.
func (s *Server) handlePostRestore(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	if err := s.store.RestorePost(c.UserContext(), currentUser(c), p.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(c, t.PostPath(p.Number), "Votre message est rétabli.")
}

func (s *Server) handlePostDelete(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	if err := s.store.DeletePost(c.UserContext(), currentUser(c), p.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(c, t.PostPath(p.Number), "Votre message est supprimé ; les réponses qu’il a reçues restent visibles. "+
		"Vous pouvez encore l’annuler pendant 24 heures, depuis le message.")
}

func (s *Server) handlePostHide(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	hide := c.FormValue("masquer") == "1"
	if err := s.store.SetPostHidden(c.UserContext(), currentUser(c), p.ID, hide); err != nil {
		return err
	}
	msg := "Le message est de nouveau visible."
	if hide {
		msg = "Le message est masqué ; son auteur et les modérateurs peuvent encore le lire."
	}
	return s.redirectWithFlash(c, t.PostPath(p.Number), msg)
}

func (s *Server) handleMerci(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	given, err := s.store.ToggleMerci(c.UserContext(), currentUser(c), p.ID)
	msg := "Votre « Merci » est retiré."
	if given {
		msg = "Merci envoyé à " + p.Author.Pseudo + "."
	}
	return s.afterAction(c, err, t.PostPath(p.Number), msg)
}

func (s *Server) handleAccept(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	accepted, err := s.store.AcceptAnswer(c.UserContext(), currentUser(c), t.ID, p.Number)
	if v, ok := content.AsValidation(err); ok {
		return s.redirectWithRefusal(c, t.PostPath(p.Number), v.Fields[0].Message)
	}
	msg := "Ce message n’est plus la réponse acceptée."
	if accepted {
		msg = "Réponse acceptée : la question est marquée comme résolue."
	}
	return s.afterAction(c, err, t.Path(), msg)
}

type bookmarksPage struct {
	Page
	Bookmarks []content.Bookmark
}

// handleBookmarks lists the posts the member saved.
func (s *Server) handleBookmarks(c *fiber.Ctx) error {
	bs, err := s.store.Bookmarks(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return s.render(c, 200, "discussions/bookmarks", &bookmarksPage{Page: s.page(c, "Mes enregistrements"), Bookmarks: bs})
}

// handleBookmark saves a post for later, or takes it off the list.
func (s *Server) handleBookmark(c *fiber.Ctx) error {
	t, p, err := s.loadPost(c)
	if err != nil {
		return err
	}
	saved, err := s.store.ToggleBookmark(c.UserContext(), currentUser(c), p.ID)
	if err != nil {
		return err
	}
	msg := "Le message est retiré de vos enregistrements."
	if saved {
		msg = "Message enregistré : retrouvez-le dans « Mes enregistrements »."
	}
	back := t.PostPath(p.Number)
	if c.FormValue("retour") == "liste" {
		back = "/enregistrements"
	}
	return s.redirectWithFlash(c, back, msg)
}

type draftsPage struct {
	Page
	Drafts []content.Draft
}

func (s *Server) handleDrafts(c *fiber.Ctx) error {
	ds, err := s.store.Drafts(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return s.render(c, 200, "discussions/drafts", &draftsPage{Page: s.page(c, "Mes brouillons"), Drafts: ds})
}

func (s *Server) handleDraftDelete(c *fiber.Ctx) error {
	place, ok := content.ParseDraftPlace(c.FormValue("place"))
	if !ok {
		return content.ErrNotFound
	}
	if err := s.store.DeleteDraft(c.UserContext(), currentUser(c), place); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/brouillons", "Brouillon supprimé.")
}

// handleDraftAutosave stores a draft sent by the page's script every few
// seconds; it answers 204 so the page stays as it is.
func (s *Server) handleDraftAutosave(c *fiber.Ctx) error {
	place, ok := content.ParseDraftPlace(c.FormValue("place"))
	if !ok {
		return content.Invalid("place", "Brouillon inconnu.")
	}
	d := content.Draft{Place: place, Title: strings.Clone(c.FormValue("title")), Body: strings.Clone(c.FormValue("body")),
		Fields: content.DraftFields{Category: strings.Clone(c.FormValue("category")), Tags: strings.Clone(c.FormValue("tags")),
			Kind: strings.Clone(c.FormValue("kind")), ReplyTo: strings.Clone(c.FormValue("reply_to")),
			Participants: strings.Clone(c.FormValue("participants"))}}
	if place.IsFiche() {
		d = ficheDraft(place, readFicheForm(c))
	}
	if err := s.store.SaveDraft(c.UserContext(), currentUser(c), d); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
