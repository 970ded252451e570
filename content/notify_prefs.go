package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Delivery says how a member wants one kind of notification.
type Delivery string

// Deliveries, from the most to the least insistent.
const (
	DeliverImmediate Delivery = "immediate" // a mail at once
	DeliverDaily     Delivery = "daily"     // in the day's digest
	DeliverWeekly    Delivery = "weekly"    // in the week's digest
	DeliverSite      Delivery = "site"      // on the site only
	DeliverNever     Delivery = "never"     // no notification at all
)

// Deliveries lists the choices in the order the preferences form shows them.
var Deliveries = []struct {
	Delivery Delivery
	Label    string
}{
	{DeliverSite, "Sur le site seulement"},
	{DeliverImmediate, "Par e-mail tout de suite"},
	{DeliverDaily, "Dans le résumé du jour"},
	{DeliverWeekly, "Dans le résumé de la semaine"},
	{DeliverNever, "Jamais"},
}

// KindInfo describes a kind of notification for members: its label in the
// preferences form, what an unsubscribe link turns off, and its default.
type KindInfo struct {
	Kind    NotificationKind
	Label   string   // « Réponses à vos messages »
	Phrase  string   // « les réponses à vos messages », after « pour : »
	Default Delivery // when the member chose nothing
}

// NotificationKinds is every kind a member may choose a delivery for, in
// the form's order. A new kind is one line here.
var NotificationKinds = []KindInfo{
	{NotifyMention, "Mentions de votre pseudo", "les mentions de votre pseudo", DeliverImmediate},
	{NotifyReply, "Réponses à vos messages", "les réponses à vos messages", DeliverImmediate},
	{NotifyQuote, "Citations de vos messages", "les citations de vos messages", DeliverImmediate},
	{NotifyTopicReply, "Réponses dans les discussions suivies", "les réponses dans les discussions que vous suivez", DeliverDaily},
	{NotifyNewTopic, "Nouvelles discussions dans les catégories et étiquettes suivies",
		"les nouvelles discussions dans les catégories et étiquettes que vous suivez", DeliverDaily},
	{NotifyAccepted, "Réponses acceptées", "vos réponses acceptées", DeliverSite},
	{NotifyMerci, "Remerciements", "les remerciements", DeliverSite},
	{NotifyFicheRevision, "Nouvelles révisions des fiches suivies", "les nouvelles révisions des fiches que vous suivez", DeliverDaily},
	{NotifyFicheReport, "Signalements sur vos fiches", "les signalements d’informations obsolètes sur vos fiches", DeliverDaily},
	{NotifyAmendment, "Amendements aux textes que vous écrivez", "les amendements proposés aux textes que vous écrivez", DeliverDaily},
	{NotifyAmendmentDecision, "Décisions sur vos amendements", "les décisions sur vos amendements", DeliverImmediate},
	{NotifyProposalState, "Étapes des textes de propositions suivis", "les changements d’état et les nouvelles versions des textes que vous suivez",
		DeliverDaily},
	{NotifyMessage, "Messages privés", "les messages privés", DeliverImmediate},
	{NotifyModeration, "Décisions de la modération sur vos contenus", "les décisions de la modération sur vos contenus", DeliverImmediate},
}

// alwaysTold are the kinds a member cannot turn off entirely: what the
// moderation decided about their content is at least shown on the site.
var alwaysTold = map[NotificationKind]bool{NotifyModeration: true}

// AlwaysTold tells a kind « Jamais » is not offered for.
func (k KindInfo) AlwaysTold() bool { return alwaysTold[k.Kind] }

// Kind returns the description of kind k, and whether it is one.
func Kind(k NotificationKind) (KindInfo, bool) {
	for _, i := range NotificationKinds {
		if i.Kind == k {
			return i, true
		}
	}
	return KindInfo{}, false
}

// ValidDelivery tells whether d is one of the choices.
func ValidDelivery(d Delivery) bool {
	for _, x := range Deliveries {
		if x.Delivery == d {
			return true
		}
	}
	return false
}

// Mailed tells whether d sends mail, at once or in a digest.
func (d Delivery) Mailed() bool {
	return d == DeliverImmediate || d == DeliverDaily || d == DeliverWeekly
}

// Default digest schedule, in Paris time.
const (
	DefaultDigestHour    = 8
	DefaultDigestWeekday = 1 // Monday
)

// MailPrefs is everything a member chose about notification mail.
type MailPrefs struct {
	Delivery      map[NotificationKind]Delivery // every kind, defaults filled in
	DigestHour    int                           // 0–23, Paris time
	DigestWeekday int                           // 0 is Sunday
}

