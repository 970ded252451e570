package templates

// French typography, applied to every page Renderer.Render produces and to
// mails (FrenchText), so it holds for the templates' own text, for the
// messages the Go code puts on pages and for members' rendered markdown alike.
//
// Rules, in French text only:
//
//   - A run of breakable white space (space, tab, and in HTML also newline,
//     carriage return and form feed, since HTML folds them into one space;
//     also the breakable Unicode spaces such as U+2009 THIN SPACE) that
//     follows a visible character and comes right before ? ! or ; becomes one
//     U+202F NARROW NO-BREAK SPACE; before : it becomes one U+00A0 NO-BREAK
//     SPACE (the Imprimerie nationale convention: a fine space before ? ! ;
//     and a full word space before :). The punctuation only counts as such
//     when what follows it is not a letter or a digit, so " :smile:",
//     "12 :30", " ?vue=arbre" and " !important" are left alone.
//   - A run of breakable white space right after « or right before » becomes
//     one U+00A0 NO-BREAK SPACE.
//   - Only existing spaces are replaced: nothing is inserted where the author
//     wrote "Bonjour!" or "«mot»" (that text cannot put ? or » at the start of
//     a line anyway, and inserting would touch URLs, code-like text and
//     languages other than French). A run that already holds no breakable
//     character (say U+00A0 before ?) is kept as written.
//
// In every language: a straight apostrophe between two letters (l'attestation,
// aujourd'hui, don't) becomes ’ U+2019, except in a word that looks like a URL
// or an e-mail address ("://", "www.", "@"). Other straight quotes stay.
//
// "French text" is text whose nearest lang attribute starts with "fr", or that
// has no lang attribute at all (the layout says <html lang="fr">); a quotation
// marked lang="en" keeps its spacing.
//
// The HTML filter rewrites text tokens only. Tags, attribute values (so
// <input value=…>), comments and the doctype are copied byte for byte, and so
// are the contents of <pre>, <code>, <kbd>, <samp> (members' code) and of the
// raw-text elements <textarea> (markdown being edited comes back untouched),
// <script>, <style>, <noscript>, <iframe>, <xmp>, <noembed>, <noframes>,
// <plaintext>. A text token that needs no change is copied as it was; one
// that changes is written back escaped (& < > only), which is equivalent.
//
// The rules also hold across inline tags: in "mot <em>?</em>" or
// "« <a>titre</a> »" the space is in another text token than the punctuation;
// the filter remembers where the last text token's trailing spaces were
// written (as long as only inline tags such as <em>, <a>, <span> follow) and
// rewrites them when the next text token starts with the punctuation (when
// that token starts with spaces too, as in "mot <em> ?</em>", its own run
// becomes the no-break space and the earlier one is dropped: the browser would
// have folded the two into one anyway). A run at the start of a block (after
// <p>, <li>, <br>…) is not a line-break opportunity and is left alone.
//
// Cost: one pass of golang.org/x/net/html's Tokenizer, and one pass over each
// text token; splicing a remembered run only moves the inline tags and the
// one text token after it, so the whole stays linear. BenchmarkTypography, on
// a 100 KB page of forum posts (« », ?, :, apostrophes, entities, links,
// inline code, code blocks, a textarea): about 2.5 ms/op (≈40 MB/s),
// 143 KB/op and 2 873 allocs/op, on a shared 2-vCPU Xeon (go test -bench
// Typography -benchmem -cpu 1). The tokenizer alone takes about 1.1 ms and
// 2 863 of those allocations on the same page.

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

const (
	noBreakSpace       = '\u00a0' // before ':' and inside « »
	narrowNoBreakSpace = '\u202f' // before '?', '!', ';'
)

// FrenchText applies the rules to plain text (mail subjects and bodies).
// There a newline is a real line break chosen by the author, so only runs of
// spaces and tabs inside a line are replaced; a run at the start of a line is
// indentation and is kept.
func FrenchText(s string) string {
	out, changed, _ := appendFrench(nil, []byte(s), spacing{french: true})
	if !changed {
		return s
	}
	return string(out)
}

// Typography returns page with French typography applied to its text.
func Typography(page []byte) []byte {
	return AppendTypography(make([]byte, 0, len(page)+len(page)/16), page)
}

// AppendTypography appends page, with French typography applied to its text,
// to dst and returns the extended buffer.
func AppendTypography(dst, page []byte) []byte {
	f := typographer{out: dst, pendStart: -1}
	z := html.NewTokenizer(bytes.NewReader(page))
	consumed := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		consumed += len(raw)
		if tt == html.TextToken {
			f.text(z, raw)
			continue
		}
		// Raw is copied before TagAttr, which unescapes in place.
		f.out = append(f.out, raw...)
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			f.startTag(z, raw)
		case html.EndTagToken:
			f.endTag(raw)
		case html.CommentToken:
			// transparent: "mot <!-- x --> ?" is still one line of text.
		default: // doctype
			f.breakRun()
		}
	}
	// The tokenizer drops an unfinished token at the end of the input (say
	// "<a hr"); give it back as it was.
	return append(f.out, page[consumed:]...)
}

