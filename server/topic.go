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
	Changed    bool // its text, or for the opening post its topic's title, changed: the history is linked
	Ago        string
	Can        content.PostActions
	CanRestore bool // its author may still take back its withdrawal
	IsAccepted bool
	Children   []*postView // tree view
	Depth      int
	CSRF       csrfValue
	TopicPath  string
}

type topicPage struct {
	Page
	Topic       *content.Topic
	Can         content.TopicActions
	Posts       []*postView
	Accepted    *postView
	Pager       pager
	Tree        bool
	Reply       form
	Categories  []option
	FirstUnread int
	SeeAlso     []content.SearchTarget
	FichesMade  []content.FicheRef   // fiches written from this discussion
	Fiche       *content.FicheRef    // the fiche whose comments it holds (fiche_comment.go)
	Proposal    *content.ProposalRef // the text whose comments it holds (proposal_comments.go)
	Held        []content.HeldPost   // the viewer's replies waiting for review, on the last page (trust.go)
}

// ShowsOpening tells whether the page shows the opening post (after which
// the accepted answer is summed up; elsewhere at the top).
func (p *topicPage) ShowsOpening() bool { return len(p.Posts) > 0 && p.Posts[0].Number == 1 }

// postView is a post as the viewer sees it, with what they may do with it.
func (s *Server) postView(c *fiber.Ctx, t *content.Topic, p content.Post) *postView {
	return &postView{Post: p, Ago: ago(p.CreatedAt), Can: content.PostActionsFor(currentUser(c), t, &p), CSRF: s.csrfToken(c),
		TopicPath: t.Path(), IsAccepted: t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID,
		CanRestore: content.CanRestorePost(currentUser(c), &p, s.store.Now()),
		Changed:    p.EditedAt != nil || (p.Number == 1 && t.EditedAt != nil)}
}

// topicPageFor is the topic page's frame for the viewer, without its posts.
func (s *Server) topicPageFor(c *fiber.Ctx, t *content.Topic) *topicPage {
	return &topicPage{Page: s.page(c, t.Title), Topic: t, Can: content.TopicActionsFor(currentUser(c), t)}
}

func (s *Server) handleTopicShow(c *fiber.Ctx) error {
	slug := strings.Clone(c.Params("slug"))
	switch {
	case strings.HasSuffix(slug, ".md"):
		return s.handleTopicMarkdown(c)
	case strings.HasSuffix(slug, ".atom"):
		return s.handleTopicFeed(c)
	}
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	if target, ok, err := s.topicRedirect(c, t, slug); ok || err != nil {
		if err != nil {
			return err
		}
		return c.Redirect(target.url, target.status)
	}
	p := s.topicPageFor(c, t)
	p.Tree = c.Query("vue") == "arbre"
	page, err := s.topicPageNumber(c, p)
	if err != nil {
		return err
	}
	if err := s.fillPosts(c, p, page); err != nil {
		return err
	}
	if err := s.fillReplyForm(c, p); err != nil {
		return err
	}
	if err := s.fillTopicAside(c, p); err != nil {
		return err
	}
	if len(p.Posts) > 0 {
		last := p.Posts[len(p.Posts)-1].Number
		s.recordVisit(c, currentUser(c), pageVisit{topic: t.ID, number: last})
		if p.User != nil && p.Unread > 0 { // the bell already counts what this page shows as read
			if p.Unread, err = s.store.UnreadNotificationsBeside(c.UserContext(), p.User, content.EntityTopic, t.ID, last); err != nil {
				return err
			}
		}
	}
	if page > 1 {
		p.Title += " — page " + strconv.Itoa(page)
	}
	return s.render(c, 200, "discussions/show", p)
}

type redirect struct {
	url    string
	status int
}

// topicRedirect sends merged topics to the one that received their posts,
// old slugs to the canonical address, and ?post=N to the page of post N.
func (s *Server) topicRedirect(c *fiber.Ctx, t *content.Topic, slug string) (redirect, bool, error) {
	if t.MergedInto != nil {
		// Not the query: post numbers moved with the merge.
		return redirect{"/discussions/" + strconv.FormatInt(*t.MergedInto, 10), fiber.StatusMovedPermanently}, true, nil
	}
	if slug != t.Slug {
		return redirect{canonical(c, t.Path()), fiber.StatusMovedPermanently}, true, nil
	}
	if n := queryNumber(c, "post"); n > 0 {
		target, err := s.postPageURL(c, t, n)
		return redirect{target, fiber.StatusSeeOther}, true, err
	}
	return redirect{}, false, nil
}

// postPageURL is the address of the page of t that shows post n, at the post.
func (s *Server) postPageURL(c *fiber.Ctx, t *content.Topic, n int) (string, error) {
	page, err := s.store.PageOfPost(c.UserContext(), t.ID, n)
	if err != nil {
		return "", err
	}
	target := t.Path()
	if page > 1 {
		target += "?page=" + strconv.Itoa(page)
	}
	return target + "#post-" + strconv.Itoa(n), nil
}

