package content

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// A texte de propositions' comments are one discussion per text, like a
// fiche's (comment_thread.go), in the category ProposalCommentsCategory and
// linked from proposals.topic_id. A comment may name the proposition it is
// about: its first line says « Sur la proposition N », linking to it in the
// text as everyone reads it (the latest published version once there is
// one), so the discussion keeps its meaning when the text moves on.
//
// The discussion's readers follow the text's (ProposalCommentReaders): the
// members only while it is open to members only, only its page's readers
// while it is a brouillon again — then it takes no new comment, but its
// co-authors still read what was said.

// ProposalCommentsCategory is the category of the texts' discussions.
const ProposalCommentsCategory = "commentaires-propositions"

// ProposalCommentsTitle is the title of the discussion of a text's comments.
func ProposalCommentsTitle(title string) string {
	return TruncateRunes("Commentaires : "+title, MaxTitleLength)
}

// DraftKindProposalComment is a comment under proposal ID.
const DraftKindProposalComment DraftKind = "proposal-comment"

// DraftProposalComment is the draft place of a comment under proposal id.
func DraftProposalComment(id int64) DraftPlace {
	return DraftPlace{Kind: DraftKindProposalComment, ID: id}
}

// syncCommentReaders gives p's discussion, when it has one, the readers
// p's state calls for, inside the transaction that changed that state; the
// event has search re-read its posts for their new readers.
func syncCommentReaders(ctx context.Context, tx *sqlx.Tx, p *Proposal, actorID int64, at time.Time) error {
	topicID, err := proposalTopic(ctx, tx, p.ID)
	if err != nil || topicID == nil {
		return err
	}
	readers := ProposalCommentReaders(p)
	res, err := tx.ExecContext(ctx, `UPDATE topics SET readers = ? WHERE id = ? AND readers != ?`, readers, *topicID, readers)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return Emit(ctx, tx, topicEvent(EventEdited, *topicID, actorID, at))
}

// ProposalComments is a text's discussion as its page shows it.
type ProposalComments = Comments

// proposalTopic reads proposals.topic_id.
func proposalTopic(ctx context.Context, q sqlx.QueryerContext, id int64) (*int64, error) {
	var topicID *int64
	err := sqlx.GetContext(ctx, q, &topicID, `SELECT topic_id FROM proposals WHERE id = ?`, id)
	return topicID, notFound(err)
}

// ProposalCommentsOf loads the latest comments on p, as viewer — who reads
// p — reads them.
func (s *Store) ProposalCommentsOf(ctx context.Context, viewer *User, p *Proposal) (ProposalComments, error) {
	if !CanReadProposal(viewer, p, ShareNone) {
		return ProposalComments{}, nil
	}
	topicID, err := proposalTopic(ctx, s.db.R, p.ID)
	if err != nil {
		return ProposalComments{}, err
	}
	return s.commentsOf(ctx, viewer, topicID)
}

// CommentTarget is a proposition a comment may be about, numbered as
// everyone reads the text.
type CommentTarget struct {
	Number int
	Title  string
}

// ProposalCommentTargets lists the propositions a comment on p may name:
// those of the latest published version once there is one, else of the
// working text; version is that version's number (0 for the working text).
func (s *Store) ProposalCommentTargets(ctx context.Context, p *Proposal) (targets []CommentTarget, version int, err error) {
	if p.Version > 0 && p.State != ProposalOpen {
		v, err := s.ProposalVersionOf(ctx, p, p.Version)
		if err != nil {
			return nil, 0, err
		}
		for i, it := range v.Items() {
			targets = append(targets, CommentTarget{Number: i + 1, Title: it.Title})
		}
		return targets, v.Number, nil
	}
	for i, it := range p.Items {
		targets = append(targets, CommentTarget{Number: i + 1, Title: it.Title})
	}
	return targets, 0, nil
}

