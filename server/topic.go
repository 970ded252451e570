package server

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The topic page: chronological (paginated) or as a tree, with the reply form.

type postView struct {
	content.Post
	Ago        string
	Visible    bool // the viewer may read its text
	CanEdit    bool
	CanDelete  bool
	CanHide    bool
	CanAccept  bool
	CanMerci   bool
	IsAccepted bool
	CanReply   bool
	Children   []*postView // tree view
	Depth      int
	CSRF       string
	TopicPath  string
}

type topicPage struct {
	Page
	Topic       *content.Topic
	Posts       []*postView
	Accepted    *postView
	Pager       pager
	Tree        bool
	Reply       form
	CanReply    bool
	CanModerate bool
	Categories  []option
	Following   bool
	FirstUnread int
	SeeAlso     []content.SearchTarget
}

func (s *Server) postView(c *fiber.Ctx, t *content.Topic, p content.Post) *postView {
	u := currentUser(c)
	pv := &postView{Post: p, Ago: ago(p.CreatedAt), Visible: content.CanSeePostBody(u, &p), CSRF: csrfToken(c), TopicPath: t.Path()}
	pv.CanReply = u != nil && !t.Locked
	pv.CanEdit = content.CanEditPost(u, &p) && p.DeletedAt == nil
	pv.CanDelete = u != nil && u.ID == p.AuthorID && p.DeletedAt == nil
	pv.CanHide = content.CanModerate(u) && p.DeletedAt == nil
	pv.IsAccepted = t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID
	pv.CanAccept = p.Number > 1 && p.DeletedAt == nil && p.HiddenAt == nil && content.CanAccept(u, t)
	pv.CanMerci = u != nil && u.ID != p.AuthorID && p.DeletedAt == nil && p.HiddenAt == nil && content.CanWrite(u) == nil
	return pv
}

func (s *Server) handleTopicShow(c *fiber.Ctx) error {
	slug := strings.Clone(c.Params("slug"))
	switch {
	case strings.HasSuffix(slug, ".md"):
		return s.handleTopicMarkdown(c)
	case strings.HasSuffix(slug, ".atom"):
		return s.handleTopicFeed(c)
	}
	u := currentUser(c)
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	if t.MergedInto != nil {
		return c.Redirect("/discussions/"+strconv.FormatInt(*t.MergedInto, 10), fiber.StatusMovedPermanently)
	}
	if slug != t.Slug {
		target := t.Path()
		if q := string(c.Request().URI().QueryString()); q != "" {
			target += "?" + q
		}
		return c.Redirect(target, fiber.StatusMovedPermanently)
	}
	if n, err := strconv.Atoi(c.Query("post")); err == nil && n > 0 {
		page, err := s.store.PageOfPost(c.UserContext(), t.ID, n)
		if err != nil {
			return err
		}
		target := t.Path()
		if page > 1 {
			target += "?page=" + strconv.Itoa(page)
		}
		return c.Redirect(target+"#post-"+strconv.Itoa(n), fiber.StatusSeeOther)
	}
	p := &topicPage{Page: s.page(c, t.Title), Topic: t, Tree: c.Query("vue") == "arbre", Following: t.Following}
	p.CanModerate = content.CanModerate(u)
	p.CanReply = u != nil && !t.Locked
	page := pageNumber(c)
	// Open a followed topic at the first unread post.
	if u != nil && t.Following && t.Unread > 0 && c.Query("page") == "" && !p.Tree {
		p.FirstUnread = t.ReadUpTo + 1
		if page, err = s.store.PageOfPost(c.UserContext(), t.ID, p.FirstUnread); err != nil {
			return err
		}
	}
	var posts []content.Post
	if p.Tree {
		posts, err = s.store.AllPosts(c.UserContext(), u, t.ID)
	} else {
		posts, err = s.store.PostsPage(c.UserContext(), u, t.ID, page)
	}
	if err != nil {
		return err
	}
	p.Pager = newPager(c, page, t.PostCount, content.PostsPerPage)
	if page > p.Pager.Pages {
		return content.ErrNotFound
	}
	if p.Tree {
		p.Pager = pager{Page: 1, Pages: 1}
	}
	for _, post := range posts {
		p.Posts = append(p.Posts, s.postView(c, t, post))
	}
	if p.Tree {
		p.Posts = buildTree(p.Posts, c.QueryInt("racine"))
	}
	if t.AcceptedPostID != nil {
		if err := s.loadAccepted(c, p); err != nil {
			return err
		}
	}
	if err := s.fillReplyForm(c, p); err != nil {
		return err
	}
	if p.CanModerate {
		cats, err := s.store.Categories(c.UserContext())
		if err != nil {
			return err
		}
		for _, cat := range cats {
			p.Categories = append(p.Categories, option{cat.Slug, cat.Name})
		}
	}
	if p.SeeAlso, err = s.similarTargets(c, t.Title, t.Tags, content.DocID(content.EntityTopic, t.ID)); err != nil {
		return err
	}
	if err := s.store.CountView(c.UserContext(), t.ID); err != nil {
		return err
	}
	if u != nil && len(posts) > 0 {
		if err := s.store.MarkRead(c.UserContext(), u, t.ID, posts[len(posts)-1].Number); err != nil {
			return err
		}
	}
	if page > 1 {
		p.Title += " — page " + strconv.Itoa(page)
	}
	return s.render(c, 200, "discussions/show", p)
}

