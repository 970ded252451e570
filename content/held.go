package content

import (
	"context"
	"database/sql"
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Held posts: a topic or a reply that waits for a moderator (see screen).
// It is stored in held_posts, not in posts, so no list, count, search,
// feed, notification or mention knows of it; only its author and the
// moderators read it. Approving it publishes it as any post, with the
// notifications then; refusing it tells its author why.

// EntityHeld is a held post, in events and notifications.
const EntityHeld = "held_post"

// Events of held posts.
const (
	EventApproved EventKind = "approved" // a held post published (EntityPost: the new post)
	EventRefused  EventKind = "refused"  // a held post refused (EntityHeld)
)

// HeldPost is a topic or a reply waiting for review, or decided.
type HeldPost struct {
	ID               int64         `db:"id"`
	AuthorID         int64         `db:"author_id"`
	TopicID          *int64        `db:"topic_id"` // a reply's topic; nil: a new topic
	ReplyTo          *int          `db:"reply_to"`
	Title            string        `db:"title"` // a new topic's
	CategoryID       *int64        `db:"category_id"`
	Tags             string        `db:"tags"`
	Kind             TopicKind     `db:"kind"`
	Body             string        `db:"body"`
	HTML             template.HTML `db:"html"`
	Reason           HoldReason    `db:"reason"`
	CreatedAt        time.Time     `db:"created_at"`
	DecidedAt        *time.Time    `db:"decided_at"`
	Approved         bool          `db:"approved"`
	Refusal          string        `db:"refusal"`
	PublishedTopicID *int64        `db:"published_topic_id"`
	PublishedPostID  *int64        `db:"published_post_id"`

	AuthorPseudo    string         `db:"author_pseudo"`
	AuthorCreatedAt time.Time      `db:"author_created_at"`
	TopicTitle      sql.NullString `db:"topic_title"` // a reply's topic
	TopicSlug       sql.NullString `db:"topic_slug"`
	CategoryName    sql.NullString `db:"category_name"`
	// In the moderators' queue: the author's trust, and its facts.
	AuthorFacts TrustFacts `db:"facts"`
	AuthorTrust TrustLevel `db:"-"`
}

// IsTopic tells a new topic from a reply.
func (h *HeldPost) IsTopic() bool { return h.TopicID == nil }

// Pending tells whether it still waits for a decision.
func (h *HeldPost) Pending() bool { return h.DecidedAt == nil }

// Subject is the title of the topic it starts or answers.
func (h *HeldPost) Subject() string {
	if h.IsTopic() {
		return h.Title
	}
	return h.TopicTitle.String
}

// TopicPath is the page of the topic a reply answers ("" for a new topic).
func (h *HeldPost) TopicPath() string {
	if h.IsTopic() {
		return ""
	}
	return (&Topic{ID: *h.TopicID, Slug: h.TopicSlug.String}).Path()
}

// Anchor is the fragment of the held post on the pages that list it.
func (h *HeldPost) Anchor() string { return "attente-" + strconv.FormatInt(h.ID, 10) }

// HeldForReview is what CreateTopic and Reply return, as an error, when
// the post waits for a moderator: it is stored, nothing is lost.
type HeldForReview struct{ Post *HeldPost }

func (h *HeldForReview) Error() string { return "held for review: " + string(h.Post.Reason) }

// AsHeld tells whether err says a post is held for review, and returns it.
func AsHeld(err error) (*HeldPost, bool) {
	var h *HeldForReview
	if errors.As(err, &h) {
		return h.Post, true
	}
	return nil, false
}

func insertHeld(ctx context.Context, tx *sqlx.Tx, h *HeldPost) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO held_posts (author_id, topic_id, reply_to, title, category_id, tags, kind, body, html,
		reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, h.AuthorID, h.TopicID, h.ReplyTo, h.Title, h.CategoryID, h.Tags,
		h.Kind, h.Body, string(h.HTML), h.Reason, h.CreatedAt)
	if err != nil {
		return err
	}
	h.ID, err = res.LastInsertId()
	return err
}

const heldSelect = `SELECT h.id, h.author_id, h.topic_id, h.reply_to, h.title, h.category_id, h.tags, h.kind, h.body, h.html,
	h.reason, h.created_at, h.decided_at, h.approved, h.refusal, h.published_topic_id, h.published_post_id,
	u.pseudo AS author_pseudo, u.created_at AS author_created_at, t.title AS topic_title, t.slug AS topic_slug,
	coalesce(c.name, tc.name) AS category_name
	FROM held_posts h
	JOIN users u ON u.id = h.author_id
	LEFT JOIN topics t ON t.id = h.topic_id
	LEFT JOIN categories tc ON tc.id = t.category_id
	LEFT JOIN categories c ON c.id = h.category_id`

// HeldPerPage is how many held posts a page of the queue lists.
const HeldPerPage = 30

