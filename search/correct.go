package search

import (
	"context"
	"html"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
)

var markRe = regexp.MustCompile(`<mark>([^<]+)</mark>`)

// elision is the analysers' filter taking "l’" off "l’ordinateur".
var elision = func() analysis.TokenFilter {
	f, err := bleve.Config.Cache.TokenFilterNamed(fr.ElisionName)
	if err != nil {
		panic(err)
	}
	return f
}()

// unelided is a marked word without its elided article: a highlight marks
// the whole "l’ordinateur", the correction shows "ordinateur".
func unelided(w string) string {
	tok := &analysis.Token{Term: []byte(w)}
	elision.Filter(analysis.TokenStream{tok})
	return string(tok.Term)
}

// corrected replaces each plain word by the closest word of the index
// (within one or two letters), preferring the most frequent.
func (m matcher) corrected(clauses []clause) ([]clause, bool) {
	out := make([]clause, len(clauses))
	changed := false
	for i, c := range clauses {
		out[i] = c
		if c.exclude || c.field != "" || c.prefix || c.phrase {
			continue
		}
		if w, ok := m.suggest(c.text); ok {
			out[i].text, changed = w, true
		}
	}
	return out, changed
}

// suggest finds the closest word of the documents the viewer may read:
// the words stemming changes are in exact, the others (and the stems) in
// text. The index's dictionary holds every document's words, brouillons'
// included, so each candidate is checked against what the viewer reads
// before it counts — as a correction, or as proof that the typed word
// exists: otherwise a word found only in a private text would change what
// a visitor is offered, and tell them it is written somewhere.
func (m matcher) suggest(word string) (string, bool) {
	w := fold(word)
	rs := []rune(w)
	if len(rs) < 4 {
		return "", false
	}
	type candidate struct {
		field, term string
		dist        int
		count       uint64
	}
	var found []candidate
	for _, field := range []string{"exact", "text"} {
		dict, err := m.idx.FieldDictPrefix(field, []byte(string(rs[:2])))
		if err != nil {
			return "", false
		}
		for i := 0; i < 50000; i++ {
			e, err := dict.Next()
			if err != nil || e == nil {
				break
			}
			if n := utf8.RuneCountInString(e.Term); n < len(rs)-2 || n > len(rs)+2 {
				continue
			}
			if d := levenshtein(e.Term, w); d <= fuzziness(w) {
				found = append(found, candidate{field, e.Term, d, e.Count})
			}
		}
		dict.Close()
	}
	// The closest first, then the most frequent; the typed word itself
	// (distance 0) says there is no typo, if the viewer may read it.
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].dist != found[j].dist {
			return found[i].dist < found[j].dist
		}
		return found[i].count > found[j].count
	})
	best, bestDist, bestCount := "", -1, uint64(0)
	for i, c := range found {
		if i >= maxSuggestChecks || bestDist >= 0 && c.dist > bestDist {
			break
		}
		n := m.readable(c.field, c.term)
		switch {
		case n == 0:
		case c.dist == 0:
			return "", false // the word exists: not a typo
		case n > bestCount:
			best, bestDist, bestCount = c.term, c.dist, n
		}
	}
	return best, best != ""
}

// maxSuggestChecks bounds the candidates a correction checks.
const maxSuggestChecks = 24

// readable counts the documents the viewer may read whose field holds term.
func (m matcher) readable(field, term string) uint64 {
	ctx := m.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(termQuery(field, term))
	b.AddMustNot(unreadable(m.viewer))
	sr, err := m.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(b, 0, 0, false))
	if err != nil {
		return 0
	}
	return sr.Total
}

// prefixed reads the plain words of three letters or more as beginnings of
// words.
func prefixed(clauses []clause) ([]clause, bool) {
	out := make([]clause, len(clauses))
	changed := false
	for i, c := range clauses {
		if !c.phrase && !c.prefix && !c.exclude && c.field == "" && utf8.RuneCountInString(c.text) >= 3 {
			c.prefix, changed = true, true
		}
		out[i] = c
	}
	return out, changed
}

// displayed is the corrected query as the results write its words (with
// their accents), for "Résultats pour « médiateur »". A correction may be a
// stem ("cart"): it is shown as the shortest word the results write for it.
func (m matcher) displayed(clauses []clause, hits []Hit) string {
	written, byStem := map[string]string{}, map[string]string{}
	for _, h := range hits {
		for _, mark := range markRe.FindAllStringSubmatch(string(h.Title)+" "+string(h.Excerpt), -1) {
			w := unelided(strings.ToLower(html.UnescapeString(mark[1])))
			written[fold(w)] = w
			for _, stem := range m.analyzed(analyzerText, w) {
				if cur, ok := byStem[stem]; !ok || len(w) < len(cur) {
					byStem[stem] = w
				}
			}
		}
	}
	var words []string
	for _, c := range clauses {
		if c.exclude {
			continue
		}
		w, ok := written[fold(c.text)]
		if stems := m.analyzed(analyzerText, c.text); !ok && len(stems) == 1 {
			w, ok = byStem[stems[0]]
		}
		if !ok {
			w = c.text
		}
		if c.prefix && !ok {
			w += "…"
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// fuzziness is how many letters a typo of term may have wrong.
func fuzziness(term string) int {
	if utf8.RuneCountInString(term) >= 7 {
		return 2
	}
	return 1
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
