package content

import (
	"context"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Search document types, as users name them in filters.
const (
	DocDiscussion = "discussion" // a topic: its title and opening post
	DocMessage    = "message"    // a reply
)

// Access marks: what anybody may read is public; a restricted document
// also lists a mark for each reader ("user:ID").
const (
	AccessPublic     = "public"
	AccessRestricted = "restricted"
)

// SearchDoc is what the search index holds of one readable thing. Content
// decides what is indexed and who may read it (Access), so search results,
// counts and facets never show a private or hidden text.
type SearchDoc struct {
	ID       string    `json:"-"` // "topic:42", "post:9"
	Type     string    `json:"type"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Author   string    `json:"author"` // pseudo key: lower-case, accents folded
	Category string    `json:"category"`
	Tags     []string  `json:"tags"`
	Resolved bool      `json:"resolved"` // a question with an accepted answer
	Accepted bool      `json:"accepted"` // the accepted answer itself
	Date     time.Time `json:"date"`
	Access   []string  `json:"access"` // AccessPublic, or AccessRestricted and "user:ID" for each reader
}

// AccessFor lists the access marks a viewer holds.
func AccessFor(u *User) []string {
	marks := []string{AccessPublic}
	if u != nil {
		marks = append(marks, "user:"+strconv.FormatInt(u.ID, 10))
	}
	return marks
}

// DocID builds the index ID of an entity.
func DocID(entityType string, id int64) string { return entityType + ":" + strconv.FormatInt(id, 10) }

// ParseDocID splits an index ID.
func ParseDocID(doc string) (entityType string, id int64, ok bool) {
	t, n, found := strings.Cut(doc, ":")
	id, err := strconv.ParseInt(n, 10, 64)
	return t, id, found && err == nil
}

type docRow struct {
	PostID     int64     `db:"post_id"`
	Number     int       `db:"number"`
	TopicID    int64     `db:"topic_id"`
	Title      string    `db:"title"`
	HTML       string    `db:"html"`
	Author     string    `db:"author"`
	Category   string    `db:"category"`
	Resolved   bool      `db:"resolved"`
	Accepted   bool      `db:"accepted"`
	CreatedAt  time.Time `db:"created_at"`
	Searchable bool      `db:"searchable"`
}

// A post is searchable while it is visible, its author is not suspended and
// its topic was not merged away.
const docSelect = `SELECT p.id AS post_id, p.number, t.id AS topic_id, t.title, p.html, u.pseudo_key AS author,
	c.slug AS category, t.accepted_post_id IS NOT NULL AS resolved, coalesce(t.accepted_post_id = p.id, 0) AS accepted,
	p.created_at,
	(p.deleted_at IS NULL AND p.hidden_at IS NULL AND u.suspended_at IS NULL AND t.merged_into IS NULL) AS searchable
	FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.author_id JOIN categories c ON c.id = t.category_id`

func (r docRow) doc(tags []string) SearchDoc {
	d := SearchDoc{Body: PlainText(template.HTML(r.HTML)), Author: r.Author, Category: r.Category, Tags: tags,
		Resolved: r.Resolved, Accepted: r.Accepted, Date: r.CreatedAt, Access: []string{AccessPublic}}
	if r.Number == 1 {
		d.ID, d.Type, d.Title = DocID(EntityTopic, r.TopicID), DocDiscussion, r.Title
	} else {
		d.ID, d.Type = DocID(EntityPost, r.PostID), DocMessage
	}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	return d
}

// SearchDocsFor returns the documents to (re)index for an outbox entry and
// the IDs to remove from the index. A topic change touches its opening post
// document; a post change touches that post (or the topic, for post 1).
func (s *Store) SearchDocsFor(ctx context.Context, entityType string, id int64) (docs []SearchDoc, remove []string, err error) {
	var rows []docRow
	switch entityType {
	case EntityTopic:
		err = s.db.R.SelectContext(ctx, &rows, docSelect+` WHERE p.topic_id = ? AND p.number = 1`, id)
		if len(rows) == 0 && err == nil {
			return nil, []string{DocID(EntityTopic, id)}, nil
		}
	case EntityPost:
		err = s.db.R.SelectContext(ctx, &rows, docSelect+` WHERE p.id = ?`, id)
		if len(rows) == 0 && err == nil {
			return nil, []string{DocID(EntityPost, id)}, nil
		}
	default:
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return s.docsFromRows(ctx, rows)
}

func (s *Store) docsFromRows(ctx context.Context, rows []docRow) (docs []SearchDoc, remove []string, err error) {
	topicIDs := map[int64]bool{}
	for _, r := range rows {
		topicIDs[r.TopicID] = true
	}
	tags, err := s.tagsOf(ctx, topicIDs)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		d := r.doc(tags[r.TopicID])
		if r.Searchable {
			docs = append(docs, d)
		} else {
			remove = append(remove, d.ID)
		}
	}
	return docs, remove, nil
}

func (s *Store) tagsOf(ctx context.Context, topicIDs map[int64]bool) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(topicIDs) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(topicIDs))
	for id := range topicIDs {
		ids = append(ids, id)
	}
	q, args, err := sqlx.In(`SELECT tt.topic_id, g.name FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.topic_id IN (?) ORDER BY g.name`, ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = append(out[id], name)
	}
	return out, rows.Err()
}

// EachSearchDoc streams every searchable document, in batches, for a full
// rebuild. It returns the outbox position the documents are consistent with:
// entries after it must be applied on top.
func (s *Store) EachSearchDoc(ctx context.Context, fn func([]SearchDoc) error) (cursor int64, err error) {
	if err := s.db.R.GetContext(ctx, &cursor, `SELECT coalesce(max(id), 0) FROM outbox`); err != nil {
		return 0, err
	}
	var last int64
	for {
		var rows []docRow
		if err := s.db.R.SelectContext(ctx, &rows, docSelect+` WHERE p.id > ? ORDER BY p.id LIMIT 2000`, last); err != nil {
			return 0, err
		}
		if len(rows) == 0 {
			return cursor, nil
		}
		last = rows[len(rows)-1].PostID
		docs, _, err := s.docsFromRows(ctx, rows)
		if err != nil {
			return 0, err
		}
		if err := fn(docs); err != nil {
			return 0, err
		}
	}
}

// CountSearchDocs counts the documents a complete index holds.
func (s *Store) CountSearchDocs(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.author_id
		WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL AND u.suspended_at IS NULL AND t.merged_into IS NULL`)
	return n, err
}

