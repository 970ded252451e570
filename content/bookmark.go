package content

import (
	"context"
	"html/template"
	"time"
)

// Bookmark is a post a member saved, as their private list shows it.
type Bookmark struct {
	PostID    int64         `db:"post_id"`
	Number    int           `db:"number"`
	TopicID   int64         `db:"topic_id"`
	Title     string        `db:"title"`
	Slug      string        `db:"slug"`
	Author    string        `db:"author"`
	HTML      template.HTML `db:"html"`
	SavedAt   time.Time     `db:"created_at"`
	DeletedAt *time.Time    `db:"deleted_at"`
	HiddenAt  *time.Time    `db:"hidden_at"`
	AuthorID  int64         `db:"author_id"`
}

// URL is the post's permalink.
func (b Bookmark) URL() string {
	t := Topic{ID: b.TopicID, Slug: b.Slug}
	return t.PostPath(b.Number)
}

// Excerpt is the first words of the post.
func (b Bookmark) Excerpt() string { return Excerpt(b.HTML, 200) }

// ToggleBookmark saves a post to u's list, or takes it off; it returns
// whether it is now saved.
func (s *Store) ToggleBookmark(ctx context.Context, u *User, postID int64) (bool, error) {
	p, err := s.PostByID(ctx, u, postID)
	if err != nil {
		return false, err
	}
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM bookmarks WHERE user_id = ? AND post_id = ?`, viewerID(u), postID)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return false, nil
	}
	if !CanBookmark(u, p) {
		return false, ErrForbidden
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO bookmarks (user_id, post_id, created_at) VALUES (?, ?, ?)`, u.ID, postID, s.Now())
	return err == nil, err
}

// Bookmarks lists the posts u saved, most recent first, leaving out those
// u may no longer read (withdrawn, hidden, merged away, in a discussion no
// longer read by u).
func (s *Store) Bookmarks(ctx context.Context, u *User) ([]Bookmark, error) {
	var all []Bookmark
	if err := s.db.R.SelectContext(ctx, &all, `SELECT p.id AS post_id, p.number, t.id AS topic_id, t.title, t.slug,
		a.pseudo AS author, p.html, b.created_at, p.deleted_at, p.hidden_at, p.author_id
		FROM bookmarks b JOIN posts p ON p.id = b.post_id JOIN topics t ON t.id = p.topic_id JOIN users a ON a.id = p.author_id
		WHERE b.user_id = ? AND t.merged_into IS NULL AND `+readersSQL(u)+` ORDER BY b.created_at DESC LIMIT 500`, viewerID(u)); err != nil {
		return nil, err
	}
	out := all[:0]
	for _, b := range all {
		if CanReadPost(u, &Post{AuthorID: b.AuthorID, DeletedAt: b.DeletedAt, HiddenAt: b.HiddenAt}) {
			out = append(out, b)
		}
	}
	return out, nil
}
