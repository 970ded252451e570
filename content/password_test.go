package content

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPasswordProblem(t *testing.T) {
	tests := []struct {
		name     string
		password string
		personal []string
		want     string
	}{
		{"empty", "", nil, passwordMsgTooShort},
		{"9 chars", "k7#pLm2qZ", nil, passwordMsgTooShort},
		{"9 runes, 18 bytes", "éàèùçôîâê", nil, passwordMsgTooShort},
		{"10 runes, 13 bytes", "éléphants!", nil, ""},
		{"exactly 10", "k7#pLm2qZx", nil, ""},
		{"200 runes", strings.Repeat("abcdé", 40), nil, ""},
		{"201 runes", strings.Repeat("abcdé", 40) + "x", nil, passwordMsgTooLong},
		{"passphrase", "cheval agrafe batterie correcte", nil, ""},
		{"strong", "Tr0mbone-Lune-Vert", nil, ""},

		// Common passwords, any case.
		{"common 1234567890", "1234567890", nil, passwordMsgCommon},
		{"common motdepasse", "motdepasse", nil, passwordMsgCommon},
		{"common MotDePasse1", "MotDePasse1", nil, passwordMsgCommon},
		{"common azertyuiop", "azertyuiop", nil, passwordMsgCommon},
		{"common AZERTY1234", "AZERTY1234", nil, passwordMsgCommon},
		{"common soleil1234", "soleil1234", nil, passwordMsgCommon},
		{"common marseille13", "Marseille13", nil, passwordMsgCommon},
		{"common password123", "password123", nil, passwordMsgCommon},
		{"common iloveyou12", "iloveyou12", nil, passwordMsgCommon},
		{"common jetaime123", "jetaime123", nil, passwordMsgCommon},
		{"common nicolas123", "Nicolas123", nil, passwordMsgCommon},

		// Repeated characters and sequences.
		{"repeated a", "aaaaaaaaaa", nil, passwordMsgPredictable},
		{"repeated é", "éééééééééééé", nil, passwordMsgPredictable},
		{"repeated pattern", "abababababab", nil, passwordMsgPredictable},
		{"repeated 123", "123123123123123", nil, passwordMsgPredictable},
		{"repeated unit of 4", "azerazerazer", nil, passwordMsgPredictable},
		{"digits from 2", "2345678901", nil, passwordMsgPredictable},
		{"long digits", "12345678901234", nil, passwordMsgPredictable},
		{"digits backwards", "9876543210987", nil, passwordMsgPredictable},
		{"alphabet", "abcdefghij", nil, passwordMsgPredictable},
		{"alphabet upper", "ABCDEFGHIJKL", nil, passwordMsgPredictable},
		{"alphabet backwards", "zyxwvutsrq", nil, passwordMsgPredictable},
		{"azerty row", "azertyuiopqs", nil, passwordMsgPredictable},
		{"qwerty row", "QWERTYUIOPA", nil, passwordMsgPredictable},
		{"qwerty backwards", "lkjhgfdsapoiuy", nil, passwordMsgPredictable},
		{"azerty digit row", "&é\"'(-è_çà", nil, passwordMsgPredictable},

		// Personal information.
		{"pseudo inside", "Xk9-camille-2024", []string{"Camille"}, passwordMsgPersonal},
		{"pseudo alone", "longpseudo12", []string{"LongPseudo12"}, passwordMsgPersonal},
		{"pseudo with accents", "eloise&marcel!", []string{"Éloïse"}, passwordMsgPersonal},
		{"e-mail local part", "jean.dupont#42", []string{"moi", "jean.dupont"}, passwordMsgPersonal},
		{"full e-mail given", "x-Jean.Dupont@exemple.fr", []string{"jean.dupont@exemple.fr"}, passwordMsgPersonal},
		{"local part of full e-mail", "vive jean.dupont !", []string{"jean.dupont@exemple.fr"}, passwordMsgPersonal},
		{"short personal ignored", "ab-zebulon-ab", []string{"ab", "", "  "}, ""},
		{"unrelated personal", "Tr0mbone-Lune-Vert", []string{"camille", "jean.dupont"}, ""},
	}
	for _, tt := range tests {
		if got := PasswordProblem(tt.password, tt.personal...); got != tt.want {
			t.Errorf("%s: PasswordProblem(%q) = %q, want %q", tt.name, tt.password, got, tt.want)
		}
	}
}

func TestPasswordMessages(t *testing.T) {
	if passwordMsgTooShort != "Le mot de passe doit contenir au moins 10 caractères." {
		t.Errorf("too short message: %q", passwordMsgTooShort)
	}
	if passwordMsgPersonal != "Le mot de passe ne doit pas contenir votre pseudo ou votre adresse e-mail." {
		t.Errorf("personal message: %q", passwordMsgPersonal)
	}
	if passwordMsgCommon != "Ce mot de passe fait partie des plus courants\u00a0: choisissez-en un autre, par exemple une phrase de quelques mots." {
		t.Errorf("common message: %q", passwordMsgCommon)
	}
	for _, m := range []string{passwordMsgTooShort, passwordMsgTooLong, passwordMsgCommon, passwordMsgPredictable, passwordMsgPersonal} {
		for _, p := range []string{" :", " ;", " !", " ?", "« ", " »"} {
			if strings.Contains(m, p) {
				t.Errorf("message %q: ordinary space in %q, want U+00A0", m, p)
			}
		}
	}
}

func TestCommonPasswordsList(t *testing.T) {
	if len(commonPasswords) < 300 {
		t.Errorf("only %d common passwords", len(commonPasswords))
	}
	lines := strings.Split(strings.TrimSuffix(commonPasswordsText, "\n"), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		if seen[l] {
			t.Errorf("duplicate %q", l)
		}
		seen[l] = true
		if utf8.RuneCountInString(l) < MinPasswordLength {
			t.Errorf("%q is shorter than %d", l, MinPasswordLength)
		}
		if l != strings.ToLower(strings.TrimSpace(l)) {
			t.Errorf("%q is not trimmed lower case", l)
		}
		if got := PasswordProblem(l); got != passwordMsgCommon {
			t.Errorf("PasswordProblem(%q) = %q", l, got)
		}
	}
}
