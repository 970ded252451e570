package server

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Textes de propositions: the list, a text's page, its published versions
// and their comparison, and share links. Writing is in proposal_edit.go,
// the owner's page in proposal_manage.go.

func (s *Server) proposalRoutes(app *fiber.App) {
	app.Get("/propositions", s.handleProposalList)
	app.Get("/propositions/nouveau", s.requireMember, s.handleProposalNewForm)
	app.Post("/propositions/nouveau", s.requireMember, s.handleProposalCreate)
	app.Get("/propositions/:slug", s.handleProposalShow)
	app.Get("/propositions/:slug/versions/:n<int>", s.handleProposalVersion)
	app.Get("/propositions/:slug/versions/:file", s.handleProposalVersionExport) // 2.md, 2.pdf
	app.Get("/propositions/:slug/historique", s.handleProposalHistory)
	app.Post("/propositions/:slug/historique/:rev<int>/retablir", s.requireMember, s.handleProposalRestore)
	app.Get("/propositions/:slug/propositions/:item<int>/historique", s.handleProposalItemHistory)
	app.Get("/propositions/:slug/comparer", s.handleProposalCompare)
	s.proposalEditRoutes(app)
	s.proposalManageRoutes(app)
	s.amendmentRoutes(app)
	s.proposalCommentRoutes(app)
}

// shareCookie keeps a visitor's share link secret for one text: HttpOnly,
// scoped to the text's pages, so the secret leaves the address bar.
const shareCookie = "ligue_partage"

// loadProposal finds the text of the address's slug as the viewer may see
// it, with the share link the visitor holds; anything else is 404.
func (s *Server) loadProposal(c *fiber.Ctx) (*content.Proposal, error) {
	return s.store.ProposalBySlug(c.UserContext(), currentUser(c), strings.Clone(c.Params("slug")), strings.Clone(c.Cookies(shareCookie)))
}

type proposalListPage struct {
	Page
	Proposals []content.ProposalSummary
	CanCreate bool
}

func (s *Server) handleProposalList(c *fiber.Ctx) error {
	u := currentUser(c)
	list, err := s.store.ListProposals(c.UserContext(), u, 200)
	if err != nil {
		return err
	}
	return s.render(c, 200, "proposals/list", &proposalListPage{Page: s.page(c, "Textes de propositions"), Proposals: list,
		CanCreate: content.CanWrite(u) == nil})
}

type proposalNewPage struct {
	Page
	Form form
}

func (s *Server) handleProposalNewForm(c *fiber.Ctx) error {
	return s.render(c, 200, "proposals/new", &proposalNewPage{Page: s.page(c, "Nouveau texte de propositions"), Form: emptyForm()})
}

func (s *Server) handleProposalCreate(c *fiber.Ctx) error {
	f := readForm(c, "title", "preamble")
	p, err := s.store.CreateProposal(c.UserContext(), currentUser(c), content.NewProposal{Title: f.Get("title"), Preamble: f.Get("preamble")})
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.render(c, fiber.StatusUnprocessableEntity, "proposals/new", &proposalNewPage{Page: s.page(c, "Nouveau texte de propositions"), Form: f})
	}
	return s.redirectWithFlash(c, p.Path(), "Votre brouillon est créé : vous seul·e le voyez. Ajoutez des propositions, puis invitez des co-auteur·rices depuis « Gérer le texte ».")
}

// proposalText is a text as a page shows it: the working text (its
// propositions have IDs, for the co-authors' buttons) or a frozen version.
type proposalText struct {
	Title          string
	PreambleHTML   template.HTML
	ConclusionHTML template.HTML
	Items          []proposalItemView
	AddAmendment   string // the form proposing a new proposition, when the viewer may amend
}

type proposalItemView struct {
	ID    int64 // 0 in a published version
	Title string
	HTML  template.HTML
	// On the working text (amendments.go): its open amendments, the
	// accepted ones it took in, and the forms amending it.
	OpenAmendments int
	Credits        []content.AmendmentCredit
	Amend, Remove  string
}

func workingText(p *content.Proposal) proposalText {
	t := proposalText{Title: p.Title, PreambleHTML: p.PreambleHTML, ConclusionHTML: p.ConclusionHTML}
	for _, it := range p.Items {
		t.Items = append(t.Items, proposalItemView{ID: it.ID, Title: it.Title, HTML: it.HTML})
	}
	return t
}

func versionText(v *content.ProposalVersion) proposalText {
	t := proposalText{Title: v.Title, PreambleHTML: v.PreambleHTML, ConclusionHTML: v.ConclusionHTML}
	for _, it := range v.Items() {
		t.Items = append(t.Items, proposalItemView{Title: it.Title, HTML: it.HTML})
	}
	return t
}

