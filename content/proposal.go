package content

import (
	"context"
	"encoding/json"
	"html/template"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// A texte de propositions (Proposal) is written by its owner and the
// co-authors they invite: a private brouillon, then open to the members'
// contributions, then published as frozen numbered versions that people
// sign, and finally archived. The working text — a préambule, ordered
// propositions, a conclusion — keeps changing between versions; every
// change is a revision.

// EntityProposal is a proposal in the event stream.
const EntityProposal = "proposal"

// Limits of a proposal.
const (
	MaxProposalTitle     = 150
	MaxProposalText      = 30_000 // characters of the préambule or the conclusion
	MaxProposalItems     = 100
	MaxProposalItemTitle = 200
	MaxProposalItemBody  = 10_000
)

// ProposalState is where a proposal is in its life.
type ProposalState string

// Proposal states.
const (
	ProposalDraft     ProposalState = "draft"     // brouillon: its owner, co-authors and readers only
	ProposalOpen      ProposalState = "open"      // ouvert aux contributions
	ProposalPublished ProposalState = "published" // publié: a frozen version, open to signatures
	ProposalArchived  ProposalState = "archived"  // archivé: read only
)

// Label is the state as the pages say it.
func (st ProposalState) Label() string {
	switch st {
	case ProposalDraft:
		return "Brouillon"
	case ProposalOpen:
		return "Ouvert aux contributions"
	case ProposalPublished:
		return "Publié"
	case ProposalArchived:
		return "Archivé"
	}
	return string(st)
}

// Proposal is a texte de propositions with its working text.
type Proposal struct {
	ID             int64         `db:"id"`
	Slug           string        `db:"slug"`
	OwnerID        int64         `db:"owner_id"`
	Title          string        `db:"title"`
	Preamble       string        `db:"preamble"`
	PreambleHTML   template.HTML `db:"preamble_html"`
	Conclusion     string        `db:"conclusion"`
	ConclusionHTML template.HTML `db:"conclusion_html"`
	State          ProposalState `db:"state"`
	MembersOnly    bool          `db:"members_only"`
	Revision       int           `db:"revision"`
	Version        int           `db:"version"`
	// AmendmentsClosed: the owner stopped new amendments.
	AmendmentsClosed bool      `db:"amendments_closed"`
	CreatedAt        time.Time `db:"created_at"`
	UpdatedAt        time.Time `db:"updated_at"`

	Members []ProposalMember `db:"-"`
	Items   []ProposalItem   `db:"-"` // the working text's propositions, in order
}

// ProposalRole is what a member invited to a proposal may do.
type ProposalRole string

// Roles on a proposal besides its owner.
const (
	RoleCoauthor ProposalRole = "coauthor"
	RoleReader   ProposalRole = "reader"
)

// ProposalMember is a co-author or a reader of a proposal.
type ProposalMember struct {
	UserID  int64        `db:"user_id"`
	Pseudo  string       `db:"pseudo"`
	Role    ProposalRole `db:"role"`
	ViaLink *int64       `db:"via_link"`
}

// ProposalItem is one proposition of the working text.
type ProposalItem struct {
	ID         int64         `db:"id"`
	ProposalID int64         `db:"proposal_id"`
	Position   int           `db:"position"`
	Title      string        `db:"title"`
	Body       string        `db:"body"`
	HTML       template.HTML `db:"html"`
	Revision   int           `db:"revision"`
	UpdatedAt  time.Time     `db:"updated_at"`
}

// Anchor is the proposition's place in the page, numbered from 1.
func (it ProposalItem) Anchor(n int) string { return "proposition-" + itoa64(int64(n)) }

// ProposalPathOf is the address of the proposal with that slug.
func ProposalPathOf(slug string) string { return "/propositions/" + slug }

// Path is the proposal's address.
func (p *Proposal) Path() string { return ProposalPathOf(p.Slug) }

// RoleOf tells what u is to p: "owner", a ProposalRole, or "".
func (p *Proposal) RoleOf(u *User) ProposalRole {
	if u == nil {
		return ""
	}
	if u.ID == p.OwnerID {
		return "owner"
	}
	for _, m := range p.Members {
		if m.UserID == u.ID {
			return m.Role
		}
	}
	return ""
}

// Writes tells whether u writes p: its owner or a co-author.
func (p *Proposal) Writes(u *User) bool {
	r := p.RoleOf(u)
	return r == "owner" || r == RoleCoauthor
}

// ShareAccess is what a share link grants: reading or writing a brouillon.
type ShareAccess string

// Share link accesses.
const (
	ShareNone  ShareAccess = ""
	ShareRead  ShareAccess = "read"
	ShareWrite ShareAccess = "write"
)

// ProposalVersion is a published version, frozen.
type ProposalVersion struct {
	ProposalID     int64         `db:"proposal_id"`
	Number         int           `db:"number"`
	Revision       int           `db:"revision"`
	Title          string        `db:"title"`
	Preamble       string        `db:"preamble"`
	PreambleHTML   template.HTML `db:"preamble_html"`
	Conclusion     string        `db:"conclusion"`
	ConclusionHTML template.HTML `db:"conclusion_html"`
	RawItems       string        `db:"items"`
	PublishedBy    int64         `db:"published_by"`
	PublishedAt    time.Time     `db:"published_at"`
}

// VersionItem is a proposition as a version froze it.
type VersionItem struct {
	Title string        `json:"title"`
	Body  string        `json:"body"`
	HTML  template.HTML `json:"html"`
}

// Items are the version's propositions, in order.
func (v *ProposalVersion) Items() []VersionItem {
	var items []VersionItem
	json.Unmarshal([]byte(v.RawItems), &items)
	return items
}

const proposalSelect = `SELECT id, slug, owner_id, title, preamble, preamble_html, conclusion, conclusion_html, state,
	members_only, revision, version, amendments_closed, created_at, updated_at FROM proposals`

// ProposalBySlug loads a proposal with its working text as u may see it,
// or ErrNotFound — the same for a brouillon u may not read as for nothing
// at all. shareToken is a share link's secret the reader holds, if any.
func (s *Store) ProposalBySlug(ctx context.Context, u *User, slug, shareToken string) (*Proposal, error) {
	var p Proposal
	if err := s.db.R.GetContext(ctx, &p, proposalSelect+` WHERE slug = ?`, slug); err != nil {
		return nil, notFound(err)
	}
	if err := s.loadProposal(ctx, s.db.R, &p); err != nil {
		return nil, err
	}
	link, err := s.ShareLinkAccess(ctx, p.ID, shareToken)
	if err != nil {
		return nil, err
	}
	if !CanReadProposal(u, &p, link) {
		return nil, ErrNotFound
	}
	return &p, nil
}

// loadProposal reads p's members and propositions.
func (s *Store) loadProposal(ctx context.Context, q sqlx.QueryerContext, p *Proposal) error {
	if err := sqlx.SelectContext(ctx, q, &p.Members, `SELECT m.user_id, u.pseudo, m.role, m.via_link FROM proposal_members m
		JOIN users u ON u.id = m.user_id WHERE m.proposal_id = ? ORDER BY m.added_at, m.user_id`, p.ID); err != nil {
		return err
	}
	return sqlx.SelectContext(ctx, q, &p.Items, `SELECT id, proposal_id, position, title, body, html, revision, updated_at
		FROM proposal_items WHERE proposal_id = ? AND removed_at IS NULL ORDER BY position, id`, p.ID)
}

// proposalState reads, inside tx, the proposal a change applies to.
func (s *Store) proposalState(ctx context.Context, tx *sqlx.Tx, id int64) (*Proposal, error) {
	var p Proposal
	if err := tx.GetContext(ctx, &p, proposalSelect+` WHERE id = ?`, id); err != nil {
		return nil, notFound(err)
	}
	return &p, s.loadProposal(ctx, tx, &p)
}

// ProposalVersions lists p's published versions, newest first.
func (s *Store) ProposalVersions(ctx context.Context, p *Proposal) ([]ProposalVersion, error) {
	var vs []ProposalVersion
	err := s.db.R.SelectContext(ctx, &vs, `SELECT proposal_id, number, revision, title, preamble, preamble_html, conclusion,
		conclusion_html, items, published_by, published_at FROM proposal_versions WHERE proposal_id = ? ORDER BY number DESC`, p.ID)
	return vs, err
}

// ProposalVersionOf loads version n of p.
func (s *Store) ProposalVersionOf(ctx context.Context, p *Proposal, n int) (*ProposalVersion, error) {
	var v ProposalVersion
	err := s.db.R.GetContext(ctx, &v, `SELECT proposal_id, number, revision, title, preamble, preamble_html, conclusion,
		conclusion_html, items, published_by, published_at FROM proposal_versions WHERE proposal_id = ? AND number = ?`, p.ID, n)
	return &v, notFound(err)
}

// ProposalSummary is a proposal as the list shows it.
type ProposalSummary struct {
	ID           int64         `db:"id"`
	Slug         string        `db:"slug"`
	Title        string        `db:"title"`
	State        ProposalState `db:"state"`
	Version      int           `db:"version"`
	Items        int           `db:"items"`
	Contributors int           `db:"contributors"`
	Signatures   int           `db:"signatures"` // those that count
	UpdatedAt    time.Time     `db:"updated_at"`
}

// Path is the proposal's address.
func (p *ProposalSummary) Path() string { return ProposalPathOf(p.Slug) }

// ListProposals lists the proposals u may read, latest activity first: the
// public ones (open ones to members only when so chosen), and the
// brouillons u writes or reads.
func (s *Store) ListProposals(ctx context.Context, u *User, limit int) ([]ProposalSummary, error) {
	var viewer int64
	member := 0
	if u != nil && !u.Suspended() {
		viewer, member = u.ID, 1
	}
	var out []ProposalSummary
	err := s.db.R.SelectContext(ctx, &out, `SELECT p.id, p.slug, p.title, p.state, p.version, p.updated_at,
		(SELECT count(*) FROM proposal_items i WHERE i.proposal_id = p.id AND i.removed_at IS NULL) AS items,
		(SELECT count(DISTINCT r.author_id) FROM proposal_revisions r WHERE r.proposal_id = p.id) AS contributors,
		(SELECT count(*) FROM signatures g WHERE g.proposal_id = p.id AND g.confirmed_at IS NOT NULL) AS signatures
		FROM proposals p
		WHERE p.state IN ('published', 'archived')
			OR (p.state = 'open' AND (p.members_only = 0 OR ?2 = 1))
			OR (?1 != 0 AND (p.owner_id = ?1 OR p.id IN (SELECT proposal_id FROM proposal_members WHERE user_id = ?1)))
		ORDER BY p.updated_at DESC, p.id DESC LIMIT ?3`, viewer, member, limit)
	return out, err
}

// ShareLink is a secret link to a brouillon, as its owner manages it.
type ShareLink struct {
	ID        int64       `db:"id"`
	Access    ShareAccess `db:"access"`
	CreatedAt time.Time   `db:"created_at"`
	RevokedAt *time.Time  `db:"revoked_at"`
}

// ProposalShareLinks lists p's share links, newest first.
func (s *Store) ProposalShareLinks(ctx context.Context, p *Proposal) ([]ShareLink, error) {
	var ls []ShareLink
	err := s.db.R.SelectContext(ctx, &ls, `SELECT id, access, created_at, revoked_at FROM proposal_share_links
		WHERE proposal_id = ? ORDER BY id DESC`, p.ID)
	return ls, err
}

// ShareLinkAccess tells what the share link token grants on proposal id:
// ShareNone for a wrong, revoked or other text's link.
func (s *Store) ShareLinkAccess(ctx context.Context, id int64, token string) (ShareAccess, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return ShareNone, nil
	}
	var access []ShareAccess
	err := s.db.R.SelectContext(ctx, &access, `SELECT access FROM proposal_share_links
		WHERE hash = ? AND proposal_id = ? AND revoked_at IS NULL`, hashToken(token), id)
	if err != nil || len(access) == 0 {
		return ShareNone, err
	}
	return access[0], nil
}
