package pdf

import (
	"bytes"
	"strconv"

	emojiast "github.com/yuin/goldmark-emoji/ast"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// imageRef is an image met in a paragraph; it is placed between lines.
type imageRef struct {
	src, alt, link string
}

// inline appends the inline content of n, in style st, to ps.
func (r *renderer) inline(ps []piece, n ast.Node, st *style) []piece {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			ps = r.appendText(ps, unescape(c.Value(r.src)), st)
			switch {
			case c.HardLineBreak():
				ps = append(ps, piece{brk: true})
			case c.SoftLineBreak():
				ps = r.appendText(ps, " ", st)
			}
		case *ast.String:
			ps = r.appendText(ps, string(c.Value), st)
		case *ast.CodeSpan:
			code := *st
			code.code, code.color = true, codeColor
			ps = r.appendText(ps, codeText(c, r.src), &code)
		case *ast.Emphasis:
			e := *st
			if c.Level >= 2 {
				e.bold = true
			} else {
				e.italic = true
			}
			ps = r.inline(ps, c, &e)
		case *east.Strikethrough:
			s := *st
			s.strike = true
			ps = r.inline(ps, c, &s)
		case *ast.Link:
			ps = r.inline(ps, c, r.linkStyle(st, string(c.Destination)))
		case *ast.AutoLink:
			ps = r.appendText(ps, string(c.Label(r.src)), r.linkStyle(st, string(c.URL(r.src))))
		case *ast.Image:
			ps = append(ps, piece{img: &imageRef{src: string(c.Destination), alt: plainText(c, r.src), link: st.link}})
		case *ast.RawHTML:
			if isLineBreak(c, r.src) {
				ps = append(ps, piece{brk: true})
			}
		case *east.TaskCheckBox:
			box := "◻ "
			if c.IsChecked {
				box = "☑ "
			}
			ps = r.appendText(ps, box, st)
		case *east.FootnoteLink:
			s := *st
			s.super, s.color, s.note = true, linkColor, r.noteLink(c.Index)
			ps = r.appendText(ps, strconv.Itoa(c.Index), &s)
		case *east.FootnoteBacklink:
		case *emojiast.Emoji:
			ps = r.appendText(ps, string(c.Value.Unicode), st)
		default:
			ps = r.inline(ps, c, st)
		}
	}
	return ps
}

func (r *renderer) linkStyle(st *style, dest string) *style {
	u := r.resolve(dest)
	if u == "" {
		return st
	}
	l := *st
	l.link, l.color = u, linkColor
	return &l
}

// codeText is a code span's text; its line breaks are spaces.
func codeText(n ast.Node, src []byte) string {
	var b bytes.Buffer
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Value(src))
		case *ast.String:
			b.Write(c.Value)
		}
	}
	return string(bytes.ReplaceAll(b.Bytes(), []byte("\n"), []byte(" ")))
}

func isLineBreak(n *ast.RawHTML, src []byte) bool {
	var b bytes.Buffer
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		b.Write(seg.Value(src))
	}
	tag := bytes.ToLower(bytes.ReplaceAll(b.Bytes(), []byte(" "), nil))
	return bytes.Equal(tag, []byte("<br>")) || bytes.Equal(tag, []byte("<br/>"))
}

// textOnly replaces images by their alt text, for places with no room for
// a picture (headings, table cells).
func (r *renderer) textOnly(ps []piece, st *style) []piece {
	var out []piece
	for _, p := range ps {
		if p.img == nil {
			out = append(out, p)
			continue
		}
		out = r.alt(out, p.img, st)
	}
	return out
}
