package pdf

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/ligue-mednum/ligue/content"
)

// A4 portrait, in mm.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 20.0
	marginRight  = 20.0
	marginTop    = 18.0
	bodyBottom   = pageHeight - 24 // the footer lives below
	footerTop    = pageHeight - 18
	contentRight = pageWidth - marginRight
)

// maxPages bounds the work a hostile text can cause: the longest fiches
// print on a few dozen pages.
const maxPages = 2000

var errTooLong = errors.New("pdf: the document would exceed 2000 pages")

var (
	textColor  = rgb{33, 33, 33}
	mutedColor = rgb{95, 95, 95}
	linkColor  = rgb{0, 82, 180}
	ruleColor  = rgb{200, 200, 200}
)

// emit places a strip of height h (a line of text, an image, a table row)
// at the cursor: on a new page when it does not fit, beside the bars of
// open quotes and the list marker that waits for its item's first line.
func (r *renderer) emit(h float64, draw func(top float64)) {
	if r.err != nil {
		return
	}
	if r.y+h > bodyBottom && r.y > marginTop {
		if !r.newPage() {
			return
		}
	}
	r.drawBars(r.y, h)
	if m := r.marker; m != nil {
		r.marker = nil
		r.drawLine(m.line, m.x, r.y, m.line.height()) // on the baseline of a first line of its size
	}
	draw(r.y)
	r.y += h
}

// gap leaves vertical space between blocks; quote bars run through it.
func (r *renderer) gap(h float64) {
	if r.err != nil || r.y <= marginTop {
		return
	}
	h = min(h, bodyBottom-r.y)
	if h > 0 {
		r.drawBars(r.y, h)
		r.y += h
	}
}

func (r *renderer) drawBars(top, h float64) {
	if len(r.bars) == 0 {
		return
	}
	r.pdf.SetFillColor(ruleColor.r, ruleColor.g, ruleColor.b)
	for _, x := range r.bars {
		r.pdf.Rect(x, top, 0.9, h, "F")
	}
}

func (r *renderer) newPage() bool {
	if r.pdf.PageNo() >= maxPages {
		r.err = errTooLong
		return false
	}
	r.pdf.AddPage()
	r.fontSet = false // the footer changed it
	r.y = marginTop
	return true
}

// setFont selects a face, adding it to the document on first use: fpdf
// writes a font change into the page each time, and parses a font when it
// is added.
func (r *renderer) setFont(f face, size float64) {
	if r.fontSet && r.font == f && r.fontSize == size {
		return
	}
	file := faceFiles[f]
	if !r.added[f] {
		// A copy: while it cuts the font, fpdf appends to slices of the
		// bytes it is given (getMetrics), writing into them — a shared font
		// would be damaged, and raced on by documents drawn side by side.
		r.pdf.AddUTF8FontFromBytes(file.family, file.style, bytes.Clone(file.ttf))
		r.added[f] = true
	}
	r.pdf.SetFont(file.family, file.style, size)
	r.font, r.fontSize, r.fontSet = f, size, true
}

// footer prints the document's address, edition (a fiche's revision and
// date), licence and the page number at the bottom of every page.
func (r *renderer) footer() {
	r.fontSet = false
	r.pdf.SetDrawColor(ruleColor.r, ruleColor.g, ruleColor.b)
	r.pdf.SetLineWidth(0.2)
	r.pdf.Line(marginLeft, footerTop, contentRight, footerTop)
	small := &style{size: 7.5, color: mutedColor}
	label := r.pieces("Page "+strconv.Itoa(r.pdf.PageNo())+" / {nb}", small)
	labelWidth := 22.0
	if r.doc.URL != "" {
		link := &style{size: 7.5, color: linkColor, link: r.resolve(r.doc.URL)}
		r.footerLine(r.pieces(r.doc.URL, link), contentRight-marginLeft-labelWidth, marginLeft, footerTop+1.5)
	}
	r.footerLine(label, labelWidth, contentRight-labelWidth, footerTop+1.5)
	meta := r.doc.Edition
	if meta == "" {
		meta = "Révision " + strconv.Itoa(r.doc.Revision)
		if !r.doc.Updated.IsZero() {
			meta += " · mis à jour le " + content.FrenchDate(r.doc.Updated)
		}
	}
	if r.doc.Licence != "" {
		meta += " · licence " + r.doc.Licence
	}
	r.footerLine(r.pieces(meta, small), contentRight-marginLeft, marginLeft, footerTop+5.5)
	r.fontSet = false
}

// footerLine draws the first line of ps, cut to width: a footer has one
// line per item whatever the text.
func (r *renderer) footerLine(ps []piece, width, x, top float64) {
	lines := r.breakLines(ps, width, 7.5)
	if len(lines) > 0 {
		l := lines[0]
		r.drawLine(l, x, top, l.height())
	}
}
