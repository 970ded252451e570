package content

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// The IP address and time of each contribution are kept one year: a host
// of members' content must be able to identify who published what (LCEN,
// décret 2021-1362). The server puts the client's address in the request's
// context; Emit records it beside the event of a contribution, in the same
// transaction, so no write path can forget it.

type clientIPKey struct{}

// WithClientIP returns ctx carrying the address of the client a request
// comes from.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP is the client address ctx carries, or "".
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// Retention periods of IP traces.
const (
	ContributionIPRetention = 365 * 24 * time.Hour // identification data of a contribution
	OtherIPRetention        = 30 * 24 * time.Hour  // logins, rate limits
	// SentMailRetention is how long sent (or abandoned) mails stay in the
	// queue, for the administrators' list.
	SentMailRetention = 90 * 24 * time.Hour
)

// contributionEntities are the entity types whose creation or edit is a
// contribution someone published.
var contributionEntities = map[string]bool{
	EntityTopic: true, EntityPost: true, EntityFiche: true, EntityProposal: true,
	EntityAmendment: true, EntitySignature: true, EntityMessage: true,
}

// recordContribution keeps the client address of e when e is a
// contribution made from a request.
func recordContribution(ctx context.Context, tx *sqlx.Tx, e Event) error {
	ip := ClientIP(ctx)
	if ip == "" || (e.Kind != EventCreated && e.Kind != EventEdited) || !contributionEntities[e.EntityType] {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO contribution_ips (entity_type, entity_id, kind, user_id, ip, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, e.EntityType, e.EntityID, e.Kind, nullID(e.ActorID), ip, e.CreatedAt)
	return err
}

// ContributionIP is one kept trace, for the member's export and the tests.
type ContributionIP struct {
	EntityType string    `db:"entity_type" json:"type"`
	EntityID   int64     `db:"entity_id" json:"id"`
	Kind       string    `db:"kind" json:"evenement"`
	IP         string    `db:"ip" json:"ip"`
	CreatedAt  time.Time `db:"created_at" json:"date"`
}

// ContributionIPs lists the traces kept of userID's contributions, newest first.
func (s *Store) ContributionIPs(ctx context.Context, userID int64) ([]ContributionIP, error) {
	var out []ContributionIP
	err := s.db.R.SelectContext(ctx, &out, `SELECT entity_type, entity_id, kind, ip, created_at FROM contribution_ips
		WHERE user_id = ? ORDER BY id DESC`, userID)
	return out, err
}

// PurgeTraces deletes the contribution addresses older than a year, the
// other IP traces (rate-limit strikes) older than 30 days and the mails
// sent or given up on more than 90 days ago; it returns how many rows went.
func (s *Store) PurgeTraces(ctx context.Context) (int64, error) {
	now := s.Now()
	var total int64
	for _, q := range []struct {
		sql    string
		before time.Time
	}{
		{`DELETE FROM contribution_ips WHERE created_at < ?`, now.Add(-ContributionIPRetention)},
		{`DELETE FROM strikes WHERE at < ?`, now.Add(-OtherIPRetention)},
		{`DELETE FROM mails WHERE coalesce(sent_at, failed_at) < ?`, now.Add(-SentMailRetention)},
	} {
		res, err := s.db.W.ExecContext(ctx, q.sql, q.before)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
