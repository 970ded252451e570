package content

import (
	"context"
	"html/template"
	"time"

	"github.com/jmoiron/sqlx"
)

// The discussions' search source: a topic is one document (its title and
// opening post, "topic:ID"), each reply another ("post:ID"), found by the
// topic's readers.

// Search document types of discussions, as members name them in filters.
const (
	DocDiscussion = "discussion" // a topic: its title and opening post
	DocMessage    = "message"    // a reply
)

type discussionSearch struct{ s *Store }

// postSearchable is the one rule of which posts are searchable: visible,
// by a member who is not suspended, in a topic not merged away.
const postSearchable = `(p.deleted_at IS NULL AND p.hidden_at IS NULL AND u.suspended_at IS NULL AND t.merged_into IS NULL)`

const postDocFrom = ` FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.author_id JOIN categories c ON c.id = t.category_id`

const docSelect = `SELECT p.id AS post_id, p.number, t.id AS topic_id, t.title, t.slug, p.html, u.pseudo_key AS author_key,
	u.pseudo AS author, c.slug AS category_slug, c.name AS category, t.accepted_post_id IS NOT NULL AS resolved,
	coalesce(t.accepted_post_id = p.id, 0) AS accepted, p.created_at, p.author_id, t.readers, ` + postSearchable + ` AS searchable` + postDocFrom

type docRow struct {
	PostID       int64     `db:"post_id"`
	Number       int       `db:"number"`
	TopicID      int64     `db:"topic_id"`
	Title        string    `db:"title"`
	Slug         string    `db:"slug"`
	HTML         string    `db:"html"`
	AuthorKey    string    `db:"author_key"`
	Author       string    `db:"author"`
	CategorySlug string    `db:"category_slug"`
	Category     string    `db:"category"`
	Resolved     bool      `db:"resolved"`
	Accepted     bool      `db:"accepted"`
	CreatedAt    time.Time `db:"created_at"`
	AuthorID     int64     `db:"author_id"`
	Searchable   bool      `db:"searchable"`
	Readers      Readers   `db:"readers"`
}

// docID is the document of the row: the topic for its opening post.
func (r docRow) docID() (string, string) {
	if r.Number == 1 {
		return DocID(EntityTopic, r.TopicID), DocDiscussion
	}
	return DocID(EntityPost, r.PostID), DocMessage
}

func (r docRow) doc(tags []string) SearchDoc {
	d := SearchDoc{Body: PlainText(template.HTML(r.HTML)), Author: r.AuthorKey, Category: r.CategorySlug, Tags: tags,
		Resolved: r.Resolved, Accepted: r.Accepted, Date: r.CreatedAt, Access: r.Readers.searchAccess(), Group: DocID(EntityTopic, r.TopicID)}
	d.ID, d.Type = r.docID()
	if r.Number == 1 {
		d.Title = r.Title
	}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	return d
}

func (discussionSearch) Entities() []string { return []string{EntityTopic, EntityPost} }

func (discussionSearch) Types() []DocType {
	return []DocType{{DocDiscussion, "Discussions"}, {DocMessage, "Messages"}}
}

// Changed re-reads the documents an event touches: a topic change touches
// all its posts (title, category, tags and resolution are on every one), a
// post change that post, a member's suspension all their posts.
func (d discussionSearch) Changed(ctx context.Context, e Event) ([]SearchDoc, []string, error) {
	var where string
	switch e.EntityType {
	case EntityTopic:
		where = ` WHERE p.topic_id = ?`
	case EntityPost:
		where = ` WHERE p.id = ?`
	case EntityUser:
		where = ` WHERE p.author_id = ?`
	default:
		return nil, nil, nil
	}
	var rows []docRow
	if err := d.s.db.R.SelectContext(ctx, &rows, docSelect+where, e.EntityID); err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 && e.EntityType != EntityUser {
		return nil, []string{DocID(e.EntityType, e.EntityID)}, nil
	}
	return d.docs(ctx, rows)
}

// docs turns rows into documents to index and IDs to remove.
func (d discussionSearch) docs(ctx context.Context, rows []docRow) (docs []SearchDoc, remove []string, err error) {
	tags, err := d.s.tagsOf(ctx, topicIDsOf(rows))
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		if r.Searchable {
			docs = append(docs, r.doc(tags[r.TopicID]))
		} else {
			id, _ := r.docID()
			remove = append(remove, id)
		}
	}
	return docs, remove, nil
}

func topicIDsOf(rows []docRow) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, r := range rows {
		if !seen[r.TopicID] {
			seen[r.TopicID] = true
			ids = append(ids, r.TopicID)
		}
	}
	return ids
}

func (d discussionSearch) Each(ctx context.Context, fn func([]SearchDoc) error) error {
	var last int64
	for {
		var rows []docRow
		if err := d.s.db.R.SelectContext(ctx, &rows, docSelect+` WHERE p.id > ? ORDER BY p.id LIMIT 2000`, last); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		last = rows[len(rows)-1].PostID
		docs, _, err := d.docs(ctx, rows)
		if err != nil {
			return err
		}
		if err := fn(docs); err != nil {
			return err
		}
	}
}

func (d discussionSearch) Count(ctx context.Context) (uint64, error) {
	var n uint64
	err := d.s.db.R.GetContext(ctx, &n, `SELECT count(*)`+postDocFrom+` WHERE `+postSearchable)
	return n, err
}

// Targets loads, in one query, the posts behind the IDs that are still
// searchable and that viewer may read.
func (d discussionSearch) Targets(ctx context.Context, viewer *User, ids []string) (map[string]SearchTarget, error) {
	out := map[string]SearchTarget{}
	q, args, err := sqlx.In(docSelect+` WHERE (p.number = 1 AND p.topic_id IN (?)) OR p.id IN (?)`,
		append(IDsOf(ids, EntityTopic), -1), append(IDsOf(ids, EntityPost), -1))
	if err != nil {
		return nil, err
	}
	var rows []docRow
	if err := d.s.db.R.SelectContext(ctx, &rows, d.s.db.R.Rebind(q), args...); err != nil {
		return nil, err
	}
	tags, err := d.s.tagsOf(ctx, topicIDsOf(rows))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if !r.Searchable || !CanReadTopic(viewer, &Topic{Readers: r.Readers}) || !CanReadPost(viewer, &Post{AuthorID: r.AuthorID}) {
			continue
		}
		t := Topic{ID: r.TopicID, Slug: r.Slug}
		target := SearchTarget{Title: r.Title, Author: r.Author, Date: r.CreatedAt, Category: r.Category,
			Tags: tags[r.TopicID], Resolved: r.Resolved, Accepted: r.Accepted, URL: t.Path()}
		target.DocID, target.Type = r.docID()
		if r.Number > 1 {
			target.URL = t.PostPath(r.Number)
		}
		out[target.DocID] = target
	}
	return out, nil
}
