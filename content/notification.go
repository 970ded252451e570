package content

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Notification is what a member is told, as their notifications page shows it.
type Notification struct {
	ID          int64              `db:"id"`
	Kind        NotificationKind   `db:"kind"`
	ObjectType  string             `db:"object_type"`
	ObjectID    int64              `db:"object_id"`
	TargetType  string             `db:"target_type"`
	TargetID    int64              `db:"target_id"`
	Number      int                `db:"number"`
	Count       int                `db:"count"`
	Detail      ModerationDecision `db:"detail"` // for NotifyModeration
	ActorPseudo sql.NullString     `db:"actor_pseudo"`
	CreatedAt   time.Time          `db:"created_at"`
	ReadAt      *time.Time         `db:"read_at"`

	Title string `db:"-"` // of the topic, fiche or text
	Path  string `db:"-"` // the exact place: the post, the revision's changes
	Note  string `db:"-"` // what the target adds: a refused amendment's reason
}

// Unread tells a new notification from one already seen.
func (n *Notification) Unread() bool { return n.ReadAt == nil }

// Text says what happened, in French.
func (n *Notification) Text() string {
	who := "Quelqu’un"
	if n.ActorPseudo.Valid {
		who = n.ActorPseudo.String
	}
	others := ""
	if n.Count > 1 {
		others = " et " + strconv.Itoa(n.Count-1) + " autre" + plural(n.Count-1)
	}
	if text, ok := n.proposalText(who); ok {
		return text
	}
	switch n.Kind {
	case NotifyMention:
		return who + " vous a mentionné·e"
	case NotifyReply:
		return who + " a répondu à votre message"
	case NotifyQuote:
		return who + " a cité votre message"
	case NotifyTopicReply:
		return "Nouvelle réponse de " + who
	case NotifyNewTopic:
		return "Nouvelle discussion de " + who
	case NotifyAccepted:
		return who + " a accepté votre réponse"
	case NotifyMerci:
		if n.Count > 1 {
			return who + others + " vous remercient"
		}
		return who + " vous remercie"
	case NotifyFicheRevision:
		if n.Count > 1 {
			return strconv.Itoa(n.Count) + " nouvelles révisions, la dernière par " + who
		}
		return "Nouvelle révision par " + who
	case NotifyFicheReport:
		return who + " signale une information peut-être obsolète"
	case NotifyModeration:
		if n.Detail == DecisionPostRefused && n.Note != "" {
			return n.Detail.Text(n.Number) + " : « " + n.Note + " »"
		}
		return n.Detail.Text(n.Number)
	case NotifyMessage:
		if n.Count > 1 {
			return strconv.Itoa(n.Count) + " nouveaux messages, le dernier de " + who
		}
		return who + " vous a écrit"
	}
	return "Du nouveau"
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// NotificationGroup gathers a member's notifications about one topic or fiche.
type NotificationGroup struct {
	Title  string
	Path   string
	Items  []Notification
	Unread int
}

// NotificationsPerPage is how many notifications a page of them lists.
const NotificationsPerPage = 50

// UnreadNotifications counts u's unread notifications, for the bell.
func (s *Store) UnreadNotifications(ctx context.Context, u *User) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, u.ID)
	return n, err
}

