package content

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// TopicFilter selects the topics of a list.
type TopicFilter struct {
	Category   string // slug
	Tag        string
	Unanswered bool // questions without a reply
	Resolved   bool // questions with an accepted answer
	Following  bool // topics the viewer follows, or in categories and tags they follow
	Unread     bool // topics the viewer follows with posts they have not read
	New        bool // topics the viewer never opened, created lately by others
	Page       int  // from 1
	// After, when set, starts the page right after that topic of the
	// previous one (keyset: the page costs the same however far it is);
	// Page then only numbers it. Pinned topics all come before.
	After *TopicCursor
}

// TopicCursor is a place in a list of topics: the topic last active at At,
// with ID. Its text form goes in the links of the next pages.
type TopicCursor struct {
	At time.Time
	ID int64
}

// CursorOf is the place of t in a list.
func CursorOf(t *Topic) TopicCursor { return TopicCursor{At: t.LastActivityAt, ID: t.ID} }

// String is the cursor as links carry it.
func (c TopicCursor) String() string {
	return strconv.FormatInt(c.At.UnixNano(), 36) + "-" + strconv.FormatInt(c.ID, 36)
}

// ParseTopicCursor reads a cursor written by String.
func ParseTopicCursor(s string) (TopicCursor, bool) {
	at, id, ok := strings.Cut(s, "-")
	nanos, err1 := strconv.ParseInt(at, 36, 64)
	n, err2 := strconv.ParseInt(id, 36, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 || nanos <= 0 {
		return TopicCursor{}, false
	}
	return TopicCursor{At: time.Unix(0, nanos).UTC(), ID: n}, true
}

// ListCountCap is how far a list counts its topics: past it, the count
// would read the whole table on every page, and « plus de 1 000 » says as
// much to a reader.
const ListCountCap = 1000

// ListTopics returns a page of topics, pinned first, then by last activity,
// with their tags and participants and the viewer's unread counts, and how
// many topics match in all — ListCountCap+1 when there are more than
// ListCountCap. Pinned topics are read apart, so that the others come
// straight from the activity indexes in order, without a sort.
func (s *Store) ListTopics(ctx context.Context, viewer *User, f TopicFilter) ([]Topic, int, error) {
	viewerID := int64(0)
	if viewer != nil {
		viewerID = viewer.ID
	}
	where := []string{"t.merged_into IS NULL", readersSQL(viewer)}
	args := map[string]any{"viewer": viewerID, "since": s.Now().Add(-NewFor)}
	if f.Category != "" {
		where = append(where, "c.slug = :category")
		args["category"] = f.Category
	}
	if f.Tag != "" {
		where = append(where, "t.id IN (SELECT tt.topic_id FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.name = :tag)")
		args["tag"] = f.Tag
	}
	if f.Unanswered {
		where = append(where, "t.kind = 'question' AND t.answer_count = 0")
	}
	if f.Resolved {
		where = append(where, "t.accepted_post_id IS NOT NULL")
	}
	if f.Following {
		where = append(where, `(f.level = 'watching' OR (f.level IS NULL AND (
			t.category_id IN (SELECT target_id FROM follows WHERE user_id = :viewer AND target_type = 'category' AND level = 'watching')
			OR t.id IN (SELECT tt.topic_id FROM topic_tags tt JOIN follows ft ON ft.target_type = 'tag' AND ft.target_id = tt.tag_id
				WHERE ft.user_id = :viewer AND ft.level = 'watching'))))`)
	}
	if f.Unread {
		where = append(where, "f.level = 'watching' AND t.last_number > coalesce(r.last_number, 0)")
	}
	if f.New {
		where = append(where, "("+topicIsNew+")")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	// What the viewer follows and read matters to the count only when the
	// filter is about it.
	joins := ""
	if f.Following || f.Unread || f.New {
		joins = `
		LEFT JOIN follows f ON f.user_id = :viewer AND f.target_type = 'topic' AND f.target_id = t.id
		LEFT JOIN topic_reads r ON r.user_id = :viewer AND r.topic_id = t.id`
	}
	// The pinned ones come from topics_pinned: the unary + keeps SQLite
	// from preferring topics_activity for « merged_into IS NULL ».
	pinnedCond := strings.Replace(cond, "t.merged_into IS NULL", "+t.merged_into IS NULL", 1) + " AND t.pinned = 1"
	unpinnedCond := cond + " AND t.pinned = 0"
	count := func(cond string) (int, error) {
		var n int
		args["cap"] = ListCountCap + 1
		q, qargs, err := sqlx.Named(`SELECT count(*) FROM (SELECT 1 FROM topics t JOIN categories c ON c.id = t.category_id`+
			joins+cond+` LIMIT :cap)`, args)
		if err == nil {
			err = s.db.R.GetContext(ctx, &n, q, qargs...)
		}
		return n, err
	}
	total, err := count(cond)
	if err != nil {
		return nil, 0, err
	}
	pinned, err := count(pinnedCond)
	if err != nil {
		return nil, 0, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	// The page's rows of « pinned first, then the others »: the pinned
	// ones it reaches, then the others from where they start on it.
	offset := (f.Page - 1) * TopicsPerPage
	if f.After != nil {
		// Right after the cursor, in the order of the activity indexes.
		args["after_at"], args["after_id"] = f.After.At, f.After.ID
		unpinnedCond += " AND (t.last_activity_at, t.id) < (:after_at, :after_id)"
		offset, pinned = 0, 0
	}
	var topics []Topic
	read := func(cond string, limit, offset int) error {
		args["limit"], args["offset"] = limit, offset
		q, qargs, err := sqlx.Named(topicSelect+cond+` ORDER BY t.last_activity_at DESC, t.id DESC LIMIT :limit OFFSET :offset`, args)
		if err != nil {
			return err
		}
		var rows []Topic
		err = s.db.R.SelectContext(ctx, &rows, q, qargs...)
		topics = append(topics, rows...)
		return err
	}
	if offset < pinned {
		if err := read(pinnedCond, TopicsPerPage, offset); err != nil {
			return nil, 0, err
		}
	}
	if rest := TopicsPerPage - len(topics); rest > 0 {
		if err := read(unpinnedCond, rest, max(0, offset-pinned)); err != nil {
			return nil, 0, err
		}
	}
	if err := s.loadTags(ctx, topics); err != nil {
		return nil, 0, err
	}
	return topics, total, s.loadParticipants(ctx, topics)
}

// loadTags fills the tags of several topics in one query.
func (s *Store) loadTags(ctx context.Context, topics []Topic) error {
	ids := make([]int64, len(topics))
	for i, t := range topics {
		ids[i] = t.ID
	}
	tags, err := s.tagsOf(ctx, ids)
	if err != nil {
		return err
	}
	for i := range topics {
		topics[i].Tags = tags[topics[i].ID]
	}
	return nil
}

// tagsOf returns the tags of each topic, in one query, sorted by name.
func (s *Store) tagsOf(ctx context.Context, topicIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	err := s.eachPairIn(ctx, `SELECT tt.topic_id, g.name FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id
		WHERE tt.topic_id IN (?) ORDER BY g.name`, topicIDs, func(id int64, name string) { out[id] = append(out[id], name) })
	return out, err
}

// eachPairIn runs query, which selects an ID and a text for the IDs its
// IN (?) is given, and hands fn each row; with no IDs it asks nothing.
func (s *Store) eachPairIn(ctx context.Context, query string, ids []int64, fn func(id int64, text string)) error {
	if len(ids) == 0 {
		return nil
	}
	q, args, err := sqlx.In(query, ids)
	if err != nil {
		return err
	}
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return err
		}
		fn(id, text)
	}
	return rows.Err()
}

// TagCount is a tag with the number of topics that carry it.
type TagCount struct {
	Name  string `db:"name"`
	Count int    `db:"count"`
}

// TagCounts lists the tags in use, most used first, with their topic counts
// (merged-away topics left out, and those not everyone reads: a tag's
// count is the same for all).
func (s *Store) TagCounts(ctx context.Context) ([]TagCount, error) {
	var tags []TagCount
	err := s.db.R.SelectContext(ctx, &tags, `SELECT g.name, count(*) AS count FROM topic_tags tt
		JOIN tags g ON g.id = tt.tag_id JOIN topics t ON t.id = tt.topic_id
		WHERE t.merged_into IS NULL AND `+readersSQL(nil)+` GROUP BY g.id ORDER BY count DESC, g.name LIMIT 500`)
	return tags, err
}
