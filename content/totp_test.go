package content

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// RFC 4226, appendix D: HOTP of "12345678901234567890", counters 0 to 9.
func TestHOTPMatchesRFC4226(t *testing.T) {
	key := []byte("12345678901234567890")
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for i, w := range want {
		if got := hotp(key, uint64(i), 6); got != w {
			t.Errorf("counter %d: %s, want %s", i, got, w)
		}
	}
}

// RFC 6238, appendix B: the SHA-1 column (8 digits, 30 s steps).
func TestTOTPMatchesRFC6238(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		if got := hotp(key, uint64(totpStep(time.Unix(v.unix, 0))), 8); got != v.want {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.want)
		}
	}
	// The same key as base32, with the 6 digits apps show: the last six.
	secret := totpEncoding.EncodeToString(key)
	if got := TOTPCode(secret, time.Unix(1111111109, 0)); got != "081804" {
		t.Errorf("6-digit code %s, want 081804", got)
	}
}

func TestTOTPAcceptsOneStepOfDriftAndNoReplay(t *testing.T) {
	secret := newTOTPSecret()
	now := time.Unix(1_800_000_015, 0)
	step := totpStep(now)
	for _, d := range []int64{-1, 0, 1} {
		code := TOTPCode(secret, now.Add(time.Duration(d)*30*time.Second))
		if got, ok := matchTOTP(secret, code, now, 0); !ok || got != step+d {
			t.Errorf("drift %d: step %d, %v", d, got, ok)
		}
	}
	for _, d := range []int64{-2, 2} {
		if _, ok := matchTOTP(secret, TOTPCode(secret, now.Add(time.Duration(d)*30*time.Second)), now, 0); ok {
			t.Errorf("a code %d steps away was accepted", d)
		}
	}
	code := TOTPCode(secret, now)
	if _, ok := matchTOTP(secret, code, now, step); ok {
		t.Error("the code of a step already used was accepted")
	}
	if !usedTOTP(secret, code, now, step) {
		t.Error("a replayed code is not told apart from a wrong one")
	}
	if usedTOTP(secret, "000000", now, step) && TOTPCode(secret, now) != "000000" {
		t.Error("a wrong code is taken for a replay")
	}
}

func TestTOTPURIAndSecretAsText(t *testing.T) {
	secret := newTOTPSecret()
	if len(secret) != 32 || strings.ContainsAny(secret, "=018") {
		t.Errorf("secret %q: want 32 base32 characters, no padding", secret)
	}
	u, err := url.Parse(TOTPURI("Ligue", "Maëlle_29", secret))
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("URI %v, %v", u, err)
	}
	if raw := TOTPURI("Ligue des mednum", "Karim", secret); !strings.Contains(raw, "issuer=Ligue%20des%20mednum") {
		t.Errorf("issuer with plus signs for spaces: %s", raw)
	}
	if u.Path != "/Ligue:Maëlle_29" || u.Query().Get("secret") != secret || u.Query().Get("issuer") != "Ligue" ||
		u.Query().Get("digits") != "6" || u.Query().Get("period") != "30" {
		t.Errorf("URI %s", u)
	}
	if g := GroupedSecret("ABCDEFGHIJ"); g != "ABCD EFGH IJ" {
		t.Errorf("grouped %q", g)
	}
}

