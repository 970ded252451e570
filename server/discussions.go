package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Discussions: lists, a new topic, a topic page, replies.

type topicListPage struct {
	Page
	Heading     string
	Intro       string
	Topics      []content.Topic
	Total       int
	Many        bool // more than content.ListCountCap: not counted to the end
	Pager       pager
	Filter      string // "", "sans-reponse", "resolues", "suivies"
	FilterBase  string // the list's path, for filter links
	Category    *content.Category
	Tag         string
	Watch       content.WatchLevel // how closely the viewer follows this category or tag
	FeedURL     string
	Empty       string // what the list says when nothing matches its filter
	Categories  []content.Category
	CanMarkRead bool
}

// listFilter is one ?filtre= of the lists, for the pages and the API.
type listFilter struct {
	Label   string
	Members bool   // about what the viewer follows or read
	Empty   string // what the list says when nothing matches
	apply   func(*content.TopicFilter)
}

var listFilters = map[string]listFilter{
	"sans-reponse": {"Questions sans réponse", false, "Aucune question sans réponse : tout le monde a été aidé.",
		func(f *content.TopicFilter) { f.Unanswered = true }},
	"resolues": {"Résolues", false, "Aucune discussion résolue pour l’instant.", func(f *content.TopicFilter) { f.Resolved = true }},
	"suivies": {"Que je suis", true, "Vous ne suivez aucune discussion ici : les discussions où vous écrivez, et celles que vous suivez, apparaîtront ici.",
		func(f *content.TopicFilter) { f.Following = true }},
	"non-lues": {"Non lues", true, "Rien de nouveau dans les discussions que vous suivez.", func(f *content.TopicFilter) { f.Unread = true }},
	"nouvelles": {"Nouvelles", true, "Aucune discussion nouvelle pour vous : vous les avez toutes ouvertes.",
		func(f *content.TopicFilter) { f.New = true }},
}

// applyListFilter sets the filter named by ?filtre= on f and returns its
// name ("" for none); errUnauthorized when it needs a member.
func applyListFilter(c *fiber.Ctx, f *content.TopicFilter) (string, error) {
	name := c.Query("filtre")
	lf, ok := listFilters[name]
	if !ok {
		return "", nil
	}
	if lf.Members && currentUser(c) == nil {
		return name, errUnauthorized
	}
	lf.apply(f)
	return name, nil
}

func (s *Server) topicList(c *fiber.Ctx, p *topicListPage, f content.TopicFilter) error {
	var err error
	if p.Filter, err = applyListFilter(c, &f); err == errUnauthorized {
		return c.Redirect(loginURL(c.OriginalURL()), fiber.StatusSeeOther)
	}
	p.Empty = listFilters[p.Filter].Empty
	f.Page = pageNumber(c)
	if after, ok := content.ParseTopicCursor(c.Query("apres")); ok && f.Page > 1 {
		f.After = &after
	}
	topics, total, err := s.listTopics(c, f)
	if err != nil {
		return err
	}
	p.Topics, p.Total = topics, total
	if total > content.ListCountCap {
		// Not counted to the end: the pages go on while they are full.
		p.Many, total = true, (f.Page-1)*content.TopicsPerPage+len(topics)
		if len(topics) == content.TopicsPerPage {
			total++
		}
	}
	p.Pager = newPager(c, f.Page, total, content.TopicsPerPage)
	p.Pager.Open = p.Many
	// The next page starts after this one's last topic, with no OFFSET to
	// walk (pinned ones all come on the first pages, by number).
	if last := len(topics) - 1; p.Pager.Next != "" && last >= 0 && !topics[last].Pinned {
		p.Pager.Next = pageLink(c, f.Page+1, content.CursorOf(&topics[last]).String())
	}
	if f.Page > p.Pager.Pages {
		return content.ErrNotFound
	}
	p.FilterBase = c.Path()
	p.CanMarkRead = p.User != nil
	if p.Categories, err = s.store.Categories(c.UserContext()); err != nil {
		return err
	}
	if lf, ok := listFilters[p.Filter]; ok {
		p.Title += " — " + lf.Label
	}
	if f.Page > 1 {
		p.Title += " — page " + strconv.Itoa(f.Page)
	}
	return s.render(c, 200, "discussions/list", p)
}

func (s *Server) handleTopicList(c *fiber.Ctx) error {
	p := &topicListPage{Page: s.page(c, "Discussions"), Heading: "Discussions", FeedURL: "/discussions.atom",
		Intro: "Les questions et échanges de la Ligue, les plus récents en premier."}
	return s.topicList(c, p, content.TopicFilter{})
}

func (s *Server) handleCategoryShow(c *fiber.Ctx) error {
	if strings.HasSuffix(c.Params("slug"), ".atom") {
		return s.handleCategoryFeed(c)
	}
	cat, err := s.store.CategoryBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	p := &topicListPage{Page: s.page(c, cat.Name), Heading: cat.Name, Intro: cat.Description, Category: cat,
		FeedURL: "/categories/" + cat.Slug + ".atom"}
	if p.Watch, err = s.store.WatchLevelOf(c.UserContext(), p.User, content.FollowCategory, cat.ID); err != nil {
		return err
	}
	return s.topicList(c, p, content.TopicFilter{Category: cat.Slug})
}

