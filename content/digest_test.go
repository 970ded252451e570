package content

import (
	"net/url"
	"testing"
	"time"
)

func TestLastDigestTime(t *testing.T) {
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, Paris) }
	for _, tc := range []struct {
		name          string
		now           time.Time
		period        Delivery
		hour, weekday int
		want          time.Time
	}{
		{"daily, before the hour: yesterday's", at(2026, 11, 23, 7, 59), DeliverDaily, 8, 1, at(2026, 11, 22, 8, 0)},
		{"daily, at the hour", at(2026, 11, 23, 8, 0), DeliverDaily, 8, 1, at(2026, 11, 23, 8, 0)},
		{"daily, after midnight UTC but same Paris day", at(2026, 11, 23, 0, 30), DeliverDaily, 0, 1, at(2026, 11, 23, 0, 0)},
		{"weekly on Monday, seen on Sunday", at(2026, 11, 29, 20, 0), DeliverWeekly, 8, 1, at(2026, 11, 23, 8, 0)},
		{"weekly on Monday, Monday before the hour", at(2026, 11, 30, 7, 0), DeliverWeekly, 8, 1, at(2026, 11, 23, 8, 0)},
		{"weekly on Sunday (0)", at(2026, 11, 30, 7, 0), DeliverWeekly, 18, 0, at(2026, 11, 29, 18, 0)},
		{"daily across the change to summer time", at(2026, 3, 29, 9, 0), DeliverDaily, 8, 1, at(2026, 3, 29, 8, 0)},
		{"daily, the day after it", at(2026, 3, 30, 7, 0), DeliverDaily, 8, 1, at(2026, 3, 29, 8, 0)},
	} {
		if got := LastDigestTime(tc.now.UTC(), tc.period, tc.hour, tc.weekday); !got.Equal(tc.want) {
			t.Errorf("%s: %s, want %s", tc.name, got.In(Paris), tc.want)
		}
	}
}

func TestUnsubscribeLinkSignature(t *testing.T) {
	key := []byte("une clé de test assez longue pour HMAC")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	l := NewUnsubscribeLink(key, 7, string(NotifyReply), now)
	if err := l.Check(key, now.Add(89*24*time.Hour)); err != nil {
		t.Errorf("genuine link: %v", err)
	}
	if err := l.Check(key, now.Add(91*24*time.Hour)); err != ErrUnsubscribeExpired {
		t.Errorf("91 days later: %v", err)
	}
	for name, bad := range map[string]UnsubscribeLink{
		"other member": {UserID: 8, Scope: l.Scope, Day: l.Day, Signature: l.Signature},
		"other kind":   {UserID: 7, Scope: string(NotifyMention), Day: l.Day, Signature: l.Signature},
		"other day":    {UserID: 7, Scope: l.Scope, Day: "20270101", Signature: l.Signature},
		"unknown kind": NewUnsubscribeLink(key, 7, "inconnu", now),
		"other key":    NewUnsubscribeLink([]byte("autre clé"), 7, string(NotifyReply), now),
	} {
		if err := bad.Check(key, now); err != ErrUnsubscribeInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	back := ParseUnsubscribeLink(func(k string) string {
		return parseQuery(l.Query())[k]
	})
	if back != l {
		t.Errorf("query round trip: %+v, want %+v", back, l)
	}
}

func parseQuery(q string) map[string]string {
	out := map[string]string{}
	vs, _ := url.ParseQuery(q)
	for k := range vs {
		out[k] = vs.Get(k)
	}
	return out
}
