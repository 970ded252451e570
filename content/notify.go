package content

import (
	"context"
	"regexp"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// The notifier is a consumer of the event stream: for each event it finds
// who is concerned and writes their notifications, in the transaction that
// moves its position (Outbox.Consume), so a crash neither loses nor repeats
// one. Nobody is notified of their own action. Who may read the object is
// checked again when a notification is shown.

// NotifierConsumer is the notifier's name in outbox_consumers.
const NotifierConsumer = "notify"

// NotificationKind says why a member is told.
type NotificationKind string

// Notification kinds.
const (
	NotifyMention       NotificationKind = "mention"
	NotifyReply         NotificationKind = "reply"       // a reply to my post
	NotifyQuote         NotificationKind = "quote"       // a post quoting mine
	NotifyTopicReply    NotificationKind = "topic_reply" // a reply in a topic I follow
	NotifyNewTopic      NotificationKind = "new_topic"   // in a category or tag I follow
	NotifyAccepted      NotificationKind = "accepted"    // my answer accepted
	NotifyMerci         NotificationKind = "merci"       // on my post
	NotifyFicheRevision NotificationKind = "fiche_revision"
	NotifyFicheReport   NotificationKind = "fiche_report" // outdated information reported in my fiche
	NotifyModeration    NotificationKind = "moderation"   // a moderator's decision about my content
	NotifyMessage       NotificationKind = "message"      // a private message: one row per conversation, counted
)

// notice is one notification to write: kind for user about a target,
// grouped under an object.
type notice struct {
	user       int64
	kind       NotificationKind
	objectType string
	objectID   int64
	targetType string
	targetID   int64
	number     int
	detail     ModerationDecision // for NotifyModeration
}

// groups and ranks of the kinds: within a group one row per target, keeping
// the most specific kind: an answer to my post says more than a quote of
// it, which says more than a mention (« Citer » writes @author itself).
var noticeKinds = map[NotificationKind]struct {
	grp  string
	rank int
}{
	NotifyTopicReply: {"activity", 1}, NotifyNewTopic: {"activity", 2}, NotifyMention: {"activity", 3}, NotifyQuote: {"activity", 4},
	NotifyReply:    {"activity", 5},
	NotifyAccepted: {"accepted", 1}, NotifyMerci: {"merci", 1}, NotifyFicheRevision: {"revision", 1}, NotifyFicheReport: {"report", 1},
	NotifyModeration: {"moderation", 1},
	NotifyMessage:    {"message", 1},
	NotifyAmendment:  {"amendment", 1}, NotifyAmendmentDecision: {"amendment_decision", 1}, NotifyProposalState: {"proposal_state", 1},
}

// NotifyPending applies the events the notifier has not applied yet, in
// batches, and returns the members who got notifications.
func (s *Store) NotifyPending(ctx context.Context) ([]int64, error) {
	touched := map[int64]bool{}
	for {
		n, err := s.events.Consume(ctx, NotifierConsumer, 500, func(tx *sqlx.Tx, events []Event) error {
			for _, e := range events {
				users, err := s.notifyEvent(ctx, tx, e)
				if err != nil {
					return err
				}
				for _, u := range users {
					touched[u] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if n < 500 {
			break
		}
	}
	out := make([]int64, 0, len(touched))
	for u := range touched {
		out = append(out, u)
	}
	return out, nil
}

// RegisterNotifier makes the notifier a consumer; a new one starts at the
// stream's head, so history is not notified.
func (s *Store) RegisterNotifier(ctx context.Context) error {
	head, err := s.events.Head(ctx)
	if err != nil {
		return err
	}
	_, err = s.events.Register(ctx, NotifierConsumer, head)
	return err
}

// notifyEvent writes the notifications event e causes and returns who got one.
func (s *Store) notifyEvent(ctx context.Context, tx *sqlx.Tx, e Event) ([]int64, error) {
	var notices []notice
	var err error
	switch {
	case e.EntityType == EntityPost && e.Kind == EventCreated:
		notices, err = postNotices(ctx, tx, e.EntityID)
	case e.EntityType == EntityPost && e.Kind == EventMentioned:
		for _, u := range e.Data.Mentioned {
			notices = append(notices, notice{user: u, kind: NotifyMention, objectType: EntityTopic, objectID: e.ParentID,
				targetType: EntityPost, targetID: e.EntityID, number: e.Data.Number})
		}
		if len(notices) > 0 && notices[0].number == 0 {
			err = tx.GetContext(ctx, &notices[0].number, `SELECT number FROM posts WHERE id = ?`, e.EntityID)
			for i := range notices {
				notices[i].number = notices[0].number
			}
		}
	case e.EntityType == EntityPost && e.Kind == EventThanked:
		notices, err = postAuthorNotice(ctx, tx, NotifyMerci, `SELECT id, topic_id, number, author_id FROM posts WHERE id = ?`, e.EntityID)
	case e.EntityType == EntityTopic && e.Kind == EventAccepted:
		notices, err = postAuthorNotice(ctx, tx, NotifyAccepted, `SELECT id, topic_id, number, author_id FROM posts WHERE topic_id = ? AND number = ?`,
			e.EntityID, e.Data.Number)
	case e.EntityType == EntityPost && (e.Kind == EventHidden || e.Kind == EventWithdrawn):
		// What readers can no longer see is not announced any more.
		_, err = tx.ExecContext(ctx, `DELETE FROM notifications WHERE target_type = 'post' AND target_id = ? AND read_at IS NULL
			AND grp != 'moderation'`, e.EntityID)
		if err == nil && e.Kind == EventHidden {
			notices, err = moderationNotices(ctx, tx, e)
		}
	case e.EntityType == EntityFiche && e.Kind == EventEdited && e.Data.Number > 1:
		notices, err = ficheNotices(ctx, tx, NotifyFicheRevision, e.EntityID, e.Data.Number,
			`SELECT user_id FROM follows WHERE target_type = 'fiche' AND target_id = ?1 AND level = 'watching'`)
	case e.EntityType == EntityMessage && e.Kind == EventCreated:
		notices, err = messageNotices(ctx, tx, e)
	case isProposalEvent(e):
		notices, err = s.proposalNotices(ctx, tx, e)
	case e.EntityType == EntityDecision && e.Kind == EventDecided:
		notices, err = decisionNotices(ctx, tx, e.EntityID)
	case e.EntityType == EntityFiche && e.Kind == EventReported:
		notices, err = ficheNotices(ctx, tx, NotifyFicheReport, e.EntityID, 0, `SELECT user_id FROM fiche_authors WHERE fiche_id = ?1`)
	default:
		notices, err = moderationNotices(ctx, tx, e)
	}
	if err == nil {
		notices, err = dropUnwanted(ctx, tx, notices)
	}
	if err != nil {
		return nil, err
	}
	muted, err := mutedBy(ctx, tx, notices)
	if err != nil {
		return nil, err
	}
	var users []int64
	for _, n := range notices {
		if n.user == e.ActorID || n.user == 0 {
			continue // nobody is told of their own action
		}
		if muted[n.user] && n.kind != NotifyModeration {
			continue // they asked for silence about it
		}
		if err := writeNotice(ctx, tx, n, e); err != nil {
			return nil, err
		}
		users = append(users, n.user)
	}
	return users, nil
}

// postNotices: a new post tells the author of the post it answers, the
// topic's followers and, for an opening post, the followers of its
// category and tags.
func postNotices(ctx context.Context, tx *sqlx.Tx, postID int64) ([]notice, error) {
	var p struct {
		TopicID  int64  `db:"topic_id"`
		Number   int    `db:"number"`
		ReplyTo  *int   `db:"reply_to"`
		Category int64  `db:"category_id"`
		Body     string `db:"body"`
	}
	if err := tx.GetContext(ctx, &p, `SELECT p.topic_id, p.number, p.reply_to, t.category_id, p.body FROM posts p
		JOIN topics t ON t.id = p.topic_id WHERE p.id = ?`, postID); err != nil {
		return nil, notFound(err)
	}
	base := notice{objectType: EntityTopic, objectID: p.TopicID, targetType: EntityPost, targetID: postID, number: p.Number}
	var out []notice
	add := func(kind NotificationKind, query string, args ...any) error {
		var users []int64
		if err := tx.SelectContext(ctx, &users, query, args...); err != nil {
			return err
		}
		for _, u := range users {
			n := base
			n.user, n.kind = u, kind
			out = append(out, n)
		}
		return nil
	}
	if p.Number == 1 {
		err := add(NotifyNewTopic, `SELECT user_id FROM follows WHERE level = 'watching' AND ((target_type = 'category' AND target_id = ?)
			OR (target_type = 'tag' AND target_id IN (SELECT tag_id FROM topic_tags WHERE topic_id = ?)))`, p.Category, p.TopicID)
		return out, err
	}
	if err := add(NotifyTopicReply, `SELECT user_id FROM follows WHERE target_type = 'topic' AND target_id = ? AND level = 'watching'`, p.TopicID); err != nil {
		return nil, err
	}
	for _, n := range quotedPosts(p.Body, p.TopicID) {
		if err := add(NotifyQuote, `SELECT author_id FROM posts WHERE topic_id = ? AND number = ?`, p.TopicID, n); err != nil {
			return nil, err
		}
	}
	if p.ReplyTo != nil {
		if err := add(NotifyReply, `SELECT author_id FROM posts WHERE topic_id = ? AND number = ?`, p.TopicID, *p.ReplyTo); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// quoteHeader is the first line « Citer » writes: "> **@Karim** [a écrit](/discussions/3/slug?post=4#post-4) :".
var quoteHeader = regexp.MustCompile(`(?m)^>\s*\*\*@[^*\n]{1,40}\*\* \[a écrit\]\(/discussions/(\d+)/[^?)\s]*\?post=(\d+)`)

// maxQuotesTold bounds the quoted posts a reply tells about.
const maxQuotesTold = 10

// quotedPosts lists the numbers of the posts of topic topicID that body
// quotes, each once.
func quotedPosts(body string, topicID int64) []int {
	var out []int
	seen := map[int]bool{}
	for _, m := range quoteHeader.FindAllStringSubmatch(body, maxQuotesTold) {
		t, _ := strconv.ParseInt(m[1], 10, 64)
		n, _ := strconv.Atoi(m[2])
		if t == topicID && n > 0 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// postAuthorNotice tells the author of the post query finds.
func postAuthorNotice(ctx context.Context, tx *sqlx.Tx, kind NotificationKind, query string, args ...any) ([]notice, error) {
	var p struct {
		ID       int64 `db:"id"`
		TopicID  int64 `db:"topic_id"`
		Number   int   `db:"number"`
		AuthorID int64 `db:"author_id"`
	}
	if err := tx.GetContext(ctx, &p, query, args...); err != nil {
		return nil, nil // gone since: nothing to tell
	}
	return []notice{{user: p.AuthorID, kind: kind, objectType: EntityTopic, objectID: p.TopicID, targetType: EntityPost,
		targetID: p.ID, number: p.Number}}, nil
}

// ficheNotices tells the members query lists (?1 is the fiche) about fiche id.
func ficheNotices(ctx context.Context, tx *sqlx.Tx, kind NotificationKind, id int64, number int, query string) ([]notice, error) {
	var users []int64
	if err := tx.SelectContext(ctx, &users, query, id); err != nil {
		return nil, err
	}
	out := make([]notice, len(users))
	for i, u := range users {
		out[i] = notice{user: u, kind: kind, objectType: EntityFiche, objectID: id, targetType: EntityFiche, targetID: id, number: number}
	}
	return out, nil
}

// writeNotice adds n, or updates the member's row for the same target:
// the most specific kind wins; reactions and revisions are counted while
// unread, and a read row comes back unread, and unmailed: the next mail
// tells what is new.
func writeNotice(ctx context.Context, tx *sqlx.Tx, n notice, e Event) error {
	k := noticeKinds[n.kind]
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, rank, grp, object_type, object_id, target_type, target_id,
		number, actor_id, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, grp, target_type, target_id) DO UPDATE SET
			kind = CASE WHEN excluded.rank > notifications.rank THEN excluded.kind ELSE notifications.kind END,
			rank = max(excluded.rank, notifications.rank),
			count = CASE WHEN notifications.read_at IS NOT NULL THEN 1
				WHEN excluded.grp = 'activity' THEN notifications.count ELSE notifications.count + 1 END,
			number = excluded.number, actor_id = excluded.actor_id, detail = excluded.detail, created_at = excluded.created_at,
			read_at = NULL, mailed_at = NULL`,
		n.user, n.kind, k.rank, k.grp, n.objectType, n.objectID, n.targetType, n.targetID, n.number, nullID(e.ActorID), n.detail, e.CreatedAt)
	return err
}
