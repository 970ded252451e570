package content

import (
	"html/template"
	"strings"
	"unicode/utf8"
)

// TruncateRunes keeps the first n characters of s (never cutting one in two).
func TruncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// ExcerptText cuts text to about n characters, at a word boundary when one
// is near, and marks the cut with "…".
func ExcerptText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := TruncateRunes(s, n)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		return cut[:i] + "…"
	}
	return cut + "…"
}

// Excerpt is the first words of a rendered text.
func Excerpt(h template.HTML, n int) string { return ExcerptText(PlainText(h), n) }
