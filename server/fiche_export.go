package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/feeds"

	"github.com/ligue-mednum/ligue/content"
)

// Exports of fiches: the markdown with its front matter, the Atom feed of
// new and updated fiches (the PDF is in fiche_pdf.go). Exports show what a
// visitor may read, so a brouillon is exported to its authors only.

// exportedFiche loads the fiche of /fiches/{slug}.{ext} as the viewer may
// read it, with its contributors.
func (s *Server) exportedFiche(c *fiber.Ctx, ext string) (*content.Fiche, []content.Contributor, error) {
	f, err := s.ficheAt(c, strings.Clone(strings.TrimSuffix(c.Params("slug"), ext)))
	if err != nil {
		return nil, nil, err
	}
	authors, err := s.store.FicheContributors(c.UserContext(), f)
	if err != nil {
		return nil, nil, err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if !f.Published() {
		c.Set("X-Robots-Tag", "noindex")
	}
	return f, authors, nil
}

// FicheFrontMatter is the header of a fiche's markdown export.
type FicheFrontMatter struct {
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	Authors   []string `json:"authors"`
	Revision  int      `json:"revision"`
	Date      string   `json:"date"`
	Licence   string   `json:"licence"`
	URL       string   `json:"url"`
	Tags      []string `json:"tags"`
	Audiences []string `json:"audiences"`
}

// frontField is one line of an export's front matter.
type frontField struct {
	key   string
	value any
}

// markdownExport writes an export: a YAML front matter whose values are
// JSON (valid YAML, and safe whatever a title holds), then the text. The
// fiches' and the proposals' exports share it.
func markdownExport(fields []frontField, body string) string {
	var b strings.Builder
	b.WriteString("---\n")
	for _, f := range fields {
		j, _ := json.Marshal(f.value)
		fmt.Fprintf(&b, "%s: %s\n", f.key, j)
	}
	b.WriteString("---\n\n")
	b.WriteString(body)
	if !strings.HasSuffix(body, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// ficheMarkdown writes a fiche's export.
func ficheMarkdown(fm FicheFrontMatter, body string) string {
	return markdownExport([]frontField{{"title", fm.Title}, {"summary", fm.Summary}, {"authors", fm.Authors},
		{"revision", fm.Revision}, {"date", fm.Date}, {"licence", fm.Licence}, {"url", fm.URL}, {"tags", fm.Tags},
		{"audiences", fm.Audiences}}, body)
}

func (s *Server) ficheFrontMatter(f *content.Fiche, authors []content.Contributor) FicheFrontMatter {
	fm := FicheFrontMatter{Title: f.Title, Summary: f.Summary, Authors: []string{}, Revision: f.Revision,
		Date: f.UpdatedAt.In(paris).Format("2006-01-02"), Licence: content.FicheLicence, URL: s.cfg.BaseURL + f.Path(),
		Tags: append([]string{}, f.Tags...), Audiences: append([]string{}, f.AudienceSlugs()...)}
	for _, a := range authors {
		fm.Authors = append(fm.Authors, a.Pseudo)
	}
	return fm
}

func (s *Server) handleFicheMarkdown(c *fiber.Ctx) error {
	f, authors, err := s.exportedFiche(c, ".md")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+f.Slug+`.md"`)
	return c.SendString(ficheMarkdown(s.ficheFrontMatter(f, authors), f.Body))
}

func (s *Server) handleFichesFeed(c *fiber.Ctx) error {
	list, err := s.store.ListFiches(c.UserContext(), content.FicheFilter{Sort: content.FicheSortRecent, Limit: 30})
	if err != nil {
		return err
	}
	feed := &feeds.Feed{Title: "Fiches pratiques · Ligue des mednum", Link: &feeds.Link{Href: s.cfg.BaseURL + "/fiches"},
		Id: s.cfg.BaseURL + "/fiches", Updated: time.Unix(0, 0)}
	for _, f := range list.Fiches {
		created := f.CreatedAt
		if f.PublishedAt != nil {
			created = *f.PublishedAt
		}
		desc := f.Summary
		if desc == "" {
			desc = content.Excerpt(f.HTML, 300)
		}
		feed.Items = append(feed.Items, &feeds.Item{Title: f.Title, Link: &feeds.Link{Href: s.cfg.BaseURL + f.Path()},
			Id: s.cfg.BaseURL + f.Path(), Created: created, Updated: f.UpdatedAt, Description: desc})
		if f.UpdatedAt.After(feed.Updated) {
			feed.Updated = f.UpdatedAt
		}
	}
	return s.sendAtom(c, feed)
}
