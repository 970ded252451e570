package content

import (
	"context"
	"database/sql"
	"html/template"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

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

	Author        PostAuthor     `db:"author"`
	ReplyToPseudo sql.NullString `db:"reply_to_pseudo"`
	MerciByViewer bool           `db:"merci_by_viewer"`
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
	p.created_at, p.edited_at, p.deleted_at, p.hidden_at,
	u.pseudo AS "author.pseudo", u.role AS "author.role", u.structure AS "author.structure",
	u.departement AS "author.departement", u.suspended_at IS NOT NULL AS "author.suspended",
	rp.pseudo AS reply_to_pseudo,
	EXISTS (SELECT 1 FROM mercis m WHERE m.post_id = p.id AND m.user_id = :viewer) AS merci_by_viewer
	FROM posts p
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

func (s *Store) selectPosts(ctx context.Context, viewer *User, tail string, args map[string]any) ([]Post, error) {
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
		if !CanSeePostBody(viewer, &ps[i]) {
			ps[i].Body, ps[i].HTML = "", ""
		}
	}
	return ps, nil
}

// NewReply is what a member submits to answer in a topic.
type NewReply struct {
	Body    string
	ReplyTo int // number of the post answered, 0 for none
}

// Reply adds a post to a topic: checks the topic is open and the answered
// post belongs to it, then in one transaction stores the post, updates the
// counters, follows the topic for the author and records the outbox entry.
func (s *Store) Reply(ctx context.Context, author *User, topicID int64, in NewReply) (*Post, error) {
	if err := CanWrite(author); err != nil {
		return nil, err
	}
	in.Body = normalizeText(in.Body)
	v := &ValidationError{}
	validateBody(v, in.Body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	rendered := s.render(ctx, in.Body)
	now := s.Now()
	p := &Post{TopicID: topicID, AuthorID: author.ID, Body: in.Body, HTML: rendered.HTML, CreatedAt: now}
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var t struct {
			Locked     bool   `db:"locked"`
			MergedInto *int64 `db:"merged_into"`
			LastNumber int    `db:"last_number"`
		}
		if err := tx.GetContext(ctx, &t, `SELECT locked, merged_into, last_number FROM topics WHERE id = ?`, topicID); err != nil {
			return notFound(err)
		}
		if t.Locked {
			return Invalid("body", "Cette discussion est fermée : on ne peut plus y répondre. Votre texte est conservé ci-dessous.")
		}
		if t.MergedInto != nil {
			return Invalid("body", "Cette discussion a été fusionnée avec une autre : répondez plutôt dans celle-ci.")
		}
		if in.ReplyTo > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE posts SET reply_count = reply_count + 1 WHERE topic_id = ? AND number = ?`, topicID, in.ReplyTo)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return Invalid("reply_to", "Le message auquel vous répondez n’existe pas dans cette discussion.")
			}
			p.ReplyTo = &in.ReplyTo
		}
		p.Number = t.LastNumber + 1
		if _, err := insertPost(ctx, tx, p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET post_count = post_count + 1, last_number = ?, last_poster_id = ?,
			last_activity_at = ? WHERE id = ?`, p.Number, author.ID, now, topicID); err != nil {
			return err
		}
		if err := autoFollow(ctx, tx, now, author.ID, topicID); err != nil {
			return err
		}
		if err := markRead(ctx, tx, author.ID, topicID, p.Number); err != nil {
			return err
		}
		if err := deleteDraft(ctx, tx, author.ID, DraftReply(topicID)); err != nil {
			return err
		}
		return enqueue(ctx, tx, now, EntityPost, p.ID)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// EditPost replaces a post's text, keeping the previous version.
func (s *Store) EditPost(ctx context.Context, editor *User, postID int64, body string) (*Post, error) {
	p, err := s.PostByID(ctx, editor, postID)
	if err != nil {
		return nil, err
	}
	if !CanEditPost(editor, p) {
		return nil, ErrForbidden
	}
	body = normalizeText(body)
	v := &ValidationError{}
	validateBody(v, body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if body == p.Body {
		return p, nil
	}
	rendered := s.render(ctx, body)
	now := s.Now()
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		// The version row keeps the text being replaced, dated when it was written.
		written := p.CreatedAt
		if p.EditedAt != nil {
			written = *p.EditedAt
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_versions (post_id, body, html, editor_id, created_at)
			SELECT id, body, html, ?, ? FROM posts WHERE id = ?`, editor.ID, written, postID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET body = ?, html = ?, edited_at = ? WHERE id = ?`,
			body, string(rendered.HTML), now, postID); err != nil {
			return err
		}
		if editor.ID != p.AuthorID {
			if err := audit(ctx, tx, now, editor.ID, "edit_post", "post", postID, ""); err != nil {
				return err
			}
		}
		return enqueue(ctx, tx, now, EntityPost, postID)
	})
	if err != nil {
		return nil, err
	}
	return s.PostByID(ctx, editor, postID)
}

