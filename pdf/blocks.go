package pdf

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

var (
	headingSizes = [...]float64{1: 17, 2: 15, 3: 13, 4: 11.5, 5: 10.5, 6: 10.5}
	headingColor = rgb{20, 45, 90}
	codeColor    = rgb{120, 30, 30}
	codeFill     = rgb{243, 243, 243}
	quoteColor   = rgb{70, 70, 70}
)

// blocks places the children of parent, spacing mm apart (more before a
// heading).
func (r *renderer) blocks(parent ast.Node, st *style, spacing float64) {
	first := true
	for c := parent.FirstChild(); c != nil && r.err == nil; c = c.NextSibling() {
		switch c.Kind() {
		case ast.KindHTMLBlock, ast.KindLinkReferenceDefinition:
			continue // raw HTML is not shown on the site either
		}
		if !first {
			if c.Kind() == ast.KindHeading {
				r.gap(spacing + 3)
			} else {
				r.gap(spacing)
			}
		}
		first = false
		r.block(c, st)
	}
}

func (r *renderer) block(n ast.Node, st *style) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		r.flow(r.inline(nil, n, st), st.size)
	case *ast.Heading:
		r.heading(n)
	case *ast.ThematicBreak:
		r.rule()
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		r.code(n)
	case *ast.Blockquote:
		r.quote(n, st)
	case *ast.List:
		r.list(n, st)
	case *east.Table:
		r.table(n, st)
	case *east.FootnoteList:
		r.footnotes(n)
	default:
		r.blocks(n, st, 3)
	}
}

func (r *renderer) heading(h *ast.Heading) {
	level := min(max(h.Level, 1), 6)
	st := &style{bold: true, size: headingSizes[level], color: headingColor}
	lines := r.breakLines(r.textOnly(r.inline(nil, h, st), st), r.right-r.left, st.size)
	// Keep a heading with the start of its section.
	height := 12.0
	for _, l := range lines {
		height += l.height()
	}
	if r.y+height > bodyBottom && r.y > marginTop && height < bodyBottom-marginTop {
		if !r.newPage() {
			return
		}
	}
	r.bookmark(plainText(h, r.src), level)
	for _, l := range lines {
		x := r.left
		r.emit(l.height(), func(top float64) { r.drawLine(l, x, top, l.height()) })
	}
}

// code places a code block in the mono font on a grey band, its lines
// wrapped anywhere.
func (r *renderer) code(n ast.Node) {
	st := &style{code: true, size: 8.5, color: textColor}
	h := st.size * ptToMM * leading
	x, width := r.left+2, r.right-r.left-4
	band := func(h float64) func(float64) {
		return func(top float64) {
			r.pdf.SetFillColor(codeFill.r, codeFill.g, codeFill.b)
			r.pdf.Rect(r.left, top, r.right-r.left, h, "F")
		}
	}
	r.emit(1.5, band(1.5))
	lines := n.Lines()
	for i := 0; i < lines.Len() && r.err == nil; i++ {
		seg := lines.At(i)
		text := strings.TrimRight(string(seg.Value(r.src)), "\r\n")
		text = strings.ReplaceAll(text, "\t", "    ")
		broken := r.breakLines(r.appendWord(nil, text, st), width, st.size)
		if len(broken) == 0 {
			broken = []line{{size: st.size}}
		}
		for _, l := range broken {
			r.emit(h, func(top float64) {
				band(h)(top)
				r.drawLine(l, x, top, h)
			})
		}
	}
	r.emit(1.5, band(1.5))
}

func (r *renderer) quote(n *ast.Blockquote, st *style) {
	step := r.indent(5)
	left, bars := r.left, r.bars
	if step > 0 {
		r.bars = append(r.bars[:len(r.bars):len(r.bars)], r.left+0.5)
	}
	r.left += step
	q := *st
	q.color = quoteColor
	r.blocks(n, &q, 2)
	r.left, r.bars = left, bars
}

var bullets = [...]string{"•", "◦", "▪"}

func (r *renderer) list(l *ast.List, st *style) {
	r.listDeep++
	defer func() { r.listDeep-- }()
	number := l.Start
	width := 5.0
	if l.IsOrdered() {
		last := strconv.Itoa(l.Start+l.ChildCount()-1) + "."
		width = max(width, r.measure(st.face(), last, st.size)+2)
	}
	step, base := width+1, r.left
	if r.indent(step) == 0 { // too deep: share the parent's gutter
		base -= step
	}
	spacing := 2.5
	if l.IsTight {
		spacing = 1
	}
	first := true
	for item := l.FirstChild(); item != nil && r.err == nil; item = item.NextSibling() {
		if !first {
			r.gap(spacing)
		}
		first = false
		label := bullets[(r.listDeep-1)%len(bullets)]
		if l.IsOrdered() {
			label = strconv.Itoa(number) + "."
			number++
		}
		if !isTask(item) {
			if ls := r.breakLines(r.pieces(label, st), width, st.size); len(ls) > 0 {
				m := &marker{line: ls[0], x: base}
				if l.IsOrdered() {
					m.x = base + width - ls[0].w - 1
				}
				r.marker = m
			}
		}
		left := r.left
		r.left = base + step
		r.blocks(item, st, spacing)
		if r.marker != nil { // an empty item still shows its bullet
			r.emit(r.marker.line.height(), func(float64) {})
		}
		r.left = left
	}
}

// isTask tells a task list item, whose checkbox takes the bullet's place.
func isTask(item ast.Node) bool {
	if p := item.FirstChild(); p != nil {
		_, ok := p.FirstChild().(*east.TaskCheckBox)
		return ok
	}
	return false
}

// footnotes places the notes at the end, each the target of its calls.
func (r *renderer) footnotes(n *east.FootnoteList) {
	r.gap(4)
	r.rule()
	st := &style{size: 8.5, color: textColor}
	r.flow(r.pieces("Notes", &style{bold: true, size: 10, color: headingColor}), 10)
	for c := n.FirstChild(); c != nil && r.err == nil; c = c.NextSibling() {
		fn, ok := c.(*east.Footnote)
		if !ok {
			continue
		}
		r.gap(1.5)
		if ls := r.breakLines(r.pieces(strconv.Itoa(fn.Index)+".", st), 8, st.size); len(ls) > 0 {
			r.marker = &marker{line: ls[0], x: r.left}
		}
		left := r.left
		r.left += 7
		r.pdf.SetLink(r.noteLink(fn.Index), r.y, -1)
		r.blocks(fn, st, 1.5)
		r.left = left
		r.marker = nil
	}
}

func (r *renderer) noteLink(index int) int {
	id, ok := r.notes[index]
	if !ok {
		id = r.pdf.AddLink()
		r.notes[index] = id
	}
	return id
}
