package search

import (
	"errors"
	"html/template"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	index "github.com/blevesearch/bleve_index_api"
)

// highlighter marks the words a query looked for in the stored title and
// body of its hits, analysed again, with Bleve's HTML highlighter, which
// picks the fragment and escapes the text: highlighting through the search
// would read the positions of the words of every match.
type highlighter struct {
	html highlight.Highlighter
	text *analysis.DefaultAnalyzer
}

func newHighlighter(m mapping.IndexMapping) (*highlighter, error) {
	hl, err := bleve.Config.Cache.HighlighterNamed(html.Name)
	if err != nil {
		return nil, err
	}
	text, ok := m.AnalyzerNamed(analyzerText).(*analysis.DefaultAnalyzer)
	if !ok {
		return nil, errors.New("search: the text analyser is not a token filter chain")
	}
	return &highlighter{hl, text}, nil
}

// highlight fills the highlighted title and excerpt of a hit of p.
func (h *highlighter) highlight(p *plan, snap *snapshot, dm *bsearch.DocumentMatch, hit *Hit) error {
	doc, err := snap.stored(dm.ID, dm.IndexInternalID)
	if err != nil {
		return err
	}
	var title, body []byte
	doc.VisitFields(func(f index.Field) {
		switch f.Name() {
		case "title":
			title = f.Value()
		case "body":
			body = f.Value()
		case "type":
			hit.Type = string(f.Value())
		}
	})
	found := &bsearch.DocumentMatch{Locations: bsearch.FieldTermLocationMap{
		"title": p.locations(h.text, title),
		"body":  p.locations(h.text, body),
	}}
	if len(found.Locations["title"]) > 0 {
		hit.Why = append(hit.Why, WhyTitle)
	}
	if len(found.Locations["body"]) > 0 {
		hit.Why = append(hit.Why, WhyBody)
	}
	if f := h.html.BestFragmentsInField(found, doc, "title", 1); len(f) > 0 {
		hit.Title = template.HTML(f[0])
	}
	if f := h.html.BestFragmentsInField(found, doc, "body", 1); len(f) > 0 {
		hit.Excerpt = template.HTML(f[0])
	}
	return nil
}

// matchedTags lists the tags in which the query's words are found: the
// tags are words of the "text" field, and a match on them alone shows in
// neither the title nor the excerpt.
func (h *highlighter) matchedTags(p *plan, tags []string) []string {
	var out []string
	for _, t := range tags {
		if len(p.locations(h.text, []byte(t))) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// locations finds the words of s the query looked for, as the analyser
// sees them: their stems, or the words themselves for prefixes. Each word
// goes alone through the analyser's filters in one reused token: a fraction
// of the cost of analysing the whole text, which makes a token per word.
func (p *plan) locations(text *analysis.DefaultAnalyzer, s []byte) bsearch.TermLocationMap {
	tlm := bsearch.TermLocationMap{}
	if len(p.terms) == 0 && len(p.prefixes) == 0 {
		return tlm
	}
	var tok analysis.Token
	var buf []byte
	stream := make(analysis.TokenStream, 1)
	pos := 0
	eachWord(s, func(start, end int) {
		pos++
		buf = append(buf[:0], s[start:end]...) // filters write to the term, not to s
		tok = analysis.Token{Term: buf, Start: start, End: end, Position: pos, Type: analysis.AlphaNumeric}
		stream[0] = &tok
		out := stream
		for _, f := range text.TokenFilters {
			if out = f.Filter(out); len(out) == 0 {
				return // a stop word
			}
		}
		if term := out[0].Term; p.terms[string(term)] || p.hasPrefix(term, s[start:end]) {
			tlm.AddLocation(string(term), &bsearch.Location{Pos: uint64(pos), Start: uint64(start), End: uint64(end)})
		}
	})
	return tlm
}

// hasPrefix tells whether a word (or its stem) starts with a prefix the
// query looked for; an elision ("l’") is not part of the word.
func (p *plan) hasPrefix(stem, word []byte) bool {
	if len(p.prefixes) == 0 {
		return false
	}
	w := fold(string(word))
	if i := strings.LastIndexByte(w, '\''); i >= 0 {
		w = w[i+1:]
	}
	for _, prefix := range p.prefixes {
		if strings.HasPrefix(string(stem), prefix) || strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}
