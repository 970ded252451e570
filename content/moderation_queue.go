package content

import (
	"context"
	"html/template"
	"strings"
	"time"
)

// The moderation queue: every content with open flags or a decision
// waiting for a second moderator, with its flags, the thread around it
// and its author's history. A private message comes alone: the rest of
// its conversation stays private.

// QueueItem is one content in the queue.
type QueueItem struct {
	Target   *FlagTarget // nil for a proposal about a member
	Type     string
	ID       int64
	Flags    []Flag
	Weight   int       // of the open flags
	Since    time.Time // the oldest open flag, or the proposal
	Proposal *Decision // waiting for a second moderator
	Context  []ContextPost
	History  AuthorHistory
}

// Reasons lists the distinct reasons of the item's flags.
func (q *QueueItem) Reasons() []FlagReason {
	var out []FlagReason
	seen := map[FlagReason]bool{}
	for _, f := range q.Flags {
		if !seen[f.Reason] {
			seen[f.Reason] = true
			out = append(out, f.Reason)
		}
	}
	return out
}

// Anchor is the item's fragment in the queue page.
func (q *QueueItem) Anchor() string { return "contenu-" + q.Type + "-" + itoa64(q.ID) }

// ContextPost is a post around a flagged one, as the queue shows it.
type ContextPost struct {
	Number  int           `db:"number"`
	Pseudo  string        `db:"pseudo"`
	HTML    template.HTML `db:"html"`
	Hidden  bool          `db:"hidden"`
	Flagged bool          `db:"-"` // the flagged post itself
}

// AuthorHistory is what the queue tells of a content's author.
type AuthorHistory struct {
	UserID      int64     `db:"id"`
	Pseudo      string    `db:"pseudo"`
	Role        Role      `db:"role"`
	JoinedAt    time.Time `db:"created_at"`
	Suspended   bool      `db:"suspended"`
	Posts       int       `db:"posts"`
	Flagged     int       `db:"flagged"`     // their contents flagged, ever
	Removed     int       `db:"removed"`     // decisions that hid, edited or deleted their content
	Warnings    int       `db:"warnings"`    // private warnings received
	Suspensions int       `db:"suspensions"` // suspensions, ever
}

// maxQueue bounds the queue page.
const maxQueue = 100

// ModerationQueue lists what waits for the moderators, oldest first.
func (s *Store) ModerationQueue(ctx context.Context, mod *User) ([]QueueItem, error) {
	if !CanModerate(mod) {
		return nil, ErrForbidden
	}
	var rows []struct {
		Type   string `db:"target_type"`
		ID     int64  `db:"target_id"`
		Weight int    `db:"weight"`
		Since  dbTime `db:"since"` // min() over a union: SQLite forgets the type
	}
	if err := s.db.R.SelectContext(ctx, &rows, `SELECT target_type, target_id, sum(weight) AS weight, min(since) AS since FROM (
			SELECT target_type, target_id, weight, created_at AS since FROM flags WHERE closed_at IS NULL
			UNION ALL SELECT target_type, target_id, 0, created_at FROM moderation_decisions WHERE state = 'proposed')
		GROUP BY target_type, target_id ORDER BY min(since), target_type, target_id LIMIT ?`, maxQueue); err != nil {
		return nil, err
	}
	histories := map[int64]AuthorHistory{}
	out := make([]QueueItem, 0, len(rows))
	for _, r := range rows {
		it := QueueItem{Type: r.Type, ID: r.ID, Weight: r.Weight, Since: r.Since.Time}
		var proposals []Decision
		if err := s.db.R.SelectContext(ctx, &proposals, decisionSelect+` WHERE d.state = 'proposed' AND d.target_type = ?
			AND d.target_id = ? ORDER BY d.id LIMIT 1`, r.Type, r.ID); err != nil {
			return nil, err
		}
		if len(proposals) > 0 {
			it.Proposal = &proposals[0]
		}
		author := int64(0)
		if r.Type == EntityUser {
			author = r.ID
		} else {
			t, err := s.loadTarget(ctx, s.db.R, r.Type, r.ID)
			if err != nil {
				continue // gone since (a fiche deleted): nothing to decide
			}
			it.Target, author = t, t.AuthorID
			if it.Flags, err = s.flagsOn(ctx, s.db.R, r.Type, r.ID, true); err != nil {
				return nil, err
			}
			if t.IsPost() {
				if it.Context, err = s.postContext(ctx, t); err != nil {
					return nil, err
				}
			}
		}
		h, ok := histories[author]
		if !ok {
			var err error
			if h, err = s.authorHistory(ctx, author); err != nil {
				return nil, err
			}
			histories[author] = h
		}
		it.History = h
		out = append(out, it)
	}
	return out, nil
}

