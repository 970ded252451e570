package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Writing fiches: a new brouillon, editing with merge of concurrent edits,
// publishing, inviting co-authors. Every form works without JavaScript and
// comes back filled when refused.

var ficheFields = []string{"title", "summary", "body", "tags", "comment", "base_revision"}

type ficheFormPage struct {
	Page
	Form      form
	Fiche     *content.Fiche // nil for a new fiche
	Audiences []content.Audience
	Action    string
	DraftKey  string
	Conflict  *ficheConflictView
	Merged    []string // pseudos merged with, after a clean merge shown again
	FromTopic int64
}

// ficheConflictView is what the conflict page shows besides the form.
type ficheConflictView struct {
	By        string
	Revision  int
	Regions   []content.MergeConflict
	Fields    []string
	Title     string // the current title, when both changed it
	Summary   string
	YourText  string // the text as the member sent it
	YourTitle string
}

// Checked tells whether audience slug is among the form's publics.
func (p *ficheFormPage) Checked(slug string) bool {
	for _, a := range strings.Split(p.Form.Get("audiences"), ",") {
		if a == slug {
			return true
		}
	}
	return false
}

// formList reads every value of a repeated field (checkboxes).
func formList(c *fiber.Ctx, name string) []string {
	var out []string
	if mf, err := c.MultipartForm(); err == nil {
		for _, v := range mf.Value[name] {
			out = append(out, strings.Clone(v))
		}
		return out
	}
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// readFicheForm reads a fiche form; the publics are kept comma-joined.
func readFicheForm(c *fiber.Ctx) form {
	f := readForm(c, ficheFields...)
	f.Values["audiences"] = strings.Join(formList(c, "audiences"), ",")
	return f
}

func ficheInputOf(f form) content.FicheInput {
	base, _ := strconv.Atoi(f.Get("base_revision"))
	var auds []string
	if a := f.Get("audiences"); a != "" {
		auds = strings.Split(a, ",")
	}
	return content.FicheInput{Title: f.Get("title"), Summary: f.Get("summary"), Body: f.Get("body"), Tags: f.Get("tags"),
		Audiences: auds, Comment: f.Get("comment"), BaseRevision: base}
}

// ficheDraft is the server draft of a fiche form.
func ficheDraft(place content.DraftPlace, f form) content.Draft {
	return content.Draft{Place: place, Title: f.Get("title"), Body: f.Get("body"), Fields: content.DraftFields{Tags: f.Get("tags"),
		Summary: f.Get("summary"), Audiences: f.Get("audiences"), Base: f.Get("base_revision"), Comment: f.Get("comment")}}
}

// fillFromDraft puts a saved draft back in the form.
func fillFromDraft(f form, d *content.Draft) {
	f.Values["title"], f.Values["body"], f.Values["tags"] = d.Title, d.Body, d.Fields.Tags
	f.Values["summary"], f.Values["audiences"], f.Values["comment"] = d.Fields.Summary, d.Fields.Audiences, d.Fields.Comment
	if d.Fields.Base != "" {
		f.Values["base_revision"] = d.Fields.Base
	}
}

func (s *Server) ficheFormPage(c *fiber.Ctx, f form, fiche *content.Fiche) (*ficheFormPage, error) {
	auds, err := s.store.Audiences(c.UserContext())
	if err != nil {
		return nil, err
	}
	p := &ficheFormPage{Form: f, Fiche: fiche, Audiences: auds}
	if fiche == nil {
		p.Page, p.Action, p.DraftKey = s.page(c, "Nouvelle fiche"), "/fiches/nouvelle", content.DraftNewFiche.String()
	} else {
		p.Page, p.Action, p.DraftKey = s.page(c, "Modifier « "+fiche.Title+" »"), fiche.Path()+"/modifier", content.DraftFiche(fiche.ID).String()
	}
	p.FromTopic, _ = strconv.ParseInt(f.Get("discussion"), 10, 64)
	return p, nil
}

func (s *Server) handleFicheNewForm(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	f := emptyForm()
	if d, err := s.store.DraftAt(ctx, u, content.DraftNewFiche); err == nil {
		fillFromDraft(f, d)
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	if title := c.Query("titre"); title != "" && f.Get("title") == "" {
		f.Values["title"] = content.TruncateRunes(strings.Clone(title), content.MaxFicheTitle)
	}
	if id := queryNumber(c, "discussion"); id > 0 {
		in, err := s.store.FicheFromTopic(ctx, u, int64(id))
		if err != nil {
			return err
		}
		f.Values["title"], f.Values["summary"], f.Values["body"], f.Values["tags"] = in.Title, in.Summary, in.Body, in.Tags
		f.Values["discussion"] = strconv.Itoa(id)
	}
	p, err := s.ficheFormPage(c, f, nil)
	if err != nil {
		return err
	}
	return s.render(c, 200, "fiches/edit", p)
}

func (s *Server) handleFicheCreate(c *fiber.Ctx) error {
	f := readFicheForm(c)
	f.Values["discussion"] = strings.Clone(c.FormValue("discussion"))
	page := func(status int) error {
		p, err := s.ficheFormPage(c, f, nil)
		if err != nil {
			return err
		}
		return s.render(c, status, "fiches/edit", p)
	}
	if handled, status, err := s.ficheFormAction(c, &f, content.DraftNewFiche, "/fiches/nouvelle"); handled {
		if err != nil || status == 0 {
			return err
		}
		return page(status)
	}
	from, _ := strconv.ParseInt(f.Get("discussion"), 10, 64)
	fiche, err := s.store.CreateFiche(c.UserContext(), currentUser(c), ficheInputOf(f), from)
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return page(fiber.StatusUnprocessableEntity)
	}
	return s.redirectWithFlash(c, fiche.Path(), "Votre brouillon de fiche est enregistré. Relisez-le, invitez des co-auteurs, puis publiez-le quand il est prêt.")
}

// ficheFormAction handles the buttons a fiche form has besides saving:
// preview, attach a file, save the draft. handled tells the caller to stop;
// status, when not 0, is the status to render the form with.
func (s *Server) ficheFormAction(c *fiber.Ctx, f *form, place content.DraftPlace, back string) (handled bool, status int, err error) {
	switch c.FormValue("action") {
	case "apercu":
		html, err := s.store.PreviewFiche(c.UserContext(), f.Get("body"))
		if err := f.fail(err); err != nil {
			return true, 0, err
		}
		f.Preview = html
		return true, attachStatus(*f), nil
	case "joindre":
		if err := s.attach(c, f); err != nil {
			return true, 0, err
		}
		return true, attachStatus(*f), nil
	case "brouillon":
		return true, 0, s.saveDraft(c, *f, ficheDraft(place, *f), back)
	}
	return false, 0, nil
}

func (s *Server) handleFicheEditForm(c *fiber.Ctx) error {
	fiche, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if err := content.CanEditFiche(u, fiche); err != nil {
		return s.editRefusal(c, fiche, err)
	}
	f := emptyForm()
	f.Values["title"], f.Values["summary"], f.Values["body"] = fiche.Title, fiche.Summary, fiche.Body
	f.Values["tags"], f.Values["audiences"] = strings.Join(fiche.Tags, ", "), strings.Join(fiche.AudienceSlugs(), ",")
	f.Values["base_revision"] = strconv.Itoa(fiche.Revision)
	if d, err := s.store.DraftAt(c.UserContext(), u, content.DraftFiche(fiche.ID)); err == nil {
		fillFromDraft(f, d)
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	p, err := s.ficheFormPage(c, f, fiche)
	if err != nil {
		return err
	}
	return s.render(c, 200, "fiches/edit", p)
}

// editRefusal answers an edit u may not make: a protected fiche sends the
// member to propose their change in the comments.
func (s *Server) editRefusal(c *fiber.Ctx, fiche *content.Fiche, err error) error {
	if v, ok := content.AsValidation(err); ok {
		return s.redirectWithRefusal(c, fiche.Path()+"#commenter", v.Fields[0].Message)
	}
	return err
}

func (s *Server) handleFicheEdit(c *fiber.Ctx) error {
	fiche, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	f := readFicheForm(c)
	page := func(status int) error {
		p, err := s.ficheFormPage(c, f, fiche)
		if err != nil {
			return err
		}
		return s.render(c, status, "fiches/edit", p)
	}
	if handled, status, err := s.ficheFormAction(c, &f, content.DraftFiche(fiche.ID), fiche.Path()+"/modifier"); handled {
		if err != nil || status == 0 {
			return err
		}
		return page(status)
	}
	res, err := s.store.SaveFiche(c.UserContext(), currentUser(c), fiche.ID, ficheInputOf(f))
	var conflict *content.FicheConflict
	if errors.As(err, &conflict) {
		return s.renderFicheConflict(c, fiche, f, conflict)
	}
	if err := s.writeRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return page(fiber.StatusUnprocessableEntity)
	}
	msg := "La fiche est enregistrée (révision " + strconv.Itoa(res.Fiche.Revision) + ")."
	switch {
	case res.Unchanged:
		msg = "Aucune modification à enregistrer : la fiche contenait déjà ce texte."
	case len(res.MergedWith) > 0:
		msg = "Vos modifications ont été fusionnées avec celles de " + strings.Join(res.MergedWith, ", ") + " (révision " + strconv.Itoa(res.Fiche.Revision) + ")."
	}
	return s.redirectWithFlash(c, res.Fiche.Path(), msg)
}

// renderFicheConflict answers a save that crossed another: 409, the form
// holding the merged text with its conflicts marked, and what was sent.
func (s *Server) renderFicheConflict(c *fiber.Ctx, fiche *content.Fiche, f form, conflict *content.FicheConflict) error {
	view := conflictView(f, conflict)
	m := conflict.Merged
	f.Values["title"], f.Values["summary"], f.Values["body"], f.Values["tags"] = m.Title, m.Summary, m.Body, m.Tags
	f.Values["audiences"], f.Values["base_revision"] = strings.Join(m.Audiences, ","), strconv.Itoa(m.BaseRevision)
	p, err := s.ficheFormPage(c, f, fiche)
	if err != nil {
		return err
	}
	p.Conflict = view
	return s.render(c, fiber.StatusConflict, "fiches/edit", p)
}

func conflictView(f form, c *content.FicheConflict) *ficheConflictView {
	v := &ficheConflictView{By: strings.Join(c.By, ", "), Revision: c.Current.Revision, Regions: c.Conflicts, Fields: c.Fields,
		YourText: f.Get("body"), YourTitle: f.Get("title")}
	for _, field := range c.Fields {
		switch field {
		case "title":
			v.Title = c.Current.Title
		case "summary":
			v.Summary = c.Current.Summary
		}
	}
	return v
}

func (s *Server) handleFichePublish(c *fiber.Ctx) error {
	fiche, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	_, err = s.store.PublishFiche(c.UserContext(), currentUser(c), fiche.ID)
	return s.afterAction(c, err, fiche.Path(), "La fiche est publiée : tout le monde peut la lire, et chaque membre l’améliorer.")
}

func (s *Server) handleFicheInvite(c *fiber.Ctx) error {
	fiche, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	invited, err := s.store.InviteCoauthor(c.UserContext(), currentUser(c), fiche.ID, c.FormValue("pseudo"))
	if err != nil {
		return s.afterAction(c, err, fiche.Path(), "")
	}
	return s.redirectWithFlash(c, fiche.Path(), invited.Pseudo+" écrit désormais cette fiche avec vous.")
}

// handleFicheEvents streams a fiche's latest revision to its pages and,
// to an editor's page (edition=1), who else has it open in the editor.
func (s *Server) handleFicheEvents(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	id, u := f.ID, currentUser(c)
	var self int64
	var leave func()
	if c.Query("edition") == "1" && content.CanEditFiche(u, f) == nil {
		self = u.ID
		s.live.editing(id, u, 1)
		leave = func() { s.live.editing(id, u, -1) }
	}
	return s.stream(c, content.DocID(content.EntityFiche, id), leave, func(ctx context.Context, w *bufio.Writer) bool {
		f, err := s.store.FicheByID(ctx, id)
		if err != nil || f.DeletedAt != nil || f.MergedInto != nil {
			return false
		}
		news, _ := json.Marshal(map[string]any{"revision": f.Revision, "editors": append([]string{}, s.live.editorsOf(id, self)...)})
		w.WriteString("event: fiche\ndata: " + string(news) + "\n\n")
		return true
	})
}
