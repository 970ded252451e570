package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"html/template"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// ProposalPart names what one change of a proposal rewrites.
type ProposalPart string

// Parts of a proposal.
const (
	PartTitle      ProposalPart = "title"
	PartPreamble   ProposalPart = "preamble"
	PartConclusion ProposalPart = "conclusion"
	PartItem       ProposalPart = "item"    // a proposition, added or changed
	PartRemoved    ProposalPart = "removed" // a proposition taken out
	PartOrder      ProposalPart = "order"
)

// NewProposal is what starting a text asks for.
type NewProposal struct {
	Title    string
	Preamble string
}

// PartEdit is a co-author's change of one part: the text's title, its
// préambule or conclusion (Body), or a proposition (ItemID, Title, Body).
// BaseRevision is what the editor started from: the proposition's revision
// for a proposition, the text's revision otherwise.
type PartEdit struct {
	Part         ProposalPart
	ItemID       int64
	Title        string
	Body         string
	BaseRevision int
	Comment      string
}

func (e *PartEdit) normalize() {
	e.Title = normalizeLine(e.Title)
	e.Body = strings.TrimSpace(normalizeText(e.Body))
	e.Comment = TruncateRunes(normalizeLine(e.Comment), 300)
}

// EditResult is what saving a part did.
type EditResult struct {
	Proposal   *Proposal
	MergedWith []string // co-authors whose changes since the base were merged in
	Unchanged  bool
}

// ProposalConflict is a change that overlaps one saved since its base: the
// merged text with both versions between markers, for the editor to settle.
type ProposalConflict struct {
	Part      ProposalPart
	ItemID    int64
	By        []string // who saved since
	Current   PartEdit // the part as it is now, BaseRevision its revision
	Merged    PartEdit // what to put back in the form
	Conflicts []MergeConflict
}

func (c *ProposalConflict) Error() string { return "proposal edit conflict" }

func validateProposalTitle(title string) error {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return Invalid("title", "Donnez un titre au texte.")
	case n > MaxProposalTitle:
		return Invalid("title", "Le titre dépasse "+itoa64(MaxProposalTitle)+" caractères : raccourcissez-le.")
	}
	return nil
}