// typographer is the filter's state between tokens.
type typographer struct {
	out  []byte
	tmp  []byte   // a rewritten text token, before escaping
	name [16]byte // the lower-cased name of the current tag

	// excluded counts the open <pre>, <code>, <kbd>, <samp>.
	excluded [4]int
	// rawNext: the next text token is the content of a raw-text element
	// (<script>, <textarea>…), which the tokenizer gives as one token.
	rawNext bool
	langs   []langScope

	// The current line of text, across inline tags:
	vis  bool // a visible character was written since the last block boundary
	open bool // the last visible character written was «
	// pendStart:pendEnd are the breakable spaces the last text token ended
	// with, in out; -1 when there are none.
	pendStart, pendEnd int
}

// langScope is an element with a lang attribute; depth counts elements of the
// same name opened inside it, so the right end tag closes it.
type langScope struct {
	name   string
	french bool
	depth  int
}

func (f *typographer) french() bool {
	if n := len(f.langs); n > 0 {
		return f.langs[n-1].french
	}
	return true
}

func (f *typographer) isExcluded() bool {
	return f.excluded[0]+f.excluded[1]+f.excluded[2]+f.excluded[3] > 0
}

// breakRun notes a block boundary: spaces before it are not followed by the
// punctuation on the same line.
func (f *typographer) breakRun() {
	f.vis, f.open, f.pendStart = false, false, -1
}

type tagKind int

const (
	tagBlock  tagKind = iota // any other element: a line of text ends there
	tagInline                // phrasing elements text flows through
	tagVoid                  // void elements: no end tag, no content
	tagRaw                   // raw text or RCDATA content left untouched
	tagPre                   // excluded[0]
	tagCode                  // excluded[1]
	tagKbd                   // excluded[2]
	tagSamp                  // excluded[3]
)

func kindOf(name []byte) tagKind {
	switch string(name) {
	case "a", "abbr", "b", "bdi", "bdo", "big", "cite", "data", "del", "dfn", "em", "font", "i", "ins",
		"label", "mark", "nobr", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "time", "tt",
		"u", "var":
		return tagInline
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
		"track", "wbr":
		return tagVoid
	case "script", "style", "textarea", "noscript", "iframe", "xmp", "noembed", "noframes", "plaintext":
		return tagRaw
	case "pre":
		return tagPre
	case "code":
		return tagCode
	case "kbd":
		return tagKbd
	case "samp":
		return tagSamp
	}
	return tagBlock
}

// tagName returns the lower-cased name of the tag raw ("<p class=x>",
// "</P>"), read as the tokenizer does; a name longer than any the filter
// knows is cut short (and so not known).
func (f *typographer) tagName(raw []byte) []byte {
	i := 1
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	n := 0
	for ; i < len(raw) && n < len(f.name); i++ {
		c := raw[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>' {
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		f.name[n] = c
		n++
	}
	return f.name[:n]
}

func (f *typographer) startTag(z *html.Tokenizer, raw []byte) {
	name := f.tagName(raw)
	kind := kindOf(name)
	switch kind {
	case tagInline:
	case tagRaw:
		f.rawNext = true // even for <script/>: the tokenizer reads it as raw text
		f.breakRun()
	case tagCode, tagKbd, tagSamp:
		f.excluded[kind-tagPre]++
		f.open, f.pendStart = false, -1
	case tagPre:
		f.excluded[0]++
		f.breakRun()
	default:
		f.breakRun()
	}
	if kind == tagVoid {
		return
	}
	// A self-closing non-void HTML element is opened like a start tag, so it
	// is counted as one.
	lang, hasLang := "", false
	// z.TagAttr copies every attribute: only ask when there may be a lang.
	hasAttr := mentionsLang(raw)
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		if string(k) == "lang" {
			lang, hasLang = string(v), true
		}
	}
	if hasLang {
		f.langs = append(f.langs, langScope{name: string(name), french: isFrench(lang)})
	} else if n := len(f.langs); n > 0 && f.langs[n-1].name == string(name) {
		f.langs[n-1].depth++
	}
}