type proposalPage struct {
	Page
	Proposal *content.Proposal
	Text     proposalText
	Version  *content.ProposalVersion // the published version shown, or nil for the working text
	Versions []content.ProposalVersion
	Can      content.ProposalActions
	Working  bool // a co-author sees the working text of a published one
	WriteURL bool // a visitor holds a writing link: logging in lets them write
	Controls bool // the co-authors' links and buttons on the working text
	Shown    int  // the version shown, 0 for the working text
	// Contributors is who wrote what the viewer reads; Feed the text's
	// Atom feed, for a text everybody may read.
	Contributors *contributorsView
	Feed         string

	// Signing is the « Signer ce texte » box, once published.
	Signing *signatureBox

	// Amendments: how many are open, and whether there are any at all.
	OpenAmendments int
	Amendments     bool
	Watch          *watchControl // for members
	Comments       proposalCommentsView
}

func (s *Server) handleProposalShow(c *fiber.Ctx) error {
	// One route: /propositions/{slug}.md, .pdf and .atom are its exports.
	if ext := exportSuffix(c.Params("slug"), ".md", ".pdf", ".atom"); ext != "" {
		slug := strings.Clone(strings.TrimSuffix(c.Params("slug"), ext))
		switch ext {
		case ".md":
			return s.proposalMarkdown(c, slug, 0)
		case ".pdf":
			return s.proposalPDF(c, slug, 0)
		}
		return s.handleProposalFeed(c, slug)
	}
	if token := strings.Clone(c.Query("partage")); token != "" {
		return s.openShareLink(c, token)
	}
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	page, err := s.proposalPageOf(c, p)
	if err != nil {
		return err
	}
	if err := s.fillProposalComments(c, page, nil); err != nil {
		return err
	}
	// Opening the text reads what one was told about its state.
	if err := s.store.MarkProposalNoticesRead(c.UserContext(), currentUser(c), p.ID, 0); err != nil {
		return err
	}
	return s.render(c, 200, "proposals/show", page)
}

// proposalPageOf is the page of text p for the viewer, its comments not
// loaded yet.
func (s *Server) proposalPageOf(c *fiber.Ctx, p *content.Proposal) (*proposalPage, error) {
	var err error
	u := currentUser(c)
	page := &proposalPage{Page: s.page(c, p.Title), Proposal: p, Text: workingText(p), Can: content.ProposalActionsFor(u, p)}
	if p.Version > 0 {
		if page.Versions, err = s.store.ProposalVersions(c.UserContext(), p); err != nil {
			return nil, err
		}
	}
	switch {
	case p.State == content.ProposalDraft || p.State == content.ProposalOpen:
	case p.Writes(u) && page.Can.Edit:
		page.Working = true
	default: // readers see what was published, never the text in the works
		if page.Version, err = s.store.ProposalVersionOf(c.UserContext(), p, p.Version); err != nil {
			return nil, err
		}
		page.Text, page.Shown = versionText(page.Version), page.Version.Number
	}
	page.Controls = page.Can.Edit && page.Version == nil
	if page.Contributors, err = s.contributorsOf(c, p); err != nil {
		return nil, err
	}
	if content.CanReadProposal(nil, p, content.ShareNone) {
		page.Feed = p.Path() + ".atom"
	}
	if page.Signing, err = s.signatureBoxFor(c, p, emptyForm()); err != nil {
		return nil, err
	}
	if page.OpenAmendments, page.Amendments, err = s.textAmendments(c, p, &page.Text); err != nil {
		return nil, err
	}
	if u == nil {
		access, err := s.store.ShareLinkAccess(c.UserContext(), p.ID, c.Cookies(shareCookie))
		if err != nil {
			return nil, err
		}
		page.WriteURL = access == content.ShareWrite
	} else {
		level, err := s.store.WatchLevelOf(c.UserContext(), u, content.FollowProposal, p.ID)
		if err != nil {
			return nil, err
		}
		w := newWatchControl(page.CSRF, p.Path()+"/suivre", level, "ce texte")
		page.Watch = &w
	}
	return page, nil
}

