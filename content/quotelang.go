package content

import (
	"bytes"
	"regexp"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// quoteLanguage marks the language of a quotation written in another
// language, so that screen readers switch voice (RGAA 8.7): a quote that
// starts with "[en]" (or "[pt-BR]", any language tag) gets lang="en" and
// loses the marker.
//
//	> [en] Have you tried turning it off and on again?
type quoteLanguage struct{}

var languageMarker = regexp.MustCompile(`^\[([a-z]{2,3}(?:-[A-Z]{2})?)\](?:[ \t]+|\n|$)`)

func (quoteLanguage) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	var quotes []*ast.Blockquote
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if q, ok := n.(*ast.Blockquote); ok && entering {
			quotes = append(quotes, q)
		}
		return ast.WalkContinue, nil
	})
	for _, q := range quotes {
		para, ok := q.FirstChild().(*ast.Paragraph)
		if !ok || para.Lines().Len() == 0 {
			continue
		}
		first := para.Lines().At(0)
		line := first.Value(source)
		m := languageMarker.FindSubmatch(line)
		if m == nil || para.Lines().Len() == 1 && len(bytes.TrimSpace(line[len(m[0]):])) == 0 { // nothing to mark
			continue
		}
		if !dropLeadingText(para, first.Start, len(m[0])) {
			continue
		}
		q.SetAttributeString("lang", m[1])
	}
}

// dropLeadingText removes n bytes of source, starting at start, from the
// paragraph's first text nodes. It changes nothing and reports false when
// those bytes are not plain text (a link reference named "[en]", say).
func dropLeadingText(para *ast.Paragraph, start, n int) bool {
	end := start + n
	var covered int
	for c := para.FirstChild(); c != nil && covered < end; c = c.NextSibling() {
		t, ok := c.(*ast.Text)
		if !ok {
			return false
		}
		covered = t.Segment.Stop
	}
	if covered < end-1 { // the marker may end with the line's end, outside every segment
		return false
	}
	for c := para.FirstChild(); c != nil; {
		t, ok := c.(*ast.Text)
		if !ok || t.Segment.Start >= end { // what follows the marker: emphasis, a link, code…
			break
		}
		next := c.NextSibling()
		if t.Segment.Stop <= end {
			para.RemoveChild(para, t)
		} else {
			t.Segment = t.Segment.WithStart(end)
			break
		}
		c = next
	}
	return true
}
