package content

import (
	"context"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// An amendment is a member's proposed change to a proposal open to
// contributions: a new wording of one proposition, a new proposition, or
// a proposition's removal, with a justification. Members support it; a
// co-author accepts it (the change enters the working text as a revision
// credited to the amendment's author), rejects it with a public reason, or
// marks it merged by hand.

// MaxJustification bounds an amendment's justification, in characters.
const MaxJustification = 3_000

// AmendmentKind is what an amendment changes.
type AmendmentKind string

// Amendment kinds.
const (
	AmendChange AmendmentKind = "change"
	AmendAdd    AmendmentKind = "add"
	AmendRemove AmendmentKind = "remove"
)

// AmendmentState is where an amendment is.
type AmendmentState string

// Amendment states.
const (
	AmendmentOpen     AmendmentState = "open"
	AmendmentAccepted AmendmentState = "accepted"
	AmendmentRejected AmendmentState = "rejected"
	AmendmentMerged   AmendmentState = "merged" // taken in by hand
)

// Label is the state as the pages say it.
func (st AmendmentState) Label() string {
	switch st {
	case AmendmentOpen:
		return "Ouvert"
	case AmendmentAccepted:
		return "Accepté"
	case AmendmentRejected:
		return "Refusé"
	case AmendmentMerged:
		return "Repris à la main"
	}
	return string(st)
}

// Amendment is one proposed change.
type Amendment struct {
	ID            int64          `db:"id"`
	ProposalID    int64          `db:"proposal_id"`
	Kind          AmendmentKind  `db:"kind"`
	ItemID        *int64         `db:"item_id"`
	BaseRevision  int            `db:"base_revision"`
	BaseTitle     string         `db:"base_title"`
	BaseBody      string         `db:"base_body"`
	Title         string         `db:"title"`
	Body          string         `db:"body"`
	HTML          template.HTML  `db:"html"`
	Justification string         `db:"justification"`
	AuthorID      int64          `db:"author_id"`
	AuthorPseudo  string         `db:"author_pseudo"`
	State         AmendmentState `db:"state"`
	Reason        string         `db:"reason"`
	DecidedBy     *int64         `db:"decided_by"`
	DecidedAt     *time.Time     `db:"decided_at"`
	Supports      int            `db:"supports"`
	CreatedAt     time.Time      `db:"created_at"`
	HiddenAt      *time.Time     `db:"hidden_at"` // by the moderation, or held by flags
}

// AmendmentInput is what proposing an amendment asks for.
type AmendmentInput struct {
	Kind          AmendmentKind
	ItemID        int64 // the proposition changed or removed
	Title, Body   string
	Justification string
}

const amendmentSelect = `SELECT a.id, a.proposal_id, a.kind, a.item_id, a.base_revision, a.base_title, a.base_body, a.title, a.body,
	a.html, a.justification, a.author_id, u.pseudo AS author_pseudo, a.state, a.reason, a.decided_by, a.decided_at, a.supports,
	a.created_at, a.hidden_at FROM amendments a JOIN users u ON u.id = a.author_id`

// ProposeAmendment records u's amendment to proposal id.
func (s *Store) ProposeAmendment(ctx context.Context, u *User, id int64, in AmendmentInput) (*Amendment, error) {
	in.Title, in.Body = normalizeLine(in.Title), strings.TrimSpace(normalizeText(in.Body))
	in.Justification = strings.TrimSpace(normalizeText(in.Justification))
	var a *Amendment
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := s.proposalState(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CanAmendProposal(u, p); err != nil {
			return err
		}
		a = &Amendment{ProposalID: id, Kind: in.Kind, Title: in.Title, Body: in.Body, Justification: in.Justification,
			AuthorID: u.ID, AuthorPseudo: u.Pseudo, State: AmendmentOpen, CreatedAt: s.Now()}
		v := &ValidationError{}
		switch in.Kind {
		case AmendChange, AmendRemove:
			it := p.item(in.ItemID)
			if it == nil {
				return Invalid("item", "Cette proposition n’est plus dans le texte : rechargez-le.")
			}
			a.ItemID, a.BaseRevision, a.BaseTitle, a.BaseBody = &it.ID, it.Revision, it.Title, it.Body
			if in.Kind == AmendChange && in.Title == "" {
				a.Title = it.Title
			}
			if in.Kind == AmendChange && a.Title == it.Title && in.Body == it.Body {
				v.Add("body", "Votre amendement reprend le texte actuel mot pour mot : modifiez-le, ou proposez plutôt de retirer la proposition.")
			}
		case AmendAdd:
			if len(p.Items) >= MaxProposalItems {
				v.Add("body", "Le texte compte déjà "+itoa64(MaxProposalItems)+" propositions : proposez plutôt d’en modifier une.")
			}
		default:
			return Invalid("kind", "Choisissez ce que propose l’amendement : modifier, ajouter ou retirer une proposition.")
		}
		if in.Kind != AmendRemove {
			if err := validateProposalItem(PartEdit{Title: a.Title, Body: a.Body}); err != nil {
				ve, _ := AsValidation(err)
				for _, f := range ve.Fields {
					v.Add(f.Field, f.Message)
				}
			}
		}
		switch n := utf8.RuneCountInString(a.Justification); {
		case n == 0:
			v.Add("justification", "Expliquez en quelques mots pourquoi vous proposez ce changement.")
		case n > MaxJustification:
			v.Add("justification", "La justification dépasse "+itoa64(MaxJustification)+" caractères : résumez-la.")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if in.Kind != AmendRemove {
			a.HTML = s.renderProposalText(ctx, a.Body)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO amendments (proposal_id, kind, item_id, base_revision, base_title, base_body, title,
			body, html, justification, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, a.Kind, a.ItemID,
			a.BaseRevision, a.BaseTitle, a.BaseBody, a.Title, a.Body, a.HTML, a.Justification, u.ID, a.CreatedAt)
		if err != nil {
			return err
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := autoFollow(ctx, tx, a.CreatedAt, u.ID, FollowProposal, id); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: EventCreated, EntityType: EntityAmendment, EntityID: a.ID, ActorID: u.ID,
			ParentType: EntityProposal, ParentID: id, CreatedAt: a.CreatedAt})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// EntityAmendment is an amendment in the event stream.
const EntityAmendment = "amendment"

// Amendments lists p's amendments, open ones first, then the latest decided.
func (s *Store) Amendments(ctx context.Context, p *Proposal) ([]Amendment, error) {
	var as []Amendment
	err := s.db.R.SelectContext(ctx, &as, amendmentSelect+` WHERE a.proposal_id = ?
		ORDER BY a.state != 'open', coalesce(a.decided_at, a.created_at) DESC, a.id DESC`, p.ID)
	return as, err
}

// AmendmentOf loads amendment aid of proposal p.
func (s *Store) AmendmentOf(ctx context.Context, p *Proposal, aid int64) (*Amendment, error) {
	var a Amendment
	err := s.db.R.GetContext(ctx, &a, amendmentSelect+` WHERE a.id = ? AND a.proposal_id = ?`, aid, p.ID)
	return &a, notFound(err)
}

// Stale tells whether the proposition the amendment was written on changed
// since: the page warns, and accepting it merges the two changes.
func (a *Amendment) Stale(p *Proposal) bool {
	if a.ItemID == nil {
		return false
	}
	it := p.item(*a.ItemID)
	return it == nil || it.Revision != a.BaseRevision
}

// SupportAmendment adds u's support to amendment aid, or takes it back.
func (s *Store) SupportAmendment(ctx context.Context, u *User, id, aid int64, support bool) (int, error) {
	var count int
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := s.proposalState(ctx, tx, id)
		if err != nil {
			return err
		}
		var a Amendment
		if err := tx.GetContext(ctx, &a, `SELECT id, proposal_id, state FROM amendments WHERE id = ? AND proposal_id = ?`, aid, id); err != nil {
			return notFound(err)
		}
		if err := CanSupportAmendment(u, p, &a); err != nil {
			return err
		}
		q := `INSERT INTO amendment_supports (amendment_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
		args := []any{aid, u.ID, s.Now()}
		if !support {
			q, args = `DELETE FROM amendment_supports WHERE amendment_id = ? AND user_id = ?`, args[:2]
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE amendments SET supports = (SELECT count(*) FROM amendment_supports WHERE amendment_id = ?1)
			WHERE id = ?1`, aid); err != nil {
			return err
		}
		return tx.GetContext(ctx, &count, `SELECT supports FROM amendments WHERE id = ?`, aid)
	})
	return count, err
}

// DecideAmendment settles amendment aid: accepted (its change enters the
// working text, credited to its author; a proposition changed since is
// merged with it, and an overlap is refused — mark it merged by hand
// then), rejected with a reason shown to all, or merged by hand.
func (s *Store) DecideAmendment(ctx context.Context, u *User, id, aid int64, to AmendmentState, reason string) (*Amendment, error) {
	reason = TruncateRunes(normalizeLine(reason), 500)
	var a Amendment
	_, _, err := s.changeProposal(ctx, u, id, CanEditProposal, func(tx *sqlx.Tx, p *Proposal) (bool, error) {
		if err := tx.GetContext(ctx, &a, amendmentSelect+` WHERE a.id = ? AND a.proposal_id = ?`, aid, id); err != nil {
			return false, notFound(err)
		}
		if err := CanDecideAmendment(u, p, &a); err != nil {
			return false, err
		}
		changed := false
		switch to {
		case AmendmentAccepted:
			author := &User{ID: a.AuthorID, Pseudo: a.AuthorPseudo}
			var err error
			if changed, err = s.applyAmendment(ctx, tx, p, author, &a); err != nil {
				return false, err
			}
		case AmendmentRejected:
			if reason == "" {
				return false, Invalid("reason", "Dites en une phrase pourquoi l’amendement n’est pas retenu : la raison est publique.")
			}
		case AmendmentMerged:
		default:
			return false, Invalid("state", "Choisissez : accepter, refuser ou marquer comme repris à la main.")
		}
		now := s.Now()
		a.State, a.Reason, a.DecidedBy, a.DecidedAt = to, reason, &u.ID, &now
		if _, err := tx.ExecContext(ctx, `UPDATE amendments SET state = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
			a.State, a.Reason, u.ID, now, aid); err != nil {
			return false, err
		}
		if err := audit(ctx, tx, now, u.ID, "amendment_"+string(to), EntityAmendment, aid, reason); err != nil {
			return false, err
		}
		if err := Emit(ctx, tx, Event{Kind: EventEdited, EntityType: EntityAmendment, EntityID: aid, ActorID: u.ID,
			ParentType: EntityProposal, ParentID: id, CreatedAt: now}); err != nil {
			return false, err
		}
		return changed, nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// applyAmendment writes a's change into p's working text, as author.
func (s *Store) applyAmendment(ctx context.Context, tx *sqlx.Tx, p *Proposal, author *User, a *Amendment) (bool, error) {
	credit := func(itemID int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE proposal_revisions SET amendment_id = ? WHERE proposal_id = ? AND number = ? AND item_id = ?`,
			a.ID, p.ID, p.Revision, itemID)
		return err
	}
	comment := "Amendement n° " + itoa64(a.ID) + " de " + a.AuthorPseudo
	switch a.Kind {
	case AmendAdd:
		if _, err := s.setProposalItem(ctx, tx, p, author, PartEdit{Part: PartItem, Title: a.Title, Body: a.Body, Comment: comment}); err != nil {
			return false, err
		}
		return true, credit(p.Items[len(p.Items)-1].ID)
	case AmendRemove:
		it := p.item(*a.ItemID)
		if it == nil {
			return false, Invalid("state", "La proposition visée a déjà été retirée du texte : marquez l’amendement comme repris à la main.")
		}
		removed := *it
		if _, err := tx.ExecContext(ctx, `UPDATE proposal_items SET removed_at = ? WHERE id = ?`, p.UpdatedAt, it.ID); err != nil {
			return false, err
		}
		p.Items = removeItem(p.Items, it.ID)
		if err := writeProposalRevision(ctx, tx, p, author, proposalRevision{part: PartRemoved, itemID: removed.ID,
			itemRevision: removed.Revision, title: removed.Title, body: removed.Body, comment: comment}); err != nil {
			return false, err
		}
		return true, credit(removed.ID)
	}
	it := p.item(*a.ItemID)
	if it == nil {
		return false, Invalid("state", "La proposition visée a été retirée du texte : marquez l’amendement comme repris à la main.")
	}
	title, body := a.Title, a.Body
	if it.Revision != a.BaseRevision {
		merged := Merge3(a.BaseBody, a.Body, it.Body, "")
		t, clean := merge3Field(a.BaseTitle, a.Title, it.Title)
		if !merged.Clean() || !clean {
			return false, Invalid("state", "La proposition a changé depuis l’amendement, aux mêmes endroits : reprenez-le à la main, puis marquez-le « repris à la main ».")
		}
		title, body = t, merged.Text
	}
	changed, err := s.setProposalItem(ctx, tx, p, author, PartEdit{Part: PartItem, ItemID: it.ID, Title: title, Body: body, Comment: comment})
	if err != nil || !changed {
		return changed, err
	}
	return true, credit(it.ID)
}

// CloseAmendments stops (or allows again) new amendments on proposal id;
// those made stay visible.
func (s *Store) CloseAmendments(ctx context.Context, u *User, id int64, closed bool) error {
	_, err := s.manageProposal(ctx, u, id, "proposal_amendments", EventEdited, func(tx *sqlx.Tx, p *Proposal) (string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE proposals SET amendments_closed = ? WHERE id = ?`, closed, id)
		if closed {
			return "closed", err
		}
		return "open", err
	})
	return err
}

// Label says what the amendment proposes, for proposition number n (0 when
// it is no longer in the text).
func (a *Amendment) Label(n int) string {
	which := "une proposition retirée depuis"
	if n > 0 {
		which = "la proposition " + itoa64(int64(n))
	}
	switch a.Kind {
	case AmendAdd:
		return "Ajouter une proposition"
	case AmendRemove:
		return "Retirer " + which
	}
	return "Modifier " + which
}

// Supports tells whether u supports amendment aid.
func (s *Store) Supports(ctx context.Context, u *User, aid int64) (bool, error) {
	if u == nil {
		return false, nil
	}
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM amendment_supports WHERE amendment_id = ? AND user_id = ?`, aid, u.ID)
	return n > 0, err
}

// SupportedAmendments tells which of p's amendments u supports, in one
// query (nil for a visitor).
func (s *Store) SupportedAmendments(ctx context.Context, u *User, p *Proposal) (map[int64]bool, error) {
	if u == nil {
		return nil, nil
	}
	var ids []int64
	if err := s.db.R.SelectContext(ctx, &ids, `SELECT s.amendment_id FROM amendment_supports s
		JOIN amendments a ON a.id = s.amendment_id WHERE a.proposal_id = ? AND s.user_id = ?`, p.ID, u.ID); err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// ItemAmendments is what a text's page says under each proposition: its
// open amendments and the accepted ones whose authors it credits.
type ItemAmendments struct {
	Open     int
	Credited []AmendmentCredit
}

// AmendmentCredit names an accepted amendment and its author.
type AmendmentCredit struct {
	ItemID int64  `db:"item_id"`
	ID     int64  `db:"id"`
	Author string `db:"author"`
}

// AmendmentsByItem reads, for each proposition of p, its open amendments
// and the accepted ones its text took in; open is every open amendment,
// new propositions included, and some tells whether p has had amendments
// at all.
func (s *Store) AmendmentsByItem(ctx context.Context, p *Proposal) (byItem map[int64]ItemAmendments, open int, some bool, err error) {
	out := map[int64]ItemAmendments{}
	var counts []struct {
		ItemID *int64 `db:"item_id"`
		N      int    `db:"n"`
	}
	if err := s.db.R.SelectContext(ctx, &counts, `SELECT item_id, coalesce(sum(state = 'open'), 0) AS n FROM amendments
		WHERE proposal_id = ? GROUP BY item_id`, p.ID); err != nil {
		return nil, 0, false, err
	}
	some = len(counts) > 0
	for _, c := range counts {
		open += c.N
		if c.ItemID != nil && c.N > 0 {
			ia := out[*c.ItemID]
			ia.Open = c.N
			out[*c.ItemID] = ia
		}
	}
	var credits []AmendmentCredit
	if err := s.db.R.SelectContext(ctx, &credits, `SELECT DISTINCT r.item_id, a.id, u.pseudo AS author FROM proposal_revisions r
		JOIN amendments a ON a.id = r.amendment_id JOIN users u ON u.id = a.author_id
		WHERE r.proposal_id = ? AND r.part = 'item' AND r.item_id IS NOT NULL ORDER BY a.id`, p.ID); err != nil {
		return nil, 0, false, err
	}
	for _, c := range credits {
		ia := out[c.ItemID]
		ia.Credited = append(ia.Credited, c)
		out[c.ItemID] = ia
	}
	return out, open, some, nil
}
