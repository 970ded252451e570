package content

import (
	"context"
	"html/template"
	"time"

	"github.com/jmoiron/sqlx"
)

// NewReply is what a member submits to answer in a topic.
type NewReply struct {
	Body    string
	ReplyTo int // number of the post answered, 0 for none
}

// postEvent is an event about post postID of topic topicID.
func postEvent(kind EventKind, postID, topicID, actorID int64, at time.Time) Event {
	return Event{Kind: kind, EntityType: EntityPost, EntityID: postID, ActorID: actorID,
		ParentType: EntityTopic, ParentID: topicID, CreatedAt: at}
}

// topicEvent is an event about topic topicID.
func topicEvent(kind EventKind, topicID, actorID int64, at time.Time) Event {
	return Event{Kind: kind, EntityType: EntityTopic, EntityID: topicID, ActorID: actorID, CreatedAt: at}
}

// emitMentions records the members a post names, when there are any.
func emitMentions(ctx context.Context, tx *sqlx.Tx, e Event, mentioned []int64) error {
	if len(mentioned) == 0 {
		return nil
	}
	e.Kind, e.Data = EventMentioned, EventData{Mentioned: mentioned}
	return Emit(ctx, tx, e)
}

// topicState reads, inside tx, what the permission rules need of a topic.
func topicState(ctx context.Context, tx *sqlx.Tx, topicID int64) (*Topic, error) {
	var t Topic
	err := tx.GetContext(ctx, &t, `SELECT id, author_id, kind, locked, merged_into, accepted_post_id, last_number, readers
		FROM topics WHERE id = ?`, topicID)
	return &t, notFound(err)
}

