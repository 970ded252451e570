package content

import (
	"context"
	"database/sql"
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/slug"
	"github.com/jmoiron/sqlx"
)

// TopicKind tells a question (which can have an accepted answer) from a discussion.
type TopicKind string

// Topic kinds.
const (
	KindQuestion   TopicKind = "question"
	KindDiscussion TopicKind = "discussion"
)

// Limits on what members write.
const (
	MaxTitleLength = 150
	MaxBodyLength  = 50000
	MaxTags        = 5
	TopicsPerPage  = 30
	PostsPerPage   = 20
)

// Topic is a discussion thread.
type Topic struct {
	ID             int64      `db:"id"`
	CategoryID     int64      `db:"category_id"`
	AuthorID       int64      `db:"author_id"`
	Title          string     `db:"title"`
	Slug           string     `db:"slug"`
	Kind           TopicKind  `db:"kind"`
	Pinned         bool       `db:"pinned"`
	Locked         bool       `db:"locked"`
	MergedInto     *int64     `db:"merged_into"`
	AcceptedPostID *int64     `db:"accepted_post_id"`
	PostCount      int        `db:"post_count"`   // posts on the pages, withdrawn ones included (paging)
	AnswerCount    int        `db:"answer_count"` // replies readers can see
	EditedAt       *time.Time `db:"edited_at"`    // title, category or tags changed
	LastNumber     int        `db:"last_number"`
	Views          int        `db:"views"`
	Readers        Readers    `db:"readers"`
	CreatedAt      time.Time  `db:"created_at"`
	LastActivityAt time.Time  `db:"last_activity_at"`

	CategorySlug     string         `db:"category_slug"`
	CategoryName     string         `db:"category_name"`
	AuthorPseudo     string         `db:"author_pseudo"`
	LastPosterPseudo sql.NullString `db:"last_poster_pseudo"`
	Tags             []string       `db:"-"`
	// In lists: the members who wrote in it, most active first, and how
	// many others did (see MaxParticipants).
	Participants      []Participant `db:"-"`
	OtherParticipants int           `db:"-"`
	// For the viewing member: whether they follow it, and how many posts
	// arrived since their last visit (only for followed topics).
	Following bool       `db:"following"`
	Watch     WatchLevel `db:"watch"` // the viewer's level
	Unread    int        `db:"unread"`
	ReadUpTo  int        `db:"read_up_to"`
	New       bool       `db:"is_new"` // never opened by the viewer, created lately by someone else
}

// Public tells whether visitors read t: only then has it a feed and an
// export, which are what a visitor reads.
func (t *Topic) Public() bool { return CanReadTopic(nil, t) }

// Resolved tells whether a question has an accepted answer.
func (t *Topic) Resolved() bool { return t.AcceptedPostID != nil }

// Replies is the number of answers readers can see, the opening post aside.
func (t *Topic) Replies() int { return t.AnswerCount }

// Path is the canonical address of the topic.
func (t *Topic) Path() string { return "/discussions/" + itoa64(t.ID) + "/" + t.Slug }

// PostPath is the permalink of post number n of the topic: it opens the
// page the post is on, at the post.
func (t *Topic) PostPath(n int) string { return t.Path() + "?post=" + itoa64(int64(n)) }

// NewFor is how long a topic nobody showed a member counts as new for them.
const NewFor = 30 * 24 * time.Hour

// topicIsNew is the SQL of Topic.New, with the :viewer and :since arguments.
const topicIsNew = `:viewer != 0 AND r.user_id IS NULL AND t.author_id != :viewer AND t.created_at > :since`

const topicSelect = `SELECT t.id, t.category_id, t.author_id, t.title, t.slug, t.kind, t.pinned, t.locked, t.merged_into,
	t.accepted_post_id, t.post_count, t.answer_count, t.last_number, t.edited_at, t.views, t.readers, t.created_at, t.last_activity_at,
	c.slug AS category_slug, c.name AS category_name, a.pseudo AS author_pseudo, lp.pseudo AS last_poster_pseudo,
	coalesce(f.level = 'watching', 0) AS following, coalesce(f.level, 'normal') AS watch,
	CASE WHEN f.level = 'watching' THEN max(t.last_number - coalesce(r.last_number, 0), 0) ELSE 0 END AS unread,
	coalesce(r.last_number, 0) AS read_up_to,
	(` + topicIsNew + `) AS is_new
	FROM topics t
	JOIN categories c ON c.id = t.category_id
	JOIN users a ON a.id = t.author_id
	LEFT JOIN users lp ON lp.id = t.last_poster_id
	LEFT JOIN follows f ON f.user_id = :viewer AND f.target_type = 'topic' AND f.target_id = t.id
	LEFT JOIN topic_reads r ON r.user_id = :viewer AND r.topic_id = t.id`