// MailPrefs returns u's choices, with the defaults for what they did not choose.
func (s *Store) MailPrefs(ctx context.Context, userID int64) (MailPrefs, error) {
	p := MailPrefs{Delivery: map[NotificationKind]Delivery{}, DigestHour: DefaultDigestHour, DigestWeekday: DefaultDigestWeekday}
	for _, k := range NotificationKinds {
		p.Delivery[k.Kind] = k.Default
	}
	var rows []struct {
		Kind     NotificationKind `db:"kind"`
		Delivery Delivery         `db:"delivery"`
	}
	if err := s.db.R.SelectContext(ctx, &rows, `SELECT kind, delivery FROM notification_prefs WHERE user_id = ?`, userID); err != nil {
		return p, err
	}
	for _, r := range rows {
		if _, ok := p.Delivery[r.Kind]; ok {
			p.Delivery[r.Kind] = r.Delivery
		}
	}
	err := s.db.R.QueryRowxContext(ctx, `SELECT hour, weekday FROM digest_settings WHERE user_id = ?`, userID).
		Scan(&p.DigestHour, &p.DigestWeekday)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return p, err
}

// SaveMailPrefs records u's choices. Unknown kinds or values are refused
// with a French message per field: they come from a form we did not send.
func (s *Store) SaveMailPrefs(ctx context.Context, userID int64, p MailPrefs) error {
	v := &ValidationError{}
	for k, d := range p.Delivery {
		if _, ok := Kind(k); !ok {
			v.Add("kind", "Type de notification inconnu : « "+string(k)+" ».")
		} else if !ValidDelivery(d) {
			v.Add(string(k), "Choix inconnu : « "+string(d)+" ». Choisissez une des options proposées.")
		} else if d == DeliverNever && alwaysTold[k] {
			v.Add(string(k), "Les décisions de la modération vous sont toujours signalées, au moins sur le site : choisissez comment.")
		}
	}
	if p.DigestHour < 0 || p.DigestHour > 23 {
		v.Add("digest_hour", "L’heure du résumé va de 0 à 23.")
	}
	if p.DigestWeekday < 0 || p.DigestWeekday > 6 {
		v.Add("digest_weekday", "Choisissez un jour de la semaine.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		for k, d := range p.Delivery {
			if err := setDelivery(ctx, tx, userID, k, d); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO digest_settings (user_id, hour, weekday) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET hour = excluded.hour, weekday = excluded.weekday`, userID, p.DigestHour, p.DigestWeekday)
		return err
	})
}

func setDelivery(ctx context.Context, tx *sqlx.Tx, userID int64, k NotificationKind, d Delivery) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, kind, delivery) VALUES (?, ?, ?)
		ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery`, userID, k, d)
	return err
}

// deliverySQL is the SQL expression of the delivery of notification n for
// its member (p: their notification_prefs row, maybe NULL), the defaults
// written from NotificationKinds so that they live in one place.
var deliverySQL = func() string {
	var b strings.Builder
	b.WriteString("coalesce(p.delivery, CASE n.kind")
	for _, k := range NotificationKinds {
		b.WriteString(" WHEN '" + string(k.Kind) + "' THEN '" + string(k.Default) + "'")
	}
	b.WriteString(" ELSE 'site' END)")
	return b.String()
}()

// dropUnwanted removes the notices whose member chose « Jamais » for their
// kind, in one query however many members an event concerns.
func dropUnwanted(ctx context.Context, tx *sqlx.Tx, notices []notice) ([]notice, error) {
	if len(notices) == 0 {
		return notices, nil
	}
	users := make([]int64, len(notices))
	for i, n := range notices {
		users[i] = n.user
	}
	list, _ := json.Marshal(users)
	var never []struct {
		User int64            `db:"user_id"`
		Kind NotificationKind `db:"kind"`
	}
	// json_each: one bound value, however long the list (SQLite bounds
	// the number of variables).
	if err := tx.SelectContext(ctx, &never, `SELECT user_id, kind FROM notification_prefs
		WHERE delivery = 'never' AND user_id IN (SELECT value FROM json_each(?))`, string(list)); err != nil {
		return nil, err
	}
	if len(never) == 0 {
		return notices, nil
	}
	skip := map[notice]bool{}
	for _, r := range never {
		skip[notice{user: r.User, kind: r.Kind}] = true
	}
	out := notices[:0]
	for _, n := range notices {
		if !skip[notice{user: n.user, kind: n.kind}] {
			out = append(out, n)
		}
	}
	return out, nil
}
