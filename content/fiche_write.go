package content

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// FicheInput is what a member submits when writing a fiche.
type FicheInput struct {
	Title     string
	Summary   string
	Body      string
	Tags      string   // comma-separated
	Audiences []string // slugs
	Comment   string   // the edit summary
	// BaseRevision is the revision the editor started from; saving on top
	// of a newer one merges the two edits.
	BaseRevision int
}

func (in *FicheInput) normalize() {
	in.Title = normalizeLine(in.Title)
	in.Summary = normalizeLine(in.Summary)
	in.Body = normalizeText(in.Body)
	in.Comment = normalizeLine(in.Comment)
}

// validate checks the fields and returns the parsed tags and publics.
func (s *Store) validateFiche(ctx context.Context, in FicheInput) ([]string, []Audience, error) {
	v := &ValidationError{}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		v.Add("title", "Donnez un titre à la fiche.")
	case n < 5:
		v.Add("title", "Le titre est trop court : dites en quelques mots ce que la fiche explique.")
	case n > MaxFicheTitle:
		v.Add("title", "Le titre ne doit pas dépasser 150 caractères (il en compte "+itoa64(int64(n))+").")
	}
	if n := utf8.RuneCountInString(in.Summary); n > MaxFicheSummary {
		v.Add("summary", "Le chapô ne doit pas dépasser 500 caractères (il en compte "+itoa64(int64(n))+") : gardez l’essentiel, le détail va dans le texte.")
	}
	switch n := utf8.RuneCountInString(in.Body); {
	case strings.TrimSpace(in.Body) == "":
		v.Add("body", "Le texte de la fiche est vide.")
	case n > MaxFicheBody:
		v.Add("body", "Une fiche ne doit pas dépasser 100 000 caractères (celle-ci en compte "+itoa64(int64(n))+") : partagez-la en plusieurs fiches liées par [[…]]. Votre texte est conservé ci-dessous.")
	case HasConflictMarkers(in.Body):
		v.Add("body", "Le texte contient encore des marques de conflit (<<<<<<<, =======, >>>>>>>) : gardez la bonne version de chaque passage et retirez les marques.")
	}
	if n := utf8.RuneCountInString(in.Comment); n > MaxFicheComment {
		v.Add("comment", "Le résumé de la modification ne doit pas dépasser 300 caractères.")
	}
	tags, msg := ParseTags(in.Tags)
	if msg != "" {
		v.Add("tags", msg)
	}
	auds, err := s.audiencesBySlug(ctx, in.Audiences)
	if err != nil {
		var unknown unknownAudience
		if !errors.As(err, &unknown) {
			return nil, nil, err
		}
		v.Add("audiences", "Le public « "+TruncateRunes(string(unknown), 40)+" » n’existe pas : choisissez dans la liste.")
	}
	return tags, auds, v.Err()
}

type unknownAudience string

func (u unknownAudience) Error() string { return "unknown audience " + string(u) }

func (s *Store) audiencesBySlug(ctx context.Context, slugs []string) ([]Audience, error) {
	all, err := s.Audiences(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]Audience{}
	for _, a := range all {
		known[a.Slug] = a
	}
	var out []Audience
	seen := map[string]bool{}
	for _, sl := range slugs {
		sl = strings.TrimSpace(sl)
		if sl == "" || seen[sl] {
			continue
		}
		a, ok := known[sl]
		if !ok {
			return nil, unknownAudience(sl)
		}
		seen[sl] = true
		out = append(out, a)
	}
	return out, nil
}

// renderFiche renders a fiche's text with its mentions and [[links]]; a
// link names a published fiche by slug, old slug or title.
func (s *Store) renderFiche(ctx context.Context, q queryer, body string) Rendered {
	mentions, _ := s.mentionResolver(ctx)
	return s.md.RenderWith(body, RenderOptions{Mentions: mentions, Wiki: func(target string) WikiTarget {
		return s.resolveWiki(ctx, q, target)
	}})
}

