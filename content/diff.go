package content

import (
	"html/template"
	"regexp"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

var diffTokens = regexp.MustCompile(`\s+|[\p{L}\p{N}_'’-]+|[^\s\p{L}\p{N}]`)

// DiffHTML shows the changes from a to b word by word, as escaped text with
// <del> and <ins>, so a reader sees which words changed.
func DiffHTML(a, b string) template.HTML {
	// Each distinct word becomes one rune, diffed, then mapped back.
	index := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var out []rune
		for _, tok := range diffTokens.FindAllString(s, -1) {
			r, ok := index[tok]
			if !ok {
				r = rune(len(words))
				index[tok] = r
				words = append(words, tok)
			}
			out = append(out, r)
		}
		return out
	}
	ra, rb := encode(a), encode(b)
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffMainRunes(ra, rb, false)
	var out strings.Builder
	for _, d := range diffs {
		var text strings.Builder
		for _, r := range d.Text {
			text.WriteString(words[r])
		}
		escaped := template.HTMLEscapeString(text.String())
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			out.WriteString("<ins>" + escaped + "</ins>")
		case diffmatchpatch.DiffDelete:
			out.WriteString("<del>" + escaped + "</del>")
		default:
			out.WriteString(escaped)
		}
	}
	return template.HTML(out.String())
}