// NewTopic is what a member submits to start a topic.
type NewTopic struct {
	Title    string
	Body     string
	Category string // category slug
	Tags     string // comma-separated
	Kind     TopicKind
}

// ParseTags splits, normalises and checks a comma-separated tag list.
func ParseTags(raw string) ([]string, string) {
	var tags []string
	seen := map[string]bool{}
	for _, part := range strings.Split(raw, ",") {
		t := strings.ToLower(strings.Join(strings.Fields(part), "-"))
		if t == "" || seen[t] {
			continue
		}
		n := utf8.RuneCountInString(t)
		if n < 2 || n > 30 {
			return nil, "Chaque étiquette doit compter de 2 à 30 caractères."
		}
		for _, r := range t {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return nil, "Les étiquettes ne peuvent contenir que des lettres, des chiffres et des tirets (« " + t + " » ne convient pas)."
			}
		}
		seen[t] = true
		tags = append(tags, t)
	}
	if len(tags) > MaxTags {
		return nil, "Cinq étiquettes au plus : gardez les plus utiles pour retrouver la discussion."
	}
	return tags, ""
}

func validateTitle(v *ValidationError, title string) {
	n := utf8.RuneCountInString(title)
	switch {
	case n == 0:
		v.Add("title", "Donnez un titre à votre discussion.")
	case n < 5:
		v.Add("title", "Le titre est trop court : dites en quelques mots de quoi il s’agit.")
	case n > MaxTitleLength:
		v.Add("title", "Le titre ne doit pas dépasser 150 caractères (il en compte "+itoa64(int64(n))+").")
	}
}

func validateBody(v *ValidationError, body string) {
	n := utf8.RuneCountInString(body)
	switch {
	case strings.TrimSpace(body) == "":
		v.Add("body", "Le message est vide.")
	case n > MaxBodyLength:
		v.Add("body", "Le message ne doit pas dépasser 50 000 caractères (il en compte "+itoa64(int64(n))+") : découpez-le en plusieurs réponses.")
	}
}

func topicSlug(title string) string {
	s := slug.MakeLang(title, "fr")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" {
		s = "discussion"
	}
	return s
}

// CreateTopic validates and stores a new topic with its opening post, its
// tags, the author's follow and read mark, and the outbox entries, in one
// transaction, after screening its text (limits, duplicates, review). The
// author's new-topic draft is deleted. A topic that must wait for a
// moderator is stored aside and returned as a *HeldForReview error.
func (s *Store) CreateTopic(ctx context.Context, author *User, in NewTopic) (*Topic, error) {
	pt, err := s.PrepareTopic(ctx, author, in)
	if err != nil {
		return nil, err
	}
	var t *Topic
	var held *HeldPost
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		now := s.Now()
		reason, err := screen(ctx, tx, now, author, LimitTopics, screenPlace{title: pt.in.Title}, pt.in.Body)
		if err != nil || reason == "" {
			if err == nil {
				t, err = s.writeTopic(ctx, tx, pt)
			}
			return err
		}
		held = &HeldPost{AuthorID: author.ID, Title: pt.in.Title, CategoryID: &pt.category, Tags: strings.Join(pt.tags, ", "), Kind: pt.in.Kind,
			Body: pt.in.Body, HTML: pt.html, Reason: reason, CreatedAt: now}
		if err := insertHeld(ctx, tx, held); err != nil {
			return err
		}
		return deleteDraft(ctx, tx, author.ID, DraftNewTopic)
	})
	if err != nil {
		return nil, err
	}
	if held != nil {
		return nil, &HeldForReview{Post: held}
	}
	return t, nil
}

// PreparedTopic is a new topic checked and rendered, ready to be written
// (see Bulk.CreateTopic).
type PreparedTopic struct {
	author    *User
	in        NewTopic
	category  int64
	tags      []string
	html      template.HTML
	mentioned []int64
}

// PrepareTopic does what CreateTopic does before its transaction: checks
// author may write, validates in and renders its text. It only reads, so
// several may run at once.
func (s *Store) PrepareTopic(ctx context.Context, author *User, in NewTopic) (*PreparedTopic, error) {
	if err := CanWrite(author); err != nil {
		return nil, err
	}
	in.Title = normalizeLine(in.Title)
	in.Body = normalizeText(in.Body)
	v := &ValidationError{}
	validateTitle(v, in.Title)
	validateBody(v, in.Body)
	if in.Kind == "" {
		in.Kind = KindDiscussion
	}
	if in.Kind != KindQuestion && in.Kind != KindDiscussion {
		v.Add("kind", "Choisissez « question » ou « discussion ».")
	}
	var cat Category
	if in.Category == "" {
		v.Add("category", "Choisissez une catégorie.")
	} else if err := s.db.R.GetContext(ctx, &cat, `SELECT id, slug, name, description, position FROM categories WHERE slug = ?`, in.Category); err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		v.Add("category", "Cette catégorie n’existe pas : choisissez-en une dans la liste.")
	}
	tags, msg := ParseTags(in.Tags)
	if msg != "" {
		v.Add("tags", msg)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	rendered, mentioned := s.render(ctx, in.Body)
	return &PreparedTopic{author: author, in: in, category: cat.ID, tags: tags, html: rendered.HTML, mentioned: mentioned}, nil
}

