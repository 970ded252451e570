package content

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Per-member limits on what one member may publish in a while. They are
// counted in the strikes table inside the write transaction of what they
// limit, so only accepted writes count, two requests at once cannot both
// slip under a limit, and a restart forgets nothing.

// Limit caps the writes of one kind by one member over a sliding period.
type Limit struct {
	Bucket     string // its name in the strikes table
	NewMax     int    // for new members (TrustNew)
	Max        int    // for members
	TrustedMax int    // for members de confiance, and members someone vouched for
	Period     time.Duration
	What       string // what was done too often, in French: "ouvert beaucoup de discussions"
}

// The per-member limits. Moderators have none.
var (
	LimitTopics  = Limit{"topics-member", 3, 10, 60, time.Hour, "ouvert beaucoup de discussions"}
	LimitReplies = Limit{"replies-member", 10, 30, 120, 10 * time.Minute, "publié beaucoup de réponses"}
	LimitUploads = Limit{"uploads-member", 10, 30, 120, time.Hour, "joint beaucoup de fichiers"}
)

// maxFor is l's maximum for a member at level, vouched for or not; 0: none.
func (l Limit) maxFor(level TrustLevel, vouched bool) int {
	switch {
	case level >= TrustModerator:
		return 0
	case level == TrustTrusted || vouched:
		return l.TrustedMax
	case level == TrustMember:
		return l.Max
	}
	return l.NewMax
}

// LongestLimit is the longest period of any stored limit: strikes older
// than it can be pruned.
const LongestLimit = time.Hour

// TooSoonError refuses a write past a Limit: Wait is how long before the
// next one is accepted.
type TooSoonError struct {
	Limit Limit
	Wait  time.Duration
}

func (e *TooSoonError) Error() string {
	return fmt.Sprintf("rate limited (%s): retry in %s", e.Limit.Bucket, e.Wait)
}

// Message says, in French, what was refused and when to retry.
func (e *TooSoonError) Message() string {
	return "Vous avez " + e.Limit.What + " en peu de temps. " + RetryIn(e.Wait)
}

// RetryIn says when to try again: "Réessayez dans 3 minutes." (whole
// minutes, rounded up; seconds under one minute).
func RetryIn(wait time.Duration) string {
	if wait < time.Minute {
		s := max(1, int((wait+time.Second-1)/time.Second))
		return "Réessayez dans " + strconv.Itoa(s) + "\u00a0seconde" + plural(s) + "."
	}
	m := int((wait + time.Minute - 1) / time.Minute)
	return "Réessayez dans " + strconv.Itoa(m) + "\u00a0minute" + plural(m) + "."
}

// memberKey is how the strikes table names a member.
func memberKey(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// strike counts one write of u (whose trust facts are facts) against l
// inside tx, or refuses it with a *TooSoonError when u already wrote l's
// maximum in its period.
func strike(ctx context.Context, tx *sqlx.Tx, now time.Time, u *User, facts TrustFacts, l Limit) error {
	limit := l.maxFor(TrustLevelOf(u, facts, now), facts.Vouched)
	if limit == 0 {
		return nil
	}
	key := memberKey(u.ID)
	var times []time.Time
	if err := tx.SelectContext(ctx, &times, `SELECT at FROM strikes WHERE bucket = ? AND key = ? AND at > ? ORDER BY at DESC LIMIT ?`,
		l.Bucket, key, now.Add(-l.Period), limit); err != nil {
		return err
	}
	if len(times) >= limit {
		// The oldest of the last `limit` strikes leaves the window first.
		return &TooSoonError{Limit: l, Wait: max(time.Second, times[len(times)-1].Add(l.Period).Sub(now))}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO strikes (bucket, key, at) VALUES (?, ?, ?)`, l.Bucket, key, now)
	return err
}

// CheckLimit counts one write of u against l, in its own transaction (for
// what is not written in a transaction of ours: an uploaded file).
func (s *Store) CheckLimit(ctx context.Context, u *User, l Limit) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		facts, err := trustFacts(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		return strike(ctx, tx, s.Now(), u, facts, l)
	})
}
