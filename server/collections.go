package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/feeds"

	"github.com/ligue-mednum/ligue/content"
)

// Collections of saved fiches: a member's list, a collection's page and
// feed, its settings, and saving a fiche from its page or the API. Who may
// see and change what is content's (CanReadCollection, CanSaveFiche…); a
// private collection answers 404 to anyone but its owner.

func (s *Server) collectionRoutes(app *fiber.App) {
	app.Get("/collections", s.requireMember, s.handleCollectionList)
	app.Post("/collections", s.requireMember, s.handleCollectionCreate)
	app.Get("/collections/:id<int>.atom", s.handleCollectionFeed)
	app.Get("/collections/:id<int>", s.handleCollectionShow)
	app.Get("/collections/:id<int>/modifier", s.requireMember, s.handleCollectionEditForm)
	app.Post("/collections/:id<int>/modifier", s.requireMember, s.handleCollectionEdit)
	app.Post("/collections/:id<int>/supprimer", s.requireMember, s.handleCollectionDelete)
	app.Post("/collections/:id<int>/retirer", s.requireMember, s.handleCollectionRemove)
	app.Post("/fiches/:slug/enregistrer", s.requireMember, s.handleFicheSave)
	app.Post("/fiches/:slug/retirer", s.requireMember, s.handleFicheUnsave)
}

var collectionFields = []string{"name", "description", "visibility"}

func collectionInputOf(f form) content.CollectionInput {
	return content.CollectionInput{Name: f.Get("name"), Description: f.Get("description"), Public: f.Get("visibility") == "publique"}
}

// collectionRefusal puts a refused collection form's messages on f; an
// unverified member is told next to the visibility they chose.
func collectionRefusal(f *form, err error) error {
	if errors.Is(err, content.ErrUnverified) {
		f.Errors.Add("visibility", "Confirmez d’abord votre adresse e-mail pour rendre une collection publique ; en attendant, gardez-la privée.")
		return nil
	}
	return f.fail(err)
}

type collectionListPage struct {
	Page
	Collections []content.Collection
	Form        form
}

func (s *Server) collectionList(c *fiber.Ctx, status int, f form) error {
	u := currentUser(c)
	list, err := s.store.CollectionsOf(c.UserContext(), u, u.ID)
	if err != nil {
		return err
	}
	return s.render(c, status, "collections/list", &collectionListPage{Page: s.page(c, "Mes collections"), Collections: list, Form: f})
}

func (s *Server) handleCollectionList(c *fiber.Ctx) error {
	return s.collectionList(c, 200, emptyForm())
}

func (s *Server) handleCollectionCreate(c *fiber.Ctx) error {
	f := readForm(c, collectionFields...)
	col, err := s.store.CreateCollection(c.UserContext(), currentUser(c), collectionInputOf(f))
	if err := collectionRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.collectionList(c, fiber.StatusUnprocessableEntity, f)
	}
	return s.redirectWithFlash(c, col.Path(), "La collection « "+col.Name+" » est créée. Sur la page d’une fiche, « Enregistrer » l’y ajoute.")
}

// loadCollection finds the collection of the address as the viewer may see it.
func (s *Server) loadCollection(c *fiber.Ctx) (*content.Collection, error) {
	id, err := paramInt(c, "id")
	if err != nil {
		return nil, err
	}
	return s.store.CollectionByID(c.UserContext(), currentUser(c), id)
}

type collectionPage struct {
	Page
	Collection *content.Collection
	Can        content.CollectionActions
	Fiches     []content.SavedFiche
	Next       string // address of the next page
	First      string // address of the first page, when not on it
}

