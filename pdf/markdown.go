package pdf

import (
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	emojiext "github.com/yuin/goldmark-emoji"
	emojiast "github.com/yuin/goldmark-emoji/ast"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// maxNesting bounds block nesting as the site's renderer does
// (content/markdown.go): goldmark keeps, for every blank line, a record per
// open container, so a few lines of deep nesting could cost gigabytes.
// Deeper markers stay text.
const maxNesting = 32

// parse reads markdown the way the site does: GFM, footnotes and :emoji:
// shortcodes.
func parse(src []byte) ast.Node {
	md := goldmark.New(
		goldmark.WithParser(newParser()),
		goldmark.WithExtensions(extension.GFM, extension.Footnote, emojiext.Emoji),
	)
	return md.Parser().Parse(text.NewReader(src))
}

func newParser() parser.Parser {
	capped := map[string]bool{
		fmt.Sprintf("%T", parser.NewListParser()):       true,
		fmt.Sprintf("%T", parser.NewBlockquoteParser()): true,
	}
	blocks := parser.DefaultBlockParsers()
	for i, b := range blocks {
		if bp, ok := b.Value.(parser.BlockParser); ok && capped[fmt.Sprintf("%T", bp)] {
			blocks[i] = util.Prioritized(depthCapped{bp}, b.Priority)
		}
	}
	return parser.NewParser(
		parser.WithBlockParsers(blocks...),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
	)
}

// depthCapped refuses to open a list or quote maxNesting deep.
type depthCapped struct{ parser.BlockParser }

func (d depthCapped) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	depth := 0
	for n := parent; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindList || k == ast.KindBlockquote {
			depth++
		}
	}
	if depth >= maxNesting {
		return nil, parser.NoChildren
	}
	return d.BlockParser.Open(parent, reader, pc)
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