// HeldQueue lists the posts waiting for review, oldest first, and how many
// wait in all: for moderators only.
func (s *Store) HeldQueue(ctx context.Context, mod *User, page int) ([]HeldPost, int, error) {
	if !CanReviewHeld(mod) {
		return nil, 0, ErrForbidden
	}
	var total int
	if err := s.db.R.GetContext(ctx, &total, `SELECT count(*) FROM held_posts WHERE decided_at IS NULL`); err != nil {
		return nil, 0, err
	}
	var hs []HeldPost
	q := strings.Replace(heldSelect, ` FROM held_posts h`, `,
		(SELECT count(*) FROM posts WHERE author_id = h.author_id AND deleted_at IS NULL AND hidden_at IS NULL) AS "facts.published",
		(SELECT count(*) FROM topics at JOIN posts ap ON ap.id = at.accepted_post_id WHERE ap.author_id = h.author_id) AS "facts.accepted",
		EXISTS (SELECT 1 FROM vouches WHERE member_id = h.author_id) AS "facts.vouched"
		FROM held_posts h`, 1)
	if err := s.db.R.SelectContext(ctx, &hs, q+` WHERE h.decided_at IS NULL ORDER BY h.created_at, h.id LIMIT ? OFFSET ?`,
		HeldPerPage, (max(page, 1)-1)*HeldPerPage); err != nil {
		return nil, 0, err
	}
	for i := range hs {
		hs[i].AuthorTrust = TrustLevelOf(&User{CreatedAt: hs[i].AuthorCreatedAt}, hs[i].AuthorFacts, s.Now())
	}
	return hs, total, nil
}

// HeldBy lists u's own held posts that were not published, newest first:
// those waiting and those refused (with the reason).
func (s *Store) HeldBy(ctx context.Context, u *User) ([]HeldPost, error) {
	var hs []HeldPost
	err := s.db.R.SelectContext(ctx, &hs, heldSelect+` WHERE h.author_id = ? AND h.approved = 0 ORDER BY h.created_at DESC, h.id DESC LIMIT 50`, u.ID)
	return hs, err
}

// HeldInTopic lists u's replies to topic topicID waiting for review, for
// the topic's page: u alone sees them there.
func (s *Store) HeldInTopic(ctx context.Context, u *User, topicID int64) ([]HeldPost, error) {
	if u == nil {
		return nil, nil
	}
	var hs []HeldPost
	err := s.db.R.SelectContext(ctx, &hs, heldSelect+` WHERE h.author_id = ? AND h.topic_id = ? AND h.decided_at IS NULL ORDER BY h.created_at, h.id`,
		u.ID, topicID)
	return hs, err
}

// PendingHeld counts the posts waiting for review (for moderators' pages).
func (s *Store) PendingHeld(ctx context.Context) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM held_posts WHERE decided_at IS NULL`)
	return n, err
}

// heldState reads, inside tx, a held post waiting for a decision.
func heldState(ctx context.Context, tx *sqlx.Tx, id int64) (*HeldPost, error) {
	var h HeldPost
	if err := tx.GetContext(ctx, &h, `SELECT id, author_id, topic_id, reply_to, title, category_id, tags, kind, body, html, reason,
		created_at, decided_at, approved, refusal FROM held_posts WHERE id = ?`, id); err != nil {
		return nil, notFound(err)
	}
	if !h.Pending() {
		return nil, Invalid("held", "Ce message a déjà été traité par la modération.")
	}
	return &h, nil
}

// ApproveHeld publishes held post id, as its author wrote it: the post, its
// counters and events (so its notifications go out now), the author told,
// the decision in the audit log.
func (s *Store) ApproveHeld(ctx context.Context, mod *User, id int64) (*HeldPost, error) {
	if !CanReviewHeld(mod) {
		return nil, ErrForbidden
	}
	var h *HeldPost
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if h, err = heldState(ctx, tx, id); err != nil {
			return err
		}
		if err := s.publishHeld(ctx, tx, h, mod.ID); err != nil {
			return err
		}
		return audit(ctx, tx, s.Now(), mod.ID, "approve_post", EntityHeld, id, "")
	})
	return h, err
}

// RefuseHeld refuses held post id for reason, which its author is told.
func (s *Store) RefuseHeld(ctx context.Context, mod *User, id int64, reason string) error {
	if !CanReviewHeld(mod) {
		return ErrForbidden
	}
	reason = normalizeLine(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return Invalid("raison", "Dites en quelques mots pourquoi ce message est refusé : son auteur ou autrice le lira.")
	case n > 500:
		return Invalid("raison", "La raison ne doit pas dépasser 500 caractères.")
	}
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := heldState(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE held_posts SET decided_at = ?, decided_by = ?, refusal = ? WHERE id = ?`,
			now, mod.ID, reason, id); err != nil {
			return err
		}
		if err := Emit(ctx, tx, Event{Kind: EventRefused, EntityType: EntityHeld, EntityID: id, ActorID: mod.ID, CreatedAt: now}); err != nil {
			return err
		}
		return audit(ctx, tx, now, mod.ID, "refuse_post", EntityHeld, id, reason)
	})
}

