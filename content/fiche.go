package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"html/template"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// A fiche is a practice sheet in markdown that members write together:
// a brouillon read by its authors only, then published, after which any
// verified member may improve it (a wiki) unless a moderator protects it.
// Every save is a revision; the fiche row repeats the current one, with
// its HTML rendered at write time.

// Limits of a fiche.
const (
	MaxFicheTitle   = 150
	MaxFicheSummary = 500
	MaxFicheBody    = 100_000 // characters: the longest real fiches are about 35,000
	MaxFicheComment = 300
)

// FicheLicence is the licence every fiche is published under.
const FicheLicence = "CC BY-SA 4.0"

// Fiche is a fiche at its current revision.
type Fiche struct {
	ID            int64         `db:"id"`
	Slug          string        `db:"slug"`
	Title         string        `db:"title"`
	Summary       string        `db:"summary"`
	Body          string        `db:"body"`
	HTML          template.HTML `db:"html"`
	RawTOC        string        `db:"toc"`
	Revision      int           `db:"revision"`
	CreatorID     int64         `db:"creator_id"`
	PublishedAt   *time.Time    `db:"published_at"`
	Protected     bool          `db:"protected"`
	Views         int           `db:"views"`
	SaveCount     int           `db:"save_count"`
	TopicID       *int64        `db:"topic_id"`
	SourceTopicID *int64        `db:"source_topic_id"`
	MergedInto    *int64        `db:"merged_into"`
	DeletedAt     *time.Time    `db:"deleted_at"`
	CreatedAt     time.Time     `db:"created_at"`
	UpdatedAt     time.Time     `db:"updated_at"`

	Tags      []string   `db:"-"`
	Audiences []Audience `db:"-"`
	// Authors are the members who write a brouillon (its creator and the
	// co-authors they invited); on a protected fiche, they keep editing.
	Authors []int64 `db:"-"`
}

// Audience is one "public visé" of the fixed list.
type Audience struct {
	ID   int64  `db:"id" json:"-"`
	Slug string `db:"slug" json:"slug"`
	Name string `db:"name" json:"name"`
}

// FichePathOf is the address of the fiche with that slug.
func FichePathOf(slug string) string { return "/fiches/" + slug }

// Path is the canonical address of the fiche.
func (f *Fiche) Path() string { return FichePathOf(f.Slug) }

// Published tells a public fiche from a brouillon.
func (f *Fiche) Published() bool { return f.PublishedAt != nil }

// TOC is the fiche's table of contents.
func (f *Fiche) TOC() []Heading {
	var h []Heading
	json.Unmarshal([]byte(f.RawTOC), &h)
	return h
}

// IsAuthor tells whether u writes the fiche (creator or invited co-author).
func (f *Fiche) IsAuthor(u *User) bool {
	if u == nil {
		return false
	}
	for _, id := range f.Authors {
		if id == u.ID {
			return true
		}
	}
	return false
}

// AudienceSlugs lists the slugs of its publics.
func (f *Fiche) AudienceSlugs() []string {
	out := make([]string, len(f.Audiences))
	for i, a := range f.Audiences {
		out[i] = a.Slug
	}
	return out
}

// FicheRevision is one saved state of a fiche.
type FicheRevision struct {
	ID           int64      `db:"id"`
	FicheID      int64      `db:"fiche_id"`
	Number       int        `db:"number"`
	AuthorID     int64      `db:"author_id"`
	AuthorPseudo string     `db:"author_pseudo"`
	Title        string     `db:"title"`
	Summary      string     `db:"summary"`
	Body         string     `db:"body"`
	RawTags      string     `db:"tags"`
	RawAudiences string     `db:"audiences"`
	Comment      string     `db:"comment"`
	Size         int        `db:"size"`
	Added        int        `db:"added"`
	Removed      int        `db:"removed"`
	Restored     *int       `db:"restored"`
	HiddenAt     *time.Time `db:"hidden_at"`
	CreatedAt    time.Time  `db:"created_at"`
	// SizeChange is the difference in characters with the revision before.
	SizeChange int `db:"-"`
}