// resolveWiki finds the published fiche a "[[…]]" names.
func (s *Store) resolveWiki(ctx context.Context, q queryer, target string) WikiTarget {
	want := ficheSlug(target)
	var ref FicheRef
	err := q.GetContext(ctx, &ref, `SELECT f.slug, f.title, '' AS summary FROM fiches f
		WHERE (f.slug = ?1 OR f.id IN (SELECT fiche_id FROM fiche_slugs WHERE slug = ?1) OR f.title = ?2 COLLATE NOCASE) AND `+publicFiche+`
		ORDER BY f.slug = ?1 DESC LIMIT 1`, want, target)
	if err != nil {
		return WikiTarget{Slug: want, Title: target}
	}
	return WikiTarget{Slug: ref.Slug, Title: ref.Title, Exists: true}
}

// CreateFiche stores a new brouillon by author, its first revision, and
// the outbox entry. fromTopic (0 for none) is the discussion it is made
// from.
func (s *Store) CreateFiche(ctx context.Context, author *User, in FicheInput, fromTopic int64) (*Fiche, error) {
	if err := CanWrite(author); err != nil {
		return nil, err
	}
	in.normalize()
	tags, auds, err := s.validateFiche(ctx, in)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	f := &Fiche{Title: in.Title, Summary: in.Summary, Body: in.Body, Revision: 1, CreatorID: author.ID, CreatedAt: now, UpdatedAt: now,
		Tags: tags, Audiences: auds, Authors: []int64{author.ID}}
	if fromTopic != 0 {
		f.SourceTopicID = &fromTopic
	}
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		if f.Slug, err = uniqueFicheSlug(ctx, tx, ficheSlug(in.Title), 0); err != nil {
			return err
		}
		rendered := s.renderFiche(ctx, tx, in.Body)
		f.HTML = rendered.HTML
		toc, _ := json.Marshal(rendered.Headings)
		res, err := tx.ExecContext(ctx, `INSERT INTO fiches (slug, title, summary, body, html, toc, creator_id, source_topic_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.Slug, f.Title, f.Summary, f.Body, f.HTML, string(toc), author.ID, f.SourceTopicID, now, now)
		if err != nil {
			return err
		}
		if f.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		f.RawTOC = string(toc)
		if _, err := tx.ExecContext(ctx, `INSERT INTO fiche_authors (fiche_id, user_id, added_at) VALUES (?, ?, ?)`, f.ID, author.ID, now); err != nil {
			return err
		}
		rev := FicheRevision{Number: 1, Comment: in.Comment}
		if rev.Comment == "" {
			rev.Comment = "Création de la fiche"
		}
		if err := s.writeRevision(ctx, tx, f, author, rev, "", rendered.WikiLinks); err != nil {
			return err
		}
		if err := deleteDraft(ctx, tx, author.ID, DraftNewFiche); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: EventCreated, EntityType: EntityFiche, EntityID: f.ID, ActorID: author.ID, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// writeRevision stores f's fields as revision rev (its Number, Comment and
// Restored set by the caller), with its tags, publics and links; previous
// is the body of the revision before, for the word counts.
func (s *Store) writeRevision(ctx context.Context, tx *sqlx.Tx, f *Fiche, author *User, rev FicheRevision, previous string, links []string) error {
	added, removed := WordChanges(previous, f.Body)
	_, err := tx.ExecContext(ctx, `INSERT INTO fiche_revisions (fiche_id, number, author_id, title, summary, body, tags, audiences,
		comment, size, added, removed, restored, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, rev.Number, author.ID, f.Title, f.Summary, f.Body, strings.Join(f.Tags, ","), strings.Join(f.AudienceSlugs(), ","),
		rev.Comment, utf8.RuneCountInString(f.Body), added, removed, rev.Restored, f.UpdatedAt)
	if err != nil {
		return err
	}
	if err := autoFollow(ctx, tx, f.UpdatedAt, author.ID, FollowFiche, f.ID); err != nil {
		return err
	}
	if err := setTags(ctx, tx, ficheTagLinks, f.ID, f.Tags); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM fiche_audiences WHERE fiche_id = ?`, f.ID); err != nil {
		return err
	}
	for _, a := range f.Audiences {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fiche_audiences (fiche_id, audience_id) VALUES (?, ?)`, f.ID, a.ID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM fiche_links WHERE from_id = ?`, f.ID); err != nil {
		return err
	}
	for _, to := range links {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fiche_links (from_id, to_slug) VALUES (?, ?) ON CONFLICT DO NOTHING`, f.ID, to); err != nil {
			return err
		}
	}
	return nil
}