// Reply adds a post to a topic: in one transaction it checks the topic may
// take replies and the answered post belongs to it, screens the text
// (limits, duplicates, review), stores the post, updates the counters,
// follows the topic for the author and records the events. A reply that
// must wait for a moderator is stored aside and returned as a
// *HeldForReview error: nothing is lost, nothing is published yet.
func (s *Store) Reply(ctx context.Context, author *User, topicID int64, in NewReply) (*Post, error) {
	pr, err := s.PrepareReply(ctx, author, topicID, in)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var p *Post
	var held *HeldPost
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		t, err := topicState(ctx, tx, topicID)
		if err != nil {
			return err
		}
		if err := CanReply(author, t); err != nil {
			return err
		}
		reason, err := screen(ctx, tx, now, author, LimitReplies, screenPlace{topicID: topicID}, pr.in.Body)
		if err != nil {
			return err
		}
		if reason != "" {
			held = &HeldPost{AuthorID: author.ID, TopicID: &topicID, Body: pr.in.Body, HTML: pr.html, Reason: reason, CreatedAt: now}
			if pr.in.ReplyTo > 0 {
				held.ReplyTo = &pr.in.ReplyTo
			}
			if err := insertHeld(ctx, tx, held); err != nil {
				return err
			}
			return deleteDraft(ctx, tx, author.ID, DraftReply(topicID))
		}
		p, err = publishReply(ctx, tx, author, t, pr.in, pr.html, pr.mentioned, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if held != nil {
		return nil, &HeldForReview{Post: held}
	}
	return p, nil
}

// PreparedReply is a reply checked and rendered, ready to be written (see
// Bulk.Reply).
type PreparedReply struct {
	author    *User
	topicID   int64
	in        NewReply
	html      template.HTML
	mentioned []int64
}

// PrepareReply does what Reply does before its transaction: checks author
// may write, validates in and renders its text. It only reads, so several
// may run at once.
func (s *Store) PrepareReply(ctx context.Context, author *User, topicID int64, in NewReply) (*PreparedReply, error) {
	if err := CanWrite(author); err != nil {
		return nil, err
	}
	in.Body = normalizeText(in.Body)
	v := &ValidationError{}
	validateBody(v, in.Body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	rendered, mentioned := s.render(ctx, in.Body)
	return &PreparedReply{author: author, topicID: topicID, in: in, html: rendered.HTML, mentioned: mentioned}, nil
}

// writeReply stores a prepared reply inside tx, dated now, once the topic
// and the answered post allow it — unscreened: Bulk's writes are an
// operator's, not a member's.
func (s *Store) writeReply(ctx context.Context, tx *sqlx.Tx, pr *PreparedReply) (*Post, error) {
	t, err := topicState(ctx, tx, pr.topicID)
	if err != nil {
		return nil, err
	}
	if err := CanReply(pr.author, t); err != nil {
		return nil, err
	}
	return publishReply(ctx, tx, pr.author, t, pr.in, pr.html, pr.mentioned, s.Now())
}

// publishReply stores author's reply in t, checked, inside tx: the post,
// the counters, the follow and read mark, the draft gone, the events.
func publishReply(ctx context.Context, tx *sqlx.Tx, author *User, t *Topic, in NewReply, html template.HTML, mentioned []int64, now time.Time) (*Post, error) {
	p := &Post{TopicID: t.ID, AuthorID: author.ID, Body: in.Body, HTML: html, CreatedAt: now}
	if in.ReplyTo > 0 {
		if err := replyTo(ctx, tx, author, t, in.ReplyTo); err != nil {
			return nil, err
		}
		p.ReplyTo = &in.ReplyTo
	}
	p.Number = t.LastNumber + 1
	if _, err := insertPost(ctx, tx, p); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE topics SET post_count = post_count + 1, answer_count = answer_count + 1,
		last_number = ?, last_poster_id = ?, last_activity_at = ? WHERE id = ?`, p.Number, author.ID, now, t.ID); err != nil {
		return nil, err
	}
	if err := autoFollow(ctx, tx, now, author.ID, FollowTopic, t.ID); err != nil {
		return nil, err
	}
	if err := markRead(ctx, tx, author.ID, t.ID, p.Number); err != nil {
		return nil, err
	}
	if err := deleteDraft(ctx, tx, author.ID, DraftReply(t.ID)); err != nil {
		return nil, err
	}
	e := postEvent(EventCreated, p.ID, t.ID, author.ID, now)
	e.Data.Number = p.Number
	if err := Emit(ctx, tx, e); err != nil {
		return nil, err
	}
	return p, emitMentions(ctx, tx, e, mentioned)
}

// replyTo checks that author may answer post number n of t and counts the
// answer on it.
func replyTo(ctx context.Context, tx *sqlx.Tx, author *User, t *Topic, n int) error {
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT id FROM posts WHERE topic_id = ? AND number = ?`, t.ID, n); err != nil {
		if err := notFound(err); err != ErrNotFound {
			return err
		}
		return Invalid("reply_to", "Le message auquel vous répondez n’existe pas dans cette discussion.")
	}
	answered, err := postState(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := CanReplyTo(author, t, answered); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE posts SET reply_count = reply_count + 1 WHERE id = ?`, id)
	return err
}

// Preview renders a text as it would be published, without storing it.
func (s *Store) Preview(ctx context.Context, body string) (template.HTML, error) {
	body = normalizeText(body)
	v := &ValidationError{}
	validateBody(v, body)
	if err := v.Err(); err != nil {
		return "", err
	}
	rendered, _ := s.render(ctx, body)
	return rendered.HTML, nil
}

// postState reads, inside tx, what the permission rules need of a post.
func postState(ctx context.Context, tx *sqlx.Tx, postID int64) (*Post, error) {
	var p Post
	err := tx.GetContext(ctx, &p, `SELECT id, topic_id, number, author_id, body, created_at, edited_at, deleted_at, hidden_at
		FROM posts WHERE id = ?`, postID)
	return &p, notFound(err)
}

// EditPost replaces a post's text, keeping the previous version. Members
// mentioned for the first time are recorded in a "mentioned" event.
func (s *Store) EditPost(ctx context.Context, editor *User, postID int64, body string) (*Post, error) {
	current, err := s.PostByID(ctx, editor, postID)
	if err != nil {
		return nil, err
	}
	if !CanEditPost(editor, current) {
		return nil, ErrForbidden
	}
	body = normalizeText(body)
	v := &ValidationError{}
	validateBody(v, body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if body == current.Body {
		return current, nil
	}
	rendered, mentioned := s.render(ctx, body)
	_, before := s.render(ctx, current.Body)
	diff := DiffHTML(current.Body, body)
	now := s.Now()
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := postState(ctx, tx, postID)
		if err != nil {
			return err
		}
		if !CanEditPost(editor, p) {
			return ErrForbidden
		}
		if p.Body != current.Body { // edited meanwhile: compare with what is replaced
			diff = DiffHTML(p.Body, body)
		}
		// The version row keeps the text being replaced, dated when it was written.
		written := p.CreatedAt
		if p.EditedAt != nil {
			written = *p.EditedAt
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_versions (post_id, body, html, editor_id, created_at, next_diff)
			SELECT id, body, html, ?, ?, ? FROM posts WHERE id = ?`, editor.ID, written, string(diff), postID); err != nil {
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
		e := postEvent(EventEdited, postID, p.TopicID, editor.ID, now)
		e.Data.Number = p.Number
		if err := Emit(ctx, tx, e); err != nil {
			return err
		}
		return emitMentions(ctx, tx, e, newIDs(mentioned, before))
	})
	if err != nil {
		return nil, err
	}
	return s.PostByID(ctx, editor, postID)
}