// writeTopic stores a prepared topic inside tx, dated now.
func (s *Store) writeTopic(ctx context.Context, tx *sqlx.Tx, pt *PreparedTopic) (*Topic, error) {
	now := s.Now()
	t := &Topic{CategoryID: pt.category, AuthorID: pt.author.ID, Title: pt.in.Title, Slug: topicSlug(pt.in.Title), Kind: pt.in.Kind,
		PostCount: 1, LastNumber: 1, CreatedAt: now, LastActivityAt: now}
	if err := insertTopic(ctx, tx, t, &Post{Body: pt.in.Body, HTML: pt.html}, pt.tags, pt.mentioned); err != nil {
		return nil, err
	}
	if err := deleteDraft(ctx, tx, t.AuthorID, DraftNewTopic); err != nil {
		return nil, err
	}
	t.Tags = pt.tags
	return t, nil
}

// insertTopic stores t (its ID set here) with its opening post first (body
// and HTML set by the caller), its tags, the author's follow and read mark,
// and the events, inside tx.
func insertTopic(ctx context.Context, tx *sqlx.Tx, t *Topic, first *Post, tags []string, mentioned []int64) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO topics (category_id, author_id, title, slug, kind, last_poster_id, created_at, last_activity_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.CategoryID, t.AuthorID, t.Title, t.Slug, t.Kind, t.AuthorID, t.CreatedAt, t.LastActivityAt)
	if err != nil {
		return err
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	first.TopicID, first.Number, first.AuthorID, first.CreatedAt = t.ID, 1, t.AuthorID, t.CreatedAt
	if _, err := insertPost(ctx, tx, first); err != nil {
		return err
	}
	if err := setTopicTags(ctx, tx, t.ID, tags); err != nil {
		return err
	}
	if err := autoFollow(ctx, tx, t.CreatedAt, t.AuthorID, FollowTopic, t.ID); err != nil {
		return err
	}
	if err := markRead(ctx, tx, t.AuthorID, t.ID, 1); err != nil {
		return err
	}
	if err := Emit(ctx, tx, topicEvent(EventCreated, t.ID, t.AuthorID, t.CreatedAt)); err != nil {
		return err
	}
	e := postEvent(EventCreated, first.ID, t.ID, t.AuthorID, t.CreatedAt)
	e.Data.Number = 1
	if err := Emit(ctx, tx, e); err != nil {
		return err
	}
	return emitMentions(ctx, tx, e, mentioned)
}

func setTopicTags(ctx context.Context, tx *sqlx.Tx, topicID int64, tags []string) error {
	return setTags(ctx, tx, topicTagLinks, topicID, tags)
}

// render renders markdown, linking mentions of existing members; it also
// returns the IDs of the members mentioned.
func (s *Store) render(ctx context.Context, body string) (Rendered, []int64) {
	mentions, ids := s.mentionResolver(ctx)
	r := s.md.Render(body, mentions)
	return r, *ids
}

// TopicByID loads a topic as seen by viewer (nil for a visitor): not found
// when viewer does not read it.
func (s *Store) TopicByID(ctx context.Context, viewer *User, id int64) (*Topic, error) {
	t, err := s.pageTopicByID(ctx, viewer, id)
	if err == nil && !CanReadTopic(viewer, t) {
		return nil, ErrNotFound
	}
	return t, err
}

// pageTopicByID is TopicByID for a page's comments, whose caller checked
// that viewer reads the page (which decides who reads them).
func (s *Store) pageTopicByID(ctx context.Context, viewer *User, id int64) (*Topic, error) {
	viewerID := int64(0)
	if viewer != nil {
		viewerID = viewer.ID
	}
	q, args, err := sqlx.Named(topicSelect+` WHERE t.id = :id`, map[string]any{"viewer": viewerID, "id": id, "since": s.Now().Add(-NewFor)})
	if err != nil {
		return nil, err
	}
	var t Topic
	if err := s.db.R.GetContext(ctx, &t, q, args...); err != nil {
		return nil, notFound(err)
	}
	topics := []Topic{t}
	if err := s.loadTags(ctx, topics); err != nil {
		return nil, err
	}
	return &topics[0], nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