// SaveResult tells how a save went.
type SaveResult struct {
	Fiche      *Fiche
	Unchanged  bool     // the text was already so: no revision was added
	MergedWith []string // pseudos of those whose revisions were merged in
}

// FicheConflict refuses a save whose changes overlap changes saved since
// the editor's base revision. Merged holds the fiche's fields with both
// edits, conflict regions marked, for the editor to resolve.
type FicheConflict struct {
	Current   *Fiche   // the fiche as it is now
	By        []string // who saved since the base revision
	Merged    FicheInput
	Conflicts []MergeConflict
	Fields    []string // other fields changed on both sides: "title", "summary"
}

func (c *FicheConflict) Error() string { return "fiche edit conflict" }

// ficheState reads, inside tx, the fiche a save applies to.
func (s *Store) ficheState(ctx context.Context, tx *sqlx.Tx, id int64) (*Fiche, error) {
	var f Fiche
	if err := tx.GetContext(ctx, &f, ficheSelect+` WHERE id = ?`, id); err != nil {
		return nil, notFound(err)
	}
	if err := tx.SelectContext(ctx, &f.Authors, `SELECT user_id FROM fiche_authors WHERE fiche_id = ? ORDER BY added_at`, id); err != nil {
		return nil, err
	}
	return &f, nil
}

// ficheFor reads, inside tx, fiche id for an action of u: ErrNotFound when
// u may not read it (whatever the action), ErrForbidden when may (if not
// nil) refuses.
func (s *Store) ficheFor(ctx context.Context, tx *sqlx.Tx, u *User, id int64, may func(*User, *Fiche) bool) (*Fiche, error) {
	f, err := s.ficheState(ctx, tx, id)
	switch {
	case err != nil:
		return nil, err
	case !CanReadFiche(u, f):
		return nil, ErrNotFound
	case may != nil && !may(u, f):
		return nil, ErrForbidden
	}
	return f, nil
}

// SaveFiche saves editor's changes to fiche id as a new revision. When
// others saved since in.BaseRevision, the edits are merged: disjoint ones
// silently (SaveResult.MergedWith says with whom), overlapping ones refused
// with a *FicheConflict that carries the merged text.
func (s *Store) SaveFiche(ctx context.Context, editor *User, id int64, in FicheInput) (SaveResult, error) {
	in.normalize()
	var result SaveResult
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		f, err := s.ficheState(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CanEditFiche(editor, f); err != nil {
			return err
		}
		in, result.MergedWith, err = s.mergeWithLatest(ctx, tx, f, in)
		if err != nil {
			return err
		}
		tags, auds, err := s.validateFiche(ctx, in)
		if err != nil {
			return err
		}
		if err := s.loadFicheDetailsTx(ctx, tx, f); err != nil {
			return err
		}
		if in.Title == f.Title && in.Summary == f.Summary && in.Body == f.Body && sameSet(tags, f.Tags) && sameSet(slugsOf(auds), f.AudienceSlugs()) {
			result.Fiche, result.Unchanged = f, true
			return nil
		}
		previous := f.Body
		f.Title, f.Summary, f.Body, f.Tags, f.Audiences = in.Title, in.Summary, in.Body, tags, auds
		f.Revision++
		f.UpdatedAt = s.Now()
		if err := s.storeCurrent(ctx, tx, f, editor, FicheRevision{Number: f.Revision, Comment: in.Comment}, previous); err != nil {
			return err
		}
		result.Fiche = f
		return nil
	})
	return result, err
}

