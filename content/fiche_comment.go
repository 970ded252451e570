package content

import (
	"context"
	"errors"

	"github.com/jmoiron/sqlx"
)

// A fiche's comments are an ordinary discussion (listed, searched, followed
// like the others) in the category FicheCommentsCategory, started by the
// first comment and linked from fiches.topic_id; later comments are replies.

// FicheCommentsCategory is the category of the discussions of fiches.
const FicheCommentsCategory = "commentaires-fiches"

// FicheCommentsShown is how many of the latest comments a fiche's page shows.
const FicheCommentsShown = 20

// FicheCommentsTitle is the title of the discussion of a fiche's comments.
func FicheCommentsTitle(ficheTitle string) string {
	return TruncateRunes("Commentaires : "+ficheTitle, MaxTitleLength)
}

// CommentFiche publishes body as author's comment on fiche id. The first
// comment starts the fiche's discussion; the write transaction reads
// fiches.topic_id again, so two first comments at once make one discussion
// (the second becomes its first reply).
func (s *Store) CommentFiche(ctx context.Context, author *User, id int64, body string) (*Post, error) {
	if err := CanWrite(author); err != nil {
		return nil, err
	}
	f, err := s.FicheByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := CanCommentFiche(author, f); err != nil {
		return nil, err
	}
	body = normalizeText(body)
	v := &ValidationError{}
	validateBody(v, body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if f.TopicID == nil {
		first, topicID, err := s.startFicheComments(ctx, author, id, body)
		if err != nil || first != nil {
			return first, err
		}
		f.TopicID = &topicID // started meanwhile by someone else
	}
	topicID, err := s.liveTopicID(ctx, *f.TopicID)
	if err != nil {
		return nil, err
	}
	// Reply checks in its own transaction that the discussion takes replies
	// (a moderator may have locked it); the fiche was checked above.
	p, err := s.Reply(ctx, author, topicID, NewReply{Body: body})
	if err != nil {
		return nil, err
	}
	// Published: the draft of the comment has served (a failure here only
	// leaves it for the member to delete).
	return p, s.DeleteDraft(ctx, author, DraftFicheComment(id))
}

// startFicheComments starts the discussion of fiche id with body as its
// opening post, unless the fiche has one by the time the transaction
// reads it: then nothing is written and its ID is returned.
func (s *Store) startFicheComments(ctx context.Context, author *User, id int64, body string) (*Post, int64, error) {
	rendered, mentioned := s.render(ctx, body)
	var first *Post
	var existing int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		f, err := s.ficheState(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CanCommentFiche(author, f); err != nil {
			return err
		}
		if f.TopicID != nil {
			existing = *f.TopicID
			return nil
		}
		var categoryID int64
		if err := tx.GetContext(ctx, &categoryID, `SELECT id FROM categories WHERE slug = ?`, FicheCommentsCategory); err != nil {
			return err
		}
		now := s.Now()
		title := FicheCommentsTitle(f.Title)
		t := &Topic{CategoryID: categoryID, AuthorID: author.ID, Title: title, Slug: topicSlug(title), Kind: KindDiscussion,
			CreatedAt: now, LastActivityAt: now}
		p := &Post{Body: body, HTML: rendered.HTML}
		if err := insertTopic(ctx, tx, t, p, nil, mentioned); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fiches SET topic_id = ? WHERE id = ?`, t.ID, id); err != nil {
			return err
		}
		if err := deleteDraft(ctx, tx, author.ID, DraftFicheComment(id)); err != nil {
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

// FicheComments is a fiche's discussion as its page shows it.
type FicheComments struct {
	Topic *Topic // nil until the first comment
	Posts []Post // the latest FicheCommentsShown, oldest first
}

// FicheCommentsOf loads the latest comments on f as viewer reads them.
func (s *Store) FicheCommentsOf(ctx context.Context, viewer *User, f *Fiche) (FicheComments, error) {
	if f.TopicID == nil || !CanReadFiche(viewer, f) {
		return FicheComments{}, nil
	}
	id, err := s.liveTopicID(ctx, *f.TopicID)
	if errors.Is(err, ErrNotFound) {
		return FicheComments{}, nil
	}
	if err != nil {
		return FicheComments{}, err
	}
	t, err := s.TopicByID(ctx, viewer, id)
	if err != nil {
		return FicheComments{}, err
	}
	posts, err := s.selectPosts(ctx, viewer, ` WHERE p.topic_id = :topic ORDER BY p.number DESC LIMIT :limit`,
		map[string]any{"topic": id, "limit": FicheCommentsShown})
	if err != nil {
		return FicheComments{}, err
	}
	for i, j := 0, len(posts)-1; i < j; i, j = i+1, j-1 {
		posts[i], posts[j] = posts[j], posts[i]
	}
	return FicheComments{Topic: t, Posts: posts}, nil
}

// FicheOfTopic finds the published fiche whose comments topic topicID
// holds: ErrNotFound for any other discussion.
func (s *Store) FicheOfTopic(ctx context.Context, topicID int64) (FicheRef, error) {
	var ref FicheRef
	err := s.db.R.GetContext(ctx, &ref, `SELECT f.slug, f.title, f.summary FROM fiches f WHERE f.topic_id = ? AND `+publicFiche+`
		ORDER BY f.id LIMIT 1`, topicID)
	return ref, notFound(err)
}
