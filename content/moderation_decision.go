package content

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Moderation decisions: what a moderator does from the queue about a
// flagged content or its author — keep it (dismiss the flags), hide it,
// edit it, delete it, warn the author privately, suspend them. Each is a
// row of moderation_decisions, an entry of the audit log and an event that
// tells the author and the flaggers. On a moderator's content the decision
// is proposed, and applied once a second moderator confirms it.

// DecisionAction is what a decision does.
type DecisionAction string

// Decision actions.
const (
	ActionKeep    DecisionAction = "keep"    // the flags are dismissed; held content shows again
	ActionHide    DecisionAction = "hide"    // hidden: its author and moderators still read it
	ActionEdit    DecisionAction = "edit"    // a post's text changed (the reason kept in its history), shown again
	ActionDelete  DecisionAction = "delete"  // a post withdrawn by the moderation
	ActionWarn    DecisionAction = "warn"    // a private warning to the author
	ActionSuspend DecisionAction = "suspend" // the author suspended for Data days
	ActionHeld    DecisionAction = "held"    // hidden by the flags' weight, pending review
)

// Label says the action in the queue and the journal.
func (a DecisionAction) Label() string {
	switch a {
	case ActionKeep:
		return "Conserver (signalements rejetés)"
	case ActionHide:
		return "Masquer"
	case ActionEdit:
		return "Modifier"
	case ActionDelete:
		return "Supprimer"
	case ActionWarn:
		return "Avertir l’auteur·rice"
	case ActionSuspend:
		return "Suspendre l’auteur·rice"
	case ActionHeld:
		return "Masqué en attendant l’examen"
	}
	return string(a)
}

// Outcome says the decision to the member it concerns.
func (a DecisionAction) Outcome() string {
	switch a {
	case ActionKeep:
		return "La modération a examiné les signalements : le contenu reste visible."
	case ActionHide:
		return "La modération a masqué ce contenu."
	case ActionEdit:
		return "La modération a modifié ce contenu."
	case ActionDelete:
		return "La modération a supprimé ce contenu."
	case ActionWarn:
		return "La modération vous adresse un avertissement."
	case ActionSuspend:
		return "La modération a suspendu le compte."
	case ActionHeld:
		return "Des membres ont signalé ce contenu : il est masqué en attendant l’examen de la modération."
	}
	return ""
}

// Decision states.
const (
	DecisionDone      = "done"
	DecisionProposed  = "proposed"  // waits for a second moderator
	DecisionCancelled = "cancelled" // a proposal a moderator turned down
)

// SuspensionDays are the durations a moderator chooses from.
var SuspensionDays = []int{1, 3, 7, 30, 90, 365}

// Decision is one moderation decision.
type Decision struct {
	ID              int64          `db:"id"`
	TargetType      string         `db:"target_type"`
	TargetID        int64          `db:"target_id"`
	AuthorID        int64          `db:"author_id"`
	AuthorPseudo    string         `db:"author_pseudo"`
	Action          DecisionAction `db:"action"`
	Reason          string         `db:"reason"`
	Data            string         `db:"data"`
	ModeratorID     *int64         `db:"moderator_id"`
	ModeratorPseudo string         `db:"moderator_pseudo"`
	State           string         `db:"state"`
	SecondPseudo    string         `db:"second_pseudo"`
	CreatedAt       time.Time      `db:"created_at"`
	DecidedAt       *time.Time     `db:"decided_at"`
}

// Path is the decision's page, for the members it concerns.
func (d *Decision) Path() string { return DecisionPath(d.ID) }

// DecisionPath is the page of decision id.
func DecisionPath(id int64) string { return "/decisions/" + itoa64(id) }

// Days is a suspension's duration.
func (d *Decision) Days() int { n, _ := strconv.Atoi(d.Data); return n }

// ClosesFlags tells whether the decision settles the content's flags.
func (a DecisionAction) ClosesFlags() bool {
	return a == ActionKeep || a == ActionHide || a == ActionEdit || a == ActionDelete
}