// storeCurrent writes f as the fiche's current state and as revision rev:
// slug (a new title gives a new slug, the old one redirects), HTML, links,
// and the outbox entry; fiches whose links name the new slug are rendered
// again so their link comes alive.
func (s *Store) storeCurrent(ctx context.Context, tx *sqlx.Tx, f *Fiche, editor *User, rev FicheRevision, previous string) error {
	oldSlug := f.Slug
	if base := ficheSlug(f.Title); base != oldSlug && !strings.HasPrefix(oldSlug, base+"-") {
		slug, err := uniqueFicheSlug(ctx, tx, base, f.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO fiche_slugs (slug, fiche_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, oldSlug, f.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM fiche_slugs WHERE slug = ?`, slug); err != nil {
			return err
		}
		f.Slug = slug
	}
	rendered := s.renderFiche(ctx, tx, f.Body)
	f.HTML = rendered.HTML
	toc, _ := json.Marshal(rendered.Headings)
	f.RawTOC = string(toc)
	if _, err := tx.ExecContext(ctx, `UPDATE fiches SET slug = ?, title = ?, summary = ?, body = ?, html = ?, toc = ?, revision = ?, updated_at = ?
		WHERE id = ?`, f.Slug, f.Title, f.Summary, f.Body, f.HTML, f.RawTOC, f.Revision, f.UpdatedAt, f.ID); err != nil {
		return err
	}
	if err := s.writeRevision(ctx, tx, f, editor, rev, previous, rendered.WikiLinks); err != nil {
		return err
	}
	if err := deleteDraft(ctx, tx, editor.ID, DraftFiche(f.ID)); err != nil {
		return err
	}
	if f.Published() && f.Slug != oldSlug {
		if err := s.rerenderLinking(ctx, tx, f.Slug, f.Title); err != nil {
			return err
		}
	}
	return Emit(ctx, tx, Event{Kind: EventEdited, EntityType: EntityFiche, EntityID: f.ID, ActorID: editor.ID,
		Data: EventData{Number: f.Revision}, CreatedAt: f.UpdatedAt})
}

// maxRelinked bounds the fiches rendered again when one appears under a
// new slug; the rest keep their "to write" link until their next save.
const maxRelinked = 200

// rerenderLinking renders again the fiches that link to slug or title.
func (s *Store) rerenderLinking(ctx context.Context, tx *sqlx.Tx, slug, title string) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT DISTINCT from_id FROM fiche_links WHERE to_slug IN (?, ?) LIMIT ?`,
		slug, ficheSlug(title), maxRelinked); err != nil {
		return err
	}
	for _, id := range ids {
		var body string
		if err := tx.GetContext(ctx, &body, `SELECT body FROM fiches WHERE id = ?`, id); err != nil {
			return err
		}
		rendered := s.renderFiche(ctx, tx, body)
		if _, err := tx.ExecContext(ctx, `UPDATE fiches SET html = ? WHERE id = ?`, rendered.HTML, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM fiche_links WHERE from_id = ?`, id); err != nil {
			return err
		}
		for _, to := range rendered.WikiLinks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO fiche_links (from_id, to_slug) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, to); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeWithLatest checks the base revision of an edit and, when revisions
// were saved since, merges the edit with them.
func (s *Store) mergeWithLatest(ctx context.Context, tx *sqlx.Tx, f *Fiche, in FicheInput) (FicheInput, []string, error) {
	switch {
	case in.BaseRevision <= 0:
		return in, nil, Invalid("base_revision", "La révision de départ de votre modification manque : rouvrez la fiche pour la modifier.")
	case in.BaseRevision > f.Revision:
		return in, nil, Invalid("base_revision", "La révision de départ de votre modification n’existe pas pour cette fiche : rouvrez la fiche pour la modifier.")
	case in.BaseRevision == f.Revision:
		return in, nil, nil
	}
	base, err := s.revision(ctx, tx, f.ID, in.BaseRevision)
	if err != nil {
		return in, nil, err
	}
	var by []string
	if err := tx.SelectContext(ctx, &by, `SELECT DISTINCT u.pseudo FROM fiche_revisions r JOIN users u ON u.id = r.author_id
		WHERE r.fiche_id = ? AND r.number > ? ORDER BY r.number`, f.ID, in.BaseRevision); err != nil {
		return in, nil, err
	}
	tags, err := tagsOfFiche(ctx, tx, f.ID)
	if err != nil {
		return in, nil, err
	}
	label := strings.Join(by, ", ")
	body := Merge3(base.Body, in.Body, f.Body, label)
	merged := FicheInput{Body: body.Text, Comment: in.Comment, BaseRevision: f.Revision}
	var fields []string
	var ok bool
	if merged.Title, ok = merge3Field(base.Title, in.Title, f.Title); !ok {
		fields = append(fields, "title")
	}
	if merged.Summary, ok = merge3Field(base.Summary, in.Summary, f.Summary); !ok {
		fields = append(fields, "summary")
	}
	oursTags, _ := ParseTags(in.Tags)
	merged.Tags = strings.Join(merge3Set(base.Tags(), oursTags, tags), ", ")
	currentAuds, err := audienceSlugsOfFiche(ctx, tx, f.ID)
	if err != nil {
		return in, nil, err
	}
	merged.Audiences = merge3Set(base.AudienceSlugs(), in.Audiences, currentAuds)
	if !body.Clean() || len(fields) > 0 {
		return in, nil, &FicheConflict{Current: f, By: by, Merged: merged, Conflicts: body.Conflicts, Fields: fields}
	}
	return merged, by, nil
}

// merge3Field merges a one-line field: a change on one side wins, the same
// change on both is one change, different changes conflict (ours is kept).
func merge3Field(base, ours, theirs string) (string, bool) {
	switch {
	case ours == theirs || theirs == base:
		return ours, true
	case ours == base:
		return theirs, true
	}
	return ours, false
}

// merge3Set merges lists as sets: theirs, plus what ours added, minus what
// ours removed, in theirs' order then ours'.
func merge3Set(base, ours, theirs []string) []string {
	in := func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	var out []string
	for _, t := range theirs {
		if in(base, t) && !in(ours, t) {
			continue // ours removed it
		}
		out = append(out, t)
	}
	for _, o := range ours {
		if !in(base, o) && !in(out, o) {
			out = append(out, o)
		}
	}
	return out
}

func tagsOfFiche(ctx context.Context, tx *sqlx.Tx, id int64) ([]string, error) {
	var out []string
	err := tx.SelectContext(ctx, &out, `SELECT g.name FROM fiche_tags ft JOIN tags g ON g.id = ft.tag_id WHERE ft.fiche_id = ? ORDER BY g.name`, id)
	return out, err
}

func audienceSlugsOfFiche(ctx context.Context, tx *sqlx.Tx, id int64) ([]string, error) {
	var out []string
	err := tx.SelectContext(ctx, &out, `SELECT a.slug FROM fiche_audiences fa JOIN audiences a ON a.id = fa.audience_id
		WHERE fa.fiche_id = ? ORDER BY a.position`, id)
	return out, err
}

// loadFicheDetailsTx fills tags and publics of f inside tx.
func (s *Store) loadFicheDetailsTx(ctx context.Context, tx *sqlx.Tx, f *Fiche) error {
	var err error
	if f.Tags, err = tagsOfFiche(ctx, tx, f.ID); err != nil {
		return err
	}
	return tx.SelectContext(ctx, &f.Audiences, `SELECT a.id, a.slug, a.name FROM fiche_audiences fa JOIN audiences a ON a.id = fa.audience_id
		WHERE fa.fiche_id = ? ORDER BY a.position`, f.ID)
}

func slugsOf(auds []Audience) []string {
	out := make([]string, len(auds))
	for i, a := range auds {
		out[i] = a.Slug
	}
	return out
}

// sameSet tells whether two lists hold the same values.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// PublishFiche makes the brouillon id public.
func (s *Store) PublishFiche(ctx context.Context, u *User, id int64) (*Fiche, error) {
	var f *Fiche
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if f, err = s.ficheFor(ctx, tx, u, id, nil); err != nil {
			return err
		}
		if !CanPublishFiche(u, f) {
			return Invalid("publish", "Seuls les auteurs d’un brouillon le publient, une seule fois.")
		}
		now := s.Now()
		f.PublishedAt = &now
		if _, err := tx.ExecContext(ctx, `UPDATE fiches SET published_at = ?, updated_at = ? WHERE id = ?`, now, now, id); err != nil {
			return err
		}
		if err := s.rerenderLinking(ctx, tx, f.Slug, f.Title); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: EventPublished, EntityType: EntityFiche, EntityID: id, ActorID: u.ID, CreatedAt: now})
	})
	return f, err
}

// InviteCoauthor adds the member named pseudo to the authors of fiche id.
func (s *Store) InviteCoauthor(ctx context.Context, u *User, id int64, pseudo string) (*User, error) {
	invited, err := s.UserByPseudo(ctx, strings.TrimPrefix(strings.TrimSpace(pseudo), "@"))
	if errors.Is(err, ErrNotFound) || (err == nil && invited.Suspended()) {
		return nil, Invalid("pseudo", "Aucun membre ne porte ce pseudo : vérifiez l’orthographe.")
	}
	if err != nil {
		return nil, err
	}
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		f, err := s.ficheFor(ctx, tx, u, id, CanInviteCoauthor)
		if err != nil {
			return err
		}
		if f.IsAuthor(invited) {
			return Invalid("pseudo", invited.Pseudo+" écrit déjà cette fiche.")
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO fiche_authors (fiche_id, user_id, added_at) VALUES (?, ?, ?)`, id, invited.ID, now); err != nil {
			return err
		}
		if err := autoFollow(ctx, tx, now, invited.ID, FollowFiche, id); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: EventEdited, EntityType: EntityFiche, EntityID: id, ActorID: u.ID, CreatedAt: now})
	})
	return invited, err
}

