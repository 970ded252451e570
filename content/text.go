package content

import (
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"
)

// normalizeText is how every text members write is stored: browser line
// endings (\r\n, \r) become \n, so texts quote, diff and export cleanly;
// control characters other than tab and newline (which no keyboard types,
// and which would reach pages and feeds raw) are dropped, as are bytes that
// are not UTF-8.
func normalizeText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\t' || r == '\n':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return -1
		}
		return r
	}, s)
}

// normalizeLine is normalizeText for one-line fields (titles, names): runs
// of spaces, tabs and newlines become one space.
func normalizeLine(s string) string { return strings.Join(strings.Fields(normalizeText(s)), " ") }

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

// ExcerptWithoutQuotes is Excerpt of a rendered text without the quotes it
// holds: what its author wrote themselves.
func ExcerptWithoutQuotes(h template.HTML, n int) string {
	s := string(h)
	var b strings.Builder
	depth := 0
	for len(s) > 0 {
		open, close := strings.Index(s, "<blockquote"), strings.Index(s, "</blockquote>")
		switch {
		case open >= 0 && (close < 0 || open < close):
			if depth == 0 {
				b.WriteString(s[:open])
			}
			depth++
			s = s[open+len("<blockquote"):]
		case close >= 0:
			if depth == 0 {
				b.WriteString(s[:close])
			}
			depth = max(0, depth-1)
			s = s[close+len("</blockquote>"):]
		default:
			if depth == 0 {
				b.WriteString(s)
			}
			s = ""
		}
	}
	return Excerpt(template.HTML(b.String()), n)
}

// groupDigits writes n the French way, thousands apart: "100 000".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	return b.String()
}