func TestEnrolmentRecoveryCodesAndLoginChallenge(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	now := time.Unix(1_800_000_000, 0)
	s.SetClock(func() time.Time { return now })
	u := mustCreateMember(t, s, "Lea", RoleMember)

	secret, err := s.StartTwoFactor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if on, _ := s.HasTwoFactor(ctx, u.ID); on {
		t.Fatal("on before the first code")
	}
	if _, err := s.ConfirmTwoFactor(ctx, u, "000000"); !errors.Is(err, ErrCodeWrong) && TOTPCode(secret, now) != "000000" {
		t.Fatalf("a wrong first code: %v", err)
	}
	codes, err := s.ConfirmTwoFactor(ctx, u, " "+TOTPCode(secret, now)[:3]+" "+TOTPCode(secret, now)[3:])
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d recovery codes", len(codes))
	}
	if _, err := s.StartTwoFactor(ctx, u); !errors.Is(err, ErrConflict) {
		t.Errorf("a second enrolment over a confirmed one: %v", err)
	}
	var stored string
	if err := s.db.R.GetContext(ctx, &stored, `SELECT group_concat(hash) FROM recovery_codes WHERE user_id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, codes[0]) || strings.Contains(stored, strings.ReplaceAll(codes[0], "-", "")) {
		t.Error("recovery codes are stored as they are")
	}

	// The code used for the enrolment cannot open a login in the same step.
	token, err := s.StartLoginChallenge(ctx, u, "/fiches")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.PassLoginChallenge(ctx, token, TOTPCode(secret, now)); !errors.Is(err, ErrCodeReplayed) {
		t.Errorf("replayed code: %v", err)
	}
	got, ch, f, err := s.PassLoginChallenge(ctx, token, strings.ToUpper(codes[3]))
	if err != nil || got.ID != u.ID || ch.ReturnTo != "/fiches" || !f.Recovery || f.RecoveryLeft != RecoveryCodeCount-1 {
		t.Fatalf("recovery code: %v %v %+v %v", got, ch, f, err)
	}
	if _, _, _, err := s.PassLoginChallenge(ctx, token, codes[4]); !errors.Is(err, ErrChallengeEnded) {
		t.Errorf("a challenge passed twice: %v", err)
	}
	token, _ = s.StartLoginChallenge(ctx, u, "/")
	if _, _, _, err := s.PassLoginChallenge(ctx, token, codes[3]); !errors.Is(err, ErrRecoveryCodeUsed) {
		t.Errorf("a recovery code used twice: %v", err)
	}
	// Wrong codes end the challenge at the fifth.
	for i := 2; i <= LoginChallengeAttempts; i++ {
		_, _, _, err = s.PassLoginChallenge(ctx, token, "zzzzz-zzzzz")
	}
	if !errors.Is(err, ErrCodeWrong) || !errors.Is(err, ErrChallengeEnded) {
		t.Errorf("fifth wrong code: %v", err)
	}
	if _, _, err := s.LoginChallengeOf(ctx, token); !errors.Is(err, ErrChallengeEnded) {
		t.Errorf("challenge still open after five wrong codes: %v", err)
	}
	// A challenge lasts ten minutes.
	token, _ = s.StartLoginChallenge(ctx, u, "/")
	now = now.Add(LoginChallengeLifetime + time.Second)
	if _, _, err := s.LoginChallengeOf(ctx, token); !errors.Is(err, ErrChallengeEnded) {
		t.Errorf("expired challenge: %v", err)
	}

	// Turning it off asks for the password and a code; moderators cannot.
	if err := s.DisableTwoFactor(ctx, u, "pas le bon", TOTPCode(secret, now)); wantValidation(t, err, "current_password") == "" {
		t.Error("no message for a wrong password")
	}
	if err := s.DisableTwoFactor(ctx, u, testPassword, TOTPCode(secret, now)); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.HasTwoFactor(ctx, u.ID); on {
		t.Error("still on")
	}
	mod := mustCreateMember(t, s, "Modo", RoleModerator)
	if err := s.DisableTwoFactor(ctx, mod, testPassword, "123456"); wantValidation(t, err, "code") == "" {
		t.Error("a moderator turned it off")
	}
	var actions string
	s.db.R.GetContext(ctx, &actions, `SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log WHERE target_id = ? ORDER BY id)`, u.ID)
	if actions != "two_factor_on recovery_code_used two_factor_off" {
		t.Errorf("audit log: %q", actions)
	}
}

func TestSessionsListAndEnd(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	lea, other := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember)
	admin := mustCreateMember(t, s, "Admin", RoleAdmin)
	phone, _ := s.OpenSession(ctx, lea.ID, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36", "203.0.113.54")
	desk, _ := s.OpenSession(ctx, lea.ID, "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0", "2001:db8:1234:5678::1")
	s.OpenSession(ctx, lea.ID, "curl/8.5.0", "192.168.1.20")
	list, err := s.Sessions(ctx, lea.ID, desk)
	if err != nil || len(list) != 3 {
		t.Fatalf("%v %v", list, err)
	}
	if !list[0].Current || list[0].Device() != "Firefox sur Windows" || list[0].Place() != "2001:db8:1234::/48" {
		t.Errorf("current first: %+v %s %s", list[0], list[0].Device(), list[0].Place())
	}
	places := map[string]string{}
	for _, x := range list {
		places[x.Device()] = x.Place()
	}
	if places["Chrome sur Android"] != "203.0.113.x" || places["curl/8.5.0"] != "réseau local (192.168.1.x)" {
		t.Errorf("places %v", places)
	}
	if err := s.EndSession(ctx, other, lea.ID, list[1].Ref); !errors.Is(err, ErrNotFound) {
		t.Errorf("another member ended Lea's session: %v", err)
	}
	if err := s.EndSession(ctx, admin, lea.ID, list[1].Ref); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EndOtherSessions(ctx, lea, lea.ID, desk); err != nil || n != 1 {
		t.Errorf("ended %d others, %v", n, err)
	}
	if _, err := s.SessionUser(ctx, phone); !errors.Is(err, ErrNotFound) {
		t.Error("the phone's session still works")
	}
	if _, err := s.SessionUser(ctx, desk); err != nil {
		t.Errorf("the kept session ended: %v", err)
	}
	var actors string
	s.db.R.GetContext(ctx, &actors, `SELECT group_concat(actor_id || ':' || action, ' ') FROM audit_log WHERE target_id = ?`, lea.ID)
	if actors != itoa64(admin.ID)+":end_session "+itoa64(lea.ID)+":end_sessions" {
		t.Errorf("audit log %q", actors)
	}
}

func TestIPPrefixKeepsNoWholeAddress(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.54": "203.0.113.0/24", "::ffff:203.0.113.54": "203.0.113.0/24",
		"2001:db8:1234:5678::1": "2001:db8:1234::/48", "": "", "pas une adresse": "", "0.0.0.0": "",
	} {
		if got := IPPrefix(in); got != want {
			t.Errorf("IPPrefix(%q) = %q, want %q", in, got, want)
		}
	}
	for ua, want := range map[string]string{
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1": "Safari sur iPhone",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/126.0.0.0 Safari/537.36 Edg/126.0":         "Edge sur macOS",
		"": "Appareil inconnu",
	} {
		if got := DeviceLabel(ua); got != want {
			t.Errorf("DeviceLabel(%q) = %q, want %q", ua, got, want)
		}
	}
}
