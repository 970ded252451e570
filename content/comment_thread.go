package content

import (
	"context"
	"errors"

	"github.com/jmoiron/sqlx"
)

// Comments under a page — a fiche, a texte de propositions — are an
// ordinary discussion (listed, searched, followed like the others) in a
// category of their own, started by the first comment and linked from the
// commented row's topic_id; later comments are replies. commentThread is
// what differs from one kind of page to the other.
type commentThread struct {
	category string     // slug of the discussions' category
	draft    DraftPlace // the composer's server draft, deleted once published
	// state re-reads the commented page inside the write transaction,
	// checks that author may still comment it, and returns the title of
	// its discussion and that discussion when it has one.
	state func(ctx context.Context, tx *sqlx.Tx) (title string, topicID *int64, err error)
	// link records the discussion just started on the page.
	link func(ctx context.Context, tx *sqlx.Tx, topicID int64) error
}

// comment publishes body as author's comment in th. topicID is the
// discussion the caller found (nil: none yet), after checking that author
// may comment. The first comment starts the discussion; the write
// transaction reads the page again, so two first comments at once make one
// discussion (the second becomes its first reply).
func (s *Store) comment(ctx context.Context, author *User, th commentThread, topicID *int64, body string) (*Post, error) {
	body = normalizeText(body)
	v := &ValidationError{}
	validateBody(v, body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if topicID == nil {
		first, started, err := s.startComments(ctx, author, th, body)
		if err != nil || first != nil {
			return first, err
		}
		topicID = &started // started meanwhile by someone else
	}
	id, err := s.liveTopicID(ctx, *topicID)
	if err != nil {
		return nil, err
	}
	// Reply checks in its own transaction that the discussion takes replies
	// (a moderator may have locked it); the page was checked by the caller.
	p, err := s.Reply(ctx, author, id, NewReply{Body: body})
	if _, held := AsHeld(err); held {
		// Stored for review: the draft has served too.
		if derr := s.DeleteDraft(ctx, author, th.draft); derr != nil {
			return nil, derr
		}
	}
	if err != nil {
		return nil, err
	}
	// Published: the draft of the comment has served (a failure here only
	// leaves it for the member to delete).
	return p, s.DeleteDraft(ctx, author, th.draft)
}

// startComments starts th's discussion with body as its opening post,
// unless the page has one by the time the transaction reads it: then
// nothing is written and its ID is returned.
func (s *Store) startComments(ctx context.Context, author *User, th commentThread, body string) (*Post, int64, error) {
	rendered, mentioned := s.render(ctx, body)
	var first *Post
	var existing int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		title, topicID, err := th.state(ctx, tx)
		if err != nil {
			return err
		}
		if topicID != nil {
			existing = *topicID
			return nil
		}
		var categoryID int64
		if err := tx.GetContext(ctx, &categoryID, `SELECT id FROM categories WHERE slug = ?`, th.category); err != nil {
			return err
		}
		now := s.Now()
		t := &Topic{CategoryID: categoryID, AuthorID: author.ID, Title: title, Slug: topicSlug(title), Kind: KindDiscussion,
			CreatedAt: now, LastActivityAt: now}
		p := &Post{Body: body, HTML: rendered.HTML}
		if err := insertTopic(ctx, tx, t, p, nil, mentioned); err != nil {
			return err
		}
		if err := th.link(ctx, tx, t.ID); err != nil {
			return err
		}
		if err := deleteDraft(ctx, tx, author.ID, th.draft); err != nil {
			return err
		}
		first = p
		return nil
	})
	return first, existing, err
}

// liveTopicID follows the merges of topic id to the discussion that holds
// its posts now.
func (s *Store) liveTopicID(ctx context.Context, id int64) (int64, error) {
	for range 10 {
		var into *int64
		if err := s.db.R.GetContext(ctx, &into, `SELECT merged_into FROM topics WHERE id = ?`, id); err != nil {
			return 0, notFound(err)
		}
		if into == nil {
			return id, nil
		}
		id = *into
	}
	return 0, ErrNotFound
}

// Comments is a page's discussion as the page shows it.
type Comments struct {
	Topic *Topic // nil until the first comment
	Posts []Post // the latest CommentsShown, oldest first
}

// CommentsShown is how many of the latest comments a page shows.
const CommentsShown = 20

// commentsOf loads the latest comments of discussion topicID (nil: none
// yet) as viewer reads them; the caller checked that viewer reads the page.
func (s *Store) commentsOf(ctx context.Context, viewer *User, topicID *int64) (Comments, error) {
	if topicID == nil {
		return Comments{}, nil
	}
	id, err := s.liveTopicID(ctx, *topicID)
	if errors.Is(err, ErrNotFound) {
		return Comments{}, nil
	}
	if err != nil {
		return Comments{}, err
	}
	t, err := s.pageTopicByID(ctx, viewer, id)
	if err != nil {
		return Comments{}, err
	}
	posts, err := s.selectPagePosts(ctx, viewer, ` WHERE p.topic_id = :topic ORDER BY p.number DESC LIMIT :limit`,
		map[string]any{"topic": id, "limit": CommentsShown})
	if err != nil {
		return Comments{}, err
	}
	for i, j := 0, len(posts)-1; i < j; i, j = i+1, j-1 {
		posts[i], posts[j] = posts[j], posts[i]
	}
	return Comments{Topic: t, Posts: posts}, nil
}

// IsCommentsCategory tells the categories whose discussions start from a
// page's « Commenter » rather than from the new-discussion form.
func IsCommentsCategory(slug string) bool {
	return slug == FicheCommentsCategory || slug == ProposalCommentsCategory
}
