package content

import (
	"context"
	"database/sql"
	"html/template"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Posts: the type and how they are read. Writing them is in post_write.go,
// the actions on one post (withdraw, hide, thank, accept) in post_actions.go.

// Post is one message of a topic.
type Post struct {
	ID         int64         `db:"id"`
	TopicID    int64         `db:"topic_id"`
	Number     int           `db:"number"`
	AuthorID   int64         `db:"author_id"`
	ReplyTo    *int          `db:"reply_to"`
	Body       string        `db:"body"`
	HTML       template.HTML `db:"html"`
	MerciCount int           `db:"merci_count"`
	ReplyCount int           `db:"reply_count"`
	CreatedAt  time.Time     `db:"created_at"`
	EditedAt   *time.Time    `db:"edited_at"`
	DeletedAt  *time.Time    `db:"deleted_at"`
	HiddenAt   *time.Time    `db:"hidden_at"`
	Held       bool          `db:"held"` // hidden by members' flags, pending review

	Author        PostAuthor     `db:"author"`
	ReplyToPseudo sql.NullString `db:"reply_to_pseudo"`
	MerciByViewer bool           `db:"merci_by_viewer"`
	SavedByViewer bool           `db:"saved_by_viewer"` // in the viewer's bookmarks
	TopicReaders  Readers        `db:"topic_readers"`
}

// PostAuthor is what a post shows of its author.
type PostAuthor struct {
	Pseudo      string `db:"pseudo"`
	Role        Role   `db:"role"`
	Structure   string `db:"structure"`
	Departement string `db:"departement"`
	Suspended   bool   `db:"suspended"`
}

// DepartementLabel is "75 – Paris", or "".
func (a PostAuthor) DepartementLabel() string { return DepartementLabel(a.Departement) }

// Anchor is the fragment of the post's permalink.
func (p *Post) Anchor() string { return "post-" + itoa64(int64(p.Number)) }

const postSelect = `SELECT p.id, p.topic_id, p.number, p.author_id, p.reply_to, p.body, p.html, p.merci_count, p.reply_count,
	p.created_at, p.edited_at, p.deleted_at, p.hidden_at, (p.hidden_at IS NOT NULL AND p.hidden_by IS NULL) AS held,
	u.pseudo AS "author.pseudo", u.role AS "author.role", u.structure AS "author.structure",
	u.departement AS "author.departement", u.suspended_at IS NOT NULL AS "author.suspended",
	rp.pseudo AS reply_to_pseudo,
	EXISTS (SELECT 1 FROM mercis m WHERE m.post_id = p.id AND m.user_id = :viewer) AS merci_by_viewer,
	EXISTS (SELECT 1 FROM bookmarks b WHERE b.post_id = p.id AND b.user_id = :viewer) AS saved_by_viewer,
	pt.readers AS topic_readers
	FROM posts p
	JOIN topics pt ON pt.id = p.topic_id
	JOIN users u ON u.id = p.author_id
	LEFT JOIN posts rpp ON rpp.topic_id = p.topic_id AND rpp.number = p.reply_to
	LEFT JOIN users rp ON rp.id = rpp.author_id`

func insertPost(ctx context.Context, tx *sqlx.Tx, p *Post) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO posts (topic_id, number, author_id, reply_to, body, html, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, p.TopicID, p.Number, p.AuthorID, p.ReplyTo, p.Body, string(p.HTML), p.CreatedAt)
	if err != nil {
		return 0, err
	}
	p.ID, err = res.LastInsertId()
	return p.ID, err
}

func viewerID(u *User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// PostsPage returns one page of a topic's posts in chronological order.
func (s *Store) PostsPage(ctx context.Context, viewer *User, topicID int64, page int) ([]Post, error) {
	if page < 1 {
		page = 1
	}
	return s.selectPosts(ctx, viewer, ` WHERE p.topic_id = :topic ORDER BY p.number LIMIT :limit OFFSET :offset`,
		map[string]any{"topic": topicID, "limit": PostsPerPage, "offset": (page - 1) * PostsPerPage})
}

// AllPosts returns every post of a topic in order (tree view, export, feed).
func (s *Store) AllPosts(ctx context.Context, viewer *User, topicID int64) ([]Post, error) {
	return s.selectPosts(ctx, viewer, ` WHERE p.topic_id = :topic ORDER BY p.number`, map[string]any{"topic": topicID})
}

// PostByNumber loads post n of a topic.
func (s *Store) PostByNumber(ctx context.Context, viewer *User, topicID int64, n int) (*Post, error) {
	ps, err := s.selectPosts(ctx, viewer, ` WHERE p.topic_id = :topic AND p.number = :n`, map[string]any{"topic": topicID, "n": n})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, ErrNotFound
	}
	return &ps[0], nil
}