// topicPageNumber is the page asked for, or for a followed topic opened
// without one, the page of the first unread post.
func (s *Server) topicPageNumber(c *fiber.Ctx, p *topicPage) (int, error) {
	t := p.Topic
	if currentUser(c) == nil || !t.Following || t.Unread == 0 || c.Query("page") != "" || p.Tree {
		return pageNumber(c), nil
	}
	p.FirstUnread = t.ReadUpTo + 1
	return s.store.PageOfPost(c.UserContext(), t.ID, p.FirstUnread)
}

// fillPosts loads the page's posts (all of them, nested, in the tree view)
// and the accepted answer.
func (s *Server) fillPosts(c *fiber.Ctx, p *topicPage, page int) error {
	u, t := currentUser(c), p.Topic
	var posts []content.Post
	var err error
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
	for _, post := range posts {
		p.Posts = append(p.Posts, s.postView(c, t, post))
	}
	if p.Tree {
		p.Pager = pager{Page: 1, Pages: 1}
		p.Posts = buildTree(p.Posts, queryNumber(c, "racine"))
	}
	if page == p.Pager.Pages {
		if p.Held, err = s.store.HeldInTopic(c.UserContext(), u, t.ID); err != nil {
			return err
		}
	}
	if t.AcceptedPostID != nil {
		return s.loadAccepted(c, p)
	}
	return nil
}

// fillTopicAside loads the moderators' category list, the fiche it
// comments and "Voir aussi".
func (s *Server) fillTopicAside(c *fiber.Ctx, p *topicPage) error {
	if p.Can.Moderate {
		cats, err := s.store.Categories(c.UserContext())
		if err != nil {
			return err
		}
		for _, cat := range cats {
			p.Categories = append(p.Categories, option{cat.Slug, cat.Name})
		}
	}
	t := p.Topic
	var err error
	if p.Fiche, err = s.ficheOfTopic(c, t); err != nil {
		return err
	}
	if ref, err := s.store.ProposalOfTopic(c.UserContext(), t.ID); err == nil {
		p.Proposal = &ref
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	if t.Resolved() {
		if p.FichesMade, err = s.store.FichesFromTopic(c.UserContext(), t.ID); err != nil {
			return err
		}
	}
	p.SeeAlso, err = s.relatedTargets(c, t.Title, t.Tags, content.DocID(content.EntityTopic, t.ID))
	return err
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
		f.Values["body"], f.Values["reply_to"] = d.Body, d.Fields.ReplyTo
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	quote := queryNumber(c, "citer")
	if quote == 0 {
		if n := queryNumber(c, "repondre"); n > 0 {
			f.Values["reply_to"] = strconv.Itoa(n)
		}
	}
	if quote > 0 {
		post, err := s.store.PostByNumber(c.UserContext(), u, p.Topic.ID, quote)
		if err != nil {
			return err
		}
		if content.CanReadPost(u, post) {
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
			Fields: content.DraftFields{ReplyTo: f.Get("reply_to")}}, t.Path()+"#reponse")
	case "joindre":
		if err := s.attach(c, &f); err != nil {
			return err
		}
		return s.replyForm(c, t, f, attachStatus(f))
	case "apercu":
		if err := s.preview(c, &f); err != nil {
			return err
		}
		return s.replyForm(c, t, f, attachStatus(f))
	}
	post, err := s.store.Reply(c.UserContext(), u, t.ID, content.NewReply{Body: f.Get("body"), ReplyTo: replyTo})
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		s.setRetryAfter(c, err)
		return s.replyForm(c, t, f, f.status())
	}
	target, err := s.postPageURL(c, t, post.Number)
	if err != nil {
		return err
	}
	return s.redirectWithFlash(c, target, "Votre réponse est publiée.")
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
	p := s.topicPageFor(c, t)
	p.Reply, p.Pager = f, newPager(c, page, t.PostCount, content.PostsPerPage)
	if p.Held, err = s.store.HeldInTopic(c.UserContext(), u, t.ID); err != nil {
		return err
	}
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
	return s.setWatch(c, content.FollowTopic, t.ID, t.Path(), "cette discussion")
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
			return s.redirectWithRefusal(c, t.Path(), "Indiquez le numéro de la discussion de destination.")
		}
		if err := s.store.MergeTopic(c.UserContext(), currentUser(c), t.ID, into); err != nil {
			return s.afterAction(c, err, t.Path(), "")
		}
		return s.redirectWithFlash(c, "/discussions/"+strconv.FormatInt(into, 10), "Les discussions sont fusionnées.")
	default:
		return &httpError{422, "invalid", "Action de modération inconnue."}
	}
	err = s.store.ModerateTopic(c.UserContext(), currentUser(c), t.ID, up)
	return s.afterAction(c, err, t.Path(), msg)
}
