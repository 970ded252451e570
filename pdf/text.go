package pdf

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// style is how a piece of inline text looks.
type style struct {
	bold, italic, code, strike bool
	size                       float64 // points
	color                      rgb
	link                       string // absolute URI, or ""
	note                       int    // fpdf link to a footnote, or 0
	super                      bool
}

type rgb struct{ r, g, b int }

func (s *style) face() face {
	switch {
	case s.code:
		return mono
	case s.bold && s.italic:
		return boldItalic
	case s.bold:
		return bold
	case s.italic:
		return italic
	}
	return regular
}

// drawnSize is the size glyphs are drawn at: superscripts are smaller.
func (s *style) drawnSize() float64 {
	if s.super {
		return s.size * 0.7
	}
	return s.size
}

// run is text drawn in one face and style. actual, when set, is the text the
// glyphs stand for (an emoji drawn from a private code point, a '?' for a
// rune no font has): the PDF hands it to copy and paste.
type run struct {
	text   string
	actual string
	face   face
	st     *style
	w      float64 // mm
}

// piece is a unit of line breaking: part of a word, a breakable space, a
// forced line break, or an image.
type piece struct {
	run
	space, brk bool
	img        *imageRef // an image, placed between lines
}

const ptToMM = 25.4 / 72

// measure returns the width of s in face f at size pt, in mm.
func (r *renderer) measure(f face, s string, size float64) float64 {
	m := r.metrics[f]
	var w int
	for _, c := range s {
		w += int(m[c])
	}
	return float64(w) * size / 1000 * ptToMM
}

// isSpace tells the runes lines may break at; no-break spaces are not.
func isSpace(c rune) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\u2028', '\u2029', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2008', '\u2009', '\u200A', '\u205F', '\u3000':
		return true
	}
	return false
}

// substitutes are runes the Go fonts lack, drawn as a close one they have.
var substitutes = map[rune]rune{
	'\u2007': '\u00A0',
	'\u2010': '-',
	'\u2011': '-',
	'\u2012': '–',
	'\u2212': '-',
	'\u2713': '\u2714', // ✓ → ✔ of the emoji font
	'\u2610': '\u25A1', // ☐ → □
}

// appendText splits s into words and spaces in style st and shapes the
// words into runs.
func (r *renderer) appendText(ps []piece, s string, st *style) []piece {
	s = norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD"))
	for len(s) > 0 {
		i := strings.IndexFunc(s, isSpace)
		if i < 0 {
			return r.appendWord(ps, s, st)
		}
		ps = r.appendWord(ps, s[:i], st)
		if n := len(ps); n > 0 && !ps[n-1].space && !ps[n-1].brk {
			sp := run{text: " ", face: st.face(), st: st}
			sp.w = r.measure(sp.face, " ", st.drawnSize())
			ps = append(ps, piece{run: sp, space: true})
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		s = s[i+n:]
	}
	return ps
}

// appendWord shapes a word into runs: a run of plain glyphs per face, and a
// run of its own for each glyph that stands for other text.
func (r *renderer) appendWord(ps []piece, word string, st *style) []piece {
	text, size := st.face(), st.drawnSize()
	var b strings.Builder
	cur := run{st: st}
	flush := func() {
		if b.Len() > 0 {
			cur.text = b.String()
			ps = append(ps, piece{run: cur})
			b.Reset()
		}
	}
	for len(word) > 0 {
		g, f, n, actual := r.glyph(word, text)
		cluster := word[:n]
		word = word[n:]
		if g < 0 {
			continue
		}
		w := float64(r.metrics[f][g]) * size / 1000 * ptToMM
		if actual {
			flush()
			ps = append(ps, piece{run: run{text: string(g), actual: cluster, face: f, st: st, w: w}})
			continue
		}
		if b.Len() > 0 && f != cur.face {
			flush()
		}
		if b.Len() == 0 {
			cur = run{face: f, st: st}
		}
		b.WriteRune(g)
		cur.w += w
	}
	flush()
	return ps
}

// glyph picks what to draw for the cluster at the start of s: the glyph's
// rune (-1 to draw nothing), its face, the bytes it covers, and whether it
// stands for other text. A rune goes to the text face when it has it, to the
// emoji font when it is an emoji (or U+FE0F asks for one), else becomes a
// visible '?' rather than an empty box.
func (r *renderer) glyph(s string, text face) (rune, face, int, bool) {
	c, n := utf8.DecodeRuneInString(s)
	next, m := utf8.DecodeRuneInString(s[n:])
	switch {
	case isKeycapBase(c) && next == '\u20E3':
		return r.emojiOr(keycapBase+c, text, n+m)
	case isKeycapBase(c) && next == '\uFE0F' && strings.HasPrefix(s[n+m:], "\u20E3"):
		return r.emojiOr(keycapBase+c, text, n+m+len("\u20E3"))
	case c == nnbsp:
		return c, text, n, true
	case c >= 0xE000 && c <= 0xF8FF: // private use: the emoji font's glyphs live there
		return '?', text, n, true
	case c >= 0x1F3FB && c <= 0x1F3FF, invisible(c): // skin tones: the emoji stays, the tone goes
		return -1, text, n, false
	case c >= emojiPlaneFirst && c <= emojiPlaneLast:
		return r.emojiOr(c+emojiPlaneShift, text, n)
	}
	if sub, ok := substitutes[c]; ok {
		if _, has := r.metrics[text][c]; !has {
			c = sub
		}
	}
	_, inText := r.metrics[text][c]
	_, inEmoji := r.metrics[emoji][c]
	switch {
	case inEmoji && (next == '\uFE0F' || !inText):
		return c, emoji, n, false
	case inText:
		return c, text, n, false
	case unicode.Is(unicode.Mn, c): // a combining mark NFC could not attach
		return -1, text, n, false
	}
	return '?', text, n, true
}

// emojiOr returns the emoji font's glyph g, standing for the n bytes it
// replaces, or a '?' when the font lacks it.
func (r *renderer) emojiOr(g rune, text face, n int) (rune, face, int, bool) {
	if _, ok := r.metrics[emoji][g]; ok {
		return g, emoji, n, true
	}
	return '?', text, n, true
}

func isKeycapBase(c rune) bool { return c == '#' || c == '*' || c >= '0' && c <= '9' }

// invisible runes are dropped: joiners and selectors that only make sense
// to a shaping engine, tag characters, controls, soft hyphens.
func invisible(c rune) bool {
	switch {
	case c == '\u00AD', c == '\u200B', c == '\u200C', c == '\u200D', c == '\u2060', c == '\uFEFF',
		c >= '\uFE00' && c <= '\uFE0F', c == '\u20E3',
		c >= 0xE0000 && c <= 0xE007F:
		return true
	}
	return unicode.IsControl(c)
}
