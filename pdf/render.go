// Package pdf prints a fiche (or a text of propositions' published
// version, written as markdown) as a PDF, inside the binary: it walks the
// markdown's syntax tree and lays the text out itself with fpdf, the Go
// fonts and an emoji font, so that no browser is needed and nothing is
// fetched from the network.
package pdf

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// Document is a fiche, or a text of propositions, as printed.
type Document struct {
	Title    string
	Summary  string // the chapô, plain text
	Markdown string // the body; wiki links already expanded into markdown links
	URL      string // absolute address of the fiche, printed in the footer
	Revision int
	Updated  time.Time
	Licence  string   // e.g. "CC BY-SA 4.0"
	Authors  []string // contributors' pseudos
	// Edition says in the footer which state of the text this is; empty,
	// « Révision N · mis à jour le … » from Revision and Updated. A text of
	// propositions says « Version 2 · publiée le 3 mars 2026 ».
	Edition string
}

// Images opens a local image by the address it has in the markdown (e.g.
// "/fichiers/abc.png"). On any error the PDF shows the image's alt text.
// The renderer never fetches anything itself: remote addresses are for
// Images to refuse or serve.
type Images func(src string) (io.ReadCloser, error)

// maxMarkdown bounds the body: fiches are limited to 100,000 characters.
const maxMarkdown = 1 << 20

// ErrTooLarge is returned for a body longer than any fiche can be.
var ErrTooLarge = errors.New("pdf: the text is too long to print")

// Render writes doc as a PDF to w. images may be nil: then every image
// shows its alt text. Render returns an error rather than a broken PDF, and
// writes nothing to w when it fails.
func Render(w io.Writer, doc Document, images Images) (err error) {
	if len(doc.Markdown) > maxMarkdown {
		return ErrTooLarge
	}
	m, err := fontMetrics()
	if err != nil {
		return fmt.Errorf("pdf: fonts: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdf: %v", p)
		}
	}()
	r := &renderer{
		pdf:     fpdf.New("P", "mm", "A4", ""),
		metrics: m,
		doc:     doc,
		images:  images,
		src:     norm.NFC.Bytes([]byte(strings.ToValidUTF8(doc.Markdown, "\uFFFD"))),
		notes:   map[int]int{},
		loaded:  map[string]*loadedImage{},
		left:    marginLeft,
		right:   contentRight,
	}
	r.base, _ = url.Parse(doc.URL)
	r.render()
	if r.err != nil {
		return r.err
	}
	if err := r.pdf.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return r.pdf.Output(w)
}

// renderer holds one document being laid out.
type renderer struct {
	pdf     *fpdf.Fpdf
	metrics [numFaces]metrics
	doc     Document
	images  Images
	src     []byte
	base    *url.URL
	err     error

	y           float64   // top of the next strip, mm
	left, right float64   // edges of the text, moved by lists and quotes
	bars        []float64 // x of the bars of open quotes
	marker      *marker   // a list item's bullet, drawn beside its first strip

	added    [numFaces]bool
	font     face
	fontSize float64
	fontSet  bool

	notes    map[int]int // footnote number → fpdf link
	outline  []int       // heading levels of the open bookmarks
	loaded   map[string]*loadedImage
	listDeep int
}

type marker struct {
	line line
	x    float64
}

var baseStyle = style{size: 10.5, color: textColor}

func (r *renderer) render() {
	p := r.pdf
	p.SetMargins(marginLeft, marginTop, marginRight)
	p.SetAutoPageBreak(false, 0)
	p.SetTitle(metaText(r.doc.Title), true)
	p.SetSubject(metaText(r.doc.Summary), true)
	p.SetAuthor(metaText(strings.Join(r.doc.Authors, ", ")), true)
	p.SetCreator("Ligue", true)
	p.SetLang("fr-FR")
	if !r.doc.Updated.IsZero() {
		p.SetCreationDate(r.doc.Updated)
		p.SetModificationDate(r.doc.Updated)
	}
	// The footer's font first: fpdf keeps digits in the subset of fonts added
	// before AliasNbPages only, and the page count is made of digits.
	r.setFont(regular, baseStyle.size)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(r.footer)
	if !r.newPage() {
		return
	}
	r.titleBlock()
	r.blocks(parse(r.src), &baseStyle, 3)
}