// RestoreRevision brings revision n of fiche id back as a new revision.
// base is the revision the editor was looking at: a restore on top of
// newer changes is refused (they would be undone unseen).
func (s *Store) RestoreRevision(ctx context.Context, editor *User, id int64, n, base int) (*Fiche, error) {
	var f *Fiche
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if f, err = s.ficheFor(ctx, tx, editor, id, nil); err != nil {
			return err
		}
		old, err := s.revision(ctx, tx, id, n)
		if err != nil {
			return err
		}
		if err := CanRestoreRevision(editor, f, old); err != nil {
			return err
		}
		if base != f.Revision {
			return Invalid("revision", "La fiche a été modifiée entre-temps : vérifiez l’historique avant de rétablir une ancienne version.")
		}
		auds, err := s.audiencesBySlug(ctx, old.AudienceSlugs())
		if err != nil && !errors.As(err, new(unknownAudience)) {
			return err
		}
		previous := f.Body
		f.Title, f.Summary, f.Body, f.Tags, f.Audiences = old.Title, old.Summary, old.Body, old.Tags(), auds
		f.Revision++
		f.UpdatedAt = s.Now()
		return s.storeCurrent(ctx, tx, f, editor, FicheRevision{Number: f.Revision, Restored: &n,
			Comment: "Retour à la révision " + itoa64(int64(n))}, previous)
	})
	return f, err
}