func (f *typographer) endTag(raw []byte) {
	name := f.tagName(raw)
	kind := kindOf(name)
	switch kind {
	case tagInline:
	case tagCode, tagKbd, tagSamp:
		if f.excluded[kind-tagPre] > 0 {
			f.excluded[kind-tagPre]--
		}
		f.vis, f.open, f.pendStart = true, false, -1 // the code was text on the line
	case tagPre:
		if f.excluded[0] > 0 {
			f.excluded[0]--
		}
		f.breakRun()
	default:
		f.breakRun()
	}
	f.rawNext = false
	if n := len(f.langs); n > 0 && f.langs[n-1].name == string(name) {
		if f.langs[n-1].depth > 0 {
			f.langs[n-1].depth--
		} else {
			f.langs = f.langs[:n-1]
		}
	}
}

// mentionsLang reports whether raw holds "lang" in any case.
func mentionsLang(raw []byte) bool {
	for i := 0; i+4 <= len(raw); i++ {
		if raw[i]|0x20 == 'l' && raw[i+1]|0x20 == 'a' && raw[i+2]|0x20 == 'n' && raw[i+3]|0x20 == 'g' {
			return true
		}
	}
	return false
}

func isFrench(lang string) bool {
	return len(lang) >= 2 && strings.EqualFold(lang[:2], "fr") && (len(lang) == 2 || lang[2] == '-')
}

func (f *typographer) text(z *html.Tokenizer, raw []byte) {
	if f.rawNext || f.isExcluded() {
		f.rawNext = false
		f.out = append(f.out, raw...)
		return
	}
	start := len(f.out)
	f.out = append(f.out, raw...) // Text unescapes in place: copy raw first
	text := z.Text()
	french := f.french()
	var changed bool
	var lead leading
	f.tmp, changed, lead = appendFrench(f.tmp[:0], text, spacing{
		french: french, html: true, joined: f.vis, afterOpen: f.open,
	})
	if f.pendStart >= 0 && french {
		// The previous text token ended with breakable spaces; this one
		// decides what they become.
		switch {
		case lead.punct != 0:
			start += f.splice(f.pendStart, f.pendEnd, lead.punct)
		case lead.replacedRun:
			// Its own leading run became the no-break space: the earlier
			// spaces would only add a break opportunity before it.
			start += f.splice(f.pendStart, f.pendEnd, 0)
		}
	}
	f.pendStart = -1
	final := text
	if changed {
		f.out = appendEscaped(f.out[:start], f.tmp)
		final = f.tmp
	}
	if last, ok := lastVisible(final); ok {
		f.vis = true
		f.open = last == '«' && bytes.HasSuffix(final, []byte("«")) // no space after it
	} else if len(final) > 0 {
		f.open = false
	}
	if french && f.vis {
		k := 0
		for k < len(f.out)-start && isHTMLSpaceByte(f.out[len(f.out)-1-k]) {
			k++
		}
		if k > 0 {
			f.pendStart, f.pendEnd = len(f.out)-k, len(f.out)
		}
	}
}

// splice replaces out[s:e] with r (nothing when r is 0) and returns how much
// longer out became.
func (f *typographer) splice(s, e int, r rune) int {
	var buf [utf8.UTFMax]byte
	rep := buf[:0]
	if r != 0 {
		rep = utf8.AppendRune(rep, r)
	}
	oldLen := len(f.out)
	delta := len(rep) - (e - s)
	if delta > 0 {
		f.out = append(f.out, rep[:delta]...)
	}
	copy(f.out[s+len(rep):oldLen+delta], f.out[e:oldLen])
	copy(f.out[s:], rep)
	f.out = f.out[:oldLen+delta]
	return delta
}

// lastVisible returns the last rune of s that is not a space.
func lastVisible(s []byte) (rune, bool) {
	for len(s) > 0 {
		r, w := utf8.DecodeLastRune(s)
		if _, ok := spaceRune(r, true); !ok {
			return r, true
		}
		s = s[:len(s)-w]
	}
	return 0, false
}