// PostVersion is an earlier text of a post.
type PostVersion struct {
	Body      string        `db:"body"`
	HTML      template.HTML `db:"html"`
	CreatedAt time.Time     `db:"created_at"`
}

// PostHistory returns every version of a post, oldest first, the current
// one last. Withdrawn and hidden posts keep their history to themselves.
func (s *Store) PostHistory(ctx context.Context, viewer *User, postID int64) ([]PostVersion, error) {
	p, err := s.PostByID(ctx, viewer, postID)
	if err != nil {
		return nil, err
	}
	if !CanSeePostBody(viewer, p) {
		return nil, ErrForbidden
	}
	var vs []PostVersion
	if err := s.db.R.SelectContext(ctx, &vs, `SELECT body, html, created_at FROM post_versions WHERE post_id = ? ORDER BY id`, postID); err != nil {
		return nil, err
	}
	current := p.CreatedAt
	if p.EditedAt != nil {
		current = *p.EditedAt
	}
	return append(vs, PostVersion{Body: p.Body, HTML: p.HTML, CreatedAt: current}), nil
}

// DeletePost withdraws a post at its author's request; replies stay.
func (s *Store) DeletePost(ctx context.Context, u *User, postID int64) error {
	p, err := s.PostByID(ctx, u, postID)
	if err != nil {
		return err
	}
	if u == nil || p.AuthorID != u.ID || p.DeletedAt != nil {
		return ErrForbidden
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = ? WHERE id = ?`, now, postID); err != nil {
			return err
		}
		if err := unacceptIf(ctx, tx, p.TopicID, postID); err != nil {
			return err
		}
		return enqueue(ctx, tx, now, EntityPost, postID)
	})
}

// SetPostHidden hides or restores a post (moderators only), logged.
func (s *Store) SetPostHidden(ctx context.Context, mod *User, postID int64, hidden bool) error {
	if !CanModerate(mod) {
		return ErrForbidden
	}
	p, err := s.PostByID(ctx, mod, postID)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var at, by any
		action := "restore_post"
		if hidden {
			at, by, action = now, mod.ID, "hide_post"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET hidden_at = ?, hidden_by = ? WHERE id = ?`, at, by, postID); err != nil {
			return err
		}
		if hidden {
			if err := unacceptIf(ctx, tx, p.TopicID, postID); err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, now, mod.ID, action, "post", postID, ""); err != nil {
			return err
		}
		return enqueue(ctx, tx, now, EntityPost, postID)
	})
}

