package server

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The fiches API calls the same content methods as the pages; a brouillon
// is answered to its authors only (404 to anyone else).

func (s *Server) apiFicheRoutes(api fiber.Router) {
	api.Get("/fiches", s.handleAPIFiches)
	api.Post("/fiches", s.requireMember, s.handleAPIFicheCreate)
	api.Get("/fiches/:slug", s.handleAPIFiche)
	api.Put("/fiches/:slug", s.requireMember, s.handleAPIFicheUpdate)
	api.Get("/fiches/:slug/revisions", s.handleAPIFicheRevisions)
	api.Get("/fiches/:slug/revisions/:n<int>", s.handleAPIFicheRevision)
}

type apiFicheSummary struct {
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	URL       string    `json:"url"`
	Tags      []string  `json:"tags"`
	Audiences []string  `json:"audiences"`
	Revision  int       `json:"revision"`
	Published bool      `json:"published"`
	Protected bool      `json:"protected"`
	Views     int       `json:"views"`
	Saves     int       `json:"saves"`
	UpdatedAt time.Time `json:"updated_at"`
}

type apiFiche struct {
	apiFicheSummary
	Body    string                `json:"body"`
	HTML    string                `json:"html"`
	Authors []content.Contributor `json:"authors"`
	TOC     []content.Heading     `json:"toc"`
}

