package content

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// A member's open sessions, as the member (and an administrator) sees them:
// when, from what device, from about where; and ending them.

// Session is an open session of an account. Ref names it in forms: the
// start of the stored hash, which says nothing of the cookie's value.
type Session struct {
	Ref        string    `db:"ref"`
	UserAgent  string    `db:"user_agent"`
	IPPrefix   string    `db:"ip_prefix"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	Current    bool      `db:"current"` // the session of the request
}

// Device is the browser and system of the session, in French.
func (s Session) Device() string { return DeviceLabel(s.UserAgent) }

// Place is where the session was opened from, approximately.
func (s Session) Place() string { return PlaceLabel(s.IPPrefix) }

// sessionRef is how long a prefix of the hash names a session.
const sessionRef = 16

// SessionRefOf is the Ref of the session a cookie value opens.
func SessionRefOf(token string) string { return hashToken(token)[:sessionRef] }

// Sessions lists the open sessions of userID, the most recently used first;
// current is the cookie value of the request, marked in the list.
func (s *Store) Sessions(ctx context.Context, userID int64, current string) ([]Session, error) {
	var out []Session
	err := s.db.R.SelectContext(ctx, &out, `SELECT substr(id_hash, 1, ?) AS ref, user_agent, ip_prefix, created_at, last_seen_at,
		id_hash = ? AS current FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY current DESC, last_seen_at DESC, created_at DESC`,
		sessionRef, hashToken(current), userID, s.Now())
	return out, err
}

// EndSession ends the session ref of owner, for actor (owner, or an
// administrator); the audit log keeps who did it.
func (s *Store) EndSession(ctx context.Context, actor *User, ownerID int64, ref string) error {
	owner, err := s.UserByID(ctx, ownerID)
	if err != nil {
		return err
	}
	if !CanManageSessions(actor, owner) || len(ref) != sessionRef {
		return ErrNotFound
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var ua string
		if err := tx.GetContext(ctx, &ua, `DELETE FROM sessions WHERE user_id = ? AND substr(id_hash, 1, ?) = ? RETURNING user_agent`,
			ownerID, sessionRef, ref); err != nil {
			return notFound(err)
		}
		return audit(ctx, tx, s.Now(), actor.ID, "end_session", "user", ownerID, DeviceLabel(ua))
	})
}

// EndOtherSessions ends every session of owner but keep (a cookie value;
// "" ends them all), for actor, and says how many ended.
func (s *Store) EndOtherSessions(ctx context.Context, actor *User, ownerID int64, keep string) (int, error) {
	owner, err := s.UserByID(ctx, ownerID)
	if err != nil {
		return 0, err
	}
	if !CanManageSessions(actor, owner) {
		return 0, ErrNotFound
	}
	var n int64
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash != ?`, ownerID, hashToken(keep))
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		return audit(ctx, tx, s.Now(), actor.ID, "end_sessions", "user", ownerID, fmt.Sprint(n))
	})
	return int(n), err
}

// IPPrefix is the part of an address kept for a session: its /24 in IPv4,
// its /48 in IPv6 (a neighbourhood's operator, not a home). "" when ip is
// not an address.
func IPPrefix(ip string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return ""
	}
	a = a.Unmap()
	if a.IsUnspecified() {
		return ""
	}
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// PlaceLabel words a stored prefix for people: "203.0.113.x", "réseau
// local (192.168.1.x)", "2001:db8:1::/48", or "inconnu".
func PlaceLabel(prefix string) string {
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return "inconnu"
	}
	label := p.String()
	if p.Addr().Is4() {
		label = strings.TrimSuffix(p.Addr().String(), ".0") + ".x"
	}
	if a := p.Addr(); a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() {
		return "réseau local (" + label + ")"
	}
	return label
}

// DeviceLabel names the browser and system a user agent describes, as
// "Firefox sur Windows"; an agent it does not know is shown as sent (cut).
func DeviceLabel(ua string) string {
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"Chromium/", "Chromium"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, o := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Macintosh", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " sur " + system
	case browser != "":
		return browser
	case system != "":
		return "Navigateur sur " + system
	case strings.TrimSpace(ua) == "":
		return "Appareil inconnu"
	}
	if r := []rune(strings.TrimSpace(ua)); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return strings.TrimSpace(ua)
}
