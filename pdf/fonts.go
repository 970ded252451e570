package pdf

import (
	_ "embed"
	"sync"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// emojiTTF is Noto Emoji (monochrome), reduced and remapped by
// fonts/subset-emoji.py so that fpdf, which reads only the Basic
// Multilingual Plane, can reach every glyph.
//
//go:embed fonts/emoji.ttf
var emojiTTF []byte

// face is one embedded font.
type face uint8

const (
	regular face = iota
	bold
	italic
	boldItalic
	mono
	emoji
	numFaces
)

var faceFiles = [numFaces]struct {
	family, style string
	ttf           []byte
}{
	regular:    {"go", "", goregular.TTF},
	bold:       {"go", "B", gobold.TTF},
	italic:     {"go", "I", goitalic.TTF},
	boldItalic: {"go", "BI", gobolditalic.TTF},
	mono:       {"gomono", "", gomono.TTF},
	emoji:      {"notoemoji", "", emojiTTF},
}

// Where subset-emoji.py put the glyphs that Unicode places outside the
// Basic Multilingual Plane.
const (
	emojiPlaneFirst = 0x1F000
	emojiPlaneLast  = 0x1FAFF
	emojiPlaneShift = 0xE000 - emojiPlaneFirst
	keycapBase      = 0xF000 // + '#', '*' or a digit
)

const nnbsp = '\u202F'

// metrics are the advance widths of a face, in thousandths of the font size,
// for every rune it has a glyph for: the same numbers fpdf positions glyphs
// with, so that lines measured here are the lines drawn.
type metrics map[rune]uint16

var (
	loadMetrics sync.Once
	faceMetrics [numFaces]metrics
	metricsErr  error
)

// fontMetrics reads the fonts' coverage and widths once per process.
func fontMetrics() ([numFaces]metrics, error) {
	loadMetrics.Do(func() {
		// A document with no page: SetFont writes nothing, GetStringSymbolWidth
		// just reads the tables fpdf built.
		p := fpdf.New("P", "mm", "A4", "")
		var buf sfnt.Buffer
		for fc, file := range faceFiles {
			font, err := sfnt.Parse(file.ttf)
			if err != nil {
				metricsErr = err
				return
			}
			p.AddUTF8FontFromBytes(file.family, file.style, file.ttf)
			p.SetFont(file.family, file.style, 10)
			m := metrics{}
			for r := rune(1); r <= 0xFFFF; r++ {
				if g, err := font.GlyphIndex(&buf, r); err == nil && g != 0 {
					m[r] = uint16(p.GetStringSymbolWidth(string(r)))
				}
			}
			if face(fc) != emoji {
				// The Go fonts lack the narrow no-break space of French
				// typography: it is drawn as a no-break space at half width.
				m[nnbsp] = m['\u00A0'] / 2
			}
			faceMetrics[fc] = m
		}
		metricsErr = p.Error()
	})
	return faceMetrics, metricsErr
}