const decisionSelect = `SELECT d.id, d.target_type, d.target_id, coalesce(d.author_id, 0) AS author_id,
	coalesce(a.pseudo, '') AS author_pseudo, d.action, d.reason, d.data, d.moderator_id, coalesce(m.pseudo, '') AS moderator_pseudo,
	d.state, coalesce(s.pseudo, '') AS second_pseudo, d.created_at, d.decided_at FROM moderation_decisions d
	LEFT JOIN users a ON a.id = d.author_id LEFT JOIN users m ON m.id = d.moderator_id LEFT JOIN users s ON s.id = d.second_id`

func insertDecision(ctx context.Context, tx *sqlx.Tx, d *Decision) error {
	if d.State == DecisionDone {
		d.DecidedAt = &d.CreatedAt
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO moderation_decisions (target_type, target_id, author_id, action, reason, data,
		moderator_id, state, created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.TargetType, d.TargetID,
		nullID(d.AuthorID), d.Action, d.Reason, d.Data, d.ModeratorID, d.State, d.CreatedAt, d.DecidedAt)
	if err != nil {
		return err
	}
	d.ID, err = r.LastInsertId()
	return err
}

func emitDecision(ctx context.Context, tx *sqlx.Tx, d *Decision) error {
	var actor int64
	if d.ModeratorID != nil {
		actor = *d.ModeratorID
	}
	return Emit(ctx, tx, Event{Kind: EventDecided, EntityType: EntityDecision, EntityID: d.ID, ActorID: actor, CreatedAt: *d.DecidedAt})
}

// DecisionInput is what a moderator sends from the queue.
type DecisionInput struct {
	TargetType string // FlagTargetPost…, or EntityUser for a member
	TargetID   int64
	Action     DecisionAction
	Reason     string // told to the author; required but to keep
	Body       string // an edit's new text
	Days       int    // a suspension's duration
}

func validateDecision(in *DecisionInput, t *FlagTarget) error {
	in.Reason = strings.TrimSpace(normalizeText(in.Reason))
	v := &ValidationError{}
	switch in.Action {
	case ActionKeep, ActionHide, ActionWarn:
	case ActionEdit, ActionDelete:
		if t == nil || !t.IsPost() {
			v.Add("action", "Seuls les messages des discussions et les commentaires se modifient ou se suppriment ici : masquez plutôt ce contenu.")
		}
		if in.Action == ActionEdit {
			in.Body = normalizeText(in.Body)
			validateBody(v, in.Body)
		}
	case ActionSuspend:
		ok := false
		for _, d := range SuspensionDays {
			ok = ok || d == in.Days
		}
		if !ok {
			v.Add("days", "Choisissez la durée de la suspension.")
		}
	default:
		v.Add("action", "Choisissez une action.")
	}
	switch n := utf8.RuneCountInString(in.Reason); {
	case n == 0 && in.Action != ActionKeep:
		v.Add("reason", "Dites la raison : elle est communiquée à l’auteur·rice.")
	case n > MaxFlagComment:
		v.Add("reason", "La raison ne doit pas dépasser 1 000 caractères (elle en compte "+itoa64(int64(n))+").")
	}
	return v.Err()
}

// DecisionResult says what a decision did.
type DecisionResult struct {
	Decision *Decision
	Proposed bool // on a moderator's content: it waits for a second moderator
}

// Decide applies mod's decision on a flagged content (or on a member,
// TargetType EntityUser: warn, suspend). On a moderator's content, or on
// a moderator, it is only proposed.
func (s *Store) Decide(ctx context.Context, mod *User, in DecisionInput) (*DecisionResult, error) {
	if !CanModerate(mod) {
		return nil, ErrForbidden
	}
	var out *DecisionResult
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var t *FlagTarget
		author := &User{}
		if in.TargetType == EntityUser {
			if err := tx.GetContext(ctx, author, `SELECT `+userColumns+` FROM users WHERE id = ?`, in.TargetID); err != nil {
				return notFound(err)
			}
			if in.Action != ActionWarn && in.Action != ActionSuspend {
				return Invalid("action", "Choisissez une action.")
			}
		} else {
			var err error
			if t, err = s.loadTarget(ctx, tx, in.TargetType, in.TargetID); err != nil {
				return err
			}
			if err := tx.GetContext(ctx, author, `SELECT `+userColumns+` FROM users WHERE id = ?`, t.AuthorID); err != nil {
				return notFound(err)
			}
		}
		if err := validateDecision(&in, t); err != nil {
			return err
		}
		if in.Action == ActionSuspend && author.ID == mod.ID {
			return Invalid("days", "Vous ne pouvez pas suspendre votre propre compte.")
		}
		var pending int
		if err := tx.GetContext(ctx, &pending, `SELECT count(*) FROM moderation_decisions WHERE state = 'proposed'
			AND target_type = ? AND target_id = ?`, in.TargetType, in.TargetID); err != nil {
			return err
		}
		if pending > 0 {
			return Invalid("action", "Une décision sur ce contenu attend déjà l’avis d’un·e second·e modérateur·rice : confirmez-la ou annulez-la d’abord.")
		}
		d := &Decision{TargetType: in.TargetType, TargetID: in.TargetID, AuthorID: author.ID, Action: in.Action, Reason: in.Reason,
			ModeratorID: &mod.ID, CreatedAt: s.Now(), State: DecisionDone}
		switch in.Action {
		case ActionEdit:
			d.Data = in.Body
		case ActionSuspend:
			d.Data = strconv.Itoa(in.Days)
		}
		out = &DecisionResult{Decision: d}
		if !CanDecideAlone(mod, author) {
			d.State, out.Proposed = DecisionProposed, true
			if err := insertDecision(ctx, tx, d); err != nil {
				return err
			}
			return audit(ctx, tx, d.CreatedAt, mod.ID, "propose_"+string(d.Action), d.TargetType, d.TargetID, d.Reason)
		}
		if err := insertDecision(ctx, tx, d); err != nil {
			return err
		}
		return s.apply(ctx, tx, mod, d, t)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SecondDecision confirms (and applies) or cancels decision id, proposed
// by another moderator.
func (s *Store) SecondDecision(ctx context.Context, mod *User, id int64, confirm bool) (*Decision, error) {
	var d Decision
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &d, decisionSelect+` WHERE d.id = ?`, id); err != nil {
			return notFound(err)
		}
		if d.State != DecisionProposed {
			return Invalid("action", "Cette proposition a déjà été confirmée ou annulée.")
		}
		if !CanSecond(mod, &d, confirm) {
			if confirm && d.ModeratorID != nil && *d.ModeratorID == mod.ID {
				return Invalid("action", "Vous avez proposé cette décision : un·e autre modérateur·rice doit la confirmer.")
			}
			return ErrForbidden
		}
		now := s.Now()
		if !confirm {
			if _, err := tx.ExecContext(ctx, `UPDATE moderation_decisions SET state = 'cancelled', second_id = ?, decided_at = ? WHERE id = ?`,
				mod.ID, now, id); err != nil {
				return err
			}
			d.State = DecisionCancelled
			return audit(ctx, tx, now, mod.ID, "cancel_"+string(d.Action), d.TargetType, d.TargetID, "proposition n° "+itoa64(id))
		}
		var t *FlagTarget
		if d.TargetType != EntityUser {
			var err error
			if t, err = s.loadTarget(ctx, tx, d.TargetType, d.TargetID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE moderation_decisions SET state = 'done', second_id = ?, decided_at = ? WHERE id = ?`,
			mod.ID, now, id); err != nil {
			return err
		}
		d.State, d.DecidedAt = DecisionDone, &now
		if err := audit(ctx, tx, now, mod.ID, "confirm_"+string(d.Action), d.TargetType, d.TargetID, "proposition n° "+itoa64(id)); err != nil {
			return err
		}
		return s.apply(ctx, tx, mod, &d, t)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// apply carries decision d out (t is its content, nil for a member), logs
// it, closes the flags it settles and tells whom it concerns.
func (s *Store) apply(ctx context.Context, tx *sqlx.Tx, mod *User, d *Decision, t *FlagTarget) error {
	now := *d.DecidedAt
	switch d.Action {
	case ActionKeep:
		if t.Held {
			if err := s.setHidden(ctx, tx, t, false, mod, d.ID, now); err != nil {
				return err
			}
		}
	case ActionHide:
		if t.Type == FlagTargetPost && t.Hidden && !t.Held {
			break // already hidden by a moderator (or withdrawn)
		}
		if err := s.setHidden(ctx, tx, t, true, mod, d.ID, now); err != nil {
			return err
		}
	case ActionEdit:
		if err := s.moderatorEdit(ctx, tx, mod, t, d, now); err != nil {
			return err
		}
	case ActionDelete:
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`, now, t.ID); err != nil {
			return err
		}
		if err := unacceptIf(ctx, tx, t.TopicID, t.ID); err != nil {
			return err
		}
		if err := refreshTopic(ctx, tx, t.TopicID); err != nil {
			return err
		}
		e := postEvent(EventWithdrawn, t.ID, t.TopicID, mod.ID, now)
		e.Data.Decision = d.ID
		if err := Emit(ctx, tx, e); err != nil {
			return err
		}
	case ActionSuspend:
		if err := s.suspend(ctx, tx, mod, d.AuthorID, d.Days(), d.Reason, now); err != nil {
			return err
		}
	}
	if d.Action.ClosesFlags() {
		if _, err := tx.ExecContext(ctx, `UPDATE flags SET closed_at = ?, decision_id = ? WHERE target_type = ? AND target_id = ?
			AND closed_at IS NULL`, now, d.ID, d.TargetType, d.TargetID); err != nil {
			return err
		}
	}
	detail := d.Reason
	if d.Action == ActionSuspend {
		detail = d.Data + " jours : " + d.Reason
	}
	if err := audit(ctx, tx, now, mod.ID, "moderation_"+string(d.Action), d.TargetType, d.TargetID, detail); err != nil {
		return err
	}
	return emitDecision(ctx, tx, d)
}

// moderatorEdit replaces a post's text with d.Data, the reason kept in its
// history, and shows it again if the flags held it.
func (s *Store) moderatorEdit(ctx context.Context, tx *sqlx.Tx, mod *User, t *FlagTarget, d *Decision, now time.Time) error {
	p, err := postState(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	if p.DeletedAt != nil {
		return Invalid("action", "Ce message a été supprimé : il ne se modifie plus.")
	}
	rendered, _ := s.render(ctx, d.Data)
	written := p.CreatedAt
	if p.EditedAt != nil {
		written = *p.EditedAt
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO post_versions (post_id, body, html, editor_id, created_at, next_diff, reason)
		SELECT id, body, html, ?, ?, ?, ? FROM posts WHERE id = ?`, mod.ID, written, string(DiffHTML(p.Body, d.Data)), d.Reason, t.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET body = ?, html = ?, edited_at = ? WHERE id = ?`,
		d.Data, string(rendered.HTML), now, t.ID); err != nil {
		return err
	}
	e := postEvent(EventEdited, t.ID, t.TopicID, mod.ID, now)
	e.Data.Number, e.Data.Decision = p.Number, d.ID
	if err := Emit(ctx, tx, e); err != nil {
		return err
	}
	if t.Held {
		return s.setHidden(ctx, tx, t, false, mod, d.ID, now)
	}
	return nil
}

// DecisionByID loads decision id for u: ErrNotFound unless u may read it.
func (s *Store) DecisionByID(ctx context.Context, u *User, id int64) (*Decision, *FlagTarget, error) {
	var d Decision
	if err := s.db.R.GetContext(ctx, &d, decisionSelect+` WHERE d.id = ?`, id); err != nil {
		return nil, nil, notFound(err)
	}
	var flagged int
	if err := s.db.R.GetContext(ctx, &flagged, `SELECT count(*) FROM flags WHERE decision_id = ? AND flagger_id = ?`, id, viewerID(u)); err != nil {
		return nil, nil, err
	}
	if !CanSeeDecision(u, &d, flagged > 0) {
		return nil, nil, ErrNotFound
	}
	if d.TargetType == EntityUser {
		return &d, nil, nil
	}
	t, err := s.loadTarget(ctx, s.db.R, d.TargetType, d.TargetID)
	if err != nil {
		return &d, nil, nil // gone since: the decision still says what was done
	}
	if !t.readable(u) {
		t.HTML, t.Body, t.Path = "", "", ""
	}
	return &d, t, nil
}
