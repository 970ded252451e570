package content

import (
	"hash/fnv"
	"strings"
	"unicode"
)

// AvatarColours is the size of the avatars' palette (the .av-0 … .av-7
// classes of site.css).
const AvatarColours = 8

// Initials are the one or two letters an avatar shows for a pseudo,
// upper-cased: the first letters of its first two words ("marie-dupont",
// "Marie_Dupont" and "MarieDupont" give "MD"), or the first two letters of
// its only word ("Maëlle_29" gives "MA"). Numbers count as words only when
// there is nothing else ("1984" gives "19").
func Initials(pseudo string) string {
	var words, numbers [][]rune
	var word []rune
	end := func() {
		if len(word) == 0 {
			return
		}
		if unicode.IsLetter(word[0]) {
			words = append(words, word)
		} else {
			numbers = append(numbers, word)
		}
		word = nil
	}
	for _, r := range pseudo {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			end()
			continue
		case len(word) > 0 && (unicode.IsLetter(r) != unicode.IsLetter(word[len(word)-1]) ||
			unicode.IsUpper(r) && unicode.IsLower(word[len(word)-1])):
			end() // "Marie29", "MarieDupont"
		}
		word = append(word, r)
	}
	end()
	if len(words) == 0 {
		words = numbers
	}
	var out []rune
	switch {
	case len(words) == 0:
		return "?"
	case len(words) == 1:
		out = words[0][:min(2, len(words[0]))]
	default:
		out = []rune{words[0][0], words[1][0]}
	}
	return strings.ToUpper(string(out))
}

// AvatarColour picks the palette index of a pseudo's avatar, the same for
// every spelling of it (case and accents aside), spread evenly.
func AvatarColour(pseudo string) int {
	h := fnv.New32a()
	h.Write([]byte(pseudoKey(pseudo)))
	return int(h.Sum32() % AvatarColours)
}
