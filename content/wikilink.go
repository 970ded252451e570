package content

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// WikiTarget is the fiche a "[[…]]" link names.
type WikiTarget struct {
	Slug   string // the fiche's slug, or the slug a new fiche of that title would get
	Title  string // its title, or the text as written when it does not exist
	Exists bool
}

// WikiFunc resolves the text inside "[[…]]" (a slug or a title).
type WikiFunc func(target string) WikiTarget

// maxWikiTarget bounds the text between the brackets: longer is not a link.
const maxWikiTarget = 150

// wikiExt turns "[[slug]]", "[[Titre de la fiche]]" and "[[cible|texte]]"
// into links to fiches; a fiche not written yet gets a distinct link that
// offers to create it.
type wikiExt struct {
	resolve WikiFunc
	found   []string
}

func (e *wikiExt) Extend(m goldmark.Markdown) {
	if e.resolve == nil {
		return
	}
	// Before goldmark's own link parser (200), which would read "[[x]]" as text.
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(e, 199)))
}

func (e *wikiExt) Trigger() []byte { return []byte{'['} }

func (e *wikiExt) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) < 5 || line[1] != '[' {
		return nil
	}
	end := strings.Index(string(line[2:]), "]]")
	if end < 1 {
		return nil
	}
	inner := string(line[2 : 2+end])
	if strings.ContainsAny(inner, "[]\n") || utf8.RuneCountInString(inner) > maxWikiTarget {
		return nil
	}
	target, label, _ := strings.Cut(inner, "|")
	target, label = strings.TrimSpace(target), strings.TrimSpace(label)
	if target == "" {
		return nil
	}
	w := e.resolve(target)
	if w.Slug == "" {
		return nil
	}
	block.Advance(2 + end + 2)
	if label == "" {
		label = target
		if w.Exists {
			label = w.Title
		}
	}
	link := ast.NewLink()
	if w.Exists {
		link.Destination = []byte(FichePathOf(w.Slug))
		link.SetAttributeString("class", []byte("wiki"))
	} else {
		link.Destination = []byte("/fiches/nouvelle?titre=" + url.QueryEscape(w.Title))
		link.SetAttributeString("class", []byte("wiki-missing"))
		link.Title = []byte("Cette fiche n’existe pas encore : la créer")
	}
	link.AppendChild(link, ast.NewString([]byte(label)))
	for _, f := range e.found {
		if f == w.Slug {
			return link
		}
	}
	e.found = append(e.found, w.Slug)
	return link
}

// Heading is one entry of a table of contents.
type Heading struct {
	Level int    `json:"level"`
	ID    string `json:"id"`
	Text  string `json:"text"`
}

// headingList gathers the headings of a text with the IDs they were given.
type headingList struct{ list []Heading }

// maxHeadings bounds a table of contents; a text of thousands of headings
// still renders them all, the contents lists the first ones.
const maxHeadings = 300

func (h *headingList) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		hd, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		if len(h.list) < maxHeadings {
			id, _ := hd.AttributeString("id")
			idb, _ := id.([]byte)
			h.list = append(h.list, Heading{Level: hd.Level, ID: string(idb), Text: TruncateRunes(strings.Join(strings.Fields(inlineText(hd, source)), " "), 200)})
		}
		return ast.WalkSkipChildren, nil
	})
}

// inlineText is the text of a node's inline children as a reader sees it.
func inlineText(n ast.Node, source []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(source))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.CodeSpan:
			for g := t.FirstChild(); g != nil; g = g.NextSibling() {
				if tx, ok := g.(*ast.Text); ok {
					b.Write(tx.Segment.Value(source))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// wikiLinkText finds "[[cible]]" and "[[cible|texte]]" in markdown.
var wikiLinkText = regexp.MustCompile(`\[\[([^\[\]\n|]{1,150})(?:\|([^\[\]\n]{1,150}))?\]\]`)

// ExpandWikiLinks rewrites the [[…]] of a fiche's markdown as plain
// markdown links to baseURL (for exports read elsewhere); a fiche not
// written yet leaves its text. Code blocks are left as they are.
func (s *Store) ExpandWikiLinks(ctx context.Context, body, baseURL string) string {
	lines := strings.SplitAfter(body, "\n")
	fenced := false
	for i, line := range lines {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.Contains(line, "[[") {
			continue
		}
		lines[i] = wikiLinkText.ReplaceAllStringFunc(line, func(m string) string {
			parts := wikiLinkText.FindStringSubmatch(m)
			target, label := strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
			w := s.resolveWiki(ctx, s.db.R, target)
			if label == "" {
				label = target
				if w.Exists {
					label = w.Title
				}
			}
			label = strings.NewReplacer("[", "", "]", "").Replace(label)
			if !w.Exists {
				return label
			}
			return "[" + label + "](" + baseURL + FichePathOf(w.Slug) + ")"
		})
	}
	return strings.Join(lines, "")
}