// CommentProposal publishes body as author's comment on proposal id, about
// its proposition number about (0: the text as a whole). The first comment
// starts the text's discussion.
func (s *Store) CommentProposal(ctx context.Context, author *User, id int64, about int, body string) (*Post, error) {
	if err := CanWrite(author); err != nil {
		return nil, err
	}
	ps, err := s.proposalsByID(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, ErrNotFound
	}
	p := &ps[0]
	if err := CanCommentProposal(author, p); err != nil {
		return nil, err
	}
	topicID, err := proposalTopic(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if about != 0 {
		targets, version, err := s.ProposalCommentTargets(ctx, p)
		if err != nil {
			return nil, err
		}
		if about < 0 || about > len(targets) {
			return nil, Invalid("proposition", "Cette proposition n’est pas dans le texte : choisissez-en une de la liste.")
		}
		if strings.TrimSpace(body) != "" {
			body = aboutLine(p, targets[about-1], version) + "\n\n" + body
		}
	}
	return s.comment(ctx, author, commentThread{
		category: ProposalCommentsCategory,
		draft:    DraftProposalComment(id),
		state: func(ctx context.Context, tx *sqlx.Tx) (string, *int64, error) {
			p, err := s.proposalState(ctx, tx, id)
			if err != nil {
				return "", nil, err
			}
			if err := CanCommentProposal(author, p); err != nil {
				return "", nil, err
			}
			topicID, err := proposalTopic(ctx, tx, id)
			return ProposalCommentsTitle(p.Title), topicID, err
		},
		link: func(ctx context.Context, tx *sqlx.Tx, topicID int64) error {
			if _, err := tx.ExecContext(ctx, `UPDATE proposals SET topic_id = ? WHERE id = ?`, topicID, id); err != nil {
				return err
			}
			p, err := s.proposalState(ctx, tx, id)
			if err != nil {
				return err
			}
			return syncCommentReaders(ctx, tx, p, author.ID, s.Now())
		},
	}, topicID, body)
}

// aboutLine is a comment's first line naming the proposition it is about,
// linked in the text or the version everyone read.
func aboutLine(p *Proposal, t CommentTarget, version int) string {
	path := p.Path()
	if version > 0 {
		path += "/versions/" + itoa64(int64(version))
	}
	n := itoa64(int64(t.Number))
	title := strings.NewReplacer("[", "(", "]", ")", "*", "", "_", " ").Replace(t.Title)
	return "**Sur la [proposition " + n + "](" + path + "#proposition-" + n + ") : " + title + "**"
}

// ProposalRef is a text as a discussion links back to it.
type ProposalRef struct {
	Slug  string `db:"slug"`
	Title string `db:"title"`
}

// Path is the text's address.
func (r ProposalRef) Path() string { return ProposalPathOf(r.Slug) }

// ProposalOfTopic finds the text whose comments topic topicID holds (whoever
// reads that discussion reads the text): ErrNotFound for any other.
func (s *Store) ProposalOfTopic(ctx context.Context, topicID int64) (ProposalRef, error) {
	var ref ProposalRef
	err := s.db.R.GetContext(ctx, &ref, `SELECT slug, title FROM proposals WHERE topic_id = ? ORDER BY id LIMIT 1`, topicID)
	return ref, notFound(err)
}

// proposalsByID loads the proposals among ids with their members and
// working text, for checking who reads them.
func (s *Store) proposalsByID(ctx context.Context, ids []int64) ([]Proposal, error) {
	var ps []Proposal
	if len(ids) == 0 {
		return nil, nil
	}
	if err := s.selectIn(ctx, &ps, proposalSelect+` WHERE id IN (?)`, ids); err != nil {
		return nil, err
	}
	for i := range ps {
		if err := s.loadProposal(ctx, s.db.R, &ps[i]); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// proposalCommentTitles names the texts among ids that u may comment.
func (s *Store) proposalCommentTitles(ctx context.Context, u *User, ids []int64) (map[int64]DraftTarget, error) {
	ps, err := s.proposalsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[int64]DraftTarget{}
	for i := range ps {
		if CanCommentProposal(u, &ps[i]) == nil {
			out[ps[i].ID] = DraftTarget{Title: ps[i].Title, Path: ps[i].Path() + "#commenter"}
		}
	}
	return out, nil
}
