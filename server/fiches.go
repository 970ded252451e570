package server

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The fiches: the list, a fiche's page and its exports. Writing is in
// fiche_edit.go, the history in fiche_history.go.

func (s *Server) ficheRoutes(app *fiber.App) {
	app.Get("/fiches", s.handleFicheList)
	app.Get("/fiches.atom", s.handleFichesFeed)
	app.Get("/fiches/nouvelle", s.requireMember, s.handleFicheNewForm)
	app.Post("/fiches/nouvelle", s.requireMember, s.handleFicheCreate)
	app.Get("/fiches/:slug", s.handleFicheShow)
	app.Get("/fiches/:slug/modifier", s.requireMember, s.handleFicheEditForm)
	app.Post("/fiches/:slug/modifier", s.requireMember, s.handleFicheEdit)
	app.Post("/fiches/:slug/publier", s.requireMember, s.handleFichePublish)
	app.Post("/fiches/:slug/coauteurs", s.requireMember, s.handleFicheInvite)
	app.Get("/fiches/:slug/evenements", s.handleFicheEvents)
	app.Get("/fiches/:slug/historique", s.handleFicheHistory)
	app.Get("/fiches/:slug/revisions/:n<int>", s.handleFicheRevision)
	app.Post("/fiches/:slug/revisions/:n<int>/retablir", s.requireMember, s.handleFicheRestore)
	app.Get("/fiches/:slug/comparer", s.handleFicheCompare)
	app.Post("/fiches/:slug/signaler", s.requireMember, s.handleFicheReport)
	app.Post("/fiches/:slug/signalements/:id<int>/traite", s.requireMember, s.handleFicheReportHandled)
	app.Post("/fiches/:slug/commentaires", s.requireMember, s.handleFicheComment)
	app.Post("/fiches/:slug/suivre", s.requireMember, s.handleFicheFollow)
}

type ficheListPage struct {
	Page
	Fiches    []content.Fiche
	Drafts    []content.Fiche // the viewer's brouillons, on the first page
	Tag       string
	Audience  string
	Sort      string
	Sorts     []option
	Audiences []content.Audience
	Tags      []content.TagCount
	Next      string // address of the next page
	First     string // address of the first page, when not on it
	Empty     string
}

var ficheSortOptions = []option{
	{content.FicheSortRecent, "Mises à jour récemment"},
	{content.FicheSortViews, "Les plus vues"},
	{content.FicheSortSaves, "Les plus enregistrées"},
	{content.FicheSortAlpha, "Ordre alphabétique"},
}

// ficheFilterOf reads the list's filters from the address.
func ficheFilterOf(c *fiber.Ctx) content.FicheFilter {
	f := content.FicheFilter{Tag: strings.Clone(c.Query("theme")), Audience: strings.Clone(c.Query("public")),
		Sort: strings.Clone(c.Query("tri")), After: strings.Clone(c.Query("apres"))}
	if !content.ValidFicheSort(f.Sort) {
		f.Sort = content.FicheSortRecent
	}
	return f
}

// ficheListURL is the list's address with the filters of f and the cursor.
func ficheListURL(f content.FicheFilter, after string) string {
	v := url.Values{}
	if f.Tag != "" {
		v.Set("theme", f.Tag)
	}
	if f.Audience != "" {
		v.Set("public", f.Audience)
	}
	if f.Sort != content.FicheSortRecent {
		v.Set("tri", f.Sort)
	}
	if after != "" {
		v.Set("apres", after)
	}
	if len(v) == 0 {
		return "/fiches"
	}
	return "/fiches?" + v.Encode()
}

func (s *Server) handleFicheList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	filter := ficheFilterOf(c)
	list, err := s.store.ListFiches(ctx, filter)
	if err != nil {
		return err
	}
	p := &ficheListPage{Page: s.page(c, "Fiches pratiques"), Fiches: list.Fiches, Tag: filter.Tag, Audience: filter.Audience,
		Sort: filter.Sort, Sorts: ficheSortOptions}
	if list.Next != "" {
		p.Next = ficheListURL(filter, list.Next)
	}
	if filter.After != "" {
		p.First = ficheListURL(filter, "")
	}
	if p.Audiences, err = s.store.Audiences(ctx); err != nil {
		return err
	}
	if p.Tags, err = s.store.FicheTagCounts(ctx); err != nil {
		return err
	}
	if u := currentUser(c); u != nil && filter.After == "" {
		if p.Drafts, err = s.store.DraftFichesOf(ctx, u); err != nil {
			return err
		}
	}
	switch {
	case filter.Tag != "" || filter.Audience != "":
		p.Empty = "Aucune fiche ne correspond à ces filtres pour l’instant."
	default:
		p.Empty = "Aucune fiche n’est encore publiée : écrivez la première !"
	}
	return s.render(c, 200, "fiches/list", p)
}

