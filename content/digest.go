package content

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// Notification mail: unread notifications not mailed yet go out at once or
// in the member's daily or weekly digest, as they chose. The mail is queued
// in the transaction that marks its notifications mailed (and, for a digest,
// records the period as done), so a crash or a restart neither repeats nor
// loses one. Who may read each target is checked again first: a mail never
// tells what its reader can no longer open.

// NotificationMail is what one mail tells a member.
type NotificationMail struct {
	User   *User
	Period Delivery // DeliverImmediate, DeliverDaily or DeliverWeekly
	Groups []NotificationGroup
	Scope  string // what its unsubscribe link turns off: a kind, ScopeDaily, ScopeWeekly
}

// Count is the number of notifications told.
func (m NotificationMail) Count() int {
	n := 0
	for _, g := range m.Groups {
		n += len(g.Items)
	}
	return n
}

// ComposeNotificationMail writes the mail; the server provides it (wording
// and URLs are presentation). It runs inside the store's transaction.
type ComposeNotificationMail func(m NotificationMail) (Mail, error)

// immediateWindow bounds how old a notification mailed « tout de suite »
// may be: past it, the site tells it, a late mail would not.
const immediateWindow = 48 * time.Hour

// digestWindow bounds how far back a digest looks (a member who just chose
// a digest gets the last week's news, not the year's).
var digestWindow = map[Delivery]time.Duration{DeliverDaily: 7 * 24 * time.Hour, DeliverWeekly: 5 * 7 * 24 * time.Hour}

// unmailed is a notification not mailed yet, with its member and delivery.
type unmailed struct {
	Notification
	UserID   int64    `db:"user_id"`
	Delivery Delivery `db:"delivery"`
}

// unmailedNotifications lists the unread, unmailed notifications created
// after since whose delivery is d, by member, newest first.
func (s *Store) unmailedNotifications(ctx context.Context, since time.Time, ds ...Delivery) ([]unmailed, error) {
	var rows []unmailed
	q, args, err := sqlx.In(`SELECT n.id, n.kind, n.object_type, n.object_id, n.target_type, n.target_id, n.number, n.count, n.detail,
		a.pseudo AS actor_pseudo, n.created_at, n.read_at, n.user_id, `+deliverySQL+` AS delivery
		FROM notifications n JOIN users u ON u.id = n.user_id
		LEFT JOIN notification_prefs p ON p.user_id = n.user_id AND p.kind = n.kind
		LEFT JOIN users a ON a.id = n.actor_id
		WHERE n.mailed_at IS NULL AND n.read_at IS NULL AND n.created_at > ?
			AND u.verified_at IS NOT NULL AND u.suspended_at IS NULL AND `+deliverySQL+` IN (?)
		ORDER BY n.user_id, n.created_at DESC, n.id DESC`, since, ds)
	if err != nil {
		return nil, err
	}
	err = s.db.R.SelectContext(ctx, &rows, s.db.R.Rebind(q), args...)
	return rows, err
}

