package content

import (
	"bytes"
	"fmt"
	stdhtml "html"
	"html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	emoji "github.com/yuin/goldmark-emoji"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Markdown turns member-written markdown into safe HTML. It is the one place
// in Ligue that makes template.HTML from user text: goldmark renders (raw
// HTML omitted), then bluemonday keeps only the elements and attributes we
// generate. Output is stored at write time, so pages never re-render.
type Markdown struct {
	policy *bluemonday.Policy
}

// MentionFunc tells whether a pseudo names a member and returns its
// canonical spelling; mentions of unknown pseudos stay plain text.
type MentionFunc func(pseudo string) (canonical string, ok bool)

// Rendered is the result of rendering one text.
type Rendered struct {
	HTML      template.HTML
	Mentions  []string  // canonical pseudos mentioned, without duplicates
	Headings  []Heading // in order, for a table of contents
	WikiLinks []string  // slugs of the fiches linked with [[…]], without duplicates
}

// UploadPrefix is where the files members attach are served; images are
// displayed only from there (no tracking pixels, nothing from other hosts).
const UploadPrefix = "/fichiers/"

// NewMarkdown builds the renderer and its sanitizing policy.
func NewMarkdown() *Markdown {
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs()
	p.RequireNoFollowOnLinks(false)
	p.AllowElements("p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
		"h1", "h2", "h3", "h4", "h5", "h6", "sup", "sub", "section", "table", "thead", "tbody", "tr", "th", "td",
		"kbd", "mark", "span", "div")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").OnElements("a", "img", "abbr")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow ugc noopener$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(mention|wiki|wiki-missing|footnote-ref|footnote-backref|footnotes|external-image)$`)).OnElements("a", "div", "section")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+-]{1,30}$`)).OnElements("code")
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,80}$|^fn(ref\d{0,5})?:?\d{1,4}(-\d{1,4})?$`)).OnElements("h1", "h2", "h3", "h4", "h5", "h6", "li", "sup")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|backlink|endnotes)$`)).OnElements("a", "section", "div")
	p.AllowAttrs("src").Matching(uploadSrc).OnElements("img")
	p.AllowAttrs("alt", "width", "height").OnElements("img")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)).OnElements("blockquote")
	return &Markdown{policy: p}
}

// uploadSrc is the only image source shown in posts.
var uploadSrc = regexp.MustCompile(`^` + regexp.QuoteMeta(UploadPrefix) + `[a-zA-Z0-9._-]+$`)

// maxNesting bounds block nesting (quotes, lists): deeper markers stay
// text, so "> > > …" ten thousand times renders fast and readable.
const maxNesting = 32

// Render converts src to sanitized HTML, linking mentions of known members.
func (m *Markdown) Render(src string, mentions MentionFunc) Rendered {
	return m.RenderWith(src, RenderOptions{Mentions: mentions})
}

// RenderOptions are the links a text may make beyond plain markdown.
type RenderOptions struct {
	Mentions MentionFunc // "@pseudo"; nil leaves mentions as text
	Wiki     WikiFunc    // "[[fiche]]"; nil leaves brackets as text
}

// RenderWith converts src to sanitized HTML with the given links, and
// lists its headings (a fiche's table of contents).
func (m *Markdown) RenderWith(src string, opt RenderOptions) Rendered {
	src = strings.ToValidUTF8(src, "\uFFFD")
	mx := &mentionExt{resolve: opt.Mentions}
	wx := &wikiExt{resolve: opt.Wiki}
	toc := &headingList{}
	md := goldmark.New(
		goldmark.WithParser(NewMarkdownParser()),
		goldmark.WithExtensions(extension.GFM, extension.Footnote, emoji.Emoji, mx, wx),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithASTTransformers(util.Prioritized(linkPolicy{}, 999),
			util.Prioritized(quoteLanguage{}, 1000), util.Prioritized(toc, 1001))),
		goldmark.WithRendererOptions(html.WithXHTML()),
	)
	var buf bytes.Buffer
	ctx := parser.NewContext(parser.WithIDs(newHeadingIDs()))
	if err := md.Convert([]byte(src), &buf, parser.WithContext(ctx)); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer has none.
		return Rendered{HTML: template.HTML(template.HTMLEscapeString(src))}
	}
	return Rendered{HTML: template.HTML(m.policy.SanitizeBytes(buf.Bytes())), Mentions: mx.found, Headings: toc.list, WikiLinks: wx.found}
}

// Sanitize cleans HTML that did not come from Render (kept for stored HTML
// from older renderers and for tests).
func (m *Markdown) Sanitize(s string) template.HTML { return template.HTML(m.policy.Sanitize(s)) }