// DraftNewFiche is the draft place of a fiche being started; DraftFiche
// that of an edit of fiche id.
var DraftNewFiche = DraftPlace{Kind: DraftKindNewFiche}

// DraftFiche is the draft place of an edit of fiche id.
func DraftFiche(id int64) DraftPlace { return DraftPlace{Kind: DraftKindFiche, ID: id} }

// ficheTitles names the fiches among ids that u may edit (drafts are
// written only there, and name only those).
func (s *Store) ficheTitles(ctx context.Context, u *User, ids []int64) (map[int64]DraftTarget, error) {
	return s.fichesWhere(ctx, ids, "/modifier", func(f *Fiche) bool { return CanEditFiche(u, f) == nil })
}

// ficheCommentTitles names the fiches among ids that u may comment.
func (s *Store) ficheCommentTitles(ctx context.Context, u *User, ids []int64) (map[int64]DraftTarget, error) {
	return s.fichesWhere(ctx, ids, "#commenter", func(f *Fiche) bool { return CanCommentFiche(u, f) == nil })
}

// fichesWhere names the fiches among ids that keep holds for, with the
// address of their composer (the fiche's address, then suffix).
func (s *Store) fichesWhere(ctx context.Context, ids []int64, suffix string, keep func(*Fiche) bool) (map[int64]DraftTarget, error) {
	var fiches []Fiche
	if err := s.selectIn(ctx, &fiches, ficheSelect+` WHERE id IN (?)`, ids); err != nil {
		return nil, err
	}
	if err := s.loadFicheDetails(ctx, fiches); err != nil {
		return nil, err
	}
	out := map[int64]DraftTarget{}
	for i := range fiches {
		if keep(&fiches[i]) {
			out[fiches[i].ID] = DraftTarget{Title: fiches[i].Title, Path: fiches[i].Path() + suffix}
		}
	}
	return out, nil
}

