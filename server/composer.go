package server

import (
	"html/template"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/templates"
)

// composerRoutes are the helpers of the composers' scripts (previews,
// mentions, tags, pasted images) and the markdown help page.
func (s *Server) composerRoutes(app *fiber.App) {
	app.Get("/aide/markdown", s.handleMarkdownHelp)
	app.Post("/composer/apercu", s.requireMember, s.handleComposerPreview)
	app.Get("/composer/membres", s.requireMember, s.handleComposerMembers)
	app.Get("/composer/etiquettes", s.requireMember, s.handleComposerTags)
	app.Post("/composer/fichier", s.requireMember, s.handleComposerUpload)
}

// previewBox is what the "preview-at" partial shows: the text of a composer
// as it will be published, under a heading of the given level.
type previewBox struct {
	HTML  template.HTML
	Level int
}

// PreviewAt is the form's « Aperçu » under an h<level> heading (2 or 3), so
// that the page's headings follow one another without a gap.
func (f form) PreviewAt(level int) previewBox { return previewBox{f.Preview, level} }

// handleMarkdownHelp lists the formatting a message may use.
func (s *Server) handleMarkdownHelp(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "pages/markdown", &struct{ Page }{s.page(c, "Mise en forme des messages")})
}

// handleComposerPreview answers the live preview of a composer with the
// text rendered as it will be published: a sanitized HTML fragment, the
// content of the preview's div.post-body, with the French typography pages
// get. A fiche's composer (place fiche:ID or new-fiche) previews as a fiche:
// its limits, its [[links]].
func (s *Server) handleComposerPreview(c *fiber.Ctx) error {
	preview := s.store.Preview
	if place, ok := content.ParseDraftPlace(c.FormValue("place")); ok && place.IsFiche() {
		preview = s.store.PreviewFiche
	}
	html, err := preview(c.UserContext(), c.FormValue("body"))
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(templates.Typography([]byte(html)))
}

// handleComposerMembers completes an @mention: the pseudos starting with
// ?debut=, accents and case ignored.
func (s *Server) handleComposerMembers(c *fiber.Ctx) error {
	pseudos, err := s.store.PseudosStartingWith(c.UserContext(), c.Query("debut"), content.MaxMentionSuggestions)
	if err != nil {
		return err
	}
	type member struct {
		Pseudo string `json:"pseudo"`
	}
	members := make([]member, len(pseudos))
	for i, p := range pseudos {
		members[i] = member{p}
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(fiber.Map{"members": members})
}

// handleComposerTags completes the tag being typed: the tags in use that
// start with ?debut= (or one of whose words does), accents and case
// ignored, with how many topics carry each.
func (s *Server) handleComposerTags(c *fiber.Ctx) error {
	tags, err := s.store.TagsStartingWith(c.UserContext(), c.Query("debut"), content.MaxTagSuggestions)
	if err != nil {
		return err
	}
	type tag struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	out := make([]tag, len(tags))
	for i, t := range tags {
		out[i] = tag{t.Name, t.Count}
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(fiber.Map{"tags": out})
}

// handleComposerUpload stores an image pasted or dropped into a composer,
// as the "Joindre le fichier" button does (see attach), and answers the
// markdown to insert.
func (s *Server) handleComposerUpload(c *fiber.Ctx) error {
	up, alt, err := s.upload(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"markdown": up.Markdown(alt)})
}