// openShareLink lets in whoever opened a share link: a member joins the
// text (as a reader or a co-author, for as long as the link lives); a
// visitor keeps the secret in a cookie for the text's pages. Both go on to
// the clean address, so the secret does not stay in the history or leak
// in a Referer.
func (s *Server) openShareLink(c *fiber.Ctx, token string) error {
	ctx, u := c.UserContext(), currentUser(c)
	slug := strings.Clone(c.Params("slug"))
	p, err := s.store.ProposalBySlug(ctx, u, slug, token)
	if err != nil {
		return err
	}
	access, err := s.store.ShareLinkAccess(ctx, p.ID, token)
	if err != nil {
		return err
	}
	if access == content.ShareNone { // a text anyone may read, with a wrong or revoked link
		return content.ErrNotFound
	}
	if content.CanWrite(u) == nil {
		if _, err := s.store.JoinByShareLink(ctx, u, p.ID, token); err != nil {
			return err
		}
		msg := "Vous lisez ce texte grâce au lien de partage."
		if access == content.ShareWrite && p.RoleOf(u) != "owner" {
			msg = "Vous écrivez désormais ce texte avec ses auteur·rices, grâce au lien de partage."
		}
		return s.redirectWithFlash(c, p.Path(), msg)
	}
	c.Cookie(&fiber.Cookie{Name: shareCookie, Value: token, Path: p.Path(), HTTPOnly: true, Secure: s.secureRequest(c),
		SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(p.Path(), fiber.StatusSeeOther)
}

type proposalVersionPage struct {
	Page
	Proposal *content.Proposal
	Version  *content.ProposalVersion
	Text     proposalText
	Versions []content.ProposalVersion
	Controls bool // always false: a version is frozen
	Shown    int
}

// loadProposalVersion loads the text and version :n of the address.
func (s *Server) loadProposalVersion(c *fiber.Ctx, n int) (*content.Proposal, *content.ProposalVersion, error) {
	p, err := s.loadProposal(c)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.store.ProposalVersionOf(c.UserContext(), p, n)
	return p, v, err
}

func (s *Server) handleProposalVersion(c *fiber.Ctx) error {
	n, err := paramInt(c, "n")
	if err != nil {
		return err
	}
	p, v, err := s.loadProposalVersion(c, int(n))
	if err != nil {
		return err
	}
	vs, err := s.store.ProposalVersions(c.UserContext(), p)
	if err != nil {
		return err
	}
	return s.render(c, 200, "proposals/version", &proposalVersionPage{Page: s.page(c, "Version "+strconv.Itoa(v.Number)+" de « "+v.Title+" »"),
		Proposal: p, Version: v, Text: versionText(v), Versions: vs, Shown: v.Number})
}

type proposalComparePage struct {
	Page
	Proposal   *content.Proposal
	From, To   *content.ProposalVersion
	TitleDiff  template.HTML // "" when unchanged
	Preamble   template.HTML
	Conclusion template.HTML
	Items      []itemDiff
	Same       bool
}

// itemDiff is the proposition at one place in both versions.
type itemDiff struct {
	N                int
	Before, After    string        // titles
	Diff             template.HTML // the changes, for a proposition in both
	HTML             template.HTML // the whole proposition, added or removed
	Added, Removed   bool
	Rewritten, Equal bool
}

func (s *Server) handleProposalCompare(c *fiber.Ctx) error {
	from, to := queryNumber(c, "de"), queryNumber(c, "a")
	if from < 1 || to < 1 || from == to {
		return &httpError{fiber.StatusBadRequest, "bad_request", "Choisissez deux versions différentes à comparer (de=1&a=2)."}
	}
	if from > to {
		from, to = to, from
	}
	p, a, err := s.loadProposalVersion(c, from)
	if err != nil {
		return err
	}
	b, err := s.store.ProposalVersionOf(c.UserContext(), p, to)
	if err != nil {
		return err
	}
	page := &proposalComparePage{Page: s.page(c, "Comparer les versions "+strconv.Itoa(from)+" et "+strconv.Itoa(to)), Proposal: p, From: a, To: b}
	diff := func(x, y string) template.HTML {
		if x == y {
			return ""
		}
		return content.DiffHTML(x, y)
	}
	page.TitleDiff, page.Preamble, page.Conclusion = diff(a.Title, b.Title), diff(a.Preamble, b.Preamble), diff(a.Conclusion, b.Conclusion)
	page.Items = compareItems(a.Items(), b.Items())
	page.Same = page.TitleDiff == "" && page.Preamble == "" && page.Conclusion == ""
	for _, it := range page.Items {
		page.Same = page.Same && it.Equal
	}
	return s.render(c, 200, "proposals/compare", page)
}

// compareItems compares the propositions place by place: the numbers
// signatories quote.
func compareItems(a, b []content.VersionItem) []itemDiff {
	out := make([]itemDiff, max(len(a), len(b)))
	for i := range out {
		d := itemDiff{N: i + 1}
		var before, after string
		if i < len(a) {
			d.Before, before = a[i].Title, a[i].Title+"\n\n"+a[i].Body
		}
		if i < len(b) {
			d.After, after = b[i].Title, b[i].Title+"\n\n"+b[i].Body
		}
		switch {
		case i >= len(a):
			d.Added, d.HTML = true, b[i].HTML
		case i >= len(b):
			d.Removed, d.HTML = true, a[i].HTML
		case before == after:
			d.Equal = true
		default:
			d.Diff = content.DiffHTML(before, after)
			d.Rewritten = d.Diff == content.Rewritten
		}
		out[i] = d
	}
	return out
}