func (s *Server) handleTagShow(c *fiber.Ctx) error {
	if strings.HasSuffix(c.Params("tag"), ".atom") {
		return s.handleTagFeed(c)
	}
	tag := strings.Clone(c.Params("tag"))
	id, err := s.store.TagID(c.UserContext(), tag)
	if err != nil {
		return err
	}
	p := &topicListPage{Page: s.page(c, "Étiquette « "+tag+" »"), Heading: "Étiquette « " + tag + " »", Tag: tag,
		FeedURL: "/etiquettes/" + tag + ".atom"}
	if p.Watch, err = s.store.WatchLevelOf(c.UserContext(), p.User, content.FollowTag, id); err != nil {
		return err
	}
	return s.topicList(c, p, content.TopicFilter{Tag: tag})
}

type tagsPage struct {
	Page
	Tags []content.TagCount
}

// handleTagIndex lists the tags in use with their counts.
func (s *Server) handleTagIndex(c *fiber.Ctx) error {
	tags, err := s.store.TagCounts(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, 200, "discussions/tags", &tagsPage{Page: s.page(c, "Étiquettes"), Tags: tags})
}

// handleFollow sets how closely the member follows a category or a tag.
func (s *Server) handleFollow(c *fiber.Ctx) error {
	if slug := c.Params("slug"); slug != "" {
		cat, err := s.store.CategoryBySlug(c.UserContext(), slug)
		if err != nil {
			return err
		}
		return s.setWatch(c, content.FollowCategory, cat.ID, "/categories/"+cat.Slug, "la catégorie « "+cat.Name+" »")
	}
	tag := strings.Clone(c.Params("tag"))
	id, err := s.store.TagID(c.UserContext(), tag)
	if err != nil {
		return err
	}
	return s.setWatch(c, content.FollowTag, id, "/etiquettes/"+tag, "l’étiquette « "+tag+" »")
}

func (s *Server) handleMarkAllRead(c *fiber.Ctx) error {
	if err := s.store.MarkAllRead(c.UserContext(), currentUser(c)); err != nil {
		return err
	}
	return s.redirectWithFlash(c, safeReturn(c.FormValue("retour")), "Tout est marqué comme lu.")
}

type newTopicPage struct {
	Page
	Form       form
	Categories []option
	Kinds      []option
	Similar    []content.SearchTarget
	Checked    bool // the similar-topics check was run
}

var newTopicFields = []string{"title", "body", "category", "tags", "kind"}

// categoryOptions lists the categories for a select, "— Choisir —" first.
func (s *Server) categoryOptions(c *fiber.Ctx) ([]option, error) {
	cats, err := s.store.Categories(c.UserContext())
	if err != nil {
		return nil, err
	}
	opts := []option{{"", "— Choisir —"}}
	for _, cat := range cats {
		if content.IsCommentsCategory(cat.Slug) {
			continue // its discussions start from a fiche's or a text's « Commenter »
		}
		opts = append(opts, option{cat.Slug, cat.Name})
	}
	return opts, nil
}

func (s *Server) newTopicPage(c *fiber.Ctx, f form) (*newTopicPage, error) {
	opts, err := s.categoryOptions(c)
	if err != nil {
		return nil, err
	}
	if f.Get("kind") == "" {
		f.Values["kind"] = string(content.KindQuestion)
	}
	return &newTopicPage{Page: s.page(c, "Nouvelle discussion"), Form: f, Categories: opts,
		Kinds: []option{{"question", "Une question (on pourra marquer la réponse qui vous a aidé·e)"}, {"discussion", "Une discussion, un partage, un débat"}}}, nil
}

func (s *Server) handleTopicNewForm(c *fiber.Ctx) error {
	f := emptyForm()
	if d, err := s.store.DraftAt(c.UserContext(), currentUser(c), content.DraftNewTopic); err == nil {
		f.Values["title"], f.Values["body"] = d.Title, d.Body
		f.Values["category"], f.Values["tags"], f.Values["kind"] = d.Fields.Category, d.Fields.Tags, d.Fields.Kind
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	if cat := c.Query("categorie"); cat != "" && f.Get("category") == "" {
		f.Values["category"] = strings.Clone(cat)
	}
	p, err := s.newTopicPage(c, f)
	if err != nil {
		return err
	}
	return s.render(c, 200, "discussions/new", p)
}

func (s *Server) handleTopicCreate(c *fiber.Ctx) error {
	u := currentUser(c)
	f := readForm(c, newTopicFields...)
	page := func(status int) error {
		p, err := s.newTopicPage(c, f)
		if err != nil {
			return err
		}
		if status == 200 {
			p.Checked = true
			tags, _ := content.ParseTags(f.Get("tags"))
			if p.Similar, err = s.similarTargets(c, f.Get("title"), tags, ""); err != nil {
				return err
			}
		}
		return s.render(c, status, "discussions/new", p)
	}
	switch c.FormValue("action") {
	case "verifier":
		return page(200)
	case "joindre":
		if err := s.attach(c, &f); err != nil {
			return err
		}
		p, err := s.newTopicPage(c, f)
		if err != nil {
			return err
		}
		return s.render(c, attachStatus(f), "discussions/new", p)
	case "apercu":
		if err := s.preview(c, &f); err != nil {
			return err
		}
		p, err := s.newTopicPage(c, f)
		if err != nil {
			return err
		}
		return s.render(c, attachStatus(f), "discussions/new", p)
	case "brouillon":
		return s.saveDraft(c, f, content.Draft{Place: content.DraftNewTopic, Title: f.Get("title"), Body: f.Get("body"),
			Fields: content.DraftFields{Category: f.Get("category"), Tags: f.Get("tags"), Kind: f.Get("kind")}}, "/discussions/nouvelle")
	}
	t, err := s.store.CreateTopic(c.UserContext(), u, content.NewTopic{Title: f.Get("title"), Body: f.Get("body"),
		Category: f.Get("category"), Tags: f.Get("tags"), Kind: content.TopicKind(f.Get("kind"))})
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		s.setRetryAfter(c, err)
		return page(f.status())
	}
	return s.redirectWithFlash(c, t.Path(), "Votre discussion est publiée.")
}

