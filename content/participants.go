package content

import (
	"context"
	"sort"

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

// loadParticipants fills the participants of several topics: the authors
// of the posts readers can see, most posts first (the earlier writer first
// among equals), at most MaxParticipants each, and how many others there
// are. Two queries whatever the number of topics: the counts, read from
// posts_participants alone, then the pseudos of the few shown. (Ranking
// them in SQL with window functions cost three times the counting.)
func (s *Store) loadParticipants(ctx context.Context, topics []Topic) error {
	if len(topics) == 0 {
		return nil
	}
	ids := make([]int64, len(topics))
	at := make(map[int64]int, len(topics))
	for i, t := range topics {
		ids[i], at[t.ID] = t.ID, i
	}
	q, args, err := sqlx.In(`SELECT topic_id, author_id, count(*), min(number) FROM posts
		WHERE topic_id IN (?) AND deleted_at IS NULL AND hidden_at IS NULL
		GROUP BY topic_id, author_id`, ids)
	if err != nil {
		return err
	}
	type writer struct {
		author      int64
		posts, from int
	}
	byTopic := make([][]writer, len(topics))
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var topic int64
		var w writer
		if err := rows.Scan(&topic, &w.author, &w.posts, &w.from); err != nil {
			return err
		}
		byTopic[at[topic]] = append(byTopic[at[topic]], w)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var shown []int64
	for i, ws := range byTopic {
		sort.Slice(ws, func(a, b int) bool {
			if ws[a].posts != ws[b].posts {
				return ws[a].posts > ws[b].posts
			}
			return ws[a].from < ws[b].from
		})
		byTopic[i] = ws[:min(len(ws), MaxParticipants)]
		topics[i].OtherParticipants = len(ws) - len(byTopic[i])
		for _, w := range byTopic[i] {
			shown = append(shown, w.author)
		}
	}
	pseudos, err := s.pseudosOf(ctx, shown)
	if err != nil {
		return err
	}
	for i, ws := range byTopic {
		topics[i].Participants = make([]Participant, len(ws))
		for j, w := range ws {
			topics[i].Participants[j] = Participant{Pseudo: pseudos[w.author], Posts: w.posts}
		}
	}
	return nil
}

// pseudosOf returns the pseudos of the members ids, by ID.
func (s *Store) pseudosOf(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	err := s.eachPairIn(ctx, `SELECT id, pseudo FROM users WHERE id IN (?)`, ids, func(id int64, pseudo string) { out[id] = pseudo })
	return out, err
}