// CreateProposal starts a brouillon owned by u.
func (s *Store) CreateProposal(ctx context.Context, u *User, in NewProposal) (*Proposal, error) {
	if err := CanWrite(u); err != nil {
		return nil, err
	}
	in.Title, in.Preamble = normalizeLine(in.Title), strings.TrimSpace(normalizeText(in.Preamble))
	if err := validateProposalTitle(in.Title); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(in.Preamble) > MaxProposalText {
		return nil, Invalid("preamble", "Le préambule dépasse "+itoa64(MaxProposalText)+" caractères.")
	}
	now := s.Now()
	p := &Proposal{OwnerID: u.ID, Title: in.Title, Preamble: in.Preamble, State: ProposalDraft, MembersOnly: true, Revision: 1,
		CreatedAt: now, UpdatedAt: now}
	p.PreambleHTML = s.renderProposalText(ctx, p.Preamble)
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		slug, err := uniqueProposalSlug(ctx, tx, frenchSlugOf(p.Title, "texte"))
		if err != nil {
			return err
		}
		p.Slug = slug
		res, err := tx.ExecContext(ctx, `INSERT INTO proposals (slug, owner_id, title, preamble, preamble_html, state, members_only,
			revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'draft', 1, 1, ?, ?)`, p.Slug, u.ID, p.Title, p.Preamble,
			p.PreambleHTML, now, now)
		if err != nil {
			return err
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, part := range []struct {
			part ProposalPart
			body string
		}{{PartTitle, p.Title}, {PartPreamble, p.Preamble}} {
			if err := writeProposalRevision(ctx, tx, p, u, proposalRevision{part: part.part, title: p.Title, body: part.body}); err != nil {
				return err
			}
		}
		return Emit(ctx, tx, Event{Kind: EventCreated, EntityType: EntityProposal, EntityID: p.ID, ActorID: u.ID, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// frenchSlugOf is the address word of a title, or fallback when it has none.
func frenchSlugOf(title, fallback string) string {
	s := frenchSlug(title)
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" || s == "nouveau" {
		s = fallback + strings.TrimPrefix("-"+s, "-")
	}
	return s
}

func uniqueProposalSlug(ctx context.Context, tx *sqlx.Tx, base string) (string, error) {
	candidate := base
	for n := 2; ; n++ {
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM proposals WHERE slug = ?`, candidate)
		if errors.Is(err, sql.ErrNoRows) {
			return candidate, nil
		}
		if err != nil {
			return "", err
		}
		candidate = base + "-" + itoa64(int64(n))
	}
}

// renderProposalText renders a part's markdown, mentions linked.
func (s *Store) renderProposalText(ctx context.Context, body string) template.HTML {
	r, _ := s.render(ctx, body)
	return r.HTML
}

// proposalRevision is one row of a text's history.
type proposalRevision struct {
	part         ProposalPart
	itemID       int64
	itemRevision int
	title, body  string
	comment      string
}

func writeProposalRevision(ctx context.Context, tx *sqlx.Tx, p *Proposal, u *User, r proposalRevision) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO proposal_revisions (proposal_id, number, part, item_id, item_revision, title, body,
		author_id, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Revision, r.part, nullID(r.itemID),
		r.itemRevision, r.title, r.body, u.ID, r.comment, p.UpdatedAt)
	if err != nil {
		return err
	}
	return autoFollow(ctx, tx, p.UpdatedAt, u.ID, FollowProposal, p.ID) // who writes a text follows it
}

// changeProposal runs fn on proposal id for u inside one transaction, after
// may allowed it; when fn changed the text (it returns true), the text's
// revision moves on and the change is emitted.
func (s *Store) changeProposal(ctx context.Context, u *User, id int64, may func(*User, *Proposal) error,
	fn func(tx *sqlx.Tx, p *Proposal) (bool, error)) (*Proposal, bool, error) {
	var p *Proposal
	var changed bool
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if p, err = s.proposalState(ctx, tx, id); err != nil {
			return err
		}
		if err := may(u, p); err != nil {
			return err
		}
		p.Revision++
		p.UpdatedAt = s.Now()
		if changed, err = fn(tx, p); err != nil || !changed {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposals SET revision = ?, updated_at = ? WHERE id = ?`, p.Revision, p.UpdatedAt, p.ID); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: EventEdited, EntityType: EntityProposal, EntityID: p.ID, ActorID: u.ID,
			Data: EventData{Number: p.Revision}, CreatedAt: p.UpdatedAt})
	})
	if err != nil {
		return nil, false, err
	}
	if !changed {
		p.Revision--
	}
	return p, changed, nil
}

// EditProposal saves a co-author's change of one part. A change started
// from an older revision is merged with what was saved since (the result
// says with whom); overlapping changes give a *ProposalConflict, and
// nothing is saved.
func (s *Store) EditProposal(ctx context.Context, u *User, id int64, e PartEdit) (EditResult, error) {
	e.normalize()
	var res EditResult
	p, changed, err := s.changeProposal(ctx, u, id, CanEditProposal, func(tx *sqlx.Tx, p *Proposal) (bool, error) {
		var err error
		if e, res.MergedWith, err = s.mergeProposalPart(ctx, tx, p, e); err != nil {
			return false, err
		}
		switch e.Part {
		case PartTitle:
			return s.setProposalTitle(ctx, tx, p, u, e)
		case PartPreamble, PartConclusion:
			return s.setProposalText(ctx, tx, p, u, e)
		case PartItem:
			return s.setProposalItem(ctx, tx, p, u, e)
		}
		return false, Invalid("part", "Cette partie du texte n’existe pas.")
	})
	res.Proposal, res.Unchanged = p, err == nil && !changed
	return res, err
}

func (s *Store) setProposalTitle(ctx context.Context, tx *sqlx.Tx, p *Proposal, u *User, e PartEdit) (bool, error) {
	if err := validateProposalTitle(e.Title); err != nil {
		return false, err
	}
	if e.Title == p.Title {
		return false, nil
	}
	p.Title = e.Title
	if _, err := tx.ExecContext(ctx, `UPDATE proposals SET title = ? WHERE id = ?`, p.Title, p.ID); err != nil {
		return false, err
	}
	return true, writeProposalRevision(ctx, tx, p, u, proposalRevision{part: PartTitle, title: p.Title, body: p.Title, comment: e.Comment})
}