// Tags lists the tags as saved in the revision.
func (r *FicheRevision) Tags() []string { return splitList(r.RawTags) }

// AudienceSlugs lists the publics as saved in the revision.
func (r *FicheRevision) AudienceSlugs() []string { return splitList(r.RawAudiences) }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

const ficheSelect = `SELECT id, slug, title, summary, body, html, toc, revision, creator_id, published_at, protected, views,
	save_count, topic_id, source_topic_id, merged_into, deleted_at, created_at, updated_at FROM fiches`

// FicheLookup is what an address names: the fiche, or where it moved.
type FicheLookup struct {
	Fiche    *Fiche
	Redirect string // the fiche's current address, for an old slug or a merged fiche
	Gone     bool   // deleted by a moderator
}

// FicheBySlug finds the fiche an address names as seen by viewer: a fiche
// viewer may not read is ErrNotFound, whoever asks and wherever.
func (s *Store) FicheBySlug(ctx context.Context, viewer *User, slugText string) (FicheLookup, error) {
	f, err := s.ficheWhere(ctx, `slug = ?`, slugText)
	if errors.Is(err, ErrNotFound) {
		var id int64
		if err := s.db.R.GetContext(ctx, &id, `SELECT fiche_id FROM fiche_slugs WHERE slug = ?`, slugText); err != nil {
			return FicheLookup{}, notFound(err)
		}
		if f, err = s.FicheByID(ctx, id); err != nil {
			return FicheLookup{}, err
		}
		return s.followFiche(ctx, viewer, f, 0)
	}
	if err != nil {
		return FicheLookup{}, err
	}
	if f.MergedInto != nil || f.DeletedAt != nil {
		return s.followFiche(ctx, viewer, f, 0)
	}
	if !CanReadFiche(viewer, f) {
		return FicheLookup{}, ErrNotFound
	}
	return FicheLookup{Fiche: f}, nil
}

// followFiche follows merges to the fiche that now holds f's text.
func (s *Store) followFiche(ctx context.Context, viewer *User, f *Fiche, hops int) (FicheLookup, error) {
	switch {
	case hops > 10:
		return FicheLookup{}, ErrNotFound
	case f.DeletedAt != nil:
		if !f.Published() {
			return FicheLookup{}, ErrNotFound
		}
		return FicheLookup{Gone: true}, nil
	case f.MergedInto != nil:
		into, err := s.FicheByID(ctx, *f.MergedInto)
		if err != nil {
			return FicheLookup{}, err
		}
		return s.followFiche(ctx, viewer, into, hops+1)
	case !CanReadFiche(viewer, f):
		return FicheLookup{}, ErrNotFound
	}
	return FicheLookup{Fiche: f, Redirect: f.Path()}, nil
}

// FicheByID loads a fiche whatever its state; callers check CanReadFiche.
func (s *Store) FicheByID(ctx context.Context, id int64) (*Fiche, error) {
	return s.ficheWhere(ctx, `id = ?`, id)
}

