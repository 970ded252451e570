package content

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// FollowTarget is what a member can follow.
type FollowTarget string

// Things to follow.
const (
	FollowTopic    FollowTarget = "topic"
	FollowCategory FollowTarget = "category"
	FollowTag      FollowTarget = "tag"
	FollowFiche    FollowTarget = "fiche"
	FollowProposal FollowTarget = "proposal"
)

// WatchLevel is how closely a member follows something.
type WatchLevel string

// Watch levels. Without a row a member is at WatchNormal.
const (
	Watching    WatchLevel = "watching" // told of every reply, new topic or revision
	WatchNormal WatchLevel = "normal"   // told only what concerns them: a mention, a reply to their post
	Muted       WatchLevel = "muted"    // told nothing about it
)

// Valid tells a known level from anything else.
func (l WatchLevel) Valid() bool { return l == Watching || l == WatchNormal || l == Muted }

// autoFollow makes a member watch what they write in — a topic they post
// in, a fiche they edit — unless they chose a level for it already.
func autoFollow(ctx context.Context, tx *sqlx.Tx, at time.Time, userID int64, target FollowTarget, id int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO follows (user_id, target_type, target_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, target_type, target_id) DO NOTHING`, userID, target, id, at)
	return err
}

// SetWatch sets how closely u follows a topic, a category, a tag or a fiche.
func (s *Store) SetWatch(ctx context.Context, u *User, target FollowTarget, id int64, level WatchLevel) error {
	if u == nil {
		return ErrForbidden
	}
	if !level.Valid() {
		return &ValidationError{Fields: []FieldError{{Field: "niveau",
			Message: "Ce niveau de suivi n’existe pas : choisissez « Suivre », « Normal » ou « Silencieux »."}}}
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO follows (user_id, target_type, target_id, level, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, target_type, target_id) DO UPDATE SET level = excluded.level`, u.ID, target, id, level, s.Now())
	return err
}

// WatchLevelOf tells how closely u follows the target.
func (s *Store) WatchLevelOf(ctx context.Context, u *User, target FollowTarget, id int64) (WatchLevel, error) {
	if u == nil {
		return WatchNormal, nil
	}
	var levels []WatchLevel
	err := s.db.R.SelectContext(ctx, &levels, `SELECT level FROM follows WHERE user_id = ? AND target_type = ? AND target_id = ?`, u.ID, target, id)
	if err != nil || len(levels) == 0 {
		return WatchNormal, err
	}
	return levels[0], nil
}

func markRead(ctx context.Context, tx *sqlx.Tx, userID, topicID int64, number int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO topic_reads (user_id, topic_id, last_number) VALUES (?, ?, ?)
		ON CONFLICT (user_id, topic_id) DO UPDATE SET last_number = max(last_number, excluded.last_number)`, userID, topicID, number)
	return err
}

// MarkAllRead marks every topic u follows as read.
func (s *Store) MarkAllRead(ctx context.Context, u *User) error {
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO topic_reads (user_id, topic_id, last_number)
		SELECT ?, t.id, t.last_number FROM topics t JOIN follows f ON f.target_type = 'topic' AND f.target_id = t.id AND f.user_id = ? AND f.level = 'watching'
		WHERE true
		ON CONFLICT (user_id, topic_id) DO UPDATE SET last_number = excluded.last_number`, u.ID, u.ID)
	return err
}

// TagID returns the ID of a tag by name.
func (s *Store) TagID(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.db.R.GetContext(ctx, &id, `SELECT id FROM tags WHERE name = ?`, name)
	return id, notFound(err)
}

// CategoryBySlug loads a category.
func (s *Store) CategoryBySlug(ctx context.Context, slug string) (*Category, error) {
	var c Category
	err := s.db.R.GetContext(ctx, &c, `SELECT id, slug, name, description, position FROM categories WHERE slug = ?`, slug)
	return &c, notFound(err)
}

// Visits is what reading topic pages records, gathered for one write: views
// per topic, and the highest post number each member has seen per topic.
type Visits struct {
	views      map[int64]int
	ficheViews map[int64]int
	reads      map[[2]int64]int  // {user, topic} → post number
	ficheReads map[[2]int64]bool // {user, fiche}
}

// NewVisits returns an empty batch.
func NewVisits() Visits {
	return Visits{views: map[int64]int{}, ficheViews: map[int64]int{}, reads: map[[2]int64]int{}, ficheReads: map[[2]int64]bool{}}
}

// View counts one view of a topic.
func (v Visits) View(topicID int64) { v.views[topicID]++ }

// ViewFiche counts one view of a fiche.
func (v Visits) ViewFiche(id int64) { v.ficheViews[id]++ }

// ReadFiche records that member u (nothing for a visitor) read a fiche.
func (v Visits) ReadFiche(u *User, id int64) {
	if u != nil {
		v.ficheReads[[2]int64{u.ID, id}] = true
	}
}

// Read records that member u (nothing for a visitor) read a topic up to
// post number.
func (v Visits) Read(u *User, topicID int64, number int) {
	if u != nil && number > 0 {
		key := [2]int64{u.ID, topicID}
		v.reads[key] = max(v.reads[key], number)
	}
}

// Readers lists the members whose reading the batch records.
func (v Visits) Readers() []int64 {
	seen := map[int64]bool{}
	var out []int64
	for key := range v.reads {
		if !seen[key[0]] {
			seen[key[0]] = true
			out = append(out, key[0])
		}
	}
	for key := range v.ficheReads {
		if !seen[key[0]] {
			seen[key[0]] = true
			out = append(out, key[0])
		}
	}
	return out
}

// ReadUpTo is the highest post number of topicID that u read in this batch.
func (v Visits) ReadUpTo(u *User, topicID int64) int { return v.reads[[2]int64{u.ID, topicID}] }

// RecordVisits writes a batch of visits in one transaction.
func (s *Store) RecordVisits(ctx context.Context, v Visits) error {
	if len(v.views) == 0 && len(v.ficheViews) == 0 && len(v.reads) == 0 && len(v.ficheReads) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		for topicID, n := range v.views {
			if _, err := tx.ExecContext(ctx, `UPDATE topics SET views = views + ? WHERE id = ?`, n, topicID); err != nil {
				return err
			}
		}
		for id, n := range v.ficheViews {
			if _, err := tx.ExecContext(ctx, `UPDATE fiches SET views = views + ? WHERE id = ?`, n, id); err != nil {
				return err
			}
		}
		now := s.Now()
		for key, number := range v.reads {
			if err := markRead(ctx, tx, key[0], key[1], number); err != nil {
				return err
			}
			// What the member was told about these posts is read too.
			if err := markObjectRead(ctx, tx, now, key[0], EntityTopic, key[1], number); err != nil {
				return err
			}
		}
		for key := range v.ficheReads {
			if err := markObjectRead(ctx, tx, now, key[0], EntityFiche, key[1], 0); err != nil {
				return err
			}
		}
		return nil
	})
}