func (s *Server) loadAccepted(c *fiber.Ctx, p *topicPage) error {
	for _, pv := range p.Posts {
		if pv.IsAccepted {
			p.Accepted = pv
			return nil
		}
	}
	post, err := s.store.PostByID(c.UserContext(), currentUser(c), *p.Topic.AcceptedPostID)
	if err != nil {
		return err
	}
	p.Accepted = s.postView(c, p.Topic, *post)
	return nil
}

// fillReplyForm prepares the reply box: a quote (?citer=n), an answer to a
// post (?repondre=n), or the member's saved draft.
func (s *Server) fillReplyForm(c *fiber.Ctx, p *topicPage) error {
	f := emptyForm()
	u := currentUser(c)
	if u == nil {
		p.Reply = f
		return nil
	}
	if d, err := s.store.DraftAt(c.UserContext(), u, content.DraftReply(p.Topic.ID)); err == nil {
		f.Values["body"], f.Values["reply_to"] = d.Body, d.Fields["reply_to"]
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	quote := c.QueryInt("citer")
	if quote == 0 {
		if n := c.QueryInt("repondre"); n > 0 {
			f.Values["reply_to"] = strconv.Itoa(n)
		}
	}
	if quote > 0 {
		post, err := s.store.PostByNumber(c.UserContext(), u, p.Topic.ID, quote)
		if err != nil {
			return err
		}
		if content.CanSeePostBody(u, post) {
			f.Values["body"] = strings.TrimLeft(f.Get("body")+"\n\n", "\n") + content.QuoteOf(p.Topic, post)
			f.Values["reply_to"] = strconv.Itoa(quote)
		}
	}
	p.Reply = f
	return nil
}

// buildTree nests posts under the post they answer; with root > 0 only that
// post's sub-thread is kept.
func buildTree(posts []*postView, root int) []*postView {
	byNumber := map[int]*postView{}
	for _, p := range posts {
		byNumber[p.Number] = p
	}
	var top []*postView
	for _, p := range posts {
		if p.ReplyTo != nil {
			if parent, ok := byNumber[*p.ReplyTo]; ok && parent.Number < p.Number {
				parent.Children = append(parent.Children, p)
				continue
			}
		}
		top = append(top, p)
	}
	if r, ok := byNumber[root]; ok {
		top = []*postView{r}
	}
	var flat []*postView
	var walk func(p *postView, depth int)
	walk = func(p *postView, depth int) {
		p.Depth = min(depth, 6)
		flat = append(flat, p)
		for _, ch := range p.Children {
			walk(ch, depth+1)
		}
	}
	for _, p := range top {
		walk(p, 0)
	}
	return flat
}

func (s *Server) handleReply(c *fiber.Ctx) error {
	u := currentUser(c)
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	f := readForm(c, "body", "reply_to")
	replyTo, _ := strconv.Atoi(f.Get("reply_to"))
	switch c.FormValue("action") {
	case "brouillon":
		return s.saveDraft(c, f, content.Draft{Place: content.DraftReply(t.ID), Body: f.Get("body"),
			Fields: map[string]string{"reply_to": f.Get("reply_to")}}, t.Path()+"#reponse")
	case "joindre":
		if err := s.attach(c, &f); err != nil {
			return err
		}
		return s.replyForm(c, t, f, attachStatus(f))
	}
	post, err := s.store.Reply(c.UserContext(), u, t.ID, content.NewReply{Body: f.Get("body"), ReplyTo: replyTo})
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.replyForm(c, t, f, fiber.StatusUnprocessableEntity)
	}
	s.live.publish(t.ID)
	page, err := s.store.PageOfPost(c.UserContext(), t.ID, post.Number)
	if err != nil {
		return err
	}
	target := t.Path()
	if page > 1 {
		target += "?page=" + strconv.Itoa(page)
	}
	return s.redirectWithFlash(c, target+"#post-"+strconv.Itoa(post.Number), "Votre réponse est publiée.")
}

