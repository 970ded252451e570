package content

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// Every notification mail carries a signed link that stops mails of its
// kind without logging in (RFC 8058 one-click, and a link in the text).
// The signature covers the member, the kind and the day it was issued, so
// a link works for unsubscribeTTL and cannot be turned into another one.

// unsubscribeTTL is how long an unsubscribe link works.
const unsubscribeTTL = 90 * 24 * time.Hour

// Digest scopes of an unsubscribe link, beside the notification kinds.
const (
	ScopeDaily  = "resume-jour"
	ScopeWeekly = "resume-semaine"
)

// Unsubscribe link errors.
var (
	ErrUnsubscribeInvalid = errors.New("unsubscribe link tampered with")
	ErrUnsubscribeExpired = errors.New("unsubscribe link expired")
)

// UnsubscribeLink is a signed request to stop one kind of mail.
type UnsubscribeLink struct {
	UserID    int64
	Scope     string // a NotificationKind, ScopeDaily or ScopeWeekly
	Day       string // issued, 20261122 (UTC)
	Signature string
}

// NewUnsubscribeLink signs a link for userID and scope, issued at now.
func NewUnsubscribeLink(key []byte, userID int64, scope string, now time.Time) UnsubscribeLink {
	l := UnsubscribeLink{UserID: userID, Scope: scope, Day: now.UTC().Format("20060102")}
	l.Signature = l.sign(key)
	return l
}

func (l UnsubscribeLink) sign(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("unsubscribe|" + strconv.FormatInt(l.UserID, 10) + "|" + l.Scope + "|" + l.Day))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Query is the link's query string.
func (l UnsubscribeLink) Query() string {
	return url.Values{"membre": {strconv.FormatInt(l.UserID, 10)}, "type": {l.Scope}, "jour": {l.Day},
		"signature": {l.Signature}}.Encode()
}

// ParseUnsubscribeLink reads a link's fields from its query values.
func ParseUnsubscribeLink(get func(string) string) UnsubscribeLink {
	id, _ := strconv.ParseInt(get("membre"), 10, 64)
	return UnsubscribeLink{UserID: id, Scope: get("type"), Day: get("jour"), Signature: get("signature")}
}

// Check tells whether the link is genuine and still valid at now.
func (l UnsubscribeLink) Check(key []byte, now time.Time) error {
	if l.UserID <= 0 || ScopePhrase(l.Scope) == "" || !hmac.Equal([]byte(l.Signature), []byte(l.sign(key))) {
		return ErrUnsubscribeInvalid
	}
	issued, err := time.Parse("20060102", l.Day)
	if err != nil {
		return ErrUnsubscribeInvalid
	}
	if now.Sub(issued) > unsubscribeTTL {
		return ErrUnsubscribeExpired
	}
	return nil
}

// ScopePhrase says what a link turns off, after « pour : »; "" for an
// unknown scope.
func ScopePhrase(scope string) string {
	switch scope {
	case ScopeDaily:
		return "le résumé du jour"
	case ScopeWeekly:
		return "le résumé de la semaine"
	}
	if k, ok := Kind(NotificationKind(scope)); ok {
		return k.Phrase
	}
	return ""
}

// scopeKinds lists the kinds a scope stands for, given the member's
// choices: one kind, or every kind they get in that digest.
func scopeKinds(scope string, p MailPrefs) []NotificationKind {
	var digest Delivery
	switch scope {
	case ScopeDaily:
		digest = DeliverDaily
	case ScopeWeekly:
		digest = DeliverWeekly
	default:
		return []NotificationKind{NotificationKind(scope)}
	}
	var out []NotificationKind
	for _, k := range NotificationKinds {
		if p.Delivery[k.Kind] == digest {
			out = append(out, k.Kind)
		}
	}
	return out
}

// Unsubscribe turns the kinds of a checked link to « Sur le site
// seulement ». It tells whether there was nothing left to turn off (the
// link was already used, or the member changed their choices since).
func (s *Store) Unsubscribe(ctx context.Context, l UnsubscribeLink) (already bool, err error) {
	p, err := s.MailPrefs(ctx, l.UserID)
	if err != nil {
		return false, err
	}
	var kinds []NotificationKind
	for _, k := range scopeKinds(l.Scope, p) {
		if p.Delivery[k].Mailed() {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return true, nil
	}
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		for _, k := range kinds {
			if err := setDelivery(ctx, tx, l.UserID, k, DeliverSite); err != nil {
				return err
			}
		}
		return nil
	})
	if isForeignKey(err) {
		return false, ErrUnsubscribeInvalid // the account is gone
	}
	return false, err
}

func isForeignKey(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}