// OpeningPosts loads the opening post of each topic of ids, in one query,
// by topic ID (a list's excerpts, a feed's entries).
func (s *Store) OpeningPosts(ctx context.Context, viewer *User, ids []int64) (map[int64]Post, error) {
	out := make(map[int64]Post, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = itoa64(id) // integers: nothing to escape
	}
	posts, err := s.selectPosts(ctx, viewer, ` WHERE p.number = 1 AND p.topic_id IN (`+strings.Join(list, ",")+`)`, map[string]any{})
	for _, p := range posts {
		out[p.TopicID] = p
	}
	return out, err
}

// PostByID loads a post by its ID.
func (s *Store) PostByID(ctx context.Context, viewer *User, id int64) (*Post, error) {
	ps, err := s.selectPosts(ctx, viewer, ` WHERE p.id = :id`, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, ErrNotFound
	}
	return &ps[0], nil
}

// PageOfPost tells on which page of its topic post n appears.
func (s *Store) PageOfPost(ctx context.Context, topicID int64, n int) (int, error) {
	var before int
	err := s.db.R.GetContext(ctx, &before, `SELECT count(*) FROM posts WHERE topic_id = ? AND number < ?`, topicID, n)
	return before/PostsPerPage + 1, err
}

// selectPosts loads the posts postSelect+tail finds, leaving out those of
// discussions viewer does not read.
func (s *Store) selectPosts(ctx context.Context, viewer *User, tail string, args map[string]any) ([]Post, error) {
	ps, err := s.selectPagePosts(ctx, viewer, tail, args)
	kept := ps[:0]
	for _, p := range ps {
		if CanReadTopic(viewer, &Topic{Readers: p.TopicReaders}) {
			kept = append(kept, p)
		}
	}
	return kept, err
}

// selectPagePosts is selectPosts for a page's comments, whose caller
// checked that viewer reads the page (which decides who reads them).
func (s *Store) selectPagePosts(ctx context.Context, viewer *User, tail string, args map[string]any) ([]Post, error) {
	args["viewer"] = viewerID(viewer)
	q, qargs, err := sqlx.Named(postSelect+tail, args)
	if err != nil {
		return nil, err
	}
	var ps []Post
	if err := s.db.R.SelectContext(ctx, &ps, q, qargs...); err != nil {
		return nil, err
	}
	for i := range ps {
		if !CanReadPost(viewer, &ps[i]) {
			ps[i].Body, ps[i].HTML = "", ""
		}
	}
	return ps, nil
}

// QuoteOf returns markdown quoting post p, naming and linking its author.
// Only the post's own words are quoted: the quotes it holds itself are left
// out, so quotes never nest.
func QuoteOf(t *Topic, p *Post) string {
	var b strings.Builder
	b.WriteString("> **@" + p.Author.Pseudo + "** [a écrit](" + t.PostPath(p.Number) + "#" + p.Anchor() + ") :\n")
	for _, line := range strings.Split(ownWords(p.Body), "\n") {
		b.WriteString(">" + prefixSpace(line) + "\n")
	}
	return b.String() + "\n"
}

// ownWords is a text without its quotations (lines starting with ">",
// indented by up to three spaces, and the lazy lines that continue them),
// blank lines collapsed.
func ownWords(body string) string {
	var kept []string
	inQuote := false
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case len(line)-len(trimmed) <= 3 && strings.HasPrefix(trimmed, ">"):
			inQuote = true
			continue
		case strings.TrimSpace(line) == "":
			inQuote = false
			if len(kept) > 0 && kept[len(kept)-1] != "" {
				kept = append(kept, "")
			}
			continue
		case inQuote: // a lazy continuation of the quote
			continue
		}
		kept = append(kept, line)
	}
	return strings.Trim(strings.Join(kept, "\n"), "\n")
}

func prefixSpace(line string) string {
	if line == "" {
		return ""
	}
	return " " + line
}
