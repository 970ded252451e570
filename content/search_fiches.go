package content

import (
	"context"
	"strings"
)

// The fiches' search source: a fiche is one document ("fiche:ID"), its
// title and chapô in the boosted title field. A brouillon is indexed for
// its authors only; a deleted or merged fiche is removed.

// DocFiche is the search document type of fiches.
const DocFiche = "fiche"

type ficheSearch struct{ s *Store }

func (ficheSearch) Entities() []string { return []string{EntityFiche} }

func (ficheSearch) Types() []DocType { return []DocType{{DocFiche, "Fiches"}} }

// ficheDoc is the document of f, and whether it is searchable at all.
func (d ficheSearch) ficheDoc(f *Fiche, creatorKey string) (SearchDoc, bool) {
	if f.DeletedAt != nil || f.MergedInto != nil {
		return SearchDoc{}, false
	}
	doc := SearchDoc{ID: DocID(EntityFiche, f.ID), Type: DocFiche, Title: strings.TrimSpace(f.Title + " — " + f.Summary),
		Body: PlainText(f.HTML), Author: creatorKey, Tags: f.Tags, Audiences: f.AudienceSlugs(), Date: f.UpdatedAt,
		Access: []string{AccessPublic}}
	if doc.Tags == nil {
		doc.Tags = []string{}
	}
	if !f.Published() {
		doc.Access = []string{AccessRestricted}
		for _, id := range f.Authors {
			doc.Access = append(doc.Access, DocID(EntityUser, id))
		}
	}
	return doc, true
}

// ficheRows loads fiches with their details and their creator's key.
func (d ficheSearch) ficheRows(ctx context.Context, where string, args ...any) ([]Fiche, map[int64]string, error) {
	var list []Fiche
	if err := d.s.db.R.SelectContext(ctx, &list, ficheSelect+` WHERE `+where, args...); err != nil {
		return nil, nil, err
	}
	if err := d.s.loadFicheDetails(ctx, list); err != nil {
		return nil, nil, err
	}
	keys := map[int64]string{}
	if len(list) > 0 {
		ids := make([]int64, len(list))
		for i, f := range list {
			ids[i] = f.CreatorID
		}
		var rows []struct {
			ID  int64  `db:"id"`
			Key string `db:"pseudo_key"`
		}
		if err := d.s.selectIn(ctx, &rows, `SELECT id, pseudo_key FROM users WHERE id IN (?)`, ids); err != nil {
			return nil, nil, err
		}
		for _, r := range rows {
			keys[r.ID] = r.Key
		}
	}
	return list, keys, nil
}

func (d ficheSearch) Changed(ctx context.Context, e Event) ([]SearchDoc, []string, error) {
	if e.EntityType != EntityFiche {
		return nil, nil, nil
	}
	list, keys, err := d.ficheRows(ctx, `id = ?`, e.EntityID)
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 1 {
		if doc, ok := d.ficheDoc(&list[0], keys[list[0].CreatorID]); ok {
			return []SearchDoc{doc}, nil, nil
		}
	}
	return nil, []string{DocID(EntityFiche, e.EntityID)}, nil
}

func (d ficheSearch) Each(ctx context.Context, fn func([]SearchDoc) error) error {
	var last int64
	for {
		list, keys, err := d.ficheRows(ctx, `id > ? AND deleted_at IS NULL AND merged_into IS NULL ORDER BY id LIMIT 500`, last)
		if err != nil || len(list) == 0 {
			return err
		}
		last = list[len(list)-1].ID
		var docs []SearchDoc
		for i := range list {
			if doc, ok := d.ficheDoc(&list[i], keys[list[i].CreatorID]); ok {
				docs = append(docs, doc)
			}
		}
		if err := fn(docs); err != nil {
			return err
		}
	}
}

func (d ficheSearch) Count(ctx context.Context) (uint64, error) {
	var n uint64
	err := d.s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM fiches WHERE deleted_at IS NULL AND merged_into IS NULL`)
	return n, err
}

// Targets loads the fiches behind the IDs that viewer may read now.
func (d ficheSearch) Targets(ctx context.Context, viewer *User, ids []string) (map[string]SearchTarget, error) {
	out := map[string]SearchTarget{}
	want := IDsOf(ids, EntityFiche)
	if len(want) == 0 {
		return out, nil
	}
	var list []Fiche
	if err := d.s.selectIn(ctx, &list, ficheSelect+` WHERE id IN (?)`, want); err != nil {
		return nil, err
	}
	if err := d.s.loadFicheDetails(ctx, list); err != nil {
		return nil, err
	}
	for i := range list {
		f := &list[i]
		if !CanReadFiche(viewer, f) {
			continue
		}
		id := DocID(EntityFiche, f.ID)
		out[id] = SearchTarget{DocID: id, Type: DocFiche, Title: f.Title, URL: f.Path(), Date: f.UpdatedAt, Tags: f.Tags}
	}
	return out, nil
}