func (s *Store) setProposalText(ctx context.Context, tx *sqlx.Tx, p *Proposal, u *User, e PartEdit) (bool, error) {
	if utf8.RuneCountInString(e.Body) > MaxProposalText {
		return false, Invalid("body", "Ce texte dépasse "+itoa64(MaxProposalText)+" caractères : raccourcissez-le.")
	}
	if HasConflictMarkers(e.Body) {
		return false, Invalid("body", "Le texte contient encore des marques de conflit : choisissez entre les deux versions, puis retirez les marques.")
	}
	current, column := &p.Preamble, "preamble"
	if e.Part == PartConclusion {
		current, column = &p.Conclusion, "conclusion"
	}
	if e.Body == *current {
		return false, nil
	}
	*current = e.Body
	html := s.renderProposalText(ctx, e.Body)
	if _, err := tx.ExecContext(ctx, `UPDATE proposals SET `+column+` = ?, `+column+`_html = ? WHERE id = ?`, e.Body, html, p.ID); err != nil {
		return false, err
	}
	if e.Part == PartConclusion {
		p.ConclusionHTML = html
	} else {
		p.PreambleHTML = html
	}
	return true, writeProposalRevision(ctx, tx, p, u, proposalRevision{part: e.Part, body: e.Body, comment: e.Comment})
}

func validateProposalItem(e PartEdit) error {
	v := &ValidationError{}
	switch n := utf8.RuneCountInString(e.Title); {
	case n == 0:
		v.Add("title", "Donnez un titre court à la proposition.")
	case n > MaxProposalItemTitle:
		v.Add("title", "Le titre de la proposition dépasse "+itoa64(MaxProposalItemTitle)+" caractères.")
	}
	switch n := utf8.RuneCountInString(e.Body); {
	case n == 0:
		v.Add("body", "La proposition est vide : écrivez ce que vous proposez.")
	case n > MaxProposalItemBody:
		v.Add("body", "La proposition dépasse "+itoa64(MaxProposalItemBody)+" caractères : raccourcissez-la, ou partagez-la en deux.")
	case HasConflictMarkers(e.Body):
		v.Add("body", "La proposition contient encore des marques de conflit : choisissez entre les deux versions, puis retirez les marques.")
	}
	if len(v.Fields) > 0 {
		return v
	}
	return nil
}

