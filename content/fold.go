package content

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/slug"
	"golang.org/x/text/unicode/norm"
)

// FoldAccents removes accents and spells out the French ligatures, keeping
// case: "médiathèque" → "mediatheque", "œuvre" → "oeuvre". Search analysis,
// password checks and département names all compare words through it.
func FoldAccents(s string) string {
	folded := make([]byte, 0, len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'œ':
			folded = append(folded, "oe"...)
		case r == 'æ':
			folded = append(folded, "ae"...)
		default:
			folded = utf8.AppendRune(folded, r)
		}
	}
	return string(folded)
}

// pseudoKey is how pseudos compare: lower-case, accents dropped. Ligatures
// are kept as they are (unlike FoldAccents): the keys of existing accounts
// were made that way, and "Cœur" and "Coeur" are two accounts.
func pseudoKey(p string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.TrimSpace(p)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// frenchSlug is the slug of s, apostrophes parting words as in French
// ("l’accueil" → "l-accueil", not "laccueil").
func frenchSlug(s string) string {
	return slug.MakeLang(strings.NewReplacer("’", " ", "'", " ", "ʼ", " ").Replace(s), "fr")
}