func attachStatus(f form) int {
	if f.HasErrors() {
		return f.status()
	}
	return fiber.StatusOK
}

// writeRefusal puts a refusal to write on the form (unverified account) or
// a validation error; other errors are returned for the error handler.
func (s *Server) writeRefusal(f *form, err error) error {
	var tooSoon *content.TooSoonError
	switch {
	case errors.Is(err, content.ErrUnverified):
		f.Errors.Add("body", errUnverified.Message+" Votre texte est conservé ci-dessous.")
		return nil
	case errors.Is(err, content.ErrSuspended):
		f.Errors.Add("body", errSuspended.Message+" Votre texte est conservé ci-dessous.")
		f.Refused = fiber.StatusForbidden
		return nil
	case errors.As(err, &tooSoon):
		f.Errors.Add("body", tooSoon.Message()+" Votre texte est conservé ci-dessous.")
		f.Refused = fiber.StatusTooManyRequests
		return nil
	}
	return f.fail(err)
}

// saveDraft stores a draft from a no-JS "Enregistrer le brouillon" button.
func (s *Server) saveDraft(c *fiber.Ctx, f form, d content.Draft, back string) error {
	if err := s.store.SaveDraft(c.UserContext(), currentUser(c), d); err != nil {
		if v, ok := content.AsValidation(err); ok {
			return &httpError{422, "invalid", v.Fields[0].Message}
		}
		return err
	}
	return s.redirectWithFlash(c, back, "Brouillon enregistré. Vous le retrouverez ici, ou dans « Mes brouillons », sur n’importe quel appareil.")
}

// handleSimilarTopics answers the new-topic form's script with up to five
// topics whose titles look like the one being typed.
func (s *Server) handleSimilarTopics(c *fiber.Ctx) error {
	topics, err := s.similarTargets(c, c.Query("titre"), nil, "")
	if err != nil {
		return err
	}
	type similar struct {
		Title    string `json:"title"`
		Path     string `json:"path"`
		Resolved bool   `json:"resolved"`
		Fiche    bool   `json:"fiche"`
	}
	out := make([]similar, 0, len(topics))
	for _, t := range topics {
		out = append(out, similar{t.Title, t.URL, t.Resolved, t.Type == content.DocFiche})
	}
	return c.JSON(out)
}

// listTopics lists topics for the viewer, with what they read a moment ago.
func (s *Server) listTopics(c *fiber.Ctx, f content.TopicFilter) ([]content.Topic, int, error) {
	topics, total, err := s.store.ListTopics(c.UserContext(), currentUser(c), f)
	for i := range topics {
		s.visits.overlay(currentUser(c), &topics[i])
	}
	return topics, total, err
}

// loadTopic finds the topic of the URL, following merges.
func (s *Server) loadTopic(c *fiber.Ctx) (*content.Topic, error) {
	id, err := paramInt(c, "id")
	if err != nil {
		return nil, err
	}
	t, err := s.store.TopicByID(c.UserContext(), currentUser(c), id)
	if err != nil {
		return nil, err
	}
	s.visits.overlay(currentUser(c), t)
	return t, nil
}

// handleTopicRedirect sends /discussions/{id} to the canonical address.
func (s *Server) handleTopicRedirect(c *fiber.Ctx) error {
	t, err := s.loadTopic(c)
	if err != nil {
		return err
	}
	return c.Redirect(canonical(c, t.Path()), fiber.StatusMovedPermanently)
}

func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "à l’instant"
	case d < time.Hour:
		return "il y a " + strconv.Itoa(int(d.Minutes())) + "\u00a0min"
	case d < 24*time.Hour:
		return "il y a " + strconv.Itoa(int(d.Hours())) + "\u00a0h"
	case d < 48*time.Hour:
		return "hier"
	case d < 30*24*time.Hour:
		return "il y a " + strconv.Itoa(int(d.Hours()/24)) + "\u00a0jours"
	}
	return "le " + frenchDate(t)
}
