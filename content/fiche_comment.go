package content

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// A fiche's comments are an ordinary discussion (listed, searched, followed
// like the others) in the category FicheCommentsCategory, started by the
// first comment and linked from fiches.topic_id; later comments are
// replies (comment_thread.go).

// FicheCommentsCategory is the category of the discussions of fiches.
const FicheCommentsCategory = "commentaires-fiches"

// FicheCommentsShown is how many of the latest comments a fiche's page shows.
const FicheCommentsShown = CommentsShown

// FicheCommentsTitle is the title of the discussion of a fiche's comments.
func FicheCommentsTitle(ficheTitle string) string {
	return TruncateRunes("Commentaires : "+ficheTitle, MaxTitleLength)
}

// CommentFiche publishes body as author's comment on fiche id. The first
// comment starts the fiche's discussion.
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
	return s.comment(ctx, author, commentThread{
		category: FicheCommentsCategory,
		draft:    DraftFicheComment(id),
		state: func(ctx context.Context, tx *sqlx.Tx) (string, *int64, error) {
			f, err := s.ficheState(ctx, tx, id)
			if err != nil {
				return "", nil, err
			}
			if err := CanCommentFiche(author, f); err != nil {
				return "", nil, err
			}
			return FicheCommentsTitle(f.Title), f.TopicID, nil
		},
		link: func(ctx context.Context, tx *sqlx.Tx, topicID int64) error {
			_, err := tx.ExecContext(ctx, `UPDATE fiches SET topic_id = ? WHERE id = ?`, topicID, id)
			return err
		},
	}, f.TopicID, body)
}

// FicheComments is a fiche's discussion as its page shows it.
type FicheComments = Comments

// FicheCommentsOf loads the latest comments on f as viewer reads them.
func (s *Store) FicheCommentsOf(ctx context.Context, viewer *User, f *Fiche) (FicheComments, error) {
	if !CanReadFiche(viewer, f) {
		return FicheComments{}, nil
	}
	return s.commentsOf(ctx, viewer, f.TopicID)
}

// FicheOfTopic finds the published fiche whose comments topic topicID
// holds: ErrNotFound for any other discussion.
func (s *Store) FicheOfTopic(ctx context.Context, topicID int64) (FicheRef, error) {
	var ref FicheRef
	err := s.db.R.GetContext(ctx, &ref, `SELECT f.slug, f.title, f.summary FROM fiches f WHERE f.topic_id = ? AND `+publicFiche+`
		ORDER BY f.id LIMIT 1`, topicID)
	return ref, notFound(err)
}
