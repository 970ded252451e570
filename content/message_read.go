package content

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Reading private messages: a member's list with unread counts, one
// conversation, read marks, and what drafts and notifications need to
// know of the conversations a member is still in.

// Conversations lists one page of the conversations u is still in, the
// latest message first, each with its unread count and the other members
// (one query).
func (s *Store) Conversations(ctx context.Context, u *User, page int) ([]Conversation, int, error) {
	if u == nil {
		return nil, 0, ErrForbidden
	}
	page = max(page, 1)
	var total int
	if err := s.db.R.GetContext(ctx, &total, `SELECT count(*) FROM conversation_members WHERE user_id = ? AND left_at IS NULL`, u.ID); err != nil {
		return nil, 0, err
	}
	var cs []Conversation
	err := s.db.R.SelectContext(ctx, &cs, `SELECT c.id, c.title, c.last_number, c.last_message_at, c.created_at,
		max(c.last_number - m.last_read, 0) AS unread,
		coalesce((SELECT group_concat(u.pseudo, ', ') FROM conversation_members o JOIN users u ON u.id = o.user_id
			WHERE o.conversation_id = c.id AND o.left_at IS NULL AND o.user_id != m.user_id), '') AS others
		FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.user_id = ? AND m.left_at IS NULL
		ORDER BY c.last_message_at DESC, c.id DESC LIMIT ? OFFSET ?`, u.ID, ConversationsPerPage, (page-1)*ConversationsPerPage)
	return cs, total, err
}

// UnreadConversations counts the conversations where u has messages to read.
func (s *Store) UnreadConversations(ctx context.Context, u *User) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.user_id = ? AND m.left_at IS NULL AND m.last_read < c.last_number`, u.ID)
	return n, err
}

// ConversationPage is a conversation with its members and one page of messages.
type ConversationPage struct {
	Conversation
	Me       *ConversationMember
	Members  []ConversationMember // in the order they joined, those who left included
	Messages []Message
	Page     int
}

// ConversationFor loads conversation id for u, with page (0: the last) of
// its messages. Anybody but its members gets ErrNotFound, as for a
// conversation that does not exist.
func (s *Store) ConversationFor(ctx context.Context, u *User, id int64, page int) (*ConversationPage, error) {
	me, err := s.Membership(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !CanReadConversation(u, me) {
		return nil, ErrNotFound
	}
	p := &ConversationPage{Me: me}
	if err := s.db.R.GetContext(ctx, &p.Conversation, `SELECT id, title, last_number, last_message_at, created_at,
		max(last_number - ?, 0) AS unread, '' AS others FROM conversations WHERE id = ?`, me.LastRead, id); err != nil {
		return nil, notFound(err)
	}
	if err := s.db.R.SelectContext(ctx, &p.Members, `SELECT m.conversation_id, m.user_id, u.pseudo, m.joined_at, m.left_at, m.last_read
		FROM conversation_members m JOIN users u ON u.id = m.user_id WHERE m.conversation_id = ? ORDER BY m.joined_at, u.pseudo`, id); err != nil {
		return nil, err
	}
	var others []string
	for _, m := range p.Members {
		if m.UserID != u.ID && m.LeftAt == nil {
			others = append(others, m.Pseudo)
		}
	}
	p.Others = strings.Join(others, ", ")
	pages := max(1, (p.LastNumber+MessagesPerPage-1)/MessagesPerPage)
	if page == 0 {
		page = pages
	}
	if page < 1 || page > pages {
		return nil, ErrNotFound
	}
	p.Page = page
	err = s.db.R.SelectContext(ctx, &p.Messages, messageSelect+` WHERE m.conversation_id = ? AND m.number > ? AND m.number <= ?
		ORDER BY m.number`, u.ID, id, (page-1)*MessagesPerPage, page*MessagesPerPage)
	return p, err
}

const messageSelect = `SELECT m.id, m.conversation_id, m.number, m.author_id, a.pseudo AS author_pseudo, m.body, m.html, m.created_at,
	m.hidden_at,
	(SELECT count(*) FROM flags f WHERE f.target_type = 'message' AND f.target_id = m.id AND f.closed_at IS NULL) AS open_reports,
	EXISTS (SELECT 1 FROM flags f WHERE f.target_type = 'message' AND f.target_id = m.id AND f.flagger_id = ?) AS reported_by_me
	FROM messages m JOIN users a ON a.id = m.author_id`

// MarkConversationRead records that u read conversation id up to message
// number n, and marks read what u was told about it. Nothing is written
// when there was nothing new.
func (s *Store) MarkConversationRead(ctx context.Context, u *User, id int64, n int) error {
	me, err := s.Membership(ctx, u, id)
	if err != nil || !CanReadConversation(u, me) || me.LastRead >= n {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := setLastRead(ctx, tx, id, u.ID, n); err != nil {
			return err
		}
		return markObjectRead(ctx, tx, s.Now(), u.ID, EntityConversation, id, n)
	})
}

// conversationTitles returns the conversations among ids that u is still
// in, for the list of drafts.
func (s *Store) conversationTitles(ctx context.Context, u *User, ids []int64) (map[int64]DraftTarget, error) {
	var rows []struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
	}
	if err := s.selectIn(ctx, &rows, `SELECT c.id, c.title FROM conversations c JOIN conversation_members m
		ON m.conversation_id = c.id AND m.user_id = ? AND m.left_at IS NULL WHERE c.id IN (?)`, viewerID(u), ids); err != nil {
		return nil, err
	}
	out := make(map[int64]DraftTarget, len(rows))
	for _, r := range rows {
		out[r.ID] = DraftTarget{Title: r.Title, Path: ConversationPath(r.ID) + "#reponse"}
	}
	return out, nil
}

// messageNotices: a new message tells the conversation's other members
// still in it, but not those who blocked its author.
func messageNotices(ctx context.Context, tx *sqlx.Tx, e Event) ([]notice, error) {
	var users []int64
	if err := tx.SelectContext(ctx, &users, `SELECT m.user_id FROM conversation_members m
		WHERE m.conversation_id = ?1 AND m.left_at IS NULL AND m.user_id != ?2
		AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = m.user_id AND b.blocked_id = ?2)`, e.ParentID, e.ActorID); err != nil {
		return nil, err
	}
	out := make([]notice, len(users))
	for i, u := range users {
		out[i] = notice{user: u, kind: NotifyMessage, objectType: EntityConversation, objectID: e.ParentID,
			targetType: EntityConversation, targetID: e.ParentID, number: e.Data.Number}
	}
	return out, nil
}

// readableConversations keeps, among ids, the conversations u is still
// in, for the notifications that point to them.
func (s *Store) readableConversations(ctx context.Context, u *User, ids []int64, out map[string]noticeTarget) error {
	titles, err := s.conversationTitles(ctx, u, ids)
	if err != nil {
		return err
	}
	for id, t := range titles {
		path := ConversationPath(id)
		out[DocID(EntityConversation, id)] = noticeTarget{title: t.Title, object: path, path: func(n Notification) string {
			return path + "#message-" + itoa64(int64(n.Number))
		}}
	}
	return nil
}