// setProposalItem adds a proposition (ItemID 0), at the end, or changes one.
func (s *Store) setProposalItem(ctx context.Context, tx *sqlx.Tx, p *Proposal, u *User, e PartEdit) (bool, error) {
	if err := validateProposalItem(e); err != nil {
		return false, err
	}
	html := s.renderProposalText(ctx, e.Body)
	if e.ItemID == 0 {
		if len(p.Items) >= MaxProposalItems {
			return false, Invalid("body", "Un texte compte au plus "+itoa64(MaxProposalItems)+" propositions : regroupez-en avant d’en ajouter.")
		}
		position := 1
		if n := len(p.Items); n > 0 {
			position = p.Items[n-1].Position + 1
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO proposal_items (proposal_id, position, title, body, html, revision, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?)`, p.ID, position, e.Title, e.Body, html, p.UpdatedAt, p.UpdatedAt)
		if err != nil {
			return false, err
		}
		it := ProposalItem{ProposalID: p.ID, Position: position, Title: e.Title, Body: e.Body, HTML: html, Revision: 1, UpdatedAt: p.UpdatedAt}
		if it.ID, err = res.LastInsertId(); err != nil {
			return false, err
		}
		p.Items = append(p.Items, it)
		return true, writeProposalRevision(ctx, tx, p, u, proposalRevision{part: PartItem, itemID: it.ID, itemRevision: 1,
			title: it.Title, body: it.Body, comment: e.Comment})
	}
	it := p.item(e.ItemID)
	if it == nil {
		return false, ErrNotFound
	}
	if it.Title == e.Title && it.Body == e.Body {
		return false, nil
	}
	it.Title, it.Body, it.HTML, it.UpdatedAt = e.Title, e.Body, html, p.UpdatedAt
	it.Revision++
	if _, err := tx.ExecContext(ctx, `UPDATE proposal_items SET title = ?, body = ?, html = ?, revision = ?, updated_at = ? WHERE id = ?`,
		it.Title, it.Body, it.HTML, it.Revision, it.UpdatedAt, it.ID); err != nil {
		return false, err
	}
	return true, writeProposalRevision(ctx, tx, p, u, proposalRevision{part: PartItem, itemID: it.ID, itemRevision: it.Revision,
		title: it.Title, body: it.Body, comment: e.Comment})
}

func (p *Proposal) item(id int64) *ProposalItem {
	for i := range p.Items {
		if p.Items[i].ID == id {
			return &p.Items[i]
		}
	}
	return nil
}

// mergeProposalPart brings a change started from an older revision up to
// date with what was saved since, or says it conflicts.
func (s *Store) mergeProposalPart(ctx context.Context, tx *sqlx.Tx, p *Proposal, e PartEdit) (PartEdit, []string, error) {
	if e.Part == PartItem && e.ItemID == 0 {
		return e, nil, nil // a new proposition has nothing to merge with
	}
	current := PartEdit{Part: e.Part, ItemID: e.ItemID, BaseRevision: p.Revision - 1} // p.Revision is already the next one
	switch e.Part {
	case PartTitle:
		current.Title, current.Body = p.Title, p.Title
	case PartPreamble:
		current.Body = p.Preamble
	case PartConclusion:
		current.Body = p.Conclusion
	case PartItem:
		it := p.item(e.ItemID)
		if it == nil {
			return e, nil, ErrNotFound
		}
		current.Title, current.Body, current.BaseRevision = it.Title, it.Body, it.Revision
	default:
		return e, nil, Invalid("part", "Cette partie du texte n’existe pas.")
	}
	switch {
	case e.BaseRevision <= 0 || e.BaseRevision > current.BaseRevision:
		return e, nil, Invalid("base_revision", "La version de départ de votre modification manque ou n’existe pas : rouvrez le texte pour le modifier.")
	case e.BaseRevision == current.BaseRevision:
		return e, nil, nil
	}
	// The part as the editor found it, and who changed it since.
	q := `SELECT title, body FROM proposal_revisions WHERE proposal_id = ? AND part = ? AND number <= ? ORDER BY number DESC, id DESC LIMIT 1`
	since := `SELECT DISTINCT u.pseudo FROM proposal_revisions r JOIN users u ON u.id = r.author_id
		WHERE r.proposal_id = ? AND r.part = ? AND r.number > ?`
	args := []any{p.ID, e.Part, e.BaseRevision}
	if e.Part == PartItem {
		q = `SELECT title, body FROM proposal_revisions WHERE item_id = ? AND part = 'item' AND item_revision = ?`
		since = `SELECT DISTINCT u.pseudo FROM proposal_revisions r JOIN users u ON u.id = r.author_id
			WHERE r.item_id = ? AND r.part = 'item' AND r.item_revision > ?`
		args = []any{e.ItemID, e.BaseRevision}
	}
	var base struct {
		Title string `db:"title"`
		Body  string `db:"body"`
	}
	if err := tx.GetContext(ctx, &base, q, args...); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e, nil, err
	}
	var by []string
	if err := tx.SelectContext(ctx, &by, since, args...); err != nil {
		return e, nil, err
	}
	if e.Part == PartTitle {
		base.Body = base.Title
	}
	merged := e
	merged.BaseRevision = current.BaseRevision
	body := Merge3(base.Body, e.Body, current.Body, strings.Join(by, ", "))
	merged.Body = body.Text
	title, titleClean := e.Title, true
	if e.Part == PartItem {
		title, titleClean = merge3Field(base.Title, e.Title, current.Title)
	}
	merged.Title = title
	if e.Part == PartTitle {
		merged.Title, titleClean = merge3Field(base.Title, e.Title, current.Title)
		merged.Body = merged.Title
		body.Conflicts = nil
	}
	if !body.Clean() || !titleClean {
		return e, nil, &ProposalConflict{Part: e.Part, ItemID: e.ItemID, By: by, Current: current, Merged: merged, Conflicts: body.Conflicts}
	}
	return merged, by, nil
}

// RemoveProposalItem takes proposition itemID out of the working text; its
// history stays.
func (s *Store) RemoveProposalItem(ctx context.Context, u *User, id, itemID int64, comment string) (*Proposal, error) {
	p, _, err := s.changeProposal(ctx, u, id, CanEditProposal, func(tx *sqlx.Tx, p *Proposal) (bool, error) {
		it := p.item(itemID)
		if it == nil {
			return false, ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposal_items SET removed_at = ? WHERE id = ?`, p.UpdatedAt, itemID); err != nil {
			return false, err
		}
		removed := *it
		p.Items = removeItem(p.Items, itemID)
		return true, writeProposalRevision(ctx, tx, p, u, proposalRevision{part: PartRemoved, itemID: itemID, itemRevision: removed.Revision,
			title: removed.Title, body: removed.Body, comment: TruncateRunes(normalizeLine(comment), 300)})
	})
	return p, err
}