// publishHeld publishes h inside tx as its author's topic or reply, and
// records the decision of actorID. A reply whose topic no longer takes
// replies, or an author suspended since, is refused with the reason.
func (s *Store) publishHeld(ctx context.Context, tx *sqlx.Tx, h *HeldPost, actorID int64) error {
	var author User
	if err := tx.GetContext(ctx, &author, `SELECT `+userColumns+` FROM users WHERE id = ?`, h.AuthorID); err != nil {
		return notFound(err)
	}
	if author.Suspended() {
		return Invalid("held", "Le compte de "+author.Pseudo+" est suspendu : ce message ne peut pas être publié.")
	}
	rendered, mentioned := s.render(ctx, h.Body)
	now := s.Now()
	var postID, topicID int64
	if h.IsTopic() {
		tags, _ := ParseTags(h.Tags)
		t := &Topic{CategoryID: *h.CategoryID, AuthorID: author.ID, Title: h.Title, Slug: topicSlug(h.Title), Kind: h.Kind,
			CreatedAt: now, LastActivityAt: now}
		first := &Post{Body: h.Body, HTML: rendered.HTML}
		if err := insertTopic(ctx, tx, t, first, tags, mentioned); err != nil {
			return err
		}
		postID, topicID = first.ID, t.ID
	} else {
		t, err := topicState(ctx, tx, *h.TopicID)
		if err != nil {
			return err
		}
		if err := CanReply(&author, t); err != nil {
			return Invalid("held", "Cette discussion ne prend plus de réponses (fermée ou fusionnée) : refusez plutôt ce message, en le disant.")
		}
		in := NewReply{Body: h.Body}
		if h.ReplyTo != nil {
			in.ReplyTo = *h.ReplyTo
			// The answered post may be gone since: publish it as an answer to the whole topic.
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM posts WHERE topic_id = ? AND number = ? AND deleted_at IS NULL
				AND hidden_at IS NULL`, t.ID, in.ReplyTo); err != nil {
				return err
			}
			if n == 0 {
				in.ReplyTo = 0
			}
		}
		p, err := publishReply(ctx, tx, &author, t, in, rendered.HTML, mentioned, now)
		if err != nil {
			return err
		}
		postID, topicID = p.ID, t.ID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE held_posts SET decided_at = ?, decided_by = ?, approved = 1, published_topic_id = ?,
		published_post_id = ? WHERE id = ?`, now, nullID(actorID), topicID, postID, h.ID); err != nil {
		return err
	}
	h.DecidedAt, h.Approved, h.PublishedTopicID, h.PublishedPostID = &now, true, &topicID, &postID
	return Emit(ctx, tx, Event{Kind: EventApproved, EntityType: EntityPost, EntityID: postID, ActorID: actorID,
		ParentType: EntityTopic, ParentID: topicID, CreatedAt: now})
}

// Vouch records that voucher vouches for member id (see CanVouch): the
// member's held posts are published, their next posts go through.
// It returns how many held posts were published.
func (s *Store) Vouch(ctx context.Context, voucher *User, memberID int64) (int, error) {
	published := 0
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var m User
		if err := tx.GetContext(ctx, &m, `SELECT `+userColumns+` FROM users WHERE id = ?`, memberID); err != nil {
			return notFound(err)
		}
		now := s.Now()
		vf, err := trustFacts(ctx, tx, voucher.ID)
		if err != nil {
			return err
		}
		mf, err := trustFacts(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if !CanVouch(voucher, TrustLevelOf(voucher, vf, now), &m, TrustLevelOf(&m, mf, now)) {
			return ErrForbidden
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vouches (member_id, voucher_id, created_at) VALUES (?, ?, ?)`, m.ID, voucher.ID, now); err != nil {
			return err
		}
		if err := audit(ctx, tx, now, voucher.ID, "vouch", EntityUser, m.ID, ""); err != nil {
			return err
		}
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, `SELECT id FROM held_posts WHERE author_id = ? AND decided_at IS NULL ORDER BY created_at, id`, m.ID); err != nil {
			return err
		}
		for _, id := range ids {
			h, err := heldState(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := s.publishHeld(ctx, tx, h, voucher.ID); err != nil {
				if _, ok := AsValidation(err); ok {
					continue // a closed topic: it stays for a moderator to refuse
				}
				return err
			}
			if err := audit(ctx, tx, now, voucher.ID, "approve_post", EntityHeld, id, "garant·e"); err != nil {
				return err
			}
			published++
		}
		return nil
	})
	return published, err
}

// readableHeld adds to out the held posts of ids that u wrote, which
// their notifications point to: the list of u's posts waiting or refused,
// with the refusal's reason.
func (s *Store) readableHeld(ctx context.Context, u *User, ids []int64, out map[string]noticeTarget) error {
	var hs []HeldPost
	if err := s.selectIn(ctx, &hs, heldSelect+` WHERE h.id IN (?)`, ids); err != nil {
		return err
	}
	for _, h := range hs {
		if u == nil || h.AuthorID != u.ID {
			continue
		}
		anchor := MyHeldPath + "#" + h.Anchor()
		out[DocID(EntityHeld, h.ID)] = noticeTarget{title: h.Subject(), object: anchor, note: h.Refusal,
			path: func(Notification) string { return anchor }}
	}
	return nil
}

// MyHeldPath is the page where a member reads their posts waiting for
// review or refused.
const MyHeldPath = "/compte/en-attente"