// OutboxAfter returns up to limit outbox entries after position cursor.
func (s *Store) OutboxAfter(ctx context.Context, cursor int64, limit int) ([]OutboxEntry, error) {
	var es []OutboxEntry
	err := s.db.R.SelectContext(ctx, &es, `SELECT id, entity_type, entity_id, created_at FROM outbox WHERE id > ? ORDER BY id LIMIT ?`, cursor, limit)
	return es, err
}

// PruneOutbox deletes entries applied up to cursor and older than keep:
// they stay a while so a rebuild started earlier can catch up from them.
func (s *Store) PruneOutbox(ctx context.Context, cursor int64, keep time.Duration) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM outbox WHERE id <= ? AND created_at < ?`, cursor, s.Now().Add(-keep))
	return err
}

// SearchTarget is what a search result shows of the thing it found.
type SearchTarget struct {
	DocID    string
	Type     string
	Title    string // the topic's title
	URL      string // to the exact post
	Author   string
	Date     time.Time
	Category string // name
	Tags     []string
	Resolved bool
	Accepted bool
}

// SearchTargets loads, in one query, the things behind index IDs that the
// viewer may read; anything else is left out, so a stale index entry never
// shows a hidden text.
func (s *Store) SearchTargets(ctx context.Context, viewer *User, docIDs []string) (map[string]SearchTarget, error) {
	var topicIDs, postIDs []int64
	for _, d := range docIDs {
		switch t, id, ok := ParseDocID(d); {
		case ok && t == EntityTopic:
			topicIDs = append(topicIDs, id)
		case ok && t == EntityPost:
			postIDs = append(postIDs, id)
		}
	}
	out := map[string]SearchTarget{}
	if len(topicIDs)+len(postIDs) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT p.id AS post_id, p.number, t.id AS topic_id, t.title, t.slug, u.pseudo AS author,
		c.name AS category, t.accepted_post_id IS NOT NULL AS resolved, coalesce(t.accepted_post_id = p.id, 0) AS accepted,
		p.created_at, p.author_id, p.deleted_at, p.hidden_at, u.suspended_at IS NOT NULL AS suspended, t.merged_into IS NOT NULL AS merged
		FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.author_id JOIN categories c ON c.id = t.category_id
		WHERE (p.number = 1 AND p.topic_id IN (?)) OR p.id IN (?)`, append(topicIDs, -1), append(postIDs, -1))
	if err != nil {
		return nil, err
	}
	var rows []struct {
		PostID    int64      `db:"post_id"`
		Number    int        `db:"number"`
		TopicID   int64      `db:"topic_id"`
		Title     string     `db:"title"`
		Slug      string     `db:"slug"`
		Author    string     `db:"author"`
		Category  string     `db:"category"`
		Resolved  bool       `db:"resolved"`
		Accepted  bool       `db:"accepted"`
		CreatedAt time.Time  `db:"created_at"`
		AuthorID  int64      `db:"author_id"`
		DeletedAt *time.Time `db:"deleted_at"`
		HiddenAt  *time.Time `db:"hidden_at"`
		Suspended bool       `db:"suspended"`
		Merged    bool       `db:"merged"`
	}
	if err := s.db.R.SelectContext(ctx, &rows, s.db.R.Rebind(q), args...); err != nil {
		return nil, err
	}
	topics := map[int64]bool{}
	for _, r := range rows {
		topics[r.TopicID] = true
	}
	tags, err := s.tagsOf(ctx, topics)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		p := &Post{AuthorID: r.AuthorID, DeletedAt: r.DeletedAt, HiddenAt: r.HiddenAt}
		if r.Suspended || r.Merged || r.DeletedAt != nil || !CanSeePostBody(viewer, p) {
			continue
		}
		t := Topic{ID: r.TopicID, Slug: r.Slug}
		target := SearchTarget{Title: r.Title, Author: r.Author, Date: r.CreatedAt, Category: r.Category,
			Tags: tags[r.TopicID], Resolved: r.Resolved, Accepted: r.Accepted}
		if r.Number == 1 {
			target.DocID, target.Type, target.URL = DocID(EntityTopic, r.TopicID), DocDiscussion, t.Path()
		} else {
			target.DocID, target.Type = DocID(EntityPost, r.PostID), DocMessage
			target.URL = t.Path() + "?post=" + strconv.Itoa(r.Number)
		}
		out[target.DocID] = target
	}
	return out, nil
}