// UnreadNotificationsBeside counts u's unread notifications but those about
// the object u is reading now (a topic up to post number, a fiche: number
// 0), which the visit will mark read a moment later.
func (s *Store) UnreadNotificationsBeside(ctx context.Context, u *User, objectType string, objectID int64, number int) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL
		AND NOT (object_type = ? AND object_id = ? AND (? = 0 OR number <= ?))`, u.ID, objectType, objectID, number, number)
	return n, err
}

// Notifications lists the first page of u's notifications (NotificationsPage).
func (s *Store) Notifications(ctx context.Context, u *User, unreadOnly bool) ([]NotificationGroup, error) {
	groups, _, err := s.NotificationsPage(ctx, u, unreadOnly, "")
	return groups, err
}

// NotificationsPage lists u's notifications, newest first, from the cursor
// before ("" for the latest), leaving out those whose object u may not read
// any more (a post hidden since, a fiche back to brouillon or gone),
// grouped by topic or fiche. next is the cursor of the following page, ""
// on the last. A cursor that does not parse starts from the latest.
func (s *Store) NotificationsPage(ctx context.Context, u *User, unreadOnly bool, before string) (groups []NotificationGroup, next string, err error) {
	q := `SELECT n.id, n.kind, n.object_type, n.object_id, n.target_type, n.target_id, n.number, n.count, n.detail, a.pseudo AS actor_pseudo,
		n.created_at, n.read_at FROM notifications n LEFT JOIN users a ON a.id = n.actor_id WHERE n.user_id = ?`
	args := []any{u.ID}
	if unreadOnly {
		q += ` AND n.read_at IS NULL`
	}
	if at, id, ok := parseNotificationCursor(before); ok {
		q += ` AND (n.created_at < ? OR (n.created_at = ? AND n.id < ?))`
		args = append(args, at, at, id)
	}
	var rows []Notification
	if err := s.db.R.SelectContext(ctx, &rows, q+` ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, append(args, NotificationsPerPage+1)...); err != nil {
		return nil, "", err
	}
	if len(rows) > NotificationsPerPage {
		rows = rows[:NotificationsPerPage]
		last := rows[len(rows)-1]
		next = strconv.FormatInt(last.CreatedAt.UnixNano(), 10) + "." + strconv.FormatInt(last.ID, 10)
	}
	readable, err := s.readableTargets(ctx, u, rows)
	if err != nil {
		return nil, "", err
	}
	return groupNotifications(rows, readable), next, nil
}

// groupNotifications keeps the rows whose target is readable, gathered by
// topic or fiche in the order of their newest row.
func groupNotifications(rows []Notification, readable map[string]noticeTarget) []NotificationGroup {
	var groups []NotificationGroup
	index := map[string]int{}
	for _, n := range rows {
		where, ok := readable[n.TargetType+":"+strconv.FormatInt(n.TargetID, 10)]
		if !ok {
			continue
		}
		n.Title, n.Path, n.Note = where.title, where.path(n), where.note
		key := DocID(n.ObjectType, n.ObjectID)
		i, seen := index[key]
		if !seen {
			i = len(groups)
			index[key] = i
			groups = append(groups, NotificationGroup{Title: where.title, Path: where.object})
		}
		groups[i].Items = append(groups[i].Items, n)
		if n.Unread() {
			groups[i].Unread++
		}
	}
	return groups
}

// parseNotificationCursor reads "unixnano.id".
func parseNotificationCursor(c string) (time.Time, int64, bool) {
	at, id, found := strings.Cut(c, ".")
	nanos, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !found || err1 != nil || err2 != nil || nanos <= 0 || n <= 0 {
		return time.Time{}, 0, false
	}
	return time.Unix(0, nanos).UTC(), n, true
}

// noticeTarget is what a notification links to, once u may read it.
type noticeTarget struct {
	title, object string
	note          string
	path          func(n Notification) string
}