func removeItem(items []ProposalItem, id int64) []ProposalItem {
	out := items[:0:0]
	for _, it := range items {
		if it.ID != id {
			out = append(out, it)
		}
	}
	return out
}

// ReorderProposalItems puts the propositions in order (their IDs, every one
// once). baseRevision is the text's revision the order was chosen on: a
// text changed since is refused, so that nobody reorders what they did not see.
func (s *Store) ReorderProposalItems(ctx context.Context, u *User, id int64, order []int64, baseRevision int) (*Proposal, error) {
	p, _, err := s.changeProposal(ctx, u, id, CanEditProposal, func(tx *sqlx.Tx, p *Proposal) (bool, error) {
		return reorderItems(ctx, tx, p, u, order, baseRevision)
	})
	return p, err
}

// MoveProposalItem moves proposition itemID one place up (delta -1) or down
// (+1): the buttons that reorder without JavaScript.
func (s *Store) MoveProposalItem(ctx context.Context, u *User, id, itemID int64, delta, baseRevision int) (*Proposal, error) {
	if delta != 1 && delta != -1 {
		return nil, Invalid("order", "Une proposition monte ou descend d’une place à la fois.")
	}
	p, _, err := s.changeProposal(ctx, u, id, CanEditProposal, func(tx *sqlx.Tx, p *Proposal) (bool, error) {
		order := make([]int64, len(p.Items))
		at := -1
		for i, it := range p.Items {
			order[i] = it.ID
			if it.ID == itemID {
				at = i
			}
		}
		if at < 0 {
			return false, ErrNotFound
		}
		if to := at + delta; to >= 0 && to < len(order) {
			order[at], order[to] = order[to], order[at]
		}
		return reorderItems(ctx, tx, p, u, order, baseRevision)
	})
	return p, err
}

// reorderItems gives p's propositions the order of their IDs, inside tx.
func reorderItems(ctx context.Context, tx *sqlx.Tx, p *Proposal, u *User, order []int64, baseRevision int) (bool, error) {
	if baseRevision != p.Revision-1 {
		return false, Invalid("order", "Le texte a changé depuis que vous l’avez ouvert : voici l’ordre actuel des propositions, refaites votre déplacement.")
	}
	if !sameItems(p.Items, order) {
		return false, Invalid("order", "Cet ordre ne reprend pas chaque proposition du texte une fois : rouvrez le texte et recommencez.")
	}
	byID := map[int64]*ProposalItem{}
	for i := range p.Items {
		byID[p.Items[i].ID] = &p.Items[i]
	}
	changed := false
	items := make([]ProposalItem, len(order))
	for i, itemID := range order {
		it := byID[itemID]
		if it.Position != i+1 {
			changed = true
			it.Position = i + 1
			if _, err := tx.ExecContext(ctx, `UPDATE proposal_items SET position = ? WHERE id = ?`, it.Position, it.ID); err != nil {
				return false, err
			}
		}
		items[i] = *it
	}
	if !changed {
		return false, nil
	}
	p.Items = items
	ids, _ := json.Marshal(order)
	return true, writeProposalRevision(ctx, tx, p, u, proposalRevision{part: PartOrder, body: string(ids)})
}

