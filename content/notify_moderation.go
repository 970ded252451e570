package content

import (
	"context"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// ModerationDecision is what a moderator did to a member's content, as the
// notification telling them says it.
type ModerationDecision string

// Moderation decisions a member is told about.
const (
	DecisionPostHidden     ModerationDecision = "post_hidden"
	DecisionPostRestored   ModerationDecision = "post_restored"
	DecisionTopicLocked    ModerationDecision = "topic_locked"
	DecisionTopicUnlocked  ModerationDecision = "topic_unlocked"
	DecisionTopicMoved     ModerationDecision = "topic_moved"
	DecisionTopicMerged    ModerationDecision = "topic_merged"
	DecisionRevisionHidden ModerationDecision = "revision_hidden"
	DecisionRevisionShown  ModerationDecision = "revision_shown"
	DecisionFicheProtected ModerationDecision = "fiche_protected"
	DecisionFicheOpened    ModerationDecision = "fiche_opened"
	DecisionFicheMerged    ModerationDecision = "fiche_merged"
	DecisionPostApproved   ModerationDecision = "post_approved" // a held post published
	DecisionPostRefused    ModerationDecision = "post_refused"  // a held post refused
)

// Text says the decision to the author, in French; number is the
// revision of a fiche.
func (d ModerationDecision) Text(number int) string {
	switch d {
	case DecisionPostHidden:
		return "La modération a masqué votre message : vous seul·e le voyez encore"
	case DecisionPostRestored:
		return "La modération a rendu votre message de nouveau visible"
	case DecisionTopicLocked:
		return "La modération a fermé votre discussion aux nouvelles réponses"
	case DecisionTopicUnlocked:
		return "La modération a rouvert votre discussion aux réponses"
	case DecisionTopicMoved:
		return "La modération a déplacé votre discussion dans une autre catégorie"
	case DecisionTopicMerged:
		return "La modération a fusionné votre discussion avec celle-ci"
	case DecisionRevisionHidden:
		return "La modération a masqué votre révision " + strconv.Itoa(number) + " de la fiche"
	case DecisionRevisionShown:
		return "La modération a rétabli l’affichage de votre révision " + strconv.Itoa(number)
	case DecisionFicheProtected:
		return "La modération a protégé votre fiche : ses auteurs et les modérateurs la modifient"
	case DecisionFicheOpened:
		return "La modération a rouvert votre fiche aux modifications de tous les membres"
	case DecisionFicheMerged:
		return "La modération a fusionné votre fiche dans celle-ci"
	case DecisionPostApproved:
		return "Votre message a été relu : il est publié"
	case DecisionPostRefused:
		return "La modération n’a pas publié votre message"
	}
	if text := decisionText(d); text != "" {
		return text
	}
	return "La modération a pris une décision sur votre contribution"
}

// moderationNotices tells the authors concerned by a moderator's decision
// (e): a post hidden or shown again, a topic closed, moved or merged, a
// revision hidden, a fiche protected or merged. Other events tell nobody.
func moderationNotices(ctx context.Context, tx *sqlx.Tx, e Event) ([]notice, error) {
	if e.Data.Decision != 0 {
		return nil, nil // the decision's own event tells it, with its reason
	}
	post := func(d ModerationDecision, query string, args ...any) ([]notice, error) {
		ns, err := postAuthorNotice(ctx, tx, NotifyModeration, query, args...)
		for i := range ns {
			ns[i].detail = d
		}
		return ns, err
	}
	opening := `SELECT p.id, p.topic_id, p.number, t.author_id FROM posts p JOIN topics t ON t.id = p.topic_id
		WHERE p.topic_id = ? AND p.number = ?`
	switch {
	case e.EntityType == EntityPost && e.Kind == EventHidden:
		return post(DecisionPostHidden, `SELECT id, topic_id, number, author_id FROM posts WHERE id = ?`, e.EntityID)
	case e.EntityType == EntityPost && e.Kind == EventApproved:
		return post(DecisionPostApproved, `SELECT id, topic_id, number, author_id FROM posts WHERE id = ?`, e.EntityID)
	case e.EntityType == EntityHeld && e.Kind == EventRefused:
		var author int64
		if err := tx.GetContext(ctx, &author, `SELECT author_id FROM held_posts WHERE id = ?`, e.EntityID); err != nil {
			return nil, nil // gone since
		}
		return []notice{{user: author, kind: NotifyModeration, objectType: EntityHeld, objectID: e.EntityID, targetType: EntityHeld,
			targetID: e.EntityID, detail: DecisionPostRefused}}, nil
	case e.EntityType == EntityPost && e.Kind == EventRestored:
		return post(DecisionPostRestored, `SELECT id, topic_id, number, author_id FROM posts WHERE id = ?`, e.EntityID)
	case e.EntityType == EntityTopic && e.Kind == EventLocked:
		return post(DecisionTopicLocked, opening, e.EntityID, 1)
	case e.EntityType == EntityTopic && e.Kind == EventUnlocked:
		return post(DecisionTopicUnlocked, opening, e.EntityID, 1)
	case e.EntityType == EntityTopic && e.Kind == EventMoved:
		return post(DecisionTopicMoved, opening, e.EntityID, 1)
	case e.EntityType == EntityTopic && e.Kind == EventMerged && e.EntityID != e.Data.Into && e.Data.Number > 0:
		// The merged topic's opening post, now inside the topic it joined;
		// its author is the merged topic's.
		return post(DecisionTopicMerged, `SELECT p.id, p.topic_id, p.number, t.author_id FROM posts p, topics t
			WHERE p.topic_id = ? AND p.number = ? AND t.id = ?`, e.Data.Into, e.Data.Number, e.EntityID)
	case e.EntityType == EntityFiche && e.Kind == EventRevision:
		var r struct {
			AuthorID int64 `db:"author_id"`
			Hidden   bool  `db:"hidden"`
		}
		if err := tx.GetContext(ctx, &r, `SELECT author_id, hidden_at IS NOT NULL AS hidden FROM fiche_revisions
			WHERE fiche_id = ? AND number = ?`, e.EntityID, e.Data.Number); err != nil {
			return nil, nil // gone since
		}
		d := DecisionRevisionShown
		if r.Hidden {
			d = DecisionRevisionHidden
		}
		return []notice{ficheModerationNotice(r.AuthorID, e.EntityID, e.Data.Number, d)}, nil
	case e.EntityType == EntityFiche && e.Kind == EventProtected:
		d := DecisionFicheOpened
		if e.Data.Number == 1 {
			d = DecisionFicheProtected
		}
		return ficheAuthorsModerationNotices(ctx, tx, e.EntityID, e.EntityID, d)
	case e.EntityType == EntityFiche && e.Kind == EventMerged && e.Data.Into != 0:
		return ficheAuthorsModerationNotices(ctx, tx, e.EntityID, e.Data.Into, DecisionFicheMerged)
	}
	return nil, nil
}

func ficheModerationNotice(user, ficheID int64, number int, d ModerationDecision) notice {
	return notice{user: user, kind: NotifyModeration, objectType: EntityFiche, objectID: ficheID, targetType: EntityFiche,
		targetID: ficheID, number: number, detail: d}
}

// ficheAuthorsModerationNotices tells the authors of fiche id about d, the
// notification pointing to fiche target (the fiche itself, or the one it
// was merged into).
func ficheAuthorsModerationNotices(ctx context.Context, tx *sqlx.Tx, id, target int64, d ModerationDecision) ([]notice, error) {
	var users []int64
	if err := tx.SelectContext(ctx, &users, `SELECT user_id FROM fiche_authors WHERE fiche_id = ?`, id); err != nil {
		return nil, err
	}
	out := make([]notice, len(users))
	for i, u := range users {
		out[i] = ficheModerationNotice(u, target, 0, d)
	}
	return out, nil
}

// mutedBy lists who silenced the objects of notices: a fiche, a text, or a topic —
// itself, or its category or one of its tags unless they watch the topic.
func mutedBy(ctx context.Context, tx *sqlx.Tx, notices []notice) (map[int64]bool, error) {
	out := map[int64]bool{}
	seen := map[string]bool{}
	for _, n := range notices {
		key := DocID(n.objectType, n.objectID)
		if seen[key] {
			continue
		}
		seen[key] = true
		var users []int64
		var err error
		switch n.objectType {
		case EntityTopic:
			err = tx.SelectContext(ctx, &users, `SELECT user_id FROM follows WHERE level = 'muted' AND (
				(target_type = 'topic' AND target_id = ?1)
				OR (((target_type = 'category' AND target_id = (SELECT category_id FROM topics WHERE id = ?1))
					OR (target_type = 'tag' AND target_id IN (SELECT tag_id FROM topic_tags WHERE topic_id = ?1)))
					AND user_id NOT IN (SELECT user_id FROM follows WHERE target_type = 'topic' AND target_id = ?1 AND level = 'watching')))`,
				n.objectID)
		case EntityFiche, EntityProposal:
			err = tx.SelectContext(ctx, &users, `SELECT user_id FROM follows WHERE target_type = ? AND target_id = ? AND level = 'muted'`,
				n.objectType, n.objectID)
		}
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			out[u] = true
		}
	}
	return out, nil
}
