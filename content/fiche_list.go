package content

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Sorts of the fiche list, as the address names them.
const (
	FicheSortRecent = "recentes"
	FicheSortViews  = "vues"
	FicheSortSaves  = "enregistrees"
	FicheSortAlpha  = "alphabetique"
)

// ficheSorts maps a sort to its SQL key and direction.
var ficheSorts = map[string]struct {
	column string
	desc   bool
}{
	FicheSortRecent: {"f.updated_at", true},
	FicheSortViews:  {"f.views", true},
	FicheSortSaves:  {"f.save_count", true},
	FicheSortAlpha:  {"f.title COLLATE NOCASE", false},
}

// FicheFilter selects published fiches for a list.
type FicheFilter struct {
	Tag      string // a thème, as typed: accents and case are folded
	Audience string // a public's slug
	Sort     string // a FicheSort…; "" is FicheSortRecent
	After    string // the cursor of the page before ("" for the first)
	Limit    int
}

// FicheList is one page of fiches; Next is the cursor of the following
// page, "" on the last.
type FicheList struct {
	Fiches []Fiche
	Next   string
}

// cursor is where a page ends: the sort key and ID of its last fiche.
type cursor struct {
	Time  time.Time `json:"t,omitempty"`
	Int   int       `json:"n,omitempty"`
	Title string    `json:"s,omitempty"`
	ID    int64     `json:"id"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	return c, err == nil && json.Unmarshal(b, &c) == nil && c.ID > 0
}

// sortValue is the value of a fiche's sort key, as the cursor holds it.
func (c cursor) value(sort string) any {
	switch sort {
	case FicheSortViews, FicheSortSaves:
		return c.Int
	case FicheSortAlpha:
		return c.Title
	}
	return c.Time
}

func cursorOf(f *Fiche, sort string) cursor {
	c := cursor{ID: f.ID}
	switch sort {
	case FicheSortViews:
		c.Int = f.Views
	case FicheSortSaves:
		c.Int = f.SaveCount
	case FicheSortAlpha:
		c.Title = f.Title
	default:
		c.Time = f.UpdatedAt
	}
	return c
}

// ValidFicheSort tells whether sort names a sort of the list.
func ValidFicheSort(sort string) bool { _, ok := ficheSorts[sort]; return ok }

// ListFiches returns a page of published fiches.
func (s *Store) ListFiches(ctx context.Context, in FicheFilter) (FicheList, error) {
	if !ValidFicheSort(in.Sort) {
		in.Sort = FicheSortRecent
	}
	if in.Limit <= 0 || in.Limit > 100 {
		in.Limit = 20
	}
	order := ficheSorts[in.Sort]
	where := []string{publicFiche}
	var args []any
	if in.Tag != "" {
		where = append(where, `f.id IN (SELECT ft.fiche_id FROM fiche_tags ft JOIN tags g ON g.id = ft.tag_id WHERE g.fold = ?)`)
		args = append(args, FoldAccents(strings.ToLower(strings.TrimSpace(in.Tag))))
	}
	if in.Audience != "" {
		where = append(where, `f.id IN (SELECT fa.fiche_id FROM fiche_audiences fa JOIN audiences a ON a.id = fa.audience_id WHERE a.slug = ?)`)
		args = append(args, in.Audience)
	}
	if c, ok := decodeCursor(in.After); ok {
		cmp := ">"
		if order.desc {
			cmp = "<"
		}
		where = append(where, `(`+order.column+`, f.id) `+cmp+` (?, ?)`)
		args = append(args, c.value(in.Sort), c.ID)
	}
	dir := " ASC"
	if order.desc {
		dir = " DESC"
	}
	q := strings.Replace(ficheSelect, "FROM fiches", "FROM fiches f", 1) + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order.column + dir + `, f.id` + dir + ` LIMIT ?`
	args = append(args, in.Limit+1)
	var list []Fiche
	if err := s.db.R.SelectContext(ctx, &list, q, args...); err != nil {
		return FicheList{}, err
	}
	var out FicheList
	if len(list) > in.Limit {
		list = list[:in.Limit]
		out.Next = cursorOf(&list[len(list)-1], in.Sort).encode()
	}
	if err := s.loadFicheDetails(ctx, list); err != nil {
		return FicheList{}, err
	}
	out.Fiches = list
	return out, nil
}

// DraftFichesOf lists the brouillons u writes, latest first.
func (s *Store) DraftFichesOf(ctx context.Context, u *User) ([]Fiche, error) {
	var list []Fiche
	if err := s.db.R.SelectContext(ctx, &list, strings.Replace(ficheSelect, "FROM fiches", "FROM fiches f", 1)+`
		WHERE f.published_at IS NULL AND f.deleted_at IS NULL AND f.id IN (SELECT fiche_id FROM fiche_authors WHERE user_id = ?)
		ORDER BY f.updated_at DESC LIMIT 100`, u.ID); err != nil {
		return nil, err
	}
	return list, s.loadFicheDetails(ctx, list)
}

// FicheTagCounts lists the thèmes of published fiches with how many use each.
func (s *Store) FicheTagCounts(ctx context.Context) ([]TagCount, error) {
	var out []TagCount
	err := s.db.R.SelectContext(ctx, &out, `SELECT g.name, count(*) AS count FROM fiche_tags ft JOIN tags g ON g.id = ft.tag_id
		JOIN fiches f ON f.id = ft.fiche_id WHERE `+publicFiche+` GROUP BY g.id ORDER BY count DESC, g.name LIMIT 60`)
	return out, err
}
