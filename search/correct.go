package search

import (
	"html"
	"regexp"
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

// suggest finds the closest word the index knows: the words stemming
// changes are in exact, the others (and the stems) in text.
func (m matcher) suggest(word string) (string, bool) {
	w := fold(word)
	rs := []rune(w)
	if len(rs) < 4 {
		return "", false
	}
	best, bestDist, bestCount := "", 3, uint64(0)
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
			d := levenshtein(e.Term, w)
			if d == 0 {
				dict.Close()
				return "", false // the word exists: not a typo
			}
			if d <= fuzziness(w) && (d < bestDist || d == bestDist && e.Count > bestCount) {
				best, bestDist, bestCount = e.Term, d, e.Count
			}
		}
		dict.Close()
	}
	return best, best != ""
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
