package content

import (
	"context"
	"html/template"
	"strings"
	"time"
)

// The proposals' search source: a text is one document ("proposal:ID").
// What is indexed is what its readers read: the latest published version
// of a published or archived text, the working text of a brouillon or an
// open one. A brouillon is indexed for its owner, co-authors and readers
// only, an open text kept to members for the members, so that results,
// totals, facets and suggestions never show it to anyone else.

// DocProposal is the search document type of textes de propositions.
const DocProposal = "proposition"

// AccessMembers is the access mark every member who is not suspended
// holds: an open text kept to members carries it.
const AccessMembers = "members"

type proposalSearch struct{ s *Store }

func (proposalSearch) Entities() []string { return []string{EntityProposal} }

func (proposalSearch) Types() []DocType { return []DocType{{DocProposal, "Textes de propositions"}} }

// proposalDocRow is a proposal with what its document needs besides.
type proposalDocRow struct {
	p        Proposal
	ownerKey string
	version  *ProposalVersion // the latest, for a published or archived text
}

// proposalAccess lists who may find p: everybody, the members, or its
// owner and invited members (share-link visitors have no account to
// search with).
func proposalAccess(p *Proposal) []string {
	switch {
	case p.State == ProposalDraft:
		marks := []string{AccessRestricted, DocID(EntityUser, p.OwnerID)}
		for _, m := range p.Members {
			marks = append(marks, DocID(EntityUser, m.UserID))
		}
		return marks
	case p.State == ProposalOpen && p.MembersOnly:
		return []string{AccessRestricted, AccessMembers}
	}
	return []string{AccessPublic}
}

// doc is the row's document: its title in the title field, the préambule,
// the propositions (their titles and texts) and the conclusion as body.
func (r *proposalDocRow) doc() SearchDoc {
	p := &r.p
	title, date := p.Title, p.UpdatedAt
	parts := []template.HTML{p.PreambleHTML}
	if r.version != nil {
		title, date = r.version.Title, r.version.PublishedAt
		parts = []template.HTML{r.version.PreambleHTML}
		for _, it := range r.version.Items() {
			parts = append(parts, template.HTML("<h3>"+template.HTMLEscapeString(it.Title)+"</h3>"), it.HTML)
		}
		parts = append(parts, r.version.ConclusionHTML)
	} else {
		for _, it := range p.Items {
			parts = append(parts, template.HTML("<h3>"+template.HTMLEscapeString(it.Title)+"</h3>"), it.HTML)
		}
		parts = append(parts, p.ConclusionHTML)
	}
	var body strings.Builder
	for _, h := range parts {
		if t := PlainText(h); t != "" {
			body.WriteString(t)
			body.WriteString("\n")
		}
	}
	return SearchDoc{ID: DocID(EntityProposal, p.ID), Type: DocProposal, Title: title, Body: strings.TrimSpace(body.String()),
		Author: r.ownerKey, Tags: []string{}, Date: date, Access: proposalAccess(p)}
}

// proposalsWhere loads the proposals matching where with their members,
// in two queries.
func (d proposalSearch) proposalsWhere(ctx context.Context, where string, args ...any) ([]Proposal, error) {
	var list []Proposal
	if err := d.s.selectIn(ctx, &list, proposalSelect+` WHERE `+where, args...); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	var members []struct {
		ProposalID int64 `db:"proposal_id"`
		ProposalMember
	}
	if err := d.s.selectIn(ctx, &members, `SELECT m.proposal_id, m.user_id, u.pseudo, m.role, m.via_link FROM proposal_members m
		JOIN users u ON u.id = m.user_id WHERE m.proposal_id IN (?) ORDER BY m.added_at, m.user_id`, ids); err != nil {
		return nil, err
	}
	byID := map[int64]*Proposal{}
	for i := range list {
		byID[list[i].ID] = &list[i]
	}
	for _, m := range members {
		p := byID[m.ProposalID]
		p.Members = append(p.Members, m.ProposalMember)
	}
	return list, nil
}