type apiRevision struct {
	Number    int       `json:"number"`
	Author    string    `json:"author"`
	Comment   string    `json:"comment"`
	Size      int       `json:"size"`
	Added     int       `json:"words_added"`
	Removed   int       `json:"words_removed"`
	Restored  *int      `json:"restored,omitempty"`
	Hidden    bool      `json:"hidden"`
	CreatedAt time.Time `json:"created_at"`
	Title     string    `json:"title,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	Body      *string   `json:"body,omitempty"`
}

func (s *Server) toAPIFicheSummary(f *content.Fiche) apiFicheSummary {
	return apiFicheSummary{Slug: f.Slug, Title: f.Title, Summary: f.Summary, URL: s.cfg.BaseURL + f.Path(),
		Tags: append([]string{}, f.Tags...), Audiences: append([]string{}, f.AudienceSlugs()...), Revision: f.Revision,
		Published: f.Published(), Protected: f.Protected, Views: f.Views, Saves: f.SaveCount, UpdatedAt: f.UpdatedAt}
}

func (s *Server) toAPIFiche(c *fiber.Ctx, f *content.Fiche) (apiFiche, error) {
	authors, err := s.store.FicheContributors(c.UserContext(), f)
	if err != nil {
		return apiFiche{}, err
	}
	toc := f.TOC()
	if toc == nil {
		toc = []content.Heading{}
	}
	if authors == nil {
		authors = []content.Contributor{}
	}
	return apiFiche{apiFicheSummary: s.toAPIFicheSummary(f), Body: f.Body, HTML: string(f.HTML), Authors: authors, TOC: toc}, nil
}

func toAPIRevision(r *content.FicheRevision, withText bool) apiRevision {
	out := apiRevision{Number: r.Number, Author: r.AuthorPseudo, Comment: r.Comment, Size: r.Size, Added: r.Added,
		Removed: r.Removed, Restored: r.Restored, Hidden: r.HiddenAt != nil, CreatedAt: r.CreatedAt}
	if withText {
		out.Title, out.Summary, out.Body = r.Title, r.Summary, &r.Body
	}
	return out
}

func (s *Server) handleAPIFiches(c *fiber.Ctx) error {
	filter := ficheFilterOf(c)
	filter.Limit = queryNumber(c, "par_page")
	list, err := s.store.ListFiches(c.UserContext(), filter)
	if err != nil {
		return err
	}
	out := make([]apiFicheSummary, len(list.Fiches))
	for i := range list.Fiches {
		out[i] = s.toAPIFicheSummary(&list.Fiches[i])
	}
	next := ""
	if list.Next != "" {
		next = "/api/v1" + ficheListURL(filter, list.Next)
	}
	return c.JSON(fiber.Map{"fiches": out, "next": next})
}

func (s *Server) handleAPIFiche(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	out, err := s.toAPIFiche(c, f)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiFicheInput is a fiche as the API takes it: tags and publics as arrays.
type apiFicheInput struct {
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Body         string   `json:"body"`
	Tags         []string `json:"tags"`
	Audiences    []string `json:"audiences"`
	Comment      string   `json:"comment"`
	BaseRevision int      `json:"base_revision"`
}

func (in apiFicheInput) fiche() content.FicheInput {
	return content.FicheInput{Title: in.Title, Summary: in.Summary, Body: in.Body, Tags: strings.Join(in.Tags, ","),
		Audiences: in.Audiences, Comment: in.Comment, BaseRevision: in.BaseRevision}
}

func readAPIFiche(c *fiber.Ctx) (apiFicheInput, error) {
	var in apiFicheInput
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return in, &httpError{fiber.StatusUnsupportedMediaType, "json_required", "Envoyez la fiche en JSON (Content-Type: application/json) : thèmes et publics sont des tableaux."}
	}
	if err := c.BodyParser(&in); err != nil {
		return in, errBadJSON
	}
	return in, nil
}

func (s *Server) handleAPIFicheCreate(c *fiber.Ctx) error {
	in, err := readAPIFiche(c)
	if err != nil {
		return err
	}
	f, err := s.store.CreateFiche(c.UserContext(), currentUser(c), in.fiche(), 0)
	if err != nil {
		return err
	}
	out, err := s.toAPIFiche(c, f)
	if err != nil {
		return err
	}
	c.Location(f.Path())
	return c.Status(fiber.StatusCreated).JSON(out)
}

// handleAPIFicheUpdate saves a revision on top of base_revision: 200 with
// the fiche (and "merged_with" when others' revisions were merged in), or
// 409 with the merged text and its conflict regions.
func (s *Server) handleAPIFicheUpdate(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	in, err := readAPIFiche(c)
	if err != nil {
		return err
	}
	res, err := s.store.SaveFiche(c.UserContext(), currentUser(c), f.ID, in.fiche())
	var conflict *content.FicheConflict
	if errors.As(err, &conflict) {
		type region struct {
			Base   string `json:"base"`
			Ours   string `json:"ours"`
			Theirs string `json:"theirs"`
			Start  int    `json:"start"`
			End    int    `json:"end"`
		}
		regions := make([]region, len(conflict.Conflicts))
		for i, r := range conflict.Conflicts {
			regions[i] = region{r.Base, r.Ours, r.Theirs, r.Start, r.End}
		}
		m := conflict.Merged
		return c.Status(fiber.StatusConflict).JSON(fiber.Map{"error": fiber.Map{"code": "edit_conflict",
			"message": "Vos modifications croisent celles de " + strings.Join(conflict.By, ", ") + " : résolvez les passages en conflit puis renvoyez le texte avec base_revision " + itoa(m.BaseRevision) + "."},
			"base_revision": m.BaseRevision, "merged": fiber.Map{"title": m.Title, "summary": m.Summary, "body": m.Body,
				"tags": splitTags(m.Tags), "audiences": append([]string{}, m.Audiences...)},
			"conflicts": regions, "fields": append([]string{}, conflict.Fields...), "by": conflict.By})
	}
	if err != nil {
		return err
	}
	out, err := s.toAPIFiche(c, res.Fiche)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"fiche": out, "unchanged": res.Unchanged, "merged_with": append([]string{}, res.MergedWith...)})
}

func splitTags(s string) []string {
	tags, _ := content.ParseTags(s)
	return append([]string{}, tags...)
}

func (s *Server) handleAPIFicheRevisions(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	revs, err := s.store.FicheRevisions(c.UserContext(), currentUser(c), f)
	if err != nil {
		return err
	}
	out := make([]apiRevision, len(revs))
	for i := range revs {
		out[i] = toAPIRevision(&revs[i], false)
	}
	return c.JSON(fiber.Map{"revisions": out})
}

func (s *Server) handleAPIFicheRevision(c *fiber.Ctx) error {
	_, r, err := s.loadFicheRevision(c)
	if err != nil {
		return err
	}
	return c.JSON(toAPIRevision(r, true))
}
