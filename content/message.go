package content

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Private messages: conversations between two and MaxConversationMembers
// members, in the same markdown as posts (rendered once, when written).
// Who may read them is decided in permission.go; reading them is in
// message_read.go, blocks in message_block.go; reports are flags (flag.go).

// EntityConversation is what message notifications are grouped under.
const EntityConversation = "conversation"

// Limits of conversations.
const (
	MaxConversationMembers = 20 // the author included
	MaxConversationTitle   = 150
	MessagesPerPage        = 50
	ConversationsPerPage   = 30
)

// ErrLeftConversation refuses writing in a conversation one has left; it
// is an ErrForbidden.
var ErrLeftConversation = fmt.Errorf("left the conversation: %w", ErrForbidden)

// ConversationMember is one member's place in a conversation.
type ConversationMember struct {
	ConversationID int64      `db:"conversation_id"`
	UserID         int64      `db:"user_id"`
	Pseudo         string     `db:"pseudo"`
	JoinedAt       time.Time  `db:"joined_at"`
	LeftAt         *time.Time `db:"left_at"`
	LastRead       int        `db:"last_read"`
}

// Conversation is a conversation as one of its members sees it.
type Conversation struct {
	ID            int64     `db:"id"`
	Title         string    `db:"title"`
	LastNumber    int       `db:"last_number"`
	LastMessageAt time.Time `db:"last_message_at"`
	CreatedAt     time.Time `db:"created_at"`
	Unread        int       `db:"unread"` // messages the viewer has not read
	Others        string    `db:"others"` // the other members still in it, "Karim, Lucie"
}

// Path is the conversation's page.
func (c *Conversation) Path() string { return ConversationPath(c.ID) }

// FirstUnread is the number of the first message the viewer has not read.
func (c *Conversation) FirstUnread() int { return c.LastNumber - c.Unread + 1 }

// FirstUnreadPage is the page of the conversation where FirstUnread is.
func (c *Conversation) FirstUnreadPage() int { return (c.FirstUnread()-1)/MessagesPerPage + 1 }

// ConversationPath is the page of conversation id.
func ConversationPath(id int64) string { return "/messages/" + itoa64(id) }

// Message is one message of a conversation.
type Message struct {
	ID             int64         `db:"id"`
	ConversationID int64         `db:"conversation_id"`
	Number         int           `db:"number"`
	AuthorID       int64         `db:"author_id"`
	AuthorPseudo   string        `db:"author_pseudo"`
	Body           string        `db:"body"`
	HTML           template.HTML `db:"html"`
	CreatedAt      time.Time     `db:"created_at"`
	HiddenAt       *time.Time    `db:"hidden_at"`      // by the moderation, or held by a flag
	OpenReports    int           `db:"open_reports"`   // open flags
	ReportedByMe   bool          `db:"reported_by_me"` // by the viewer
}

// Anchor is the fragment of the message in its conversation's page.
func (m *Message) Anchor() string { return "message-" + itoa64(int64(m.Number)) }

// NewConversation is what a member sends to start a conversation.
type NewConversation struct {
	Participants string // pseudos, separated by commas or spaces ("@" allowed)
	Title        string
	Body         string
}

// ParseParticipants reads a list of pseudos as members type it: separated
// by commas, semicolons or spaces, with or without "@", each once.
func ParseParticipants(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	var out []string
	seen := map[string]bool{}
	for _, f := range fields {
		f = strings.TrimLeft(f, "@")
		if f == "" || seen[pseudoKey(f)] {
			continue
		}
		seen[pseudoKey(f)] = true
		out = append(out, f)
	}
	return out
}

// messageEvent is the event of a new message, in its conversation.
func messageEvent(m *Message, actorID int64) Event {
	return Event{Kind: EventCreated, EntityType: EntityMessage, EntityID: m.ID, ActorID: actorID,
		ParentType: EntityConversation, ParentID: m.ConversationID, CreatedAt: m.CreatedAt, Data: EventData{Number: m.Number}}
}

func validateConversationTitle(v *ValidationError, title string) {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		v.Add("title", "Donnez un objet à votre message : quelques mots qui disent de quoi il s’agit.")
	case n > MaxConversationTitle:
		v.Add("title", "L’objet ne doit pas dépasser 150 caractères (il en compte "+itoa64(int64(n))+").")
	}
}

// unreachable is the one message for a pseudo nobody can write to: unknown,
// suspended, or a member who blocked the sender, whom it must not tell.
func unreachable(pseudos []string) string {
	quoted := make([]string, len(pseudos))
	for i, p := range pseudos {
		quoted[i] = "« " + p + " »"
	}
	if len(pseudos) == 1 {
		return "Aucun membre ne peut recevoir de message sous le pseudo " + quoted[0] + " : vérifiez son orthographe."
	}
	return "Aucun membre ne peut recevoir de message sous les pseudos " + strings.Join(quoted, ", ") + " : vérifiez leur orthographe."
}

