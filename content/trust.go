package content

import (
	"context"
	"time"
)

// Trust levels say how far the Ligue trusts a member's posts. They are
// computed, never stored: from the account's age, its published posts, its
// accepted answers and whether someone vouched for it. The thresholds are
// the constants below; README and the charter page (/charte#confiance) say
// them to members.

// TrustLevel is a member's level of trust, from TrustNew up.
type TrustLevel int

// Trust levels, in order.
const (
	// TrustNew: a new member, whose first posts wait for a moderator.
	TrustNew TrustLevel = iota
	// TrustMember: posts go through; many links or repeated text still
	// wait, unless someone vouched for them.
	TrustMember
	// TrustTrusted: a member de confiance, who may vouch for new members.
	TrustTrusted
	// TrustModerator: moderators and administrators.
	TrustModerator
)

// Thresholds of the trust levels.
const (
	// HeldFirstPosts is how many of a new member's first posts wait for
	// review: with that many published, the member is TrustMember.
	HeldFirstPosts = 2
	// A member de confiance has an account this old…
	TrustedAge = 30 * 24 * time.Hour
	// …with this many published posts…
	TrustedPosts = 10
	// …and this many answers accepted by those who asked.
	TrustedAccepted = 2
)

// Label is the level's French name.
func (l TrustLevel) Label() string {
	switch l {
	case TrustMember:
		return "membre"
	case TrustTrusted:
		return "membre de confiance"
	case TrustModerator:
		return "modération"
	}
	return "nouveau membre"
}

// TrustFacts are what a member's level is computed from.
type TrustFacts struct {
	Published int  `db:"published"` // posts neither withdrawn nor hidden
	Accepted  int  `db:"accepted"`  // of them, accepted answers
	Vouched   bool `db:"vouched"`   // a moderator or a trusted member vouched for them
}

// TrustLevelOf is u's level at now, given facts. Moderators are above
// every level; a suspended member is back to TrustNew.
func TrustLevelOf(u *User, facts TrustFacts, now time.Time) TrustLevel {
	switch {
	case u == nil || u.Suspended():
		return TrustNew
	case u.IsModerator():
		return TrustModerator
	case now.Sub(u.CreatedAt) >= TrustedAge && facts.Published >= TrustedPosts && facts.Accepted >= TrustedAccepted:
		return TrustTrusted
	case facts.Vouched || facts.Published >= HeldFirstPosts:
		return TrustMember
	}
	return TrustNew
}

// trustFacts reads u's facts through q (the read pool, or a write
// transaction that must see its own writes).
func trustFacts(ctx context.Context, q getter, userID int64) (TrustFacts, error) {
	var f TrustFacts
	err := q.GetContext(ctx, &f, `SELECT
		(SELECT count(*) FROM posts WHERE author_id = ?1 AND deleted_at IS NULL AND hidden_at IS NULL) AS published,
		(SELECT count(*) FROM topics t JOIN posts p ON p.id = t.accepted_post_id WHERE p.author_id = ?1) AS accepted,
		EXISTS (SELECT 1 FROM vouches WHERE member_id = ?1) AS vouched`, userID)
	return f, err
}

// Trust returns u's level now (TrustNew for a visitor).
func (s *Store) Trust(ctx context.Context, u *User) (TrustLevel, error) {
	if u == nil {
		return TrustNew, nil
	}
	if u.IsModerator() && !u.Suspended() {
		return TrustModerator, nil
	}
	facts, err := trustFacts(ctx, s.db.R, u.ID)
	if err != nil {
		return TrustNew, err
	}
	return TrustLevelOf(u, facts, s.Now()), nil
}

// Vouch holds who vouched for a member, and when.
type Vouch struct {
	VoucherPseudo string    `db:"voucher_pseudo"` // "" when the account is gone
	CreatedAt     time.Time `db:"created_at"`
}

// VouchFor returns who vouched for member id, or ErrNotFound.
func (s *Store) VouchFor(ctx context.Context, id int64) (*Vouch, error) {
	var v Vouch
	err := s.db.R.GetContext(ctx, &v, `SELECT coalesce(u.pseudo, '') AS voucher_pseudo, v.created_at FROM vouches v
		LEFT JOIN users u ON u.id = v.voucher_id WHERE v.member_id = ?`, id)
	return &v, notFound(err)
}
