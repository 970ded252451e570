package content

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// DraftKind is the kind of composer a draft belongs to.
type DraftKind string

// Draft kinds.
const (
	DraftKindTopic DraftKind = "topic" // a topic being started
	DraftKindReply DraftKind = "reply" // a reply in topic ID
	// A fiche being started, and an edit of fiche ID.
	DraftKindNewFiche DraftKind = "new-fiche"
	DraftKindFiche    DraftKind = "fiche"
	// A comment under fiche ID.
	DraftKindFicheComment DraftKind = "fiche-comment"
	// A conversation being started, and a reply in conversation ID.
	DraftKindMessage      DraftKind = "message"
	DraftKindMessageReply DraftKind = "message-reply"
)

// DraftPlace is where a draft is written: a kind, and the ID of what it is
// written in for kinds that need one. It is stored as "topic", "reply:12".
type DraftPlace struct {
	Kind DraftKind
	ID   int64
}

// DraftNewTopic is the draft place of a topic being started.
var DraftNewTopic = DraftPlace{Kind: DraftKindTopic}

// DraftReply is the draft place of a reply in a topic.
func DraftReply(topicID int64) DraftPlace { return DraftPlace{Kind: DraftKindReply, ID: topicID} }

// DraftNewMessage is the draft place of a conversation being started.
var DraftNewMessage = DraftPlace{Kind: DraftKindMessage}

// DraftMessageReply is the draft place of a reply in a conversation.
func DraftMessageReply(id int64) DraftPlace { return DraftPlace{Kind: DraftKindMessageReply, ID: id} }

// IsFiche tells a fiche's composer (new or editing) from the discussions'.
func (p DraftPlace) IsFiche() bool { return p.Kind == DraftKindFiche || p.Kind == DraftKindNewFiche }

func (p DraftPlace) String() string {
	if p.ID == 0 {
		return string(p.Kind)
	}
	return string(p.Kind) + ":" + strconv.FormatInt(p.ID, 10)
}

// DraftTarget is what a draft is written in, for the list of drafts: its
// title and the composer's address.
type DraftTarget struct {
	Title, Path string
}

// draftKind says, for one kind of place, where its composer is (path), or
// for kinds that name an object how to find those a member may write in
// (which also tells they exist), and how long its text may be.
type draftKind struct {
	needsID bool
	path    string
	targets func(s *Store, ctx context.Context, u *User, ids []int64) (map[int64]DraftTarget, error)
	maxBody int
}

var draftKinds = map[DraftKind]draftKind{
	DraftKindTopic:        {path: "/discussions/nouvelle", maxBody: MaxBodyLength},
	DraftKindReply:        {needsID: true, targets: (*Store).topicTitles, maxBody: MaxBodyLength},
	DraftKindNewFiche:     {path: "/fiches/nouvelle", maxBody: MaxFicheBody},
	DraftKindFiche:        {needsID: true, targets: (*Store).ficheTitles, maxBody: MaxFicheBody},
	DraftKindFicheComment: {needsID: true, targets: (*Store).ficheCommentTitles, maxBody: MaxBodyLength},
	// A comment under a texte de propositions (proposal_comment.go).
	DraftKindProposalComment: {needsID: true, targets: (*Store).proposalCommentTitles, maxBody: MaxBodyLength},
	DraftKindMessage:         {path: "/messages/nouveau", maxBody: MaxBodyLength},
	DraftKindMessageReply:    {needsID: true, targets: (*Store).conversationTitles, maxBody: MaxBodyLength},
}

// ParseDraftPlace reads a place as stored or sent by a page.
func ParseDraftPlace(s string) (DraftPlace, bool) {
	kind, id, hasID := strings.Cut(s, ":")
	k, known := draftKinds[DraftKind(kind)]
	if !known || hasID != k.needsID {
		return DraftPlace{}, false
	}
	p := DraftPlace{Kind: DraftKind(kind)}
	if hasID {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return DraftPlace{}, false
		}
		p.ID = n
	}
	return p, true
}

// DraftFields are the other fields of a composer, kept with its text.
type DraftFields struct {
	Category string `json:"category,omitempty"`
	Tags     string `json:"tags,omitempty"`
	Kind     string `json:"kind,omitempty"`
	ReplyTo  string `json:"reply_to,omitempty"`
	// A fiche's other fields.
	Summary   string `json:"summary,omitempty"`
	Audiences string `json:"audiences,omitempty"` // comma-separated slugs
	Base      string `json:"base_revision,omitempty"`
	Comment   string `json:"comment,omitempty"`
	// A private message's recipients, as typed.
	Participants string `json:"participants,omitempty"`
}

// Limits of a draft: its text as a post's, the small fields as the forms'.
const (
	maxDraftTitle = 1000
	maxDraftField = 500
)

func (f DraftFields) tooLong() bool {
	for _, v := range []string{f.Category, f.Tags, f.Kind, f.ReplyTo, f.Summary, f.Audiences, f.Base, f.Comment, f.Participants} {
		if utf8.RuneCountInString(v) > maxDraftField {
			return true
		}
	}
	return false
}

// Draft is text a member saved to finish later, on any device.
type Draft struct {
	Place     DraftPlace  `db:"-"`
	Title     string      `db:"title"`
	Body      string      `db:"body"`
	Fields    DraftFields `db:"-"`
	UpdatedAt time.Time   `db:"updated_at"`
	// Where is the title of what the draft is written in (the topic of a
	// reply), and Link its composer's address, for the list of drafts.
	Where string `db:"-"`
	Link  string `db:"-"`

	RawPlace string `db:"place"`
	Extra    string `db:"extra"`
}