// recipients finds, inside tx, the members author may write to among
// pseudos. Unknown and suspended pseudos refuse the whole list; members who
// blocked author are left out without a word, and when nobody else
// remains the refusal reads as for an unknown pseudo. room is how many
// members the conversation may still take.
func recipients(ctx context.Context, tx *sqlx.Tx, author *User, pseudos []string, room int) ([]int64, error) {
	var others []string
	for _, p := range pseudos {
		if pseudoKey(p) != author.PseudoKey {
			others = append(others, p)
		}
	}
	switch {
	case len(pseudos) == 0:
		return nil, Invalid("participants", "Indiquez à qui écrire : le pseudo d’un membre, ou plusieurs séparés par des virgules.")
	case len(others) == 0:
		return nil, Invalid("participants", "Vous ne pouvez pas vous écrire à vous-même : indiquez le pseudo d’au moins un autre membre.")
	case len(others) > room && room == MaxConversationMembers-1:
		return nil, Invalid("participants", "Une conversation réunit "+itoa64(MaxConversationMembers)+" personnes au plus, vous comprise : "+
			"vous avez indiqué "+itoa64(int64(len(others)))+" autres membres, "+itoa64(int64(room))+" au plus.")
	case len(others) > room:
		return nil, Invalid("participants", "Une conversation réunit "+itoa64(MaxConversationMembers)+" personnes au plus : "+
			"il reste "+itoa64(int64(room))+" place"+plural(room)+" dans celle-ci, vous avez indiqué "+itoa64(int64(len(others)))+" membres.")
	}
	// Checked before any look-up: a list of 500 names costs nothing more.
	keys := make([]string, len(others))
	for i, p := range others {
		keys[i] = pseudoKey(p)
	}
	q, args, err := sqlx.In(`SELECT id, pseudo_key, suspended_at IS NOT NULL AS suspended,
		EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = users.id AND b.blocked_id = ?) AS blocks
		FROM users WHERE pseudo_key IN (?)`, author.ID, keys)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID        int64  `db:"id"`
		Key       string `db:"pseudo_key"`
		Suspended bool   `db:"suspended"`
		Blocks    bool   `db:"blocks"`
	}
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	found := map[string]int{}
	for i, r := range rows {
		found[r.Key] = i
	}
	var unknown, blocking []string
	var ids []int64
	for i, p := range others {
		j, ok := found[keys[i]]
		switch {
		case !ok || rows[j].Suspended:
			unknown = append(unknown, p)
		case rows[j].Blocks:
			blocking = append(blocking, p)
		default:
			ids = append(ids, rows[j].ID)
		}
	}
	if len(unknown) > 0 {
		return nil, Invalid("participants", unreachable(unknown))
	}
	if len(ids) == 0 {
		return nil, Invalid("participants", unreachable(blocking))
	}
	return ids, nil
}

// StartConversation creates a conversation of author with the members
// named, and its first message, in one transaction with its event.
func (s *Store) StartConversation(ctx context.Context, author *User, in NewConversation) (*Conversation, error) {
	if err := CanWrite(author); err != nil {
		return nil, err
	}
	in.Title, in.Body = normalizeLine(in.Title), normalizeText(in.Body)
	v := &ValidationError{}
	validateConversationTitle(v, in.Title)
	validateBody(v, in.Body)
	pseudos := ParseParticipants(normalizeText(in.Participants))
	rendered, _ := s.render(ctx, in.Body)
	now := s.Now()
	c := &Conversation{Title: in.Title, LastNumber: 1, LastMessageAt: now, CreatedAt: now}
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		ids, err := recipients(ctx, tx, author, pseudos, MaxConversationMembers-1)
		if e := v.merge(err); e != nil {
			return e
		}
		if err := v.Err(); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO conversations (title, author_id, last_number, last_message_at, created_at)
			VALUES (?, ?, 1, ?, ?)`, c.Title, author.ID, now, now)
		if err != nil {
			return err
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := addMembers(ctx, tx, c.ID, now, append([]int64{author.ID}, ids...)); err != nil {
			return err
		}
		m := &Message{ConversationID: c.ID, Number: 1, AuthorID: author.ID, Body: in.Body, HTML: rendered.HTML, CreatedAt: now}
		if err := insertMessage(ctx, tx, m); err != nil {
			return err
		}
		if err := setLastRead(ctx, tx, c.ID, author.ID, 1); err != nil {
			return err
		}
		if err := deleteDraft(ctx, tx, author.ID, DraftNewMessage); err != nil {
			return err
		}
		return Emit(ctx, tx, messageEvent(m, author.ID))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// merge adds err's field messages to v and returns nil, or returns err
// itself when it is not a validation error.
func (v *ValidationError) merge(err error) error {
	if err == nil {
		return nil
	}
	if ve, ok := AsValidation(err); ok {
		for _, f := range ve.Fields {
			v.Add(f.Field, f.Message)
		}
		return nil
	}
	return err
}

func addMembers(ctx context.Context, tx *sqlx.Tx, convID int64, at time.Time, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES (?, ?, ?)`,
			convID, id, at); err != nil {
			return err
		}
	}
	return nil
}