func appendEscaped(dst, s []byte) []byte {
	last := 0
	for i, c := range s {
		var esc string
		switch c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		default:
			continue
		}
		dst = append(append(dst, s[last:i]...), esc...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// spacing is the context of one piece of text.
type spacing struct {
	french bool // apply the spacing rules (the apostrophe rule always applies)
	html   bool // newlines are spaces (HTML); otherwise hard line breaks
	// joined: visible text precedes this piece on the same line (HTML text
	// after inline tags), so a run at its start can be a break opportunity.
	joined bool
	// afterOpen: the visible character just before this piece is «.
	afterOpen bool
}

// leading tells the HTML filter how the piece starts, for the spaces the
// previous piece ended with.
type leading struct {
	punct       rune // it starts with punctuation: the space wanted before it
	replacedRun bool // its leading run was replaced
}

// appendFrench appends s with the rules applied to dst, and reports whether
// anything changed; when nothing did, dst is returned as it was.
func appendFrench(dst, s []byte, o spacing) (out []byte, changed bool, lead leading) {
	if o.french {
		lead.punct = spaceBefore(s, 0)
	}
	last := 0 // s[:last] is in dst (once changed)
	wordStart, urlChecked, urlish := 0, 0, false
	for i := 0; i < len(s); {
		c := s[i]
		if !trigger[c] { // most bytes: nothing to look at
			i++
			continue
		}
		r, w := rune(c), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRune(s[i:])
		}
		breakable, isSpace := spaceRune(r, o.html)
		if !isSpace {
			if r == '\'' && i > 0 && i+1 < len(s) {
				prev, _ := utf8.DecodeLastRune(s[:i])
				next, _ := utf8.DecodeRune(s[i+1:])
				if unicode.IsLetter(prev) && unicode.IsLetter(next) {
					if i >= urlChecked {
						end := wordEnd(s, i)
						urlish, urlChecked = looksLikeURL(s[wordStart:end]), end
					}
					if !urlish {
						dst = append(append(dst, s[last:i]...), "’"...)
						last, changed = i+1, true
					}
				}
			} else if r == '\n' {
				wordStart = i + 1 // plain text: a new line starts a word
			}
			i += w
			continue
		}
		// A run of spaces: find its end and whether a line may break in it.
		j := i + w
		for j < len(s) {
			r, w := rune(s[j]), 1
			if r >= utf8.RuneSelf {
				r, w = utf8.DecodeRune(s[j:])
			}
			b, ok := spaceRune(r, o.html)
			if !ok {
				break
			}
			breakable = breakable || b
			j += w
		}
		if o.french && breakable {
			// What comes before the run: nothing, «, or another visible
			// character (s[i-1] is not a space: the run is maximal).
			var target rune
			switch {
			case i == 0 && o.afterOpen, i > 0 && bytes.HasSuffix(s[:i], []byte("«")):
				target = noBreakSpace
			case i == 0 && !o.joined:
			case i > 0 && (s[i-1] == '\n' || s[i-1] == '\r' || s[i-1] == '\f'):
				// plain text: indentation at the start of a line
			default:
				target = spaceBefore(s, j)
			}
			if target != 0 {
				dst = utf8.AppendRune(append(dst, s[last:i]...), target)
				last, changed = j, true
				if i == 0 {
					lead.replacedRun = true
				}
			}
		}
		i, wordStart = j, j
	}
	if changed {
		dst = append(dst, s[last:]...)
	}
	return dst, changed, lead
}

// spaceBefore returns the no-break space wanted before s[j:], 0 if s[j:] does
// not start with French punctuation.
func spaceBefore(s []byte, j int) rune {
	if j >= len(s) {
		return 0
	}
	switch s[j] {
	case '?', '!', ';':
		if punctuationEnds(s, j+1) {
			return narrowNoBreakSpace
		}
	case ':':
		if punctuationEnds(s, j+1) {
			return noBreakSpace
		}
	case "»"[0]:
		if bytes.HasPrefix(s[j:], []byte("»")) {
			return noBreakSpace
		}
	}
	return 0
}

// punctuationEnds reports whether the punctuation before s[k:] stands alone
// rather than starting a word (":smile:", ":30", "?vue=arbre", "!important").
func punctuationEnds(s []byte, k int) bool {
	if k >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRune(s[k:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// spaceRune reports whether r is white space, and if so whether a line may
// break at it. Newlines are spaces only in HTML.
func spaceRune(r rune, html bool) (breakable, ok bool) {
	switch r {
	case ' ', '\t':
		return true, true
	case '\n', '\r', '\f':
		return html, html
	case noBreakSpace, narrowNoBreakSpace, '\u2007': // figure space
		return false, true
	case '\u1680', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2008', '\u2009',
		'\u200a', '\u205f', '\u3000':
		return true, true
	}
	return false, false
}

// trigger marks the bytes appendFrench must look at: white space, the
// apostrophe, and the first bytes of U+00A0, U+1680, U+2000–U+205F, U+3000.
var trigger = func() (t [256]bool) {
	for _, c := range []byte(" \t\n\r\f'\xc2\xe1\xe2\xe3") {
		t[c] = true
	}
	return t
}()

func isHTMLSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// wordEnd returns where the word holding s[i] ends.
func wordEnd(s []byte, i int) int {
	for i < len(s) {
		r, w := utf8.DecodeRune(s[i:])
		if _, ok := spaceRune(r, true); ok {
			return i
		}
		i += w
	}
	return i
}

func looksLikeURL(word []byte) bool {
	return bytes.Contains(word, []byte("://")) || bytes.Contains(word, []byte("www.")) ||
		bytes.IndexByte(word, '@') >= 0
}