// DraftFicheComment is the draft place of a comment under fiche id.
func DraftFicheComment(id int64) DraftPlace { return DraftPlace{Kind: DraftKindFicheComment, ID: id} }

// PreviewFiche renders a fiche's text as it would be published.
func (s *Store) PreviewFiche(ctx context.Context, body string) (template.HTML, error) {
	body = normalizeText(body)
	switch n := utf8.RuneCountInString(body); {
	case strings.TrimSpace(body) == "":
		return "", Invalid("body", "Le texte de la fiche est vide : rien à prévisualiser.")
	case n > MaxFicheBody:
		return "", Invalid("body", "Une fiche ne doit pas dépasser 100 000 caractères (celle-ci en compte "+itoa64(int64(n))+").")
	}
	return s.renderFiche(ctx, s.db.R, body).HTML, nil
}

// FicheFromTopic prefills a fiche from a solved discussion: its question
// and accepted answer, crediting their authors and linking back.
func (s *Store) FicheFromTopic(ctx context.Context, viewer *User, topicID int64) (FicheInput, error) {
	t, err := s.TopicByID(ctx, viewer, topicID)
	if err != nil {
		return FicheInput{}, err
	}
	if !CanMakeFicheFrom(viewer, t) {
		return FicheInput{}, Invalid("discussion", "Seule une discussion résolue peut devenir une fiche.")
	}
	question, err := s.PostByNumber(ctx, viewer, t.ID, 1)
	if err != nil {
		return FicheInput{}, err
	}
	answer, err := s.PostByID(ctx, viewer, *t.AcceptedPostID)
	if err != nil {
		return FicheInput{}, err
	}
	var b strings.Builder
	b.WriteString("## La question\n\n" + question.Body + "\n\n")
	b.WriteString("## La réponse\n\n" + answer.Body + "\n\n")
	b.WriteString("---\n\nD’après la discussion « [" + strings.NewReplacer("[", "", "]", "").Replace(t.Title) + "](" + t.Path() + ") », ")
	b.WriteString("question de @" + question.Author.Pseudo + ", réponse de @" + answer.Author.Pseudo + ".\n")
	return FicheInput{Title: t.Title, Summary: ExcerptText(PlainText(question.HTML), 300), Body: b.String(), Tags: strings.Join(t.Tags, ", ")}, nil
}