// replyForm shows the topic's last page with the reply form filled (and its
// errors, if any), so nothing typed is lost.
func (s *Server) replyForm(c *fiber.Ctx, t *content.Topic, f form, status int) error {
	u := currentUser(c)
	page := (t.PostCount-1)/content.PostsPerPage + 1
	posts, err := s.store.PostsPage(c.UserContext(), u, t.ID, page)
	if err != nil {
		return err
	}
	p := &topicPage{Page: s.page(c, t.Title), Topic: t, Reply: f, CanReply: true, CanModerate: content.CanModerate(u),
		Following: t.Following, Pager: newPager(c, page, t.PostCount, content.PostsPerPage)}
	for _, post := range posts {
		p.Posts = append(p.Posts, s.postView(c, t, post))
	}
	return s.render(c, status, "discussions/show", p)
}

func (s *Server) handleTopicFollow(c *fiber.Ctx) error {
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	follow := c.FormValue("suivre") == "1"
	if err := s.store.SetFollow(c.UserContext(), currentUser(c), content.FollowTopic, t.ID, follow); err != nil {
		return err
	}
	msg := "Vous ne suivez plus cette discussion."
	if follow {
		msg = "Vous suivez cette discussion : les nouvelles réponses seront signalées dans les listes."
	}
	return s.redirectWithFlash(c, t.Path(), msg)
}

func (s *Server) handleTopicModerate(c *fiber.Ctx) error {
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	var up content.TopicUpdate
	msg := ""
	switch c.FormValue("action") {
	case "epingler", "desepingler":
		v := c.FormValue("action") == "epingler"
		up.Pinned, msg = &v, map[bool]string{true: "Discussion épinglée.", false: "Discussion désépinglée."}[v]
	case "fermer", "rouvrir":
		v := c.FormValue("action") == "fermer"
		up.Locked, msg = &v, map[bool]string{true: "Discussion fermée : plus personne ne peut y répondre.", false: "Discussion rouverte."}[v]
	case "deplacer":
		cat := strings.Clone(c.FormValue("category"))
		up.Category, msg = &cat, "Discussion déplacée."
	case "fusionner":
		into, err := strconv.ParseInt(c.FormValue("into"), 10, 64)
		if err != nil {
			return s.redirectWithFlash(c, t.Path(), "Indiquez le numéro de la discussion de destination.")
		}
		if err := s.store.MergeTopic(c.UserContext(), currentUser(c), t.ID, into); err != nil {
			if v, ok := content.AsValidation(err); ok {
				return s.redirectWithFlash(c, t.Path(), v.Fields[0].Message)
			}
			return err
		}
		return s.redirectWithFlash(c, "/discussions/"+strconv.FormatInt(into, 10), "Les discussions sont fusionnées.")
	default:
		return &httpError{422, "invalid", "Action de modération inconnue."}
	}
	if err := s.store.ModerateTopic(c.UserContext(), currentUser(c), t.ID, up); err != nil {
		if v, ok := content.AsValidation(err); ok {
			return s.redirectWithFlash(c, t.Path(), v.Fields[0].Message)
		}
		return err
	}
	return s.redirectWithFlash(c, t.Path(), msg)
}