func unacceptIf(ctx context.Context, tx *sqlx.Tx, topicID, postID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE topics SET accepted_post_id = NULL WHERE id = ? AND accepted_post_id = ?`, topicID, postID)
	return err
}

// ToggleMerci adds or removes u's "Merci" on a post and returns whether it
// is now given. Thanking one's own post is refused.
func (s *Store) ToggleMerci(ctx context.Context, u *User, postID int64) (bool, error) {
	if err := CanWrite(u); err != nil {
		return false, err
	}
	var given bool
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var author int64
		var gone bool
		if err := tx.QueryRowContext(ctx, `SELECT author_id, deleted_at IS NOT NULL OR hidden_at IS NOT NULL FROM posts WHERE id = ?`, postID).Scan(&author, &gone); err != nil {
			return notFound(err)
		}
		if author == u.ID {
			return Invalid("merci", "On ne peut pas se remercier soi-même.")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM mercis WHERE post_id = ? AND user_id = ?`, postID, u.ID)
		if err != nil {
			return err
		}
		delta := -1
		if n, _ := res.RowsAffected(); n == 0 {
			if gone {
				return ErrNotFound
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mercis (post_id, user_id, created_at) VALUES (?, ?, ?)`, postID, u.ID, s.Now()); err != nil {
				return err
			}
			delta, given = 1, true
		}
		_, err = tx.ExecContext(ctx, `UPDATE posts SET merci_count = merci_count + ? WHERE id = ?`, delta, postID)
		return err
	})
	return given, err
}

// MercisReceived counts the "Merci" given to a member's posts.
func (s *Store) MercisReceived(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT coalesce(sum(merci_count), 0) FROM posts WHERE author_id = ? AND deleted_at IS NULL AND hidden_at IS NULL`, userID)
	return n, err
}

// AcceptAnswer marks post n as the accepted answer of a question, or removes
// the mark when it is already the accepted one.
func (s *Store) AcceptAnswer(ctx context.Context, u *User, topicID int64, n int) (accepted bool, err error) {
	t, err := s.TopicByID(ctx, u, topicID)
	if err != nil {
		return false, err
	}
	if !CanAccept(u, t) {
		return false, ErrForbidden
	}
	p, err := s.PostByNumber(ctx, u, topicID, n)
	if err != nil {
		return false, err
	}
	if p.Number == 1 || p.DeletedAt != nil || p.HiddenAt != nil {
		return false, Invalid("post", "Ce message ne peut pas être la réponse acceptée.")
	}
	var next any = p.ID
	if t.AcceptedPostID != nil && *t.AcceptedPostID == p.ID {
		next = nil
	}
	now := s.Now()
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET accepted_post_id = ? WHERE id = ?`, next, topicID); err != nil {
			return err
		}
		return enqueue(ctx, tx, now, EntityTopic, topicID)
	})
	return next != nil, err
}

// QuoteOf returns markdown quoting post p, naming and linking its author.
func QuoteOf(t *Topic, p *Post) string {
	var b strings.Builder
	b.WriteString("> **@" + p.Author.Pseudo + "** [a écrit](" + t.Path() + "?post=" + itoa64(int64(p.Number)) + "#" + p.Anchor() + ") :\n")
	for _, line := range strings.Split(strings.TrimSpace(p.Body), "\n") {
		b.WriteString(">" + prefixSpace(line) + "\n")
	}
	return b.String() + "\n"
}

func prefixSpace(line string) string {
	if line == "" {
		return ""
	}
	return " " + line
}

// RerenderAll renders every post again with the current renderer and stores
// the HTML where it changed (with an outbox entry), in batches so the
// writer is never held long. It returns how many posts changed.
func (s *Store) RerenderAll(ctx context.Context) (int, error) {
	changed := 0
	var last int64
	for {
		var batch []struct {
			ID   int64  `db:"id"`
			Body string `db:"body"`
			HTML string `db:"html"`
		}
		if err := s.db.R.SelectContext(ctx, &batch, `SELECT id, body, html FROM posts WHERE id > ? ORDER BY id LIMIT 200`, last); err != nil {
			return changed, err
		}
		if len(batch) == 0 {
			return changed, nil
		}
		err := s.withTx(ctx, func(tx *sqlx.Tx) error {
			for _, p := range batch {
				html := string(s.render(ctx, p.Body).HTML)
				if html == p.HTML {
					continue
				}
				if _, err := tx.ExecContext(ctx, `UPDATE posts SET html = ? WHERE id = ?`, html, p.ID); err != nil {
					return err
				}
				if err := enqueue(ctx, tx, s.Now(), EntityPost, p.ID); err != nil {
					return err
				}
				changed++
			}
			return nil
		})
		if err != nil {
			return changed, err
		}
		last = batch[len(batch)-1].ID
	}
}