func sameItems(items []ProposalItem, order []int64) bool {
	if len(items) != len(order) {
		return false
	}
	seen := map[int64]bool{}
	for _, it := range items {
		seen[it.ID] = true
	}
	for _, id := range order {
		if !seen[id] {
			return false
		}
		delete(seen, id)
	}
	return true
}

// RestoreProposalRevision brings back, as a new revision, the part that
// revision row revID wrote: a proposition's wording (a removed proposition
// comes back at the end), the préambule, the conclusion or the title.
// baseRevision is the text's revision the co-author saw the history at.
func (s *Store) RestoreProposalRevision(ctx context.Context, u *User, id, revID int64, baseRevision int) (EditResult, error) {
	var res EditResult
	p, changed, err := s.changeProposal(ctx, u, id, CanEditProposal, func(tx *sqlx.Tx, p *Proposal) (bool, error) {
		var r struct {
			Number int           `db:"number"`
			Part   ProposalPart  `db:"part"`
			ItemID sql.NullInt64 `db:"item_id"`
			Title  string        `db:"title"`
			Body   string        `db:"body"`
		}
		if err := tx.GetContext(ctx, &r, `SELECT number, part, item_id, title, body FROM proposal_revisions WHERE id = ? AND proposal_id = ?`,
			revID, id); err != nil {
			return false, notFound(err)
		}
		if baseRevision != p.Revision-1 {
			return false, Invalid("revision", "Le texte a changé depuis que vous avez ouvert l’historique : rouvrez-le, puis rétablissez.")
		}
		comment := "Rétablit la révision " + itoa64(int64(r.Number))
		switch r.Part {
		case PartTitle:
			return s.setProposalTitle(ctx, tx, p, u, PartEdit{Part: PartTitle, Title: r.Title, Comment: comment})
		case PartPreamble, PartConclusion:
			return s.setProposalText(ctx, tx, p, u, PartEdit{Part: r.Part, Body: r.Body, Comment: comment})
		case PartItem, PartRemoved: // a removed one's row holds its last wording
			returned := p.item(r.ItemID.Int64) == nil
			if returned {
				if err := bringBackItem(ctx, tx, p, r.ItemID.Int64); err != nil {
					return false, err
				}
			}
			changed, err := s.setProposalItem(ctx, tx, p, u, PartEdit{Part: PartItem, ItemID: r.ItemID.Int64, Title: r.Title, Body: r.Body, Comment: comment})
			if err != nil || changed || !returned {
				return changed, err
			}
			// Back as it was: its return is the change.
			it := p.item(r.ItemID.Int64)
			return true, writeProposalRevision(ctx, tx, p, u, proposalRevision{part: PartItem, itemID: it.ID, itemRevision: it.Revision,
				title: it.Title, body: it.Body, comment: comment})
		}
		return false, Invalid("revision", "Un ordre ne se rétablit pas : déplacez les propositions avec leurs boutons.")
	})
	res.Proposal, res.Unchanged = p, err == nil && !changed
	return res, err
}

// bringBackItem puts removed proposition itemID back at the end of p.
func bringBackItem(ctx context.Context, tx *sqlx.Tx, p *Proposal, itemID int64) error {
	if len(p.Items) >= MaxProposalItems {
		return Invalid("revision", "Le texte compte déjà "+itoa64(MaxProposalItems)+" propositions : retirez-en une avant d’en rétablir une autre.")
	}
	position := 1
	if n := len(p.Items); n > 0 {
		position = p.Items[n-1].Position + 1
	}
	var it ProposalItem
	if err := tx.GetContext(ctx, &it, `UPDATE proposal_items SET removed_at = NULL, position = ? WHERE id = ? AND proposal_id = ?
		RETURNING id, proposal_id, position, title, body, html, revision, updated_at`, position, itemID, p.ID); err != nil {
		return notFound(err)
	}
	p.Items = append(p.Items, it)
	return nil
}