// readableTargets loads the posts and fiches notifications point to, one
// query each, keeping those u may read now.
func (s *Store) readableTargets(ctx context.Context, u *User, rows []Notification) (map[string]noticeTarget, error) {
	var posts, fiches, conversations, amendments, proposals, held, decisions []int64
	for _, n := range rows {
		switch n.TargetType {
		case EntityHeld:
			held = append(held, n.TargetID)
		case EntityDecision:
			decisions = append(decisions, n.TargetID)
		case EntityAmendment:
			amendments = append(amendments, n.TargetID)
		case EntityProposal:
			proposals = append(proposals, n.TargetID)
		case EntityPost:
			posts = append(posts, n.TargetID)
		case EntityFiche:
			fiches = append(fiches, n.TargetID)
		case EntityConversation:
			conversations = append(conversations, n.TargetID)
		}
	}
	out := map[string]noticeTarget{}
	if len(amendments) > 0 || len(proposals) > 0 {
		// A brouillon only to those who read it, now.
		if err := s.readableProposalTargets(ctx, u, amendments, proposals, out); err != nil {
			return nil, err
		}
	}
	if len(held) > 0 {
		// Only its author: a refused post is theirs alone.
		if err := s.readableHeld(ctx, u, held, out); err != nil {
			return nil, err
		}
	}
	if len(decisions) > 0 {
		if err := s.readableDecisions(ctx, u, decisions, out); err != nil {
			return nil, err
		}
	}
	if len(conversations) > 0 {
		// Only the members still in it: never a moderator, never one who left.
		if err := s.readableConversations(ctx, u, conversations, out); err != nil {
			return nil, err
		}
	}
	if len(posts) > 0 {
		var ps []struct {
			ID       int64      `db:"id"`
			AuthorID int64      `db:"author_id"`
			Deleted  *time.Time `db:"deleted_at"`
			Hidden   *time.Time `db:"hidden_at"`
			TopicID  int64      `db:"topic_id"`
			Slug     string     `db:"slug"`
			Title    string     `db:"title"`
			Merged   *int64     `db:"merged_into"`
			Readers  Readers    `db:"readers"`
		}
		if err := s.selectIn(ctx, &ps, `SELECT p.id, p.author_id, p.deleted_at, p.hidden_at, t.id AS topic_id, t.slug, t.title, t.merged_into,
			t.readers FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.id IN (?)`, posts); err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.Merged != nil || !CanReadTopic(u, &Topic{Readers: p.Readers}) ||
				!CanReadPost(u, &Post{AuthorID: p.AuthorID, DeletedAt: p.Deleted, HiddenAt: p.Hidden}) {
				continue
			}
			t := Topic{ID: p.TopicID, Slug: p.Slug}
			out[DocID(EntityPost, p.ID)] = noticeTarget{title: p.Title, object: t.Path(),
				path: func(n Notification) string { return t.PostPath(n.Number) }}
		}
	}
	if len(fiches) > 0 {
		var fs []Fiche
		if err := s.selectIn(ctx, &fs, ficheSelect+` WHERE id IN (?)`, fiches); err != nil {
			return nil, err
		}
		if err := s.loadFicheDetails(ctx, fs); err != nil {
			return nil, err
		}
		for i := range fs {
			f := fs[i]
			if !CanReadFiche(u, &f) {
				continue
			}
			out[DocID(EntityFiche, f.ID)] = noticeTarget{title: f.Title, object: f.Path(), path: func(n Notification) string {
				if n.Kind == NotifyModeration && n.Number > 0 {
					return f.Path() + "/historique"
				}
				if n.Kind == NotifyFicheRevision && n.Number > 1 {
					// The changes since the revision before the first one told.
					from := max(1, n.Number-n.Count)
					return f.Path() + "/comparer?de=" + strconv.Itoa(from) + "&a=" + strconv.Itoa(n.Number)
				}
				return f.Path()
			}}
		}
	}
	return out, nil
}

// MarkNotificationsRead marks u's notifications read: the one of ID id, or
// all of them when id is 0.
func (s *Store) MarkNotificationsRead(ctx context.Context, u *User, id int64) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		q, args := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, []any{s.Now(), u.ID}
		if id != 0 {
			q, args = q+` AND id = ?`, append(args, id)
		}
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
}

// markObjectRead marks read what u was told about an object they have now
// read: a topic up to post number, or a fiche (number 0: all of it).
func markObjectRead(ctx context.Context, tx *sqlx.Tx, at time.Time, userID int64, objectType string, objectID int64, number int) error {
	q := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND object_type = ? AND object_id = ? AND read_at IS NULL`
	args := []any{at, userID, objectType, objectID}
	if number > 0 {
		q += ` AND number <= ?`
		args = append(args, number)
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}