func (s *Store) ficheWhere(ctx context.Context, where string, arg any) (*Fiche, error) {
	var f Fiche
	if err := s.db.R.GetContext(ctx, &f, ficheSelect+` WHERE `+where, arg); err != nil {
		return nil, notFound(err)
	}
	list := []Fiche{f}
	if err := s.loadFicheDetails(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// loadFicheDetails fills tags, publics and authors of fiches, one query each.
func (s *Store) loadFicheDetails(ctx context.Context, fiches []Fiche) error {
	if len(fiches) == 0 {
		return nil
	}
	ids := make([]int64, len(fiches))
	index := map[int64]*Fiche{}
	for i := range fiches {
		ids[i] = fiches[i].ID
		index[fiches[i].ID] = &fiches[i]
	}
	type tagRow struct {
		FicheID int64  `db:"fiche_id"`
		Name    string `db:"name"`
	}
	var tags []tagRow
	if err := s.selectIn(ctx, &tags, `SELECT ft.fiche_id, g.name FROM fiche_tags ft JOIN tags g ON g.id = ft.tag_id
		WHERE ft.fiche_id IN (?) ORDER BY g.name`, ids); err != nil {
		return err
	}
	for _, t := range tags {
		index[t.FicheID].Tags = append(index[t.FicheID].Tags, t.Name)
	}
	type audienceRow struct {
		FicheID int64 `db:"fiche_id"`
		Audience
	}
	var auds []audienceRow
	if err := s.selectIn(ctx, &auds, `SELECT fa.fiche_id, a.id, a.slug, a.name FROM fiche_audiences fa
		JOIN audiences a ON a.id = fa.audience_id WHERE fa.fiche_id IN (?) ORDER BY a.position, a.name`, ids); err != nil {
		return err
	}
	for _, a := range auds {
		index[a.FicheID].Audiences = append(index[a.FicheID].Audiences, a.Audience)
	}
	type authorRow struct {
		FicheID int64 `db:"fiche_id"`
		UserID  int64 `db:"user_id"`
	}
	var authors []authorRow
	if err := s.selectIn(ctx, &authors, `SELECT fiche_id, user_id FROM fiche_authors WHERE fiche_id IN (?) ORDER BY added_at`, ids); err != nil {
		return err
	}
	for _, a := range authors {
		index[a.FicheID].Authors = append(index[a.FicheID].Authors, a.UserID)
	}
	return nil
}

// selectIn runs a query with one IN (?) list on the reading pool.
func (s *Store) selectIn(ctx context.Context, dest any, query string, args ...any) error {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return err
	}
	return s.db.R.SelectContext(ctx, dest, s.db.R.Rebind(q), a...)
}

// Audiences lists the publics members choose from, in their order.
func (s *Store) Audiences(ctx context.Context) ([]Audience, error) {
	var out []Audience
	err := s.db.R.SelectContext(ctx, &out, `SELECT id, slug, name FROM audiences ORDER BY position, name`)
	return out, err
}

// FicheRevisions lists the revisions of f that viewer may see, newest
// first, with the change in size of each.
func (s *Store) FicheRevisions(ctx context.Context, viewer *User, f *Fiche) ([]FicheRevision, error) {
	if !CanReadFiche(viewer, f) {
		return nil, ErrNotFound
	}
	var revs []FicheRevision
	if err := s.db.R.SelectContext(ctx, &revs, revisionSelect+` WHERE r.fiche_id = ? ORDER BY r.number DESC`, f.ID); err != nil {
		return nil, err
	}
	for i := range revs {
		if i+1 < len(revs) {
			revs[i].SizeChange = revs[i].Size - revs[i+1].Size
		} else {
			revs[i].SizeChange = revs[i].Size
		}
	}
	out := revs[:0]
	for _, r := range revs {
		if CanSeeRevision(viewer, f, &r) {
			out = append(out, r)
		} else {
			r.Body, r.Title, r.Summary, r.Comment = "", "", "", ""
			out = append(out, r) // listed, marked hidden, without its text
		}
	}
	return out, nil
}

const revisionSelect = `SELECT r.id, r.fiche_id, r.number, r.author_id, u.pseudo AS author_pseudo, r.title, r.summary, r.body,
	r.tags, r.audiences, r.comment, r.size, r.added, r.removed, r.restored, r.hidden_at, r.created_at
	FROM fiche_revisions r JOIN users u ON u.id = r.author_id`

// FicheRevisionAt loads revision n of f for viewer: ErrNotFound when it
// does not exist or viewer may not see it.
func (s *Store) FicheRevisionAt(ctx context.Context, viewer *User, f *Fiche, n int) (*FicheRevision, error) {
	r, err := s.revision(ctx, s.db.R, f.ID, n)
	if err != nil {
		return nil, err
	}
	if !CanSeeRevision(viewer, f, r) {
		return nil, ErrNotFound
	}
	return r, nil
}

type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

func (s *Store) revision(ctx context.Context, q queryer, ficheID int64, n int) (*FicheRevision, error) {
	var r FicheRevision
	if err := q.GetContext(ctx, &r, revisionSelect+` WHERE r.fiche_id = ? AND r.number = ?`, ficheID, n); err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// Contributor is a member who saved revisions of a fiche.
type Contributor struct {
	Pseudo string `db:"pseudo" json:"pseudo"`
	Words  int    `db:"words" json:"words"` // words they added, over all their revisions
}

// FicheContributors lists everyone who saved a visible revision of f, the
// largest contribution first.
func (s *Store) FicheContributors(ctx context.Context, f *Fiche) ([]Contributor, error) {
	var out []Contributor
	err := s.db.R.SelectContext(ctx, &out, `SELECT u.pseudo, sum(r.added) AS words FROM fiche_revisions r
		JOIN users u ON u.id = r.author_id WHERE r.fiche_id = ? AND r.hidden_at IS NULL AND u.suspended_at IS NULL
		GROUP BY r.author_id ORDER BY words DESC, min(r.number)`, f.ID)
	return out, err
}

// FicheRef is a short mention of a fiche in a list.
type FicheRef struct {
	Slug    string `db:"slug" json:"slug"`
	Title   string `db:"title" json:"title"`
	Summary string `db:"summary" json:"summary"`
}

// Path is the fiche's address.
func (r FicheRef) Path() string { return FichePathOf(r.Slug) }

// publicFiche is the SQL condition of a fiche everybody may read.
const publicFiche = `f.published_at IS NOT NULL AND f.deleted_at IS NULL AND f.merged_into IS NULL`

// Backlinks lists the published fiches whose text links to f, under any
// of its slugs.
func (s *Store) Backlinks(ctx context.Context, f *Fiche) ([]FicheRef, error) {
	var out []FicheRef
	err := s.db.R.SelectContext(ctx, &out, `SELECT DISTINCT f.slug, f.title, f.summary FROM fiche_links l JOIN fiches f ON f.id = l.from_id
		WHERE (l.to_slug = ? OR l.to_slug IN (SELECT slug FROM fiche_slugs WHERE fiche_id = ?)) AND f.id != ? AND `+publicFiche+`
		ORDER BY f.title LIMIT 50`, f.Slug, f.ID, f.ID)
	return out, err
}

// FichesFromTopic lists the published fiches made from a discussion.
func (s *Store) FichesFromTopic(ctx context.Context, topicID int64) ([]FicheRef, error) {
	var out []FicheRef
	err := s.db.R.SelectContext(ctx, &out, `SELECT f.slug, f.title, f.summary FROM fiches f
		WHERE f.source_topic_id = ? AND `+publicFiche+` ORDER BY f.id`, topicID)
	return out, err
}

// ficheSlug is the slug a fiche of that title gets before it is made unique.
func ficheSlug(title string) string {
	s := frenchSlug(title)
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" || reservedFicheSlugs[s] {
		s = "fiche-" + strings.TrimPrefix(s, "fiche-")
		s = strings.TrimRight(s, "-")
	}
	return s
}

// reservedFicheSlugs are the addresses under /fiches/ that are pages.
var reservedFicheSlugs = map[string]bool{"nouvelle": true, "fiche": true}

// uniqueFicheSlug returns base, or base-2, base-3… the first that no fiche
// holds now or held before (old slugs keep redirecting).
func uniqueFicheSlug(ctx context.Context, tx *sqlx.Tx, base string, self int64) (string, error) {
	candidate := base
	for n := 2; ; n++ {
		var holder int64
		err := tx.GetContext(ctx, &holder, `SELECT id FROM fiches WHERE slug = ? UNION ALL SELECT fiche_id FROM fiche_slugs WHERE slug = ? LIMIT 1`, candidate, candidate)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && holder == self) {
			return candidate, nil
		}
		if err != nil {
			return "", err
		}
		candidate = base + "-" + itoa64(int64(n))
	}
}