// docRows loads what the documents of the proposals matching where need:
// members, working propositions, latest versions and owners' keys.
func (d proposalSearch) docRows(ctx context.Context, where string, args ...any) ([]proposalDocRow, error) {
	list, err := d.proposalsWhere(ctx, where, args...)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	ids, owners := make([]int64, len(list)), make([]int64, len(list))
	rows := make([]proposalDocRow, len(list))
	at := map[int64]int{}
	for i := range list {
		ids[i], owners[i] = list[i].ID, list[i].OwnerID
		rows[i].p = list[i]
		at[list[i].ID] = i
	}
	var items []ProposalItem
	if err := d.s.selectIn(ctx, &items, `SELECT id, proposal_id, position, title, body, html, revision, updated_at
		FROM proposal_items WHERE proposal_id IN (?) AND removed_at IS NULL ORDER BY proposal_id, position, id`, ids); err != nil {
		return nil, err
	}
	for _, it := range items {
		r := &rows[at[it.ProposalID]]
		r.p.Items = append(r.p.Items, it)
	}
	var versions []ProposalVersion
	if err := d.s.selectIn(ctx, &versions, `SELECT v.proposal_id, v.number, v.revision, v.title, v.preamble, v.preamble_html,
		v.conclusion, v.conclusion_html, v.items, v.published_by, v.published_at
		FROM proposal_versions v JOIN proposals p ON p.id = v.proposal_id AND v.number = p.version
		WHERE p.id IN (?) AND p.state IN ('published', 'archived')`, ids); err != nil {
		return nil, err
	}
	for i := range versions {
		rows[at[versions[i].ProposalID]].version = &versions[i]
	}
	var keys []struct {
		ID  int64  `db:"id"`
		Key string `db:"pseudo_key"`
	}
	if err := d.s.selectIn(ctx, &keys, `SELECT id, pseudo_key FROM users WHERE id IN (?)`, owners); err != nil {
		return nil, err
	}
	byOwner := map[int64]string{}
	for _, k := range keys {
		byOwner[k.ID] = k.Key
	}
	for i := range rows {
		rows[i].ownerKey = byOwner[rows[i].p.OwnerID]
	}
	return rows, nil
}

// Changed re-reads a text after any of its events: an edit, a state
// change, a publication, a member invited or removed, a link revoked.
// Amendments change nothing indexed (accepting one edits the text, which
// is its own event).
func (d proposalSearch) Changed(ctx context.Context, e Event) ([]SearchDoc, []string, error) {
	if e.EntityType != EntityProposal {
		return nil, nil, nil
	}
	rows, err := d.docRows(ctx, `id = ?`, e.EntityID)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 1 {
		return []SearchDoc{rows[0].doc()}, nil, nil
	}
	return nil, []string{DocID(EntityProposal, e.EntityID)}, nil
}

func (d proposalSearch) Each(ctx context.Context, fn func([]SearchDoc) error) error {
	var last int64
	for {
		rows, err := d.docRows(ctx, `id > ? ORDER BY id LIMIT 100`, last)
		if err != nil || len(rows) == 0 {
			return err
		}
		last = rows[len(rows)-1].p.ID
		docs := make([]SearchDoc, len(rows))
		for i := range rows {
			docs[i] = rows[i].doc()
		}
		if err := fn(docs); err != nil {
			return err
		}
	}
}

func (d proposalSearch) Count(ctx context.Context) (uint64, error) {
	var n uint64
	err := d.s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM proposals`)
	return n, err
}

// Targets loads the texts behind the IDs that viewer may read now, as the
// viewer reads them: a published text under its latest version's title.
func (d proposalSearch) Targets(ctx context.Context, viewer *User, ids []string) (map[string]SearchTarget, error) {
	out := map[string]SearchTarget{}
	want := IDsOf(ids, EntityProposal)
	if len(want) == 0 {
		return out, nil
	}
	list, err := d.proposalsWhere(ctx, `id IN (?)`, want)
	if err != nil {
		return nil, err
	}
	var versions []struct {
		ProposalID  int64     `db:"proposal_id"`
		Title       string    `db:"title"`
		PublishedAt time.Time `db:"published_at"`
	}
	if err := d.s.selectIn(ctx, &versions, `SELECT v.proposal_id, v.title, v.published_at FROM proposal_versions v
		JOIN proposals p ON p.id = v.proposal_id AND v.number = p.version WHERE p.id IN (?)`, want); err != nil {
		return nil, err
	}
	owners := make([]int64, len(list))
	for i := range list {
		owners[i] = list[i].OwnerID
	}
	pseudoOf, err := d.s.pseudosOf(ctx, owners)
	if err != nil {
		return nil, err
	}
	for i := range list {
		p := &list[i]
		if !CanReadProposal(viewer, p, ShareNone) {
			continue
		}
		id := DocID(EntityProposal, p.ID)
		t := SearchTarget{DocID: id, Type: DocProposal, Title: p.Title, URL: p.Path(), Author: pseudoOf[p.OwnerID], Date: p.UpdatedAt}
		for _, v := range versions {
			if v.ProposalID == p.ID && (p.State == ProposalPublished || p.State == ProposalArchived) {
				t.Title, t.Date = v.Title, v.PublishedAt
			}
		}
		out[id] = t
	}
	return out, nil
}