func (d *Draft) decode() {
	d.Place, _ = ParseDraftPlace(d.RawPlace)
	json.Unmarshal([]byte(d.Extra), &d.Fields)
}

// SaveDraft stores (or replaces) a member's draft. Oversized text is refused
// rather than cut, so nothing is silently lost.
func (s *Store) SaveDraft(ctx context.Context, u *User, d Draft) error {
	if u == nil {
		return ErrForbidden
	}
	k, known := draftKinds[d.Place.Kind]
	if !known || (d.Place.ID != 0) != k.needsID {
		return Invalid("place", "Brouillon inconnu.")
	}
	if k.targets != nil {
		titles, err := k.targets(s, ctx, u, []int64{d.Place.ID})
		if err != nil {
			return err
		}
		if _, ok := titles[d.Place.ID]; !ok {
			return Invalid("place", "Ce brouillon se rapporte à une page qui n’existe pas.")
		}
	}
	if max := draftKinds[d.Place.Kind].maxBody; utf8.RuneCountInString(d.Body) > max || utf8.RuneCountInString(d.Title) > maxDraftTitle || d.Fields.tooLong() {
		return Invalid("body", "Ce brouillon est trop long pour être enregistré ("+groupDigits(max)+" caractères au plus).")
	}
	d.Body, d.Title = normalizeText(d.Body), normalizeText(d.Title)
	d.Fields = DraftFields{Category: normalizeText(d.Fields.Category), Tags: normalizeText(d.Fields.Tags),
		Kind: normalizeText(d.Fields.Kind), ReplyTo: normalizeText(d.Fields.ReplyTo), Summary: normalizeText(d.Fields.Summary),
		Audiences: normalizeText(d.Fields.Audiences), Base: normalizeText(d.Fields.Base), Comment: normalizeText(d.Fields.Comment),
		Participants: normalizeText(d.Fields.Participants)}
	extra, err := json.Marshal(d.Fields)
	if err != nil {
		return err
	}
	if strings.TrimSpace(d.Body) == "" && strings.TrimSpace(d.Title) == "" {
		return s.withTx(ctx, func(tx *sqlx.Tx) error { return deleteDraft(ctx, tx, u.ID, d.Place) })
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO drafts (user_id, place, title, body, extra, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, place) DO UPDATE SET title = excluded.title, body = excluded.body, extra = excluded.extra,
		updated_at = excluded.updated_at`, u.ID, d.Place.String(), d.Title, d.Body, string(extra), s.Now())
	return err
}

// DraftAt returns a member's draft for a place.
func (s *Store) DraftAt(ctx context.Context, u *User, place DraftPlace) (*Draft, error) {
	if u == nil {
		return nil, ErrNotFound
	}
	var d Draft
	err := s.db.R.GetContext(ctx, &d, `SELECT place, title, body, extra, updated_at FROM drafts
		WHERE user_id = ? AND place = ?`, u.ID, place.String())
	if err != nil {
		return nil, notFound(err)
	}
	d.decode()
	return &d, nil
}

// Drafts lists a member's drafts, most recent first, each with the title of
// what it is written in (one query per kind of place).
func (s *Store) Drafts(ctx context.Context, u *User) ([]Draft, error) {
	var ds []Draft
	if err := s.db.R.SelectContext(ctx, &ds, `SELECT place, title, body, extra, updated_at FROM drafts
		WHERE user_id = ? ORDER BY updated_at DESC`, u.ID); err != nil {
		return nil, err
	}
	ids := map[DraftKind][]int64{}
	for i := range ds {
		ds[i].decode()
		if ds[i].Place.ID != 0 {
			ids[ds[i].Place.Kind] = append(ids[ds[i].Place.Kind], ds[i].Place.ID)
		}
	}
	for i := range ds {
		ds[i].Link = draftKinds[ds[i].Place.Kind].path
	}
	for kind, list := range ids {
		targets, err := draftKinds[kind].targets(s, ctx, u, list)
		if err != nil {
			return nil, err
		}
		for i := range ds {
			if ds[i].Place.Kind == kind {
				t, ok := targets[ds[i].Place.ID]
				if !ok { // gone, or no longer open to the member: the draft stays readable here
					t = DraftTarget{Title: "page disparue", Path: "/brouillons"}
				}
				ds[i].Where, ds[i].Link = t.Title, t.Path
			}
		}
	}
	return ds, nil
}

// DeleteDraft removes a member's draft.
func (s *Store) DeleteDraft(ctx context.Context, u *User, place DraftPlace) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error { return deleteDraft(ctx, tx, u.ID, place) })
}

func deleteDraft(ctx context.Context, tx *sqlx.Tx, userID int64, place DraftPlace) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE user_id = ? AND place = ?`, userID, place.String())
	return err
}

// topicTitles returns the titles of the topics among ids that u reads.
func (s *Store) topicTitles(ctx context.Context, u *User, ids []int64) (map[int64]DraftTarget, error) {
	q, args, err := sqlx.In(`SELECT id, title FROM topics t WHERE id IN (?) AND `+readersSQL(u), ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
	}
	if err := s.db.R.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	out := make(map[int64]DraftTarget, len(rows))
	for _, r := range rows {
		out[r.ID] = DraftTarget{Title: r.Title, Path: "/discussions/" + itoa64(r.ID) + "#reponse"}
	}
	return out, nil
}