func insertMessage(ctx context.Context, tx *sqlx.Tx, m *Message) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (conversation_id, number, author_id, body, html, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, m.ConversationID, m.Number, m.AuthorID, m.Body, string(m.HTML), m.CreatedAt)
	if err != nil {
		return err
	}
	m.ID, err = res.LastInsertId()
	return err
}

func setLastRead(ctx context.Context, tx *sqlx.Tx, convID, userID int64, n int) error {
	_, err := tx.ExecContext(ctx, `UPDATE conversation_members SET last_read = max(last_read, ?)
		WHERE conversation_id = ? AND user_id = ?`, n, convID, userID)
	return err
}

// membership reads u's place in conversation convID, or nil when u was
// never in it (or it does not exist: the two must look the same).
func membership(ctx context.Context, q getter, convID, userID int64) (*ConversationMember, error) {
	var m ConversationMember
	err := q.GetContext(ctx, &m, `SELECT m.conversation_id, m.user_id, u.pseudo, m.joined_at, m.left_at, m.last_read
		FROM conversation_members m JOIN users u ON u.id = m.user_id WHERE m.conversation_id = ? AND m.user_id = ?`, convID, userID)
	if errors.Is(notFound(err), ErrNotFound) {
		return nil, nil
	}
	return &m, err
}

// Membership is u's place in conversation id, nil when u was never in it.
func (s *Store) Membership(ctx context.Context, u *User, id int64) (*ConversationMember, error) {
	if u == nil {
		return nil, nil
	}
	return membership(ctx, s.db.R, id, u.ID)
}

// ReplyInConversation adds author's message to conversation convID.
func (s *Store) ReplyInConversation(ctx context.Context, author *User, convID int64, body string) (*Message, error) {
	if err := CanWrite(author); err != nil {
		return nil, err
	}
	body = normalizeText(body)
	v := &ValidationError{}
	validateBody(v, body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	rendered, _ := s.render(ctx, body)
	now := s.Now()
	m := &Message{ConversationID: convID, AuthorID: author.ID, Body: body, HTML: rendered.HTML, CreatedAt: now}
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		mem, err := membership(ctx, tx, convID, author.ID)
		if err != nil {
			return err
		}
		if err := CanWriteInConversation(author, mem); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &m.Number, `UPDATE conversations SET last_number = last_number + 1, last_message_at = ?
			WHERE id = ? RETURNING last_number`, now, convID); err != nil {
			return notFound(err)
		}
		if err := insertMessage(ctx, tx, m); err != nil {
			return err
		}
		if err := setLastRead(ctx, tx, convID, author.ID, m.Number); err != nil {
			return err
		}
		if err := deleteDraft(ctx, tx, author.ID, DraftMessageReply(convID)); err != nil {
			return err
		}
		return Emit(ctx, tx, messageEvent(m, author.ID))
	})
	if err != nil {
		return nil, err
	}
	m.AuthorPseudo = author.Pseudo
	return m, nil
}

// LeaveConversation takes u out of conversation id: u reads it no more,
// is told nothing more of it, and cannot be added back.
func (s *Store) LeaveConversation(ctx context.Context, u *User, id int64) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		me, err := membership(ctx, tx, id, u.ID)
		if err != nil {
			return err
		}
		if !CanReadConversation(u, me) {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversation_members SET left_at = ? WHERE conversation_id = ? AND user_id = ?`,
			s.Now(), id, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notifications WHERE user_id = ? AND object_type = ? AND object_id = ?`,
			u.ID, EntityConversation, id); err != nil {
			return err
		}
		return deleteDraft(ctx, tx, u.ID, DraftMessageReply(id))
	})
}

// AddToConversation adds the members named to conversation id, by u, who
// must still be in it. They read the whole conversation from then on.
// Members who blocked u are left out without a word; a member who left
// cannot be brought back.
func (s *Store) AddToConversation(ctx context.Context, u *User, id int64, participants string) (int, error) {
	pseudos := ParseParticipants(normalizeText(participants))
	added := 0
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		me, err := membership(ctx, tx, id, u.ID)
		if err != nil {
			return err
		}
		if err := CanWriteInConversation(u, me); err != nil {
			return err
		}
		var current []struct {
			Key  string `db:"pseudo_key"`
			Left bool   `db:"left"`
		}
		if err := tx.SelectContext(ctx, &current, `SELECT u.pseudo_key, m.left_at IS NOT NULL AS left FROM conversation_members m
			JOIN users u ON u.id = m.user_id WHERE m.conversation_id = ?`, id); err != nil {
			return err
		}
		in := map[string]bool{}
		for _, m := range current {
			in[m.Key] = true
		}
		var fresh []string
		for _, p := range pseudos {
			if !in[pseudoKey(p)] {
				fresh = append(fresh, p)
			}
		}
		if len(pseudos) > 0 && len(fresh) == 0 {
			return Invalid("participants", "Ces membres sont déjà dans la conversation, ou l’ont quittée.")
		}
		ids, err := recipients(ctx, tx, u, fresh, MaxConversationMembers-len(current))
		if err != nil {
			return err
		}
		added = len(ids)
		return addMembers(ctx, tx, id, s.Now(), ids)
	})
	return added, err
}
