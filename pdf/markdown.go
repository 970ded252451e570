package pdf

import (
	"strings"

	"github.com/yuin/goldmark"
	emojiext "github.com/yuin/goldmark-emoji"
	emojiast "github.com/yuin/goldmark-emoji/ast"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/ligue-mednum/ligue/content"
)

// parse reads markdown the way the site does: its parser (list and quote
// nesting capped), GFM, footnotes and :emoji: shortcodes.
func parse(src []byte) ast.Node {
	md := goldmark.New(
		goldmark.WithParser(content.NewMarkdownParser()),
		goldmark.WithExtensions(extension.GFM, extension.Footnote, emojiext.Emoji),
	)
	return md.Parser().Parse(text.NewReader(src))
}

// unescape turns markdown text into what it says: entities and backslash
// escapes resolved, as goldmark's HTML writer does.
func unescape(b []byte) string {
	return string(util.UnescapePunctuations(util.ResolveNumericReferences(util.ResolveEntityNames(b))))
}

// plainText is the text of n without markup (image alt texts, bookmarks).
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.WriteString(unescape(c.Value(src)))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *emojiast.Emoji:
			b.WriteString(string(c.Value.Unicode))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