// postContext is the thread around flagged post t: the two posts before
// it and the one after, the opening post first when it is not among them.
func (s *Store) postContext(ctx context.Context, t *FlagTarget) ([]ContextPost, error) {
	var ps []ContextPost
	if err := s.db.R.SelectContext(ctx, &ps, `SELECT p.number, u.pseudo, p.html,
		(p.hidden_at IS NOT NULL OR p.deleted_at IS NOT NULL) AS hidden FROM posts p JOIN users u ON u.id = p.author_id
		WHERE p.topic_id = ? AND (p.number = 1 OR p.number BETWEEN ? AND ?) ORDER BY p.number`,
		t.TopicID, t.Number-2, t.Number+1); err != nil {
		return nil, err
	}
	for i := range ps {
		ps[i].Flagged = ps[i].Number == t.Number
		if ps[i].Hidden && !ps[i].Flagged {
			ps[i].HTML = ""
		}
	}
	return ps, nil
}

// authorHistory counts what the queue tells of member id.
func (s *Store) authorHistory(ctx context.Context, id int64) (AuthorHistory, error) {
	var h AuthorHistory
	err := s.db.R.GetContext(ctx, &h, `SELECT u.id, u.pseudo, u.role, u.created_at, u.suspended_at IS NOT NULL AS suspended,
		(SELECT count(*) FROM posts WHERE author_id = u.id) AS posts,
		(SELECT count(DISTINCT target_type || ':' || target_id) FROM flags WHERE author_id = u.id) AS flagged,
		(SELECT count(*) FROM moderation_decisions WHERE author_id = u.id AND state = 'done' AND action IN ('hide', 'edit', 'delete')) AS removed,
		(SELECT count(*) FROM moderation_decisions WHERE author_id = u.id AND state = 'done' AND action = 'warn') AS warnings,
		(SELECT count(*) FROM suspensions WHERE user_id = u.id) AS suspensions
		FROM users u WHERE u.id = ?`, id)
	return h, notFound(err)
}

// QueueCount is how many contents wait in the queue (for the header).
func (s *Store) QueueCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT DISTINCT target_type, target_id FROM flags WHERE closed_at IS NULL
		UNION SELECT target_type, target_id FROM moderation_decisions WHERE state = 'proposed')`)
	return n, err
}

// AuditEntry is one line of the moderation journal.
type AuditEntry struct {
	ID          int64     `db:"id"`
	ActorPseudo string    `db:"actor_pseudo"` // "" for the system (the flags' weight, a suspension's end)
	Action      string    `db:"action"`
	TargetType  string    `db:"target_type"`
	TargetID    int64     `db:"target_id"`
	Detail      string    `db:"detail"`
	CreatedAt   time.Time `db:"created_at"`
}

// AuditFilter selects journal entries; zero fields select everything.
type AuditFilter struct {
	Action     string // an action name, or its beginning ("moderation_")
	Actor      string // a pseudo
	TargetType string
	TargetID   int64
	Before     int64 // keyset: entries older than this ID
	Limit      int
}

// AuditLog lists journal entries, newest first, and the cursor of the next
// page (0 on the last): moderators only.
func (s *Store) AuditLog(ctx context.Context, mod *User, f AuditFilter) ([]AuditEntry, int64, error) {
	if !CanModerate(mod) {
		return nil, 0, ErrForbidden
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := `SELECT l.id, coalesce(u.pseudo, '') AS actor_pseudo, l.action, l.target_type, l.target_id, l.detail, l.created_at
		FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id WHERE 1 = 1`
	var args []any
	if f.Action != "" {
		q += ` AND l.action LIKE ? ESCAPE '\'`
		args = append(args, strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Action)+"%")
	}
	if f.Actor != "" {
		q += ` AND u.pseudo_key = ?`
		args = append(args, PseudoKey(f.Actor))
	}
	if f.TargetType != "" {
		q += ` AND l.target_type = ?`
		args = append(args, f.TargetType)
	}
	if f.TargetID > 0 {
		q += ` AND l.target_id = ?`
		args = append(args, f.TargetID)
	}
	if f.Before > 0 {
		q += ` AND l.id < ?`
		args = append(args, f.Before)
	}
	var es []AuditEntry
	if err := s.db.R.SelectContext(ctx, &es, q+` ORDER BY l.id DESC LIMIT ?`, append(args, f.Limit+1)...); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(es) > f.Limit {
		es = es[:f.Limit]
		next = es[len(es)-1].ID
	}
	return es, next, nil
}

// AuditActions lists the actions the journal holds, for its filter.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	var as []string
	err := s.db.R.SelectContext(ctx, &as, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	return as, err
}
