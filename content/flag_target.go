package content

import (
	"context"
	"html/template"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// FlagTarget is a flagged content as flags and decisions see it: whose it
// is, where it is, whether it is hidden, and who may read it.
type FlagTarget struct {
	Type         string
	ID           int64
	AuthorID     int64
	AuthorPseudo string
	AuthorRole   Role
	Kind         string // "Message de la discussion", "Révision 4 de la fiche"…
	Title        string // of the topic, fiche or text; "" for a private message
	Path         string // where it is read; "" for a private message
	HTML         template.HTML
	Body         string // markdown, for posts (the moderators' edit form)
	Hidden       bool   // out of readers' sight (held, hidden or withdrawn)
	Held         bool   // hidden by the flags' weight, pending review
	Current      bool   // a fiche's current revision
	TopicID      int64  // posts: their topic and number, for the context
	Number       int

	readable func(u *User) bool
}

// Author is the content's author as permissions need them.
func (t *FlagTarget) Author() *User { return &User{ID: t.AuthorID, Role: t.AuthorRole} }

// IsPost tells whether the content is a post (edited and deleted from the queue).
func (t *FlagTarget) IsPost() bool { return t.Type == FlagTargetPost }

// readQueryer is a transaction or the read pool.
type readQueryer interface {
	sqlx.QueryerContext
	getter
}

// loadTarget reads content typ/id with what flags need of it.
func (s *Store) loadTarget(ctx context.Context, q readQueryer, typ string, id int64) (*FlagTarget, error) {
	t := &FlagTarget{Type: typ, ID: id}
	var row struct {
		AuthorID int64         `db:"author_id"`
		Pseudo   string        `db:"pseudo"`
		Role     Role          `db:"role"`
		HTML     template.HTML `db:"html"`
		Body     string        `db:"body"`
		Hidden   *time.Time    `db:"hidden_at"`
		By       *int64        `db:"hidden_by"`
		Deleted  *time.Time    `db:"deleted_at"`
		Parent   int64         `db:"parent"`
		Number   int           `db:"number"`
		Title    string        `db:"title"`
		Slug     string        `db:"slug"`
	}
	var query string
	switch typ {
	case FlagTargetPost:
		query = `SELECT p.author_id, u.pseudo, u.role, p.html, p.body, p.hidden_at, p.hidden_by, p.deleted_at, p.topic_id AS parent,
			p.number, t.title, t.slug FROM posts p JOIN users u ON u.id = p.author_id JOIN topics t ON t.id = p.topic_id WHERE p.id = ?`
	case FlagTargetRevision:
		query = `SELECT r.author_id, u.pseudo, u.role, '' AS html, r.body, r.hidden_at, r.hidden_by, NULL AS deleted_at,
			r.fiche_id AS parent, r.number, f.title, f.slug FROM fiche_revisions r JOIN users u ON u.id = r.author_id
			JOIN fiches f ON f.id = r.fiche_id WHERE r.id = ?`
	case FlagTargetAmendment:
		query = `SELECT a.author_id, u.pseudo, u.role, a.html, a.justification AS body, a.hidden_at, NULL AS hidden_by, NULL AS deleted_at,
			a.proposal_id AS parent, 0 AS number, p.title, p.slug FROM amendments a JOIN users u ON u.id = a.author_id
			JOIN proposals p ON p.id = a.proposal_id WHERE a.id = ?`
	case FlagTargetMessage:
		query = `SELECT m.author_id, u.pseudo, u.role, m.html, m.body, m.hidden_at, NULL AS hidden_by, NULL AS deleted_at,
			m.conversation_id AS parent, m.number, '' AS title, '' AS slug FROM messages m JOIN users u ON u.id = m.author_id WHERE m.id = ?`
	default:
		return nil, ErrNotFound
	}
	if err := sqlx.GetContext(ctx, q, &row, query, id); err != nil {
		return nil, notFound(err)
	}
	t.AuthorID, t.AuthorPseudo, t.AuthorRole, t.HTML, t.Body = row.AuthorID, row.Pseudo, row.Role, row.HTML, row.Body
	t.Hidden, t.Held, t.Number, t.Title = row.Hidden != nil || row.Deleted != nil, row.Hidden != nil && row.By == nil, row.Number, row.Title
	switch typ {
	case FlagTargetPost:
		topic := Topic{ID: row.Parent, Slug: row.Slug}
		t.TopicID, t.Path = row.Parent, topic.PostPath(row.Number)
		t.Kind = "Message n° " + strconv.Itoa(row.Number) + " de la discussion"
		p := &Post{AuthorID: row.AuthorID, HiddenAt: row.Hidden, DeletedAt: row.Deleted}
		t.readable = func(u *User) bool { return CanReadPost(u, p) }
	case FlagTargetRevision:
		var f Fiche
		if err := sqlx.GetContext(ctx, q, &f, ficheSelect+` WHERE id = ?`, row.Parent); err != nil {
			return nil, notFound(err)
		}
		if err := sqlx.SelectContext(ctx, q, &f.Authors, `SELECT user_id FROM fiche_authors WHERE fiche_id = ?`, f.ID); err != nil {
			return nil, err
		}
		t.Current = row.Number == f.Revision
		t.Kind = "Révision " + strconv.Itoa(row.Number) + " de la fiche"
		t.Path = f.Path() + "/revisions/" + strconv.Itoa(row.Number)
		t.HTML = s.md.Render(row.Body, nil).HTML
		r := &FicheRevision{Number: row.Number, HiddenAt: row.Hidden}
		t.readable = func(u *User) bool { return CanSeeRevision(u, &f, r) }
	case FlagTargetAmendment:
		var p Proposal
		if err := sqlx.GetContext(ctx, q, &p, proposalSelect+` WHERE id = ?`, row.Parent); err != nil {
			return nil, notFound(err)
		}
		if err := s.loadProposal(ctx, q, &p); err != nil {
			return nil, err
		}
		t.Kind, t.Path = "Amendement du texte", AmendmentPath(&p, id)
		t.HTML = t.HTML + template.HTML("<p><strong>Justification :</strong></p>") + s.md.Render(row.Body, nil).HTML
		hidden := row.Hidden != nil
		t.readable = func(u *User) bool {
			return CanReadProposal(u, &p, ShareNone) && (!hidden || CanModerate(u) || (u != nil && u.ID == row.AuthorID))
		}
	case FlagTargetMessage:
		t.Kind = "Message privé"
		conv := row.Parent
		t.readable = func(u *User) bool {
			if u == nil {
				return false
			}
			me, err := membership(ctx, q, conv, u.ID)
			return err == nil && CanReadConversation(u, me)
		}
	}
	return t, nil
}

// setHidden hides t or shows it again, by mod (nil: by the flags' weight),
// for decision: one event for the content (search, live pages), which
// carries the decision so the notifier tells its author once.
func (s *Store) setHidden(ctx context.Context, tx *sqlx.Tx, t *FlagTarget, hidden bool, mod *User, decision int64, now time.Time) error {
	var at, by any
	kind := EventRestored
	if hidden {
		at, kind = now, EventHidden
		if mod != nil {
			by = mod.ID
		}
	}
	actor := viewerID(mod)
	switch t.Type {
	case FlagTargetPost:
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET hidden_at = ?, hidden_by = ? WHERE id = ?`, at, by, t.ID); err != nil {
			return err
		}
		if hidden {
			if err := unacceptIf(ctx, tx, t.TopicID, t.ID); err != nil {
				return err
			}
		}
		if err := refreshTopic(ctx, tx, t.TopicID); err != nil {
			return err
		}
		e := postEvent(kind, t.ID, t.TopicID, actor, now)
		e.Data.Decision = decision
		return Emit(ctx, tx, e)
	case FlagTargetRevision:
		if hidden && t.Current {
			return Invalid("action", "C’est la version actuelle de la fiche : rétablissez d’abord une révision saine depuis son historique, puis masquez celle-ci.")
		}
		var ficheID int64
		if err := tx.GetContext(ctx, &ficheID, `SELECT fiche_id FROM fiche_revisions WHERE id = ?`, t.ID); err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fiche_revisions SET hidden_at = ?, hidden_by = ? WHERE id = ?`, at, by, t.ID); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: EventRevision, EntityType: EntityFiche, EntityID: ficheID, ActorID: actor,
			Data: EventData{Number: t.Number, Decision: decision}, CreatedAt: now})
	case FlagTargetAmendment:
		if _, err := tx.ExecContext(ctx, `UPDATE amendments SET hidden_at = ? WHERE id = ?`, at, t.ID); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: kind, EntityType: EntityAmendment, EntityID: t.ID, ActorID: actor,
			Data: EventData{Decision: decision}, CreatedAt: now})
	case FlagTargetMessage:
		_, err := tx.ExecContext(ctx, `UPDATE messages SET hidden_at = ? WHERE id = ?`, at, t.ID)
		return err
	}
	return ErrNotFound
}

// FlagTargetFor loads content typ/id for u's flag form: ErrNotFound
// unless u may read it.
func (s *Store) FlagTargetFor(ctx context.Context, u *User, typ string, id int64) (*FlagTarget, error) {
	t, err := s.loadTarget(ctx, s.db.R, typ, id)
	if err != nil {
		return nil, err
	}
	if !t.readable(u) {
		return nil, ErrNotFound
	}
	return t, nil
}