// newIDs lists the IDs of now that are not in before.
func newIDs(now, before []int64) []int64 {
	var out []int64
	for _, id := range now {
		seen := false
		for _, b := range before {
			seen = seen || b == id
		}
		if !seen {
			out = append(out, id)
		}
	}
	return out
}

// PostVersion is a text of a post, with the changes from the version
// before it (none for the first; Rewritten when too different to show).
type PostVersion struct {
	Body       string        `db:"body"`
	HTML       template.HTML `db:"html"`
	CreatedAt  time.Time     `db:"created_at"`
	Diff       template.HTML `db:"-"`
	NextDiff   *string       `db:"next_diff"` // as stored: the changes to the version after
	Reason     string        `db:"reason"`    // why the moderation made the version after
	NextReason string        `db:"-"`         // why this version was made by the moderation
}

// PostHistory returns every version of a post, oldest first, the current
// one last. Withdrawn and hidden posts keep their history to themselves.
func (s *Store) PostHistory(ctx context.Context, viewer *User, postID int64) ([]PostVersion, error) {
	p, err := s.PostByID(ctx, viewer, postID)
	if err != nil {
		return nil, err
	}
	if !CanReadPost(viewer, p) {
		return nil, ErrForbidden
	}
	var vs []PostVersion
	if err := s.db.R.SelectContext(ctx, &vs, `SELECT body, html, created_at, next_diff, reason FROM post_versions WHERE post_id = ? ORDER BY id`, postID); err != nil {
		return nil, err
	}
	current := p.CreatedAt
	if p.EditedAt != nil {
		current = *p.EditedAt
	}
	vs = append(vs, PostVersion{Body: p.Body, HTML: p.HTML, CreatedAt: current})
	for i := 1; i < len(vs); i++ {
		vs[i].Diff = versionDiff(vs[i-1], vs[i])
		vs[i].NextReason = vs[i-1].Reason
	}
	return vs, nil
}

// versionDiff is the diff stored when next replaced prev, or for versions
// saved before diffs were stored, one computed now.
func versionDiff(prev, next PostVersion) template.HTML {
	if prev.NextDiff != nil {
		return template.HTML(*prev.NextDiff)
	}
	return DiffHTML(prev.Body, next.Body)
}

// RerenderAll renders every post again with the current renderer and stores
// the HTML where it changed (with an event), in batches so the writer is
// never held long. It returns how many posts changed.
func (s *Store) RerenderAll(ctx context.Context) (int, error) {
	changed := 0
	var last int64
	for {
		var batch []struct {
			ID      int64  `db:"id"`
			TopicID int64  `db:"topic_id"`
			Body    string `db:"body"`
			HTML    string `db:"html"`
		}
		if err := s.db.R.SelectContext(ctx, &batch, `SELECT id, topic_id, body, html FROM posts WHERE id > ? ORDER BY id LIMIT 200`, last); err != nil {
			return changed, err
		}
		if len(batch) == 0 {
			return changed, nil
		}
		err := s.withTx(ctx, func(tx *sqlx.Tx) error {
			for _, p := range batch {
				rendered, _ := s.render(ctx, p.Body)
				if string(rendered.HTML) == p.HTML {
					continue
				}
				if _, err := tx.ExecContext(ctx, `UPDATE posts SET html = ? WHERE id = ?`, string(rendered.HTML), p.ID); err != nil {
					return err
				}
				if err := Emit(ctx, tx, postEvent(EventRerendered, p.ID, p.TopicID, 0, s.Now())); err != nil {
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
