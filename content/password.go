package content

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// MinPasswordLength is the minimum number of characters (runes) of a password.
const MinPasswordLength = 10

// passwordMaxRunes bounds the work done by the password hash on hostile input.
const passwordMaxRunes = 200

// French messages returned by PasswordProblem.
const (
	passwordMsgTooShort    = "Le mot de passe doit contenir au moins 10 caractères."
	passwordMsgTooLong     = "Le mot de passe ne doit pas dépasser 200 caractères."
	passwordMsgCommon      = "Ce mot de passe fait partie des plus courants : choisissez-en un autre, par exemple une phrase de quelques mots."
	passwordMsgPredictable = "Ce mot de passe est trop prévisible (caractère répété ou suite de touches) : choisissez-en un autre, par exemple une phrase de quelques mots."
	passwordMsgPersonal    = "Le mot de passe ne doit pas contenir votre pseudo ou votre adresse e-mail."
)

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords holds the lower-case entries of common_passwords.txt.
var commonPasswords = func() map[string]struct{} {
	m := make(map[string]struct{}, 512)
	for line := range strings.Lines(commonPasswordsText) {
		if line = strings.TrimSpace(line); line != "" {
			m[strings.ToLower(line)] = struct{}{}
		}
	}
	return m
}()

// passwordSequences are runs of characters people type without thinking:
// the alphabet, digits (wrapping 9 → 0) and keyboard rows (AZERTY and QWERTY).
// A password that is a slice of one of them, forwards or backwards, is refused.
var passwordSequences = func() []string {
	base := []string{
		"abcdefghijklmnopqrstuvwxyz",
		strings.Repeat("0123456789", 21),
		"azertyuiopqsdfghjklmwxcvbn",
		"qwertyuiopasdfghjklzxcvbnm",
		"&é\"'(-è_çà)=",
		"!@#$%^&*()_+",
	}
	out := make([]string, 0, 2*len(base))
	for _, s := range base {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		out = append(out, s, string(r))
	}
	return out
}()

// PasswordProblem returns "" when password is acceptable, or a French
// sentence saying what is wrong and how to fix it. personal holds values the
// password must not contain, such as the pseudo and the e-mail address or
// its local part; values shorter than 3 characters are ignored.
func PasswordProblem(password string, personal ...string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return passwordMsgTooShort
	case n > passwordMaxRunes:
		return passwordMsgTooLong
	}
	lower := strings.ToLower(password)
	if _, ok := commonPasswords[lower]; ok {
		return passwordMsgCommon
	}
	if passwordPredictable(lower) {
		return passwordMsgPredictable
	}
	folded := passwordFold(password)
	for _, p := range personal {
		p = strings.TrimSpace(p)
		candidates := []string{p}
		if local, _, found := strings.Cut(p, "@"); found {
			candidates = append(candidates, local)
		}
		for _, c := range candidates {
			if utf8.RuneCountInString(c) >= 3 && strings.Contains(folded, passwordFold(c)) {
				return passwordMsgPersonal
			}
		}
	}
	return ""
}

// passwordPredictable reports whether the lower-case s is one character
// repeated, a short pattern repeated ("abababab", "123123123"), or a slice of
// a well-known sequence ("1234567890", "azertyuiop", "zyxwvutsrq").
func passwordPredictable(s string) bool {
	r := []rune(s)
	for period := 1; period <= 4 && period < len(r); period++ {
		repeated := true
		for i := period; i < len(r); i++ {
			if r[i] != r[i-period] {
				repeated = false
				break
			}
		}
		if repeated {
			return true
		}
	}
	for _, seq := range passwordSequences {
		if strings.Contains(seq, s) {
			return true
		}
	}
	return false
}

// passwordFold lower-cases s and drops accents, so "Éloïse" is found in
// "eloise2024!".
func passwordFold(s string) string { return FoldAccents(strings.ToLower(s)) }