type fichePage struct {
	Page
	Fiche        *content.Fiche
	Can          content.FicheActions
	Contributors []content.Contributor
	Backlinks    []content.FicheRef
	SeeAlso      []content.SearchTarget
	Source       *content.Topic // the discussion it was made from
	Licence      string
	Collections  ficheSaveBox      // the viewer's collections, when they may save it (collections.go)
	Reports      ficheReportsView  // open reports and the report form (fiche_report.go)
	Comments     ficheCommentsView // the latest comments and the comment form (fiche_comment.go)
	Watch        content.WatchLevel
}

// loadFiche finds the fiche of the address's slug as the viewer may see
// it; an old slug or a merged fiche redirects (301) to the same page of
// the fiche's address, query kept.
func (s *Server) loadFiche(c *fiber.Ctx) (*content.Fiche, error) {
	return s.ficheAt(c, strings.Clone(c.Params("slug")))
}

// ficheAt is loadFiche for the fiche named slug in the address (an export's
// slug without its ".md" or ".pdf").
func (s *Server) ficheAt(c *fiber.Ctx, slug string) (*content.Fiche, error) {
	l, err := s.store.FicheBySlug(c.UserContext(), currentUser(c), slug)
	switch {
	case err != nil:
		return nil, err
	case l.Gone:
		return nil, &httpError{fiber.StatusGone, "gone", "Cette fiche a été supprimée par la modération."}
	case l.Redirect != "":
		// The same page (history, API…) under the fiche's slug.
		path := c.Path()
		i := strings.Index(path, "/fiches/"+slug) + len("/fiches/")
		return nil, redirectTo(canonical(c, path[:i]+l.Fiche.Slug+path[i+len(slug):]), fiber.StatusMovedPermanently)
	}
	return l.Fiche, nil
}

// ficheExport tells the export a slug asks for (".md", ".pdf"), if any.
func ficheExport(slug string) string {
	for _, ext := range []string{".md", ".pdf"} {
		if strings.HasSuffix(slug, ext) {
			return ext
		}
	}
	return ""
}

func (s *Server) handleFicheShow(c *fiber.Ctx) error {
	switch ficheExport(c.Params("slug")) {
	case ".md":
		return s.handleFicheMarkdown(c)
	case ".pdf":
		return s.handleFichePDF(c)
	}
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	p, err := s.fichePageOf(c, f)
	if err != nil {
		return err
	}
	s.recordVisit(c, p.User, pageVisit{fiche: f.ID})
	if p.User != nil && p.Unread > 0 { // the bell already counts this fiche's notifications as read
		if p.Unread, err = s.store.UnreadNotificationsBeside(c.UserContext(), p.User, content.EntityFiche, f.ID, 0); err != nil {
			return err
		}
	}
	return s.render(c, 200, "fiches/show", p)
}

func (s *Server) handleFicheFollow(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	if !content.FicheActionsFor(currentUser(c), f).Follow {
		return content.ErrForbidden
	}
	return s.setWatch(c, content.FollowFiche, f.ID, f.Path(), "cette fiche")
}

// fichePageOf is the page of fiche f for the viewer, its forms empty (a
// refused form puts itself back before rendering).
func (s *Server) fichePageOf(c *fiber.Ctx, f *content.Fiche) (*fichePage, error) {
	ctx := c.UserContext()
	u := currentUser(c)
	var err error
	p := &fichePage{Page: s.page(c, f.Title), Fiche: f, Can: content.FicheActionsFor(u, f), Licence: content.FicheLicence}
	if p.Contributors, err = s.store.FicheContributors(ctx, f); err != nil {
		return nil, err
	}
	if p.Backlinks, err = s.store.Backlinks(ctx, f); err != nil {
		return nil, err
	}
	if p.Watch, err = s.store.WatchLevelOf(ctx, u, content.FollowFiche, f.ID); err != nil {
		return nil, err
	}
	if p.Can.Save {
		if p.Collections, err = s.ficheSaves(c, u, f, emptyForm()); err != nil {
			return nil, err
		}
	}
	if f.Published() {
		if p.SeeAlso, err = s.relatedTargets(c, f.Title, f.Tags, content.DocID(content.EntityFiche, f.ID)); err != nil {
			return nil, err
		}
	}
	if f.SourceTopicID != nil {
		if t, err := s.store.TopicByID(ctx, u, *f.SourceTopicID); err == nil && t.MergedInto == nil {
			p.Source = t
		} else if err != nil && !errors.Is(err, content.ErrNotFound) {
			return nil, err
		}
	}
	if err := s.fillFicheReports(c, p); err != nil {
		return nil, err
	}
	if err := s.fillFicheComments(c, p); err != nil {
		return nil, err
	}
	return p, nil
}

// relatedTargets lists fiches and discussions that look like a title and
// tags, fiches first, for "Voir aussi".
func (s *Server) relatedTargets(c *fiber.Ctx, title string, tags []string, exclude string) ([]content.SearchTarget, error) {
	return s.similarOf(c, []string{content.DocFiche, content.DocDiscussion}, title, tags, exclude, 4)
}