func (s *Server) handleCollectionShow(c *fiber.Ctx) error {
	col, err := s.loadCollection(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	after := strings.Clone(c.Query("apres"))
	list, err := s.store.CollectionFiches(c.UserContext(), u, col, after)
	if err != nil {
		return err
	}
	p := &collectionPage{Page: s.page(c, col.Name), Collection: col, Can: content.CollectionActionsFor(u, col), Fiches: list.Fiches}
	if list.Next != "" {
		p.Next = col.Path() + "?apres=" + list.Next
	}
	if after != "" {
		p.First = col.Path()
	}
	return s.render(c, 200, "collections/show", p)
}

// handleCollectionFeed is the Atom feed of a public collection, as a
// visitor reads it: a private one has none, even for its owner (a feed
// reader carries no session).
func (s *Server) handleCollectionFeed(c *fiber.Ctx) error {
	id, err := paramInt(c, "id")
	if err != nil {
		return err
	}
	col, err := s.store.CollectionByID(c.UserContext(), nil, id)
	if err != nil {
		return err
	}
	list, err := s.store.CollectionFiches(c.UserContext(), nil, col, "")
	if err != nil {
		return err
	}
	link := s.cfg.BaseURL + col.Path()
	feed := &feeds.Feed{Title: col.Name + " · collection de " + col.OwnerPseudo + " · Ligue des mednum", Link: &feeds.Link{Href: link},
		Id: link, Description: col.Description, Author: &feeds.Author{Name: col.OwnerPseudo}, Updated: col.UpdatedAt}
	for _, f := range list.Fiches {
		desc := f.Summary
		if desc == "" {
			desc = content.Excerpt(f.HTML, 300)
		}
		feed.Items = append(feed.Items, &feeds.Item{Title: f.Title, Link: &feeds.Link{Href: s.cfg.BaseURL + f.Path()},
			Id: s.cfg.BaseURL + f.Path(), Created: f.AddedAt, Updated: latest(f.AddedAt, f.UpdatedAt), Description: desc})
	}
	return s.sendAtom(c, feed)
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

type collectionEditPage struct {
	Page
	Collection *content.Collection
	Form       form
}

// managedCollection loads the collection of the address for its owner's
// settings: someone else's is a 404, the default one goes back to its page
// saying why it has no settings.
func (s *Server) managedCollection(c *fiber.Ctx) (*content.Collection, error) {
	col, err := s.loadCollection(c)
	switch {
	case err != nil:
		return nil, err
	case !content.CanEditCollection(currentUser(c), col):
		return nil, content.ErrNotFound
	case !content.CanManageCollection(currentUser(c), col):
		return col, content.ErrDefaultCollection
	}
	return col, nil
}

func (s *Server) handleCollectionEditForm(c *fiber.Ctx) error {
	col, err := s.managedCollection(c)
	if errors.Is(err, content.ErrDefaultCollection) {
		return s.afterAction(c, err, col.Path(), "")
	} else if err != nil {
		return err
	}
	f := emptyForm()
	f.Values["name"], f.Values["description"] = col.Name, col.Description
	if col.Public {
		f.Values["visibility"] = "publique"
	}
	return s.render(c, 200, "collections/edit", &collectionEditPage{Page: s.page(c, "Modifier « "+col.Name+" »"), Collection: col, Form: f})
}

func (s *Server) handleCollectionEdit(c *fiber.Ctx) error {
	col, err := s.managedCollection(c)
	if errors.Is(err, content.ErrDefaultCollection) {
		return s.afterAction(c, err, col.Path(), "")
	} else if err != nil {
		return err
	}
	f := readForm(c, collectionFields...)
	updated, err := s.store.UpdateCollection(c.UserContext(), currentUser(c), col.ID, collectionInputOf(f))
	if err := collectionRefusal(&f, err); err != nil {
		return err
	}
	if f.HasErrors() {
		return s.render(c, fiber.StatusUnprocessableEntity, "collections/edit",
			&collectionEditPage{Page: s.page(c, "Modifier « "+col.Name+" »"), Collection: col, Form: f})
	}
	msg := "La collection est enregistrée : elle est privée."
	if updated.Public {
		msg = "La collection est enregistrée : elle est publique, vous pouvez partager son adresse."
	}
	return s.redirectWithFlash(c, updated.Path(), msg)
}

func (s *Server) handleCollectionDelete(c *fiber.Ctx) error {
	col, err := s.managedCollection(c)
	if err == nil {
		err = s.store.DeleteCollection(c.UserContext(), currentUser(c), col.ID)
	}
	if _, ok := content.AsValidation(err); ok {
		return s.afterAction(c, err, col.Path(), "")
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/collections", "La collection « "+col.Name+" » est supprimée. Ses fiches restent dans vos autres collections.")
}

func (s *Server) handleCollectionRemove(c *fiber.Ctx) error {
	col, err := s.loadCollection(c)
	if err != nil {
		return err
	}
	fiche, err := strconv.ParseInt(c.FormValue("fiche"), 10, 64)
	if err != nil || fiche <= 0 {
		return s.afterAction(c, content.Invalid("fiche", "Choisissez la fiche à retirer de la collection."), col.Path(), "")
	}
	err = s.store.RemoveFromCollection(c.UserContext(), currentUser(c), fiche, col.ID)
	return s.afterAction(c, err, col.Path(), "La fiche est retirée de « "+col.Name+" ».")
}

// ficheSaveBox is the "Enregistrer" box of a fiche: the member's
// collections, and the form as typed (a refused save comes back filled).
type ficheSaveBox struct {
	content.FicheSaves
	Form form
}

// ficheSaves loads the box of fiche f for u.
func (s *Server) ficheSaves(c *fiber.Ctx, u *content.User, f *content.Fiche, typed form) (ficheSaveBox, error) {
	saves, err := s.store.FicheSaves(c.UserContext(), u, f)
	return ficheSaveBox{FicheSaves: saves, Form: typed}, err
}

// saveTargetOf reads where the form or API asks to save: a collection ID,
// "" or 0 for the default, "nouvelle" or a typed name for a new one.
func saveTargetOf(collection, name string) (content.SaveTarget, error) {
	if collection == "nouvelle" || strings.TrimSpace(name) != "" {
		return content.SaveTarget{New: true, Name: name}, nil
	}
	if collection == "" {
		return content.SaveTarget{}, nil
	}
	id, err := strconv.ParseInt(collection, 10, 64)
	if err != nil || id < 0 {
		return content.SaveTarget{}, content.ErrNotFound
	}
	return content.SaveTarget{Collection: id}, nil
}

func (s *Server) handleFicheSave(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	typed := readForm(c, "collection", "name")
	to, err := saveTargetOf(typed.Get("collection"), typed.Get("name"))
	if err != nil {
		return err
	}
	col, err := s.store.SaveToCollection(c.UserContext(), currentUser(c), f.ID, to)
	if err := typed.fail(err); err != nil {
		return err
	}
	if typed.HasErrors() {
		p, err := s.fichePageOf(c, f)
		if err != nil {
			return err
		}
		p.Collections.Form = typed
		return s.render(c, fiber.StatusUnprocessableEntity, "fiches/show", p)
	}
	return s.redirectWithFlash(c, f.Path(), "Fiche enregistrée dans « "+col.Name+" ».")
}

func (s *Server) handleFicheUnsave(c *fiber.Ctx) error {
	f, err := s.loadFiche(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	msg := "La fiche est retirée de toutes vos collections."
	var id int64
	if v := c.FormValue("collection"); v != "" {
		if id, err = strconv.ParseInt(v, 10, 64); err != nil || id <= 0 {
			return content.ErrNotFound
		}
		col, err := s.store.CollectionByID(c.UserContext(), u, id)
		if err != nil {
			return err
		}
		msg = "La fiche est retirée de « " + col.Name + " »."
	}
	err = s.store.RemoveFromCollection(c.UserContext(), u, f.ID, id)
	return s.afterAction(c, err, f.Path(), msg)
}

// The API: POST /api/v1/fiches/{slug}/enregistrer saves the fiche into
// the member's collection "collection" (its ID; the default when absent)
// or a new one named "name"; with "saved": false it takes the fiche out of
// that collection, or of all of them.

type apiCollectionRef struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Public  bool   `json:"public"`
	Default bool   `json:"default"`
	URL     string `json:"url"`
}

type apiFicheSaves struct {
	Saved       bool               `json:"saved"` // in at least one of the member's collections
	Fiche       string             `json:"fiche"` // its slug now
	Collections []apiCollectionRef `json:"collections"`
	SaveCount   int                `json:"save_count"`
}

func (s *Server) handleAPIFicheSave(c *fiber.Ctx) error {
	var in struct {
		Collection int64  `json:"collection" form:"collection"`
		Name       string `json:"name" form:"name"`
		Saved      *bool  `json:"saved" form:"saved"`
	}
	if len(c.Body()) > 0 {
		if err := c.BodyParser(&in); err != nil {
			return errBadJSON
		}
	}
	ctx, u := c.UserContext(), currentUser(c)
	f, err := s.loadFiche(c) // an old slug or a merged fiche answers 301, as every fiche address
	if err != nil {
		return err
	}
	if in.Saved != nil && !*in.Saved {
		err = s.store.RemoveFromCollection(ctx, u, f.ID, in.Collection)
	} else {
		var to content.SaveTarget
		if to, err = saveTargetOf(strconv.FormatInt(in.Collection, 10), in.Name); err == nil {
			_, err = s.store.SaveToCollection(ctx, u, f.ID, to)
		}
	}
	if err != nil {
		return err
	}
	saves, err := s.store.FicheSaves(ctx, u, f)
	if err != nil {
		return err
	}
	now, err := s.store.FicheByID(ctx, f.ID)
	if err != nil {
		return err
	}
	out := apiFicheSaves{Fiche: f.Slug, Collections: []apiCollectionRef{}, SaveCount: now.SaveCount}
	for _, col := range saves.In() {
		out.Collections = append(out.Collections, apiCollectionRef{ID: col.ID, Name: col.Name, Public: col.Public, Default: col.IsDefault,
			URL: s.cfg.BaseURL + col.Path()})
	}
	out.Saved = len(out.Collections) > 0
	return c.JSON(out)
}