// byMember splits rows (ordered by member) into each member's rows.
func byMember(rows []unmailed, fn func(userID int64, rows []unmailed) error) error {
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].UserID == rows[i].UserID {
			j++
		}
		if err := fn(rows[i].UserID, rows[i:j]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// readableMail loads u and groups the rows u may still read.
func (s *Store) readableMail(ctx context.Context, userID int64, rows []unmailed) (*User, []NotificationGroup, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	ns := make([]Notification, len(rows))
	for i, r := range rows {
		ns[i] = r.Notification
	}
	readable, err := s.readableTargets(ctx, u, ns)
	if err != nil {
		return nil, nil, err
	}
	return u, groupNotifications(ns, readable), nil
}

// markMailed marks the notifications told mailed, unless one changed since
// it was read (a new reply gathered into it): then it returns false and
// the caller leaves it for the next mail, which will tell the new content.
func markMailed(ctx context.Context, tx *sqlx.Tx, at time.Time, items []Notification) (bool, error) {
	for _, n := range items {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET mailed_at = ? WHERE id = ? AND mailed_at IS NULL
			AND read_at IS NULL AND created_at = ? AND count = ?`, at, n.ID, n.CreatedAt, n.Count)
		if err != nil {
			return false, err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return false, nil
		}
	}
	return true, nil
}

// SendImmediateMails queues one mail per notification whose member wants
// its kind « tout de suite », and returns how many it queued.
func (s *Store) SendImmediateMails(ctx context.Context, compose ComposeNotificationMail) (int, error) {
	now := s.Now()
	rows, err := s.unmailedNotifications(ctx, now.Add(-immediateWindow), DeliverImmediate)
	if err != nil {
		return 0, err
	}
	sent := 0
	err = byMember(rows, func(userID int64, rows []unmailed) error {
		u, groups, err := s.readableMail(ctx, userID, rows)
		if err != nil {
			return err
		}
		for _, g := range groups {
			for _, n := range g.Items {
				one := g
				one.Items = []Notification{n}
				ok, err := s.queueNotificationMail(ctx, now, NotificationMail{User: u, Period: DeliverImmediate,
					Groups: []NotificationGroup{one}, Scope: string(n.Kind)}, nil, compose)
				if err != nil {
					return err
				}
				if ok {
					sent++
				}
			}
		}
		return nil
	})
	return sent, err
}

// queueNotificationMail marks m's notifications mailed, runs before (the
// digest's record) and queues the mail, in one transaction; it reports
// whether a mail was queued.
func (s *Store) queueNotificationMail(ctx context.Context, now time.Time, m NotificationMail, before func(tx *sqlx.Tx) (bool, error),
	compose ComposeNotificationMail) (bool, error) {
	queued := false
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		if before != nil {
			if ok, err := before(tx); err != nil || !ok {
				return err
			}
		}
		var items []Notification
		for _, g := range m.Groups {
			items = append(items, g.Items...)
		}
		if len(items) == 0 {
			return nil
		}
		ok, err := markMailed(ctx, tx, now, items)
		if err == nil && !ok {
			err = errChangedMeanwhile
		}
		if err != nil {
			return err
		}
		mail, err := compose(m)
		if err != nil {
			return err
		}
		mail.UserID = &m.User.ID
		queued = true
		return enqueueMail(ctx, tx, now, mail)
	})
	if errors.Is(err, errChangedMeanwhile) {
		return false, nil // the next run tells the new content
	}
	if err != nil {
		return false, err
	}
	return queued, nil
}

// errChangedMeanwhile rolls back a mail whose notifications changed while
// it was composed.
var errChangedMeanwhile = errors.New("notification changed meanwhile")

// SendDigests queues the daily and weekly digests that are due: for each
// member, at most one per period, at the hour they chose (Paris time),
// telling the unread notifications not mailed before, created up to that
// hour. A digest missed while the server was down goes out when it starts
// again, once. It returns how many digests it queued.
func (s *Store) SendDigests(ctx context.Context, compose ComposeNotificationMail) (int, error) {
	now := s.Now()
	rows, err := s.unmailedNotifications(ctx, now.Add(-digestWindow[DeliverWeekly]), DeliverDaily, DeliverWeekly)
	if err != nil {
		return 0, err
	}
	sent := 0
	err = byMember(rows, func(userID int64, rows []unmailed) error {
		prefs, err := s.MailPrefs(ctx, userID)
		if err != nil {
			return err
		}
		for _, period := range []Delivery{DeliverDaily, DeliverWeekly} {
			due := LastDigestTime(now, period, prefs.DigestHour, prefs.DigestWeekday)
			var told []unmailed
			for _, r := range rows {
				if r.Delivery == period && !r.CreatedAt.After(due) && r.CreatedAt.After(due.Add(-digestWindow[period])) {
					told = append(told, r)
				}
			}
			if len(told) == 0 {
				continue
			}
			ok, err := s.sendDigest(ctx, now, userID, period, due, told, compose)
			if err != nil {
				return err
			}
			if ok {
				sent++
			}
		}
		return nil
	})
	return sent, err
}

// sendDigest sends the digest of period due for userID unless it was
// handled already; a digest with nothing readable left is recorded
// without a mail, so the period is not looked at again.
func (s *Store) sendDigest(ctx context.Context, now time.Time, userID int64, period Delivery, due time.Time, rows []unmailed,
	compose ComposeNotificationMail) (bool, error) {
	key := due.In(Paris).Format("2006-01-02")
	var done int
	if err := s.db.R.GetContext(ctx, &done, `SELECT count(*) FROM digest_sends WHERE user_id = ? AND period = ? AND period_key = ?`,
		userID, period, key); err != nil || done > 0 {
		return false, err
	}
	u, groups, err := s.readableMail(ctx, userID, rows)
	if err != nil {
		return false, err
	}
	m := NotificationMail{User: u, Period: period, Groups: groups, Scope: ScopeDaily}
	if period == DeliverWeekly {
		m.Scope = ScopeWeekly
	}
	record := func(tx *sqlx.Tx) (bool, error) {
		// The unique key makes a second sender of the same period a no-op.
		res, err := tx.ExecContext(ctx, `INSERT INTO digest_sends (user_id, period, period_key, items, sent_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, userID, period, key, m.Count(), now)
		if err != nil {
			return false, err
		}
		k, _ := res.RowsAffected()
		return k == 1, nil
	}
	return s.queueNotificationMail(ctx, now, m, record, compose)
}

// LastDigestTime is the latest scheduled time of a digest at or before now:
// hour o'clock in Paris, every day or on weekday.
func LastDigestTime(now time.Time, period Delivery, hour, weekday int) time.Time {
	p := now.In(Paris)
	t := time.Date(p.Year(), p.Month(), p.Day(), hour, 0, 0, 0, Paris)
	for i := 0; i < 8; i++ {
		if !t.After(now) && (period != DeliverWeekly || int(t.Weekday()) == weekday) {
			break
		}
		t = time.Date(t.Year(), t.Month(), t.Day()-1, hour, 0, 0, 0, Paris)
	}
	return t
}