// NewMarkdownParser is goldmark's default parser with list and quote
// nesting capped at maxNesting: goldmark keeps, for every blank line, a
// record per open container, so a few lines of deep nesting could cost
// gigabytes. Pages and PDFs read markdown with it.
func NewMarkdownParser() parser.Parser {
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

// depthCapped refuses to open a list or quote nested maxNesting deep; the
// text stays, as a paragraph.
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

// headingIDs gives headings readable, accent-folded IDs ("Titre élevé" →
// "titre-eleve"), unique within a text. The next number to try is kept per
// base, so a text of thousands of same headings costs linear time.
type headingIDs struct {
	used map[string]bool
	next map[string]int
}

func newHeadingIDs() *headingIDs {
	// Reserved: IDs the page layout uses.
	return &headingIDs{used: map[string]bool{"contenu": true, "reponse": true}, next: map[string]int{}}
}

func (h *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	base := frenchSlug(string(value))
	if len(base) > 60 {
		base = strings.TrimRight(base[:60], "-")
	}
	if base == "" || !unicode.IsLetter(rune(base[0])) && !unicode.IsDigit(rune(base[0])) {
		base = "section"
	}
	id := base
	for h.used[id] {
		h.next[base]++
		id = base + "-" + strconv.Itoa(h.next[base])
	}
	h.used[id] = true
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.used[string(value)] = true }

// linkPolicy marks links to other sites rel="nofollow ugc noopener" and turns
// images from anywhere but our uploads into plain links.
type linkPolicy struct{}

func (linkPolicy) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var images []*ast.Image
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if isExternal(string(n.Destination)) {
				n.SetAttributeString("rel", []byte("nofollow ugc noopener"))
			}
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL {
				n.SetAttributeString("rel", []byte("nofollow ugc noopener"))
			}
		case *ast.Image:
			if !uploadSrc.Match(n.Destination) {
				images = append(images, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		parent := img.Parent()
		if insideLink(img) {
			// A linked badge: keep its text, the outer link stays the link.
			for c := img.FirstChild(); c != nil; {
				next := c.NextSibling()
				parent.InsertBefore(parent, img, c)
				c = next
			}
			parent.RemoveChild(parent, img)
			continue
		}
		link := ast.NewLink()
		link.Destination = img.Destination
		link.Title = img.Title
		if isExternal(string(img.Destination)) {
			link.SetAttributeString("rel", []byte("nofollow ugc noopener"))
		}
		if img.ChildCount() == 0 {
			link.AppendChild(link, ast.NewString([]byte("image")))
		}
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			link.AppendChild(link, c)
			c = next
		}
		parent.ReplaceChild(parent, img, link)
	}
}

func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.Link); ok {
			return true
		}
	}
	return false
}

func isExternal(dest string) bool {
	u, err := url.Parse(dest)
	return err == nil && (u.Host != "" || u.Scheme != "")
}

// mentionExt links "@pseudo" to the member's profile.
type mentionExt struct {
	resolve MentionFunc
	found   []string
}

func (e *mentionExt) Extend(m goldmark.Markdown) {
	if e.resolve == nil {
		return
	}
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(e, 500)))
}

func (e *mentionExt) Trigger() []byte { return []byte{'@'} }

func (e *mentionExt) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	if prev := block.PrecendingCharacter(); prev != ' ' && prev != '\n' && prev != '(' && prev != utf8.RuneError && !unicode.IsSpace(prev) && !unicode.IsPunct(prev) {
		return nil // part of an e-mail address or a word
	}
	line, _ := block.PeekLine()
	end := 1
	for end < len(line) && end <= 31 {
		r, size := utf8.DecodeRune(line[end:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			break
		}
		end += size
	}
	name := string(line[1:end])
	if utf8.RuneCountInString(name) < 3 || utf8.RuneCountInString(name) > 30 {
		return nil
	}
	canonical, ok := e.resolve(name)
	if !ok {
		return nil
	}
	block.Advance(end)
	link := ast.NewLink()
	link.Destination = []byte("/membres/" + url.PathEscape(canonical))
	link.SetAttributeString("class", []byte("mention"))
	link.AppendChild(link, ast.NewString([]byte("@"+canonical)))
	for _, f := range e.found {
		if f == canonical {
			return link
		}
	}
	e.found = append(e.found, canonical)
	return link
}

// PlainText reduces rendered HTML to its text, for excerpts, feeds and search.
func PlainText(html template.HTML) string {
	s := blockBoundary.ReplaceAllString(string(html), " $0")
	s = bluemonday.StrictPolicy().Sanitize(s)
	return stdhtml.UnescapeString(strings.Join(strings.Fields(s), " "))
}

// blockBoundary finds the tags between which words must stay apart once
// tags are stripped; inline tags (em, a…) join their words as written.
var blockBoundary = regexp.MustCompile(`(?i)</?(?:p|li|h[1-6]|blockquote|pre|tr|td|th|ul|ol|table|div|section|br|hr)\b[^>]*>`)
