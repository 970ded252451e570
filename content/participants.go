package content

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// MaxParticipants is how many participants a topic list shows per topic.
const MaxParticipants = 5

// Participant is a member who wrote in a topic, as lists show them.
type Participant struct {
	Pseudo string `db:"pseudo"`
	Posts  int    `db:"posts"` // their posts readers can see
}

// Initials are what the participant's avatar shows (see Initials).
func (p Participant) Initials() string { return Initials(p.Pseudo) }

// Colour is the palette index of the participant's avatar (see AvatarColour).
func (p Participant) Colour() int { return AvatarColour(p.Pseudo) }

// loadParticipants fills the participants of several topics in one query:
// the authors of the posts readers can see, most posts first (the earlier
// writer first among equals), at most MaxParticipants each, and how many
// others there are.
func (s *Store) loadParticipants(ctx context.Context, topics []Topic) error {
	if len(topics) == 0 {
		return nil
	}
	ids := make([]int64, len(topics))
	at := make(map[int64]int, len(topics))
	for i, t := range topics {
		ids[i], at[t.ID] = t.ID, i
	}
	q, args, err := sqlx.In(`SELECT topic_id, pseudo, posts, total FROM (
		SELECT p.topic_id, u.pseudo, count(*) AS posts,
			row_number() OVER (PARTITION BY p.topic_id ORDER BY count(*) DESC, min(p.number)) AS rank,
			count(*) OVER (PARTITION BY p.topic_id) AS total
		FROM posts p JOIN users u ON u.id = p.author_id
		WHERE p.topic_id IN (?) AND p.deleted_at IS NULL AND p.hidden_at IS NULL
		GROUP BY p.topic_id, p.author_id)
		WHERE rank <= ? ORDER BY topic_id, rank`, ids, MaxParticipants)
	if err != nil {
		return err
	}
	var rows []struct {
		TopicID int64 `db:"topic_id"`
		Total   int   `db:"total"`
		Participant
	}
	if err := s.db.R.SelectContext(ctx, &rows, q, args...); err != nil {
		return err
	}
	for _, r := range rows {
		t := &topics[at[r.TopicID]]
		t.Participants = append(t.Participants, r.Participant)
		t.OtherParticipants = r.Total - len(t.Participants)
	}
	return nil
}
