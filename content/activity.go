package content

import (
	"context"
	"time"
)

// Activity is what a member's profile shows of what they wrote: their
// questions, their answers and the answers accepted as solutions, as any
// reader can see them (withdrawn and hidden posts left out).
type Activity struct {
	Questions, Answers, Solutions int
	RecentTopics                  []ActivityItem
	RecentAnswers                 []ActivityItem
}

// ActivityItem is one topic or answer of a profile.
type ActivityItem struct {
	Title    string    `db:"title"`
	TopicID  int64     `db:"topic_id"`
	Slug     string    `db:"slug"`
	Number   int       `db:"number"`
	Date     time.Time `db:"created_at"`
	Accepted bool      `db:"accepted"`
	Resolved bool      `db:"resolved"`
}

// URL is the address of the item: its topic, or the answer in it.
func (a ActivityItem) URL() string {
	t := Topic{ID: a.TopicID, Slug: a.Slug}
	if a.Number > 1 {
		return t.PostPath(a.Number)
	}
	return t.Path()
}

const visiblePostOf = `FROM posts p JOIN topics t ON t.id = p.topic_id
	WHERE p.author_id = ? AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.merged_into IS NULL`

// MemberActivity counts and lists what a member wrote, in the discussions
// viewer reads.
func (s *Store) MemberActivity(ctx context.Context, viewer *User, memberID int64) (*Activity, error) {
	visiblePostOf := visiblePostOf + ` AND ` + readersSQL(viewer)
	a := &Activity{}
	if err := s.db.R.QueryRowContext(ctx, `SELECT
		coalesce(sum(p.number = 1 AND t.kind = 'question'), 0),
		coalesce(sum(p.number > 1), 0),
		coalesce(sum(t.accepted_post_id = p.id), 0) `+visiblePostOf, memberID).Scan(&a.Questions, &a.Answers, &a.Solutions); err != nil {
		return nil, err
	}
	if err := s.db.R.SelectContext(ctx, &a.RecentTopics, `SELECT t.title, t.id AS topic_id, t.slug, p.number, p.created_at,
		0 AS accepted, t.accepted_post_id IS NOT NULL AS resolved `+visiblePostOf+` AND p.number = 1
		ORDER BY p.created_at DESC LIMIT 10`, memberID); err != nil {
		return nil, err
	}
	err := s.db.R.SelectContext(ctx, &a.RecentAnswers, `SELECT t.title, t.id AS topic_id, t.slug, p.number, p.created_at,
		coalesce(t.accepted_post_id = p.id, 0) AS accepted, 0 AS resolved `+visiblePostOf+` AND p.number > 1
		ORDER BY p.created_at DESC LIMIT 10`, memberID)
	return a, err
}
