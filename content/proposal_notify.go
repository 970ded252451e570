package content

import (
	"context"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// What the notifier tells about textes de propositions: a new amendment to
// the text's owner and co-authors, the decision on an amendment to its
// author (with the reason of a refusal), and a state change or a new
// version to the text's followers at « Suivre ». A brouillon's notices go
// only to those who read it, and readableTargets checks again when they
// are shown or mailed.

// Notification kinds about textes de propositions.
const (
	NotifyAmendment         NotificationKind = "amendment"          // a new amendment on a text I write
	NotifyAmendmentDecision NotificationKind = "amendment_decision" // my amendment accepted, rejected or merged
	NotifyProposalState     NotificationKind = "proposal_state"     // a text I follow changed state, or has a new version
)

// isProposalEvent tells the events proposalNotices answers.
func isProposalEvent(e Event) bool {
	return e.EntityType == EntityAmendment ||
		(e.EntityType == EntityProposal && (e.Kind == EventStateChanged || e.Kind == EventPublished))
}

// proposalNotices writes who is told of e, among those who read the text.
func (s *Store) proposalNotices(ctx context.Context, tx *sqlx.Tx, e Event) ([]notice, error) {
	id := e.EntityID
	if e.EntityType == EntityAmendment {
		id = e.ParentID
	}
	p, err := s.proposalState(ctx, tx, id)
	if err != nil {
		return nil, nil // gone since: nothing to tell
	}
	base := notice{objectType: EntityProposal, objectID: p.ID, targetType: EntityAmendment, targetID: e.EntityID}
	var users []int64
	switch {
	case e.EntityType == EntityAmendment && e.Kind == EventCreated:
		base.kind = NotifyAmendment
		users = append(users, p.OwnerID)
		for _, m := range p.Members {
			if m.Role == RoleCoauthor {
				users = append(users, m.UserID)
			}
		}
	case e.EntityType == EntityAmendment && e.Kind == EventEdited:
		var a struct {
			AuthorID int64          `db:"author_id"`
			State    AmendmentState `db:"state"`
		}
		if err := tx.GetContext(ctx, &a, `SELECT author_id, state FROM amendments WHERE id = ?`, e.EntityID); err != nil {
			return nil, nil
		}
		if a.State == AmendmentOpen {
			return nil, nil
		}
		base.kind, base.detail = NotifyAmendmentDecision, ModerationDecision(a.State)
		users = append(users, a.AuthorID)
	case e.EntityType == EntityProposal:
		base.kind, base.targetType, base.targetID = NotifyProposalState, EntityProposal, p.ID
		base.detail, base.number = ModerationDecision(p.State), e.Data.Number
		if err := tx.SelectContext(ctx, &users, `SELECT user_id FROM follows WHERE target_type = 'proposal' AND target_id = ?
			AND level = 'watching' ORDER BY user_id`, p.ID); err != nil {
			return nil, err
		}
	default:
		return nil, nil
	}
	var out []notice
	seen := map[int64]bool{}
	for _, u := range users {
		if seen[u] || !CanReadProposal(&User{ID: u}, p, ShareNone) {
			continue
		}
		seen[u] = true
		n := base
		n.user = u
		out = append(out, n)
	}
	return out, nil
}

// proposalText says a notification about a text, in French; ok is false for
// other kinds.
func (n *Notification) proposalText(who string) (string, bool) {
	switch n.Kind {
	case NotifyAmendment:
		if n.Count > 1 {
			return strconv.Itoa(n.Count) + " nouveaux amendements, le dernier de " + who, true
		}
		return who + " propose un amendement", true
	case NotifyAmendmentDecision:
		switch AmendmentState(n.Detail) {
		case AmendmentAccepted:
			return who + " a accepté votre amendement : il est entré dans le texte", true
		case AmendmentRejected:
			if n.Note != "" {
				return who + " n’a pas retenu votre amendement : « " + n.Note + " »", true
			}
			return who + " n’a pas retenu votre amendement", true
		case AmendmentMerged:
			return who + " a repris votre amendement à la main dans le texte", true
		}
		return who + " a tranché votre amendement", true
	case NotifyProposalState:
		switch ProposalState(n.Detail) {
		case ProposalPublished:
			return who + " a publié la version " + strconv.Itoa(n.Number) + " du texte", true
		case ProposalOpen:
			return who + " a ouvert le texte aux contributions", true
		case ProposalDraft:
			return who + " a remis le texte en brouillon", true
		case ProposalArchived:
			return who + " a archivé le texte", true
		}
		return "Le texte a changé d’état", true
	}
	return "", false
}

// readableProposalTargets adds to out the amendments and texts among the
// notifications' targets that u may read now.
func (s *Store) readableProposalTargets(ctx context.Context, u *User, amendments, proposals []int64, out map[string]noticeTarget) error {
	type amendmentRow struct {
		ID         int64          `db:"id"`
		ProposalID int64          `db:"proposal_id"`
		State      AmendmentState `db:"state"`
		Reason     string         `db:"reason"`
	}
	var as []amendmentRow
	if len(amendments) > 0 {
		if err := s.selectIn(ctx, &as, `SELECT id, proposal_id, state, reason FROM amendments WHERE id IN (?)`, amendments); err != nil {
			return err
		}
		for _, a := range as {
			proposals = append(proposals, a.ProposalID)
		}
	}
	ps, err := s.proposalsByID(ctx, proposals)
	if err != nil {
		return err
	}
	readable := map[int64]*Proposal{}
	for i := range ps {
		if CanReadProposal(u, &ps[i], ShareNone) {
			readable[ps[i].ID] = &ps[i]
		}
	}
	for _, id := range proposals {
		if p := readable[id]; p != nil {
			out[DocID(EntityProposal, id)] = noticeTarget{title: p.Title, object: p.Path(), path: func(n Notification) string {
				if n.Kind == NotifyProposalState && ProposalState(n.Detail) == ProposalPublished && n.Number > 0 {
					return p.Path() + "/versions/" + strconv.Itoa(n.Number)
				}
				return p.Path()
			}}
		}
	}
	for _, a := range as {
		p := readable[a.ProposalID]
		if p == nil {
			continue
		}
		path := AmendmentPath(p, a.ID)
		out[DocID(EntityAmendment, a.ID)] = noticeTarget{title: p.Title, object: p.Path(), note: a.Reason,
			path: func(Notification) string { return path }}
	}
	return nil
}

// AmendmentPath is the address of amendment aid of p.
func AmendmentPath(p *Proposal, aid int64) string { return p.Path() + "/amendements/" + itoa64(aid) }

// MarkProposalNoticesRead marks read what u was told about proposal id —
// its state, or amendment aid when aid is not 0 — once u opened it.
func (s *Store) MarkProposalNoticesRead(ctx context.Context, u *User, id, aid int64) error {
	if u == nil {
		return nil
	}
	var n int
	q := `SELECT count(*) FROM notifications WHERE user_id = ? AND object_type = 'proposal' AND object_id = ? AND read_at IS NULL`
	args := []any{u.ID, id}
	if aid != 0 {
		q += ` AND target_type = 'amendment' AND target_id = ?`
		args = append(args, aid)
	} else {
		q += ` AND target_type = 'proposal'`
	}
	if err := s.db.R.GetContext(ctx, &n, q, args...); err != nil || n == 0 {
		return err // nothing to write: most visits
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ?`+q[len(`SELECT count(*) FROM notifications`):],
			append([]any{s.Now()}, args...)...)
		return err
	})
}
