package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/pdf"
)

// Exports of a text of propositions: its published versions only, as
// markdown (the fiches' front matter) and PDF (the fiches' drawing and
// cache). /propositions/{slug}.md|.pdf is the latest version,
// /propositions/{slug}/versions/{n}.md|.pdf an earlier one. As on
// Decidim, a brouillon or an open text is not exported, even to its
// co-authors: what leaves the site is what was published, with its number.
// Whoever may not read the text gets the 404 of a text that does not
// exist.

// exportSuffix tells which of exts name ends with, if any.
func exportSuffix(name string, exts ...string) string {
	for _, ext := range exts {
		if strings.HasSuffix(name, ext) {
			return ext
		}
	}
	return ""
}

// exportedVersion loads version n (0: the latest) of the text named slug
// as the viewer may read it, with the contributors of that version.
func (s *Server) exportedVersion(c *fiber.Ctx, slug string, n int) (*content.Proposal, *content.ProposalVersion, []content.ProposalContributor, error) {
	ctx := c.UserContext()
	p, err := s.store.ProposalBySlug(ctx, currentUser(c), slug, strings.Clone(c.Cookies(shareCookie)))
	if err != nil {
		return nil, nil, nil, err
	}
	if p.Version == 0 {
		// The viewer reads the text: saying why is no secret.
		return nil, nil, nil, &httpError{fiber.StatusNotFound, "not_found",
			"Ce texte n’a pas encore de version publiée : seules les versions publiées s’exportent, en markdown et en PDF."}
	}
	if n == 0 {
		n = p.Version
	}
	v, err := s.store.ProposalVersionOf(ctx, p, n)
	if err != nil {
		return nil, nil, nil, err
	}
	contributors, err := s.store.ProposalContributors(ctx, p, v.Revision)
	if err != nil {
		return nil, nil, nil, err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p, v, contributors, nil
}

// versionURL is the address of a version's page.
func (s *Server) versionURL(p *content.Proposal, n int) string {
	return s.cfg.BaseURL + p.Path() + "/versions/" + strconv.Itoa(n)
}

// versionMarkdown is a version's text as markdown: the préambule, the
// propositions numbered as signatories quote them, the conclusion.
func versionMarkdown(v *content.ProposalVersion) string {
	var b strings.Builder
	section := func(heading, text string) {
		if strings.TrimSpace(text) == "" {
			return
		}
		b.WriteString("## " + heading + "\n\n" + strings.TrimSpace(text) + "\n\n")
	}
	section("Préambule", v.Preamble)
	b.WriteString("## Propositions\n\n")
	for i, it := range v.Items() {
		b.WriteString("### " + strconv.Itoa(i+1) + ". " + it.Title + "\n\n" + strings.TrimSpace(it.Body) + "\n\n")
	}
	section("Conclusion", v.Conclusion)
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func pseudosOf(cs []content.ProposalContributor) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Pseudo)
	}
	return out
}

// edition says which version this is, for the front matter and the PDF.
func versionEdition(v *content.ProposalVersion) string {
	return "Version " + strconv.Itoa(v.Number) + " · publiée le " + content.FrenchDate(v.PublishedAt)
}

// signatureCount is how many signatures of p count now, for its exports.
func (s *Server) signatureCount(c *fiber.Ctx, p *content.Proposal) (int, error) {
	total, _, err := s.store.SignatureTotals(c.UserContext(), p)
	return total, err
}

// signed says a signature count in French.
func signed(n int) string {
	switch n {
	case 0:
		return "aucune signature"
	case 1:
		return "1 signature"
	}
	return strconv.Itoa(n) + " signatures"
}

func (s *Server) proposalMarkdown(c *fiber.Ctx, slug string, n int) error {
	p, v, contributors, err := s.exportedVersion(c, slug, n)
	if err != nil {
		return err
	}
	signatures, err := s.signatureCount(c, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+p.Slug+`-v`+strconv.Itoa(v.Number)+`.md"`)
	return c.SendString(markdownExport([]frontField{{"title", v.Title}, {"version", v.Number},
		{"date", v.PublishedAt.In(paris).Format("2006-01-02")}, {"contributors", pseudosOf(contributors)},
		{"signatures", signatures}, {"url", s.versionURL(p, v.Number)}}, versionMarkdown(v)))
}

func (s *Server) proposalPDF(c *fiber.Ctx, slug string, n int) error {
	p, v, contributors, err := s.exportedVersion(c, slug, n)
	if err != nil {
		return err
	}
	signatures, err := s.signatureCount(c, p)
	if err != nil {
		return err
	}
	// A version is frozen: its PDF is drawn again only when its signature
	// count changed (the cache is bounded).
	key := "proposal:" + strconv.FormatInt(p.ID, 10) + ":" + strconv.Itoa(v.Number) + ":" + strconv.Itoa(signatures) + ":" +
		strings.Join(pseudosOf(contributors), ",")
	data, err := s.drawPDF(c, key, true, func() pdf.Document {
		return pdf.Document{Title: v.Title, Markdown: versionMarkdown(v), URL: s.versionURL(p, v.Number), Revision: v.Number,
			Updated: v.PublishedAt, Edition: versionEdition(v) + " · " + signed(signatures), Authors: pseudosOf(contributors)}
	})
	if err != nil {
		return err
	}
	return sendPDF(c, p.Slug+"-v"+strconv.Itoa(v.Number), data)
}

// handleProposalVersionExport answers /propositions/{slug}/versions/{n}.md
// and .pdf.
func (s *Server) handleProposalVersionExport(c *fiber.Ctx) error {
	file := c.Params("file")
	ext := exportSuffix(file, ".md", ".pdf")
	n, err := strconv.Atoi(strings.TrimSuffix(file, ext))
	if ext == "" || err != nil || n < 1 || strconv.Itoa(n) != strings.TrimSuffix(file, ext) {
		return content.ErrNotFound
	}
	slug := strings.Clone(c.Params("slug"))
	if ext == ".md" {
		return s.proposalMarkdown(c, slug, n)
	}
	return s.proposalPDF(c, slug, n)
}
