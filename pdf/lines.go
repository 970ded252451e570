package pdf

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// leading is the line height, as a multiple of the font size.
const leading = 1.35

// line is one laid-out line: its runs in order, spaces included.
type line struct {
	runs []run
	w    float64 // mm
	size float64 // points, of the largest text on the line
}

func (l line) height() float64 { return l.size * ptToMM * leading }

// baseline is where text of size pt sits in a line of height h (mm).
func baseline(h, size float64) float64 {
	s := size * ptToMM
	return (h-s)/2 + 0.8*s
}

// breakLines lays pieces out in lines at most width mm wide, breaking at
// spaces; a word wider than a line breaks between any two glyphs, so a
// 100,000-letter word costs one pass. size (pt) is the height of lines
// that have no text.
func (r *renderer) breakLines(ps []piece, width, size float64) []line {
	var lines []line
	var cur line
	var space *run
	add := func(rn run) {
		cur.runs = append(cur.runs, rn)
		cur.w += rn.w
		cur.size = max(cur.size, rn.st.size)
	}
	flush := func() {
		if cur.size == 0 {
			cur.size = size
		}
		lines = append(lines, cur)
		cur, space = line{}, nil
	}
	for i := 0; i < len(ps); {
		switch {
		case ps[i].brk:
			flush()
			i++
			continue
		case ps[i].space:
			if len(cur.runs) > 0 {
				space = &ps[i].run
			}
			i++
			continue
		}
		j, w := i, 0.0
		for j < len(ps) && !ps[j].space && !ps[j].brk {
			w += ps[j].w
			j++
		}
		sw := 0.0
		if space != nil {
			sw = space.w
		}
		switch {
		case cur.w+sw+w <= width:
			if space != nil {
				add(*space)
				space = nil
			}
			for _, p := range ps[i:j] {
				add(p.run)
			}
		case len(cur.runs) > 0:
			flush()
			continue
		default:
			for _, p := range ps[i:j] {
				rn := p.run
				for cur.w+rn.w > width {
					head, tail, ok := r.splitRun(rn, width-cur.w, len(cur.runs) == 0)
					if !ok && len(cur.runs) == 0 {
						break // one glyph wider than the line: let it overflow
					}
					if ok {
						add(head)
						rn = tail
					}
					flush()
				}
				add(rn)
			}
		}
		i = j
	}
	if len(cur.runs) > 0 {
		flush()
	}
	return lines
}

// splitRun cuts rn so that its head fits in room mm; a glyph standing for
// other text is never cut. ok is false when nothing fits, unless force asks
// for at least one glyph (an empty line must make progress).
func (r *renderer) splitRun(rn run, room float64, force bool) (head, tail run, ok bool) {
	if rn.actual != "" {
		return rn, run{}, false
	}
	m := r.metrics[rn.face]
	scale := rn.st.drawnSize() / 1000 * ptToMM
	w, cut := 0.0, 0
	for i, c := range rn.text {
		cw := float64(m[c]) * scale
		if w+cw > room && (cut > 0 || !force) {
			break
		}
		w += cw
		cut = i + utf8.RuneLen(c)
		if w >= room {
			break
		}
	}
	if cut == 0 || cut == len(rn.text) {
		return rn, run{}, false
	}
	head, tail = rn, rn
	head.text, head.w = rn.text[:cut], w
	tail.text, tail.w = rn.text[cut:], rn.w-w
	return head, tail, true
}

// drawLine draws l with its top left corner at (x, top), in a strip of
// height h. Neighbouring plain runs of one face and style are drawn as one
// string, so that text extraction sees words and spaces as written.
func (r *renderer) drawLine(l line, x, top, h float64) {
	base := top + baseline(h, l.size)
	for i := 0; i < len(l.runs); {
		rn := l.runs[i]
		j := i + 1
		if rn.actual == "" {
			var b strings.Builder
			b.WriteString(rn.text)
			for ; j < len(l.runs) && l.runs[j].actual == "" && l.runs[j].face == rn.face && l.runs[j].st == rn.st; j++ {
				b.WriteString(l.runs[j].text)
				rn.w += l.runs[j].w
			}
			rn.text = b.String()
		}
		r.drawRun(rn, x, base, top, h)
		x += rn.w
		i = j
	}
}

// drawRun draws one run on the baseline base, with its link, underline or
// strike.
func (r *renderer) drawRun(rn run, x, base, top, h float64) {
	st := rn.st
	size := st.drawnSize()
	if st.super {
		base -= st.size * ptToMM * 0.35
	}
	r.setFont(rn.face, size)
	r.pdf.SetTextColor(st.color.r, st.color.g, st.color.b)
	if rn.actual != "" {
		r.pdf.RawWriteStr("/Span <</ActualText " + pdfTextHex(rn.actual) + ">> BDC")
	}
	if rn.text == string(nnbsp) {
		r.pdf.RawWriteStr("50 Tz") // horizontal scaling, for the squeezed space
		r.pdf.Text(x, base, "\u00A0")
		r.pdf.RawWriteStr("100 Tz")
	} else {
		r.pdf.Text(x, base, rn.text)
	}
	if rn.actual != "" {
		r.pdf.RawWriteStr("EMC")
	}
	if st.link != "" || st.strike {
		r.pdf.SetDrawColor(st.color.r, st.color.g, st.color.b)
		r.pdf.SetLineWidth(size * ptToMM * 0.06)
		if st.link != "" {
			r.pdf.Line(x, base+size*ptToMM*0.12, x+rn.w, base+size*ptToMM*0.12)
		}
		if st.strike {
			r.pdf.Line(x, base-size*ptToMM*0.28, x+rn.w, base-size*ptToMM*0.28)
		}
	}
	switch {
	case st.link != "":
		r.pdf.LinkString(x, top, rn.w, h, st.link)
	case st.note != 0:
		r.pdf.Link(x, top, rn.w, h, st.note)
	}
}

// pdfTextHex encodes s as a PDF text string: UTF-16BE with a byte order
// mark, in hex, which needs no escaping.
func pdfTextHex(s string) string {
	const hex = "0123456789ABCDEF"
	b := []byte("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, hex[u>>12], hex[u>>8&15], hex[u>>4&15], hex[u&15])
	}
	return string(append(b, '>'))
}
