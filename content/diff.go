package content

import (
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffTokens splits a text into runs of blanks, runs of word characters
// (letters, digits, _ ' ’ -) and single other characters: what a reader
// sees change. A loop, not a regular expression: on a 5,000-word fiche the
// regular expression cost most of the diff.
func diffTokens(s string) []string {
	out := make([]string, 0, len(s)/3)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		var same func(rune) bool
		switch {
		case isBlank(r):
			same = isBlank
		case isDiffWord(r):
			same = isDiffWord
		}
		for same != nil && j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !same(r) {
				break
			}
			j += size
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' }

func isDiffWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' || r == '\'' || r == '’' || r == '-'
}

// Bounds of one diff, whatever the texts: past maxWordTokens words the
// texts are compared line by line, and the comparison itself stops refining
// after diffTimeout (the result is then coarser, never wrong).
const (
	maxWordTokens = 120000 // two posts at the length limit
	diffTimeout   = 12 * time.Millisecond
	// Unchanged runs longer than this many tokens are shortened to their
	// first and last diffContext tokens.
	diffContext = 12
)

// tokenRunes maps each distinct token to a rune, skipping the surrogate
// range: go-diff works on strings, where a surrogate would not survive.
type tokenRunes struct {
	index  map[string]rune
	tokens []string
}

func (t *tokenRunes) rune(tok string) rune {
	if r, ok := t.index[tok]; ok {
		return r
	}
	r := rune(len(t.tokens))
	if r >= 0xD800 {
		r += 0x800 // past the surrogates
	}
	t.index[tok] = r
	t.tokens = append(t.tokens, tok)
	return r
}

func (t *tokenRunes) token(r rune) string {
	if r >= 0xD800 {
		r -= 0x800
	}
	return t.tokens[r]
}

func (t *tokenRunes) encode(units []string) []rune {
	out := make([]rune, len(units))
	for i, u := range units {
		out[i] = t.rune(u)
	}
	return out
}

// diffUnits splits a text into words (and the spaces and signs between
// them), or into lines when words would be too many.
func diffUnits(a, b string) (ua, ub []string) {
	ua, ub = diffTokens(a), diffTokens(b)
	if len(ua)+len(ub) <= maxWordTokens {
		return ua, ub
	}
	return strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
}

// Rewritten is the diff of two long texts that share too little for a diff
// to help: readers are better served by the new text itself.
const Rewritten template.HTML = ""

// rewrittenBelow: a long text keeping less than this share of its words
// unchanged counts as rewritten.
const rewrittenBelow = 0.3

// Changes are marked in words too, for screen readers (which say nothing
// of <ins> and <del>) and for readers who do not see colours.
const (
	insOpen  = `<ins><span class="visually-hidden">[ajout : </span>`
	insClose = `<span class="visually-hidden">]</span></ins>`
	delOpen  = `<del><span class="visually-hidden">[suppression : </span>`
	delClose = `<span class="visually-hidden">]</span></del>`
)

// DiffHTML shows the changes from a to b word by word, as escaped text with
// <del> and <ins>, so a reader sees which words changed. Long unchanged
// passages are shortened around the changes. Long texts that share little
// give Rewritten.
func DiffHTML(a, b string) template.HTML {
	ua, ub := diffUnits(a, b)
	t := &tokenRunes{index: map[string]rune{}}
	diffs := diffRunes(t.encode(ua), t.encode(ub))
	if n := max(words(ua), words(ub)); len(a)+len(b) > 4000 && float64(t.keptWords(diffs)) < rewrittenBelow*float64(n) {
		return Rewritten
	}
	var out strings.Builder
	for i, d := range diffs {
		units := []rune(d.Text)
		text := func(rs []rune) string {
			var b strings.Builder
			for _, r := range rs {
				b.WriteString(t.token(r))
			}
			return template.HTMLEscapeString(b.String())
		}
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			out.WriteString(insOpen + text(units) + insClose)
		case diffmatchpatch.DiffDelete:
			out.WriteString(delOpen + text(units) + delClose)
		default:
			out.WriteString(shortened(units, i > 0, i < len(diffs)-1, text))
		}
	}
	return template.HTML(out.String())
}

func diffRunes(a, b []rune) []diffmatchpatch.Diff {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = diffTimeout
	return dmp.DiffMainRunes(a, b, false)
}

// WordChanges counts the words added and removed from a to b.
func WordChanges(a, b string) (added, removed int) {
	ua, ub := diffUnits(a, b)
	t := &tokenRunes{index: map[string]rune{}}
	for _, d := range diffRunes(t.encode(ua), t.encode(ub)) {
		n := 0
		for _, r := range d.Text {
			if strings.TrimSpace(t.token(r)) != "" {
				n++
			}
		}
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			added += n
		case diffmatchpatch.DiffDelete:
			removed += n
		}
	}
	return added, removed
}

// words counts the units that are not blanks.
func words(units []string) int {
	n := 0
	for _, u := range units {
		if strings.TrimSpace(u) != "" {
			n++
		}
	}
	return n
}

// keptWords counts the words (not blanks) a diff leaves unchanged.
func (t *tokenRunes) keptWords(diffs []diffmatchpatch.Diff) int {
	n := 0
	for _, d := range diffs {
		if d.Type != diffmatchpatch.DiffEqual {
			continue
		}
		for _, r := range d.Text {
			if strings.TrimSpace(t.token(r)) != "" {
				n++
			}
		}
	}
	return n
}

// shortened keeps an unchanged run whole when it is short, else only the
// context next to the changes before (after) it.
func shortened(units []rune, changeBefore, changeAfter bool, text func([]rune) string) string {
	if len(units) <= 3*diffContext {
		return text(units)
	}
	var b strings.Builder
	if changeBefore {
		b.WriteString(text(units[:diffContext]))
	}
	b.WriteString(" […] ")
	if changeAfter {
		b.WriteString(text(units[len(units)-diffContext:]))
	}
	return b.String()
}
