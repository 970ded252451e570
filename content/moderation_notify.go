package content

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// How moderation decisions are told: the member they concern (the
// content's author, or the member warned or suspended) and the members
// whose flags they settle, each a notification of kind moderation that
// links to the decision's page (whatever their watch levels).

// DecisionFlagReviewed tells a flagger their flag was examined.
const DecisionFlagReviewed ModerationDecision = "flag_reviewed"

// decisionCode is the notification detail of a decision told to its author.
func decisionCode(a DecisionAction) ModerationDecision {
	return ModerationDecision("decision_" + string(a))
}

// decisionText says decision code d in a notification, or "".
func decisionText(d ModerationDecision) string {
	switch d {
	case DecisionFlagReviewed:
		return "La modération a examiné votre signalement : voyez sa décision"
	case decisionCode(ActionHeld):
		return "Des membres ont signalé votre contribution : elle est masquée en attendant l’examen de la modération"
	case decisionCode(ActionKeep):
		return "La modération a examiné les signalements sur votre contribution : elle reste visible"
	case decisionCode(ActionHide):
		return "La modération a masqué votre contribution : voyez pourquoi"
	case decisionCode(ActionEdit):
		return "La modération a modifié votre contribution : voyez pourquoi"
	case decisionCode(ActionDelete):
		return "La modération a supprimé votre contribution : voyez pourquoi"
	case decisionCode(ActionWarn):
		return "La modération vous adresse un avertissement"
	case decisionCode(ActionSuspend):
		return "La modération a suspendu votre compte"
	}
	return ""
}

// decisionNotices tells whom decision id concerns.
func decisionNotices(ctx context.Context, tx *sqlx.Tx, id int64) ([]notice, error) {
	var d struct {
		AuthorID int64          `db:"author_id"`
		Action   DecisionAction `db:"action"`
		State    string         `db:"state"`
	}
	if err := tx.GetContext(ctx, &d, `SELECT coalesce(author_id, 0) AS author_id, action, state FROM moderation_decisions WHERE id = ?`, id); err != nil {
		return nil, nil // gone since
	}
	if d.State != DecisionDone {
		return nil, nil
	}
	base := notice{kind: NotifyModeration, objectType: EntityDecision, objectID: id, targetType: EntityDecision, targetID: id}
	out := []notice{base}
	out[0].user, out[0].detail = d.AuthorID, decisionCode(d.Action)
	var flaggers []int64
	if err := tx.SelectContext(ctx, &flaggers, `SELECT flagger_id FROM flags WHERE decision_id = ? ORDER BY id`, id); err != nil {
		return nil, err
	}
	for _, f := range flaggers {
		n := base
		n.user, n.detail = f, DecisionFlagReviewed
		out = append(out, n)
	}
	return out, nil
}

// readableDecisions keeps, among ids, the decisions u may read.
func (s *Store) readableDecisions(ctx context.Context, u *User, ids []int64, out map[string]noticeTarget) error {
	var ds []struct {
		Decision
		Flagged bool `db:"flagged"`
	}
	if err := s.selectIn(ctx, &ds, `SELECT d.id, d.target_type, d.target_id, coalesce(d.author_id, 0) AS author_id, d.action, d.state,
		d.created_at, EXISTS (SELECT 1 FROM flags f WHERE f.decision_id = d.id AND f.flagger_id = ?) AS flagged
		FROM moderation_decisions d WHERE d.id IN (?)`, viewerID(u), ids); err != nil {
		return err
	}
	for _, d := range ds {
		if !CanSeeDecision(u, &d.Decision, d.Flagged) {
			continue
		}
		path := DecisionPath(d.ID)
		out[DocID(EntityDecision, d.ID)] = noticeTarget{title: "Décision de la modération", object: path,
			path: func(Notification) string { return path }}
	}
	return nil
}
