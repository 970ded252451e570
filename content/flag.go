package content

import (
	"context"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Flags (« Signaler »): a member points the moderators at a post (comments
// under fiches and texts are posts), a fiche revision, an amendment or a
// private message, with a reason. Once the open flags on a content weigh
// the threshold (FlagWeight: a moderator's reach it alone), or at once for
// a beneficiary's personal data, the content is held — hidden pending
// review — and its author told why. Moderators decide in the queue
// (moderation_queue.go); the decision closes the flags.

// FlagReason is why a member flags content.
type FlagReason string

// Flag reasons.
const (
	FlagOffTopic      FlagReason = "off_topic"
	FlagDisrespectful FlagReason = "disrespectful"
	FlagSpam          FlagReason = "spam"
	FlagPersonalData  FlagReason = "personal_data"
	FlagIllegal       FlagReason = "illegal"
	FlagOther         FlagReason = "other"
)

// FlagReasons lists the reasons in the order the form offers them.
var FlagReasons = []FlagReason{FlagOffTopic, FlagDisrespectful, FlagSpam, FlagPersonalData, FlagIllegal, FlagOther}

// Label is the reason as the form and the queue say it.
func (r FlagReason) Label() string {
	switch r {
	case FlagOffTopic:
		return "Hors sujet"
	case FlagDisrespectful:
		return "Irrespectueux"
	case FlagSpam:
		return "Spam ou publicité"
	case FlagPersonalData:
		return "Données personnelles d’un·e bénéficiaire"
	case FlagIllegal:
		return "Contenu illégal"
	case FlagOther:
		return "Autre chose"
	}
	return string(r)
}

// Hint explains the reason under its choice.
func (r FlagReason) Hint() string {
	switch r {
	case FlagOffTopic:
		return "Ce contenu n’a pas sa place ici."
	case FlagDisrespectful:
		return "Insultes, moqueries, attaques personnelles."
	case FlagSpam:
		return "Démarchage, liens publicitaires, messages en série."
	case FlagPersonalData:
		return "Un nom, un téléphone, une adresse, un numéro de sécurité sociale… Le contenu est masqué tout de suite."
	case FlagIllegal:
		return "Contenu contraire à la loi (haine, menaces, contrefaçon…)."
	case FlagOther:
		return "Dites ce qui pose problème dans le commentaire."
	}
	return ""
}

// Valid tells whether r is a known reason.
func (r FlagReason) Valid() bool {
	for _, k := range FlagReasons {
		if k == r {
			return true
		}
	}
	return false
}

// Types of flagged content.
const (
	FlagTargetPost      = EntityPost
	FlagTargetRevision  = "revision" // a fiche revision, by its row ID
	FlagTargetAmendment = EntityAmendment
	FlagTargetMessage   = EntityMessage
)

// MaxFlagComment bounds the comment of a flag.
const MaxFlagComment = 1000

// DefaultFlagThreshold is the weight of open flags that holds content
// (the server's --flag-threshold).
const DefaultFlagThreshold = 3

// flagThreshold is shared by the store's methods; set once at start.
type flagThreshold struct{ n atomic.Int32 }

func (t *flagThreshold) get() int {
	if n := int(t.n.Load()); n > 0 {
		return n
	}
	return DefaultFlagThreshold
}

// SetFlagThreshold sets the weight of open flags that holds content.
func (s *Store) SetFlagThreshold(n int) { s.threshold.n.Store(int32(max(1, n))) }

// FlagThreshold is the weight of open flags that holds content.
func (s *Store) FlagThreshold() int { return s.threshold.get() }

func errFlaggedTwice() error {
	return Invalid("reason", "Vous avez déjà signalé ce contenu : l’équipe de modération l’examine, vous serez prévenu·e de sa décision.")
}

// FlagInput is what a member sends with « Signaler ».
type FlagInput struct {
	Type    string // FlagTargetPost…
	ID      int64
	Reason  FlagReason
	Comment string
}

// Flag is one member's flag, as the queue shows it.
type Flag struct {
	ID            int64      `db:"id"`
	TargetType    string     `db:"target_type"`
	TargetID      int64      `db:"target_id"`
	FlaggerID     int64      `db:"flagger_id"`
	FlaggerPseudo string     `db:"flagger_pseudo"`
	Reason        FlagReason `db:"reason"`
	Comment       string     `db:"comment"`
	Weight        int        `db:"weight"`
	CreatedAt     time.Time  `db:"created_at"`
	ClosedAt      *time.Time `db:"closed_at"`
}

// FlagResult tells the flagger what their flag did.
type FlagResult struct {
	Held bool // the content is now hidden pending review
}

func validateFlag(in *FlagInput) error {
	in.Comment = strings.TrimSpace(normalizeText(in.Comment))
	v := &ValidationError{}
	if !in.Reason.Valid() {
		v.Add("reason", "Choisissez ce qui pose problème.")
	}
	switch n := utf8.RuneCountInString(in.Comment); {
	case n > MaxFlagComment:
		v.Add("comment", "Le commentaire ne doit pas dépasser 1 000 caractères (il en compte "+itoa64(int64(n))+").")
	case n == 0 && in.Reason == FlagOther:
		v.Add("comment", "Dites en quelques mots ce qui pose problème.")
	}
	return v.Err()
}

// FlagContent records u's flag on a content u may read, and holds the
// content when the open flags weigh the threshold or the flag is about a
// beneficiary's personal data. A member flags a content once, and never
// their own.
func (s *Store) FlagContent(ctx context.Context, u *User, in FlagInput) (*FlagResult, error) {
	if err := validateFlag(&in); err != nil {
		return nil, err
	}
	res := &FlagResult{}
	now := s.Now()
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		t, err := s.loadTarget(ctx, tx, in.Type, in.ID)
		if err != nil {
			return err
		}
		var already int
		if err := tx.GetContext(ctx, &already, `SELECT count(*) FROM flags WHERE target_type = ? AND target_id = ? AND flagger_id = ?`,
			t.Type, t.ID, viewerID(u)); err != nil {
			return err
		}
		if already > 0 {
			return errFlaggedTwice() // the content may be out of their sight since: say so all the same
		}
		if !t.readable(u) {
			return ErrNotFound
		}
		if err := CanFlag(u, t.AuthorID); err != nil {
			return err
		}
		facts, err := trustFacts(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		weight := FlagWeight(u, TrustLevelOf(u, facts, now))
		if weight == FlagFullWeight && t.Author().IsModerator() {
			weight = 1 // a moderator does not hide another moderator's content alone
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO flags (target_type, target_id, author_id, flagger_id, reason, comment, weight, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, t.Type, t.ID, t.AuthorID, u.ID, in.Reason, in.Comment, weight, now)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errFlaggedTwice()
		}
		if t.Hidden {
			return nil // already out of sight: the queue has it
		}
		var open struct {
			Weight   int  `db:"weight"`
			Personal bool `db:"personal"`
		}
		if err := tx.GetContext(ctx, &open, `SELECT coalesce(sum(weight), 0) AS weight,
			coalesce(max(reason = 'personal_data'), 0) AS personal FROM flags
			WHERE target_type = ? AND target_id = ? AND closed_at IS NULL`, t.Type, t.ID); err != nil {
			return err
		}
		if !open.Personal && open.Weight < s.threshold.get() {
			return nil
		}
		held, err := s.hold(ctx, tx, t, now)
		res.Held = held
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// hold hides t pending review, by the flags' weight, and tells its author
// why (a 'held' decision). A fiche's current revision cannot be hidden
// without changing the fiche: it waits in the queue, unheld.
func (s *Store) hold(ctx context.Context, tx *sqlx.Tx, t *FlagTarget, now time.Time) (bool, error) {
	if t.Type == FlagTargetRevision && t.Current {
		return false, nil
	}
	var reasons []FlagReason
	if err := tx.SelectContext(ctx, &reasons, `SELECT DISTINCT reason FROM flags WHERE target_type = ? AND target_id = ?
		AND closed_at IS NULL ORDER BY reason`, t.Type, t.ID); err != nil {
		return false, err
	}
	labels := make([]string, len(reasons))
	for i, r := range reasons {
		labels[i] = r.Label()
	}
	d := &Decision{TargetType: t.Type, TargetID: t.ID, AuthorID: t.AuthorID, Action: ActionHeld, State: DecisionDone,
		Reason: "Signalé par des membres : " + strings.ToLower(strings.Join(labels, ", ")) + ".", CreatedAt: now}
	if err := insertDecision(ctx, tx, d); err != nil {
		return false, err
	}
	if err := s.setHidden(ctx, tx, t, true, nil, d.ID, now); err != nil {
		return false, err
	}
	if err := audit(ctx, tx, now, 0, "flags_held", t.Type, t.ID, d.Reason); err != nil {
		return false, err
	}
	return true, emitDecision(ctx, tx, d)
}

// FlagsOn lists the flags on a content, open ones first, oldest first.
func (s *Store) flagsOn(ctx context.Context, q sqlx.QueryerContext, typ string, id int64, openOnly bool) ([]Flag, error) {
	var fs []Flag
	query := `SELECT f.id, f.target_type, f.target_id, f.flagger_id, u.pseudo AS flagger_pseudo, f.reason, f.comment, f.weight,
		f.created_at, f.closed_at FROM flags f JOIN users u ON u.id = f.flagger_id WHERE f.target_type = ? AND f.target_id = ?`
	if openOnly {
		query += ` AND f.closed_at IS NULL`
	}
	err := sqlx.SelectContext(ctx, q, &fs, query+` ORDER BY f.closed_at IS NOT NULL, f.created_at, f.id`, typ, id)
	return fs, err
}

// HasFlagged tells whether u flagged the content already.
func (s *Store) HasFlagged(ctx context.Context, u *User, typ string, id int64) (bool, error) {
	var n int
	err := s.db.R.GetContext(ctx, &n, `SELECT count(*) FROM flags WHERE target_type = ? AND target_id = ? AND flagger_id = ?`,
		typ, id, viewerID(u))
	return n > 0, err
}