// titleBlock prints the title, the summary and the contributors.
func (r *renderer) titleBlock() {
	r.flow(r.pieces(r.doc.Title, &style{bold: true, size: 20, color: textColor}), 20)
	if r.doc.Summary != "" {
		r.gap(2)
		r.flow(r.pieces(r.doc.Summary, &style{italic: true, size: 12, color: mutedColor}), 12)
	}
	if len(r.doc.Authors) > 0 {
		r.gap(2)
		r.flow(r.pieces("Contributions de "+frenchList(r.doc.Authors), &style{size: 9, color: mutedColor}), 9)
	}
	r.gap(3)
	r.rule()
	r.gap(3)
}

// frenchList joins "a, b et c".
func frenchList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}

// metaText makes s safe for fpdf's document information, which only
// encodes the Basic Multilingual Plane.
func metaText(s string) string {
	s = strings.Map(func(c rune) rune {
		if c > 0xFFFF || invisible(c) {
			return -1
		}
		return c
	}, strings.ToValidUTF8(s, ""))
	s = strings.Join(strings.Fields(s), " ")
	if rs := []rune(s); len(rs) > 300 {
		s = string(rs[:300]) + "…"
	}
	return s
}

func (r *renderer) pieces(s string, st *style) []piece { return r.appendText(nil, s, st) }

// flow lays pieces out in lines between the current edges, and places
// them; images among them are placed as blocks between lines.
func (r *renderer) flow(ps []piece, size float64) {
	for len(ps) > 0 && r.err == nil {
		i := 0
		for i < len(ps) && ps[i].img == nil {
			i++
		}
		for _, l := range r.breakLines(ps[:i], r.right-r.left, size) {
			x := r.left
			r.emit(l.height(), func(top float64) { r.drawLine(l, x, top, l.height()) })
		}
		if i < len(ps) {
			r.image(ps[i].img, size)
			i++
		}
		ps = ps[i:]
	}
}

func (r *renderer) rule() {
	r.emit(1, func(top float64) {
		r.pdf.SetDrawColor(ruleColor.r, ruleColor.g, ruleColor.b)
		r.pdf.SetLineWidth(0.3)
		r.pdf.Line(r.left, top+0.5, r.right, top+0.5)
	})
}

// maxURI bounds a clickable address: every line of a link's text repeats
// it in the file.
const maxURI = 2048

// resolve makes a link absolute against the fiche's address; only web and
// mail links of reasonable length become clickable.
func (r *renderer) resolve(dest string) string {
	u, err := url.Parse(strings.TrimSpace(dest))
	if err != nil {
		return ""
	}
	if r.base != nil {
		u = r.base.ResolveReference(u)
	}
	if s := u.String(); len(s) <= maxURI && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto") {
		return s
	}
	return ""
}

// bookmark adds a heading to the PDF's outline. fpdf wants each level at
// most one below the previous, so levels come from the open headings.
func (r *renderer) bookmark(text string, level int) {
	for len(r.outline) > 0 && r.outline[len(r.outline)-1] >= level {
		r.outline = r.outline[:len(r.outline)-1]
	}
	if text = metaText(text); text == "" {
		text = "Section " + strconv.Itoa(len(r.outline)+1)
	}
	r.setFont(regular, baseStyle.size) // fpdf encodes the title for the current font
	r.pdf.Bookmark(text, len(r.outline), r.y)
	r.outline = append(r.outline, level)
}

// indent returns step, or 0 once lists and quotes have moved the text far
// enough: deep nesting must leave room for the text.
func (r *renderer) indent(step float64) float64 {
	if r.left+step > marginLeft+48 {
		return 0
	}
	return step
}
