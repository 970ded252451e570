package content

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"net/url"
	"strings"
	"time"
)

// TOTP as RFC 6238 describes it, with the parameters every authenticator
// app assumes: HMAC-SHA1, 30-second steps, 6 digits.
const (
	totpPeriod = 30
	totpDigits = 6
	totpDrift  = 1 // steps accepted either side of now: a phone's clock a little off
)

// totpEncoding is base32 without padding, as authenticator apps read it.
var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// hotp is RFC 4226's one-time password of key at counter, digits long.
func hotp(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	value := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	code := []byte(strings.Repeat("0", digits))
	for i, v := digits-1, value%mod; i >= 0; i, v = i-1, v/10 {
		code[i] = byte('0' + v%10)
	}
	return string(code)
}

// totpStep is the number of the 30-second step t falls in.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// TOTPCode is the code an authenticator app shows at t for a base32 secret
// ("" when the secret is not base32).
func TOTPCode(secret string, t time.Time) string {
	key, err := totpEncoding.DecodeString(secret)
	if err != nil {
		return ""
	}
	return hotp(key, uint64(totpStep(t)), totpDigits)
}

// matchTOTP finds the step, within the drift around now and after
// lastStep, whose code is code. It compares in constant time.
func matchTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	key, err := totpEncoding.DecodeString(secret)
	if err != nil || len(code) != totpDigits {
		return 0, false
	}
	current := totpStep(now)
	for s := current - totpDrift; s <= current+totpDrift; s++ {
		if s <= lastStep {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s), totpDigits)), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// usedTOTP tells whether code is the code of a step already used (at or
// before lastStep) within the drift around now: a replay, not a typo.
func usedTOTP(secret, code string, now time.Time, lastStep int64) bool {
	key, err := totpEncoding.DecodeString(secret)
	if err != nil {
		return false
	}
	current := totpStep(now)
	for s := current - totpDrift; s <= current+totpDrift && s <= lastStep; s++ {
		if subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s), totpDigits)), []byte(code)) == 1 {
			return true
		}
	}
	return false
}

// newTOTPSecret is 160 random bits (RFC 4226's recommended length), base32.
func newTOTPSecret() string {
	return totpEncoding.EncodeToString(randomBytes(20))
}

// TOTPURI is the otpauth:// address an authenticator app reads (from the
// QR code, or pasted), labelled "issuer:account".
func TOTPURI(issuer, account, secret string) string {
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", "6")
	q.Set("period", "30")
	// Spaces as %20, not "+": some apps would show the plus signs.
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// GroupedSecret is the secret in groups of four, easier to type by hand.
func GroupedSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
