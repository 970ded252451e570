package search

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/ligue-mednum/ligue/content"
)

// clause is one part of a parsed query.
type clause struct {
	text    string
	phrase  bool
	prefix  bool
	exclude bool
	field   string // "", "title", "author"
}

// parse reads the query language: words (all required), "exact phrase",
// -excluded, titre:word, auteur:pseudo, prefix*. Unknown fields are words.
func parse(q string) (clauses []clause, notice string) {
	if utf8.RuneCountInString(q) > MaxQueryLength {
		q = content.TruncateRunes(q, MaxQueryLength)
		notice = "Votre recherche était très longue : seuls ses 200 premiers caractères ont été utilisés."
	}
	rs := []rune(q)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		c := clause{}
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			c.exclude = true
			i++
		}
		if rs[i] == '"' {
			end := i + 1
			for end < len(rs) && rs[end] != '"' {
				end++
			}
			c.text, c.phrase = string(rs[i+1:end]), true
			i = end + 1
		} else {
			end := i
			for end < len(rs) && !unicode.IsSpace(rs[end]) {
				end++
			}
			word := string(rs[i:end])
			i = end
			if name, value, ok := strings.Cut(word, ":"); ok {
				switch strings.ToLower(name) {
				case "titre":
					c.field, word = "title", value
				case "auteur", "auteure", "autrice":
					c.field, word = "author", value
				default:
					word = name + " " + value
				}
			}
			if strings.HasSuffix(word, "*") && c.field != "author" {
				word = strings.TrimRight(word, "*")
				c.prefix = true
			}
			c.text = word
		}
		c.text = strings.TrimSpace(c.text)
		if !hasLetterOrDigit(c.text) || (c.prefix && utf8.RuneCountInString(c.text) < 2) {
			continue
		}
		if len(clauses) == maxClauses {
			notice = strings.TrimSpace(notice + " Votre recherche comptait beaucoup de termes : seuls les 12 premiers ont été utilisés.")
			break
		}
		clauses = append(clauses, c)
	}
	return clauses, notice
}

func hasLetterOrDigit(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// matcher builds the queries of clauses against one index, for a viewer
// (whose readable documents alone may suggest a spelling).
type matcher struct {
	idx    bleve.Index
	ctx    context.Context
	viewer *content.User
}

// plan is a query made of clauses, as Bleve runs it. Words are term
// queries in one flat conjunction: each nesting level (a match query is a
// conjunction of its own) costs on every match.
type plan struct {
	must, mustNot []query.Query
	titleWords    map[string]bool // analysed words that weigh more in a title
	words         int             // plain words, which a spelling correction may fix
	terms         map[string]bool // analysed words to highlight
	prefixes      []string        // folded prefixes to highlight
}

// should is what only adds to the score: the query's words in a title.
func (p *plan) should() []query.Query {
	var out []query.Query
	for w := range p.titleWords {
		q := bleve.NewTermQuery(w)
		q.SetField("title")
		q.SetBoost(2)
		out = append(out, q)
	}
	return out
}

// analyzed returns the tokens an analyzer makes of s (stop words removed).
func (m matcher) analyzed(name, s string) []string {
	a := m.idx.Mapping().AnalyzerNamed(name)
	var out []string
	for _, tok := range a.Analyze([]byte(s)) {
		out = append(out, string(tok.Term))
	}
	return out
}

// words is a term query on field for each word of s; nothing matches a
// text of stop words only.
func (m matcher) words(field, s string) []query.Query {
	var out []query.Query
	for _, w := range m.analyzed(analyzerText, s) {
		out = append(out, termQuery(field, w))
	}
	if len(out) == 0 {
		out = append(out, bleve.NewMatchNoneQuery())
	}
	return out
}

// all matches what every query matches.
func all(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewConjunctionQuery(qs...)
}

// clause returns what a clause requires, as queries that all must match.
func (m matcher) clause(c clause) []query.Query {
	switch {
	case c.field == "author":
		return []query.Query{termQuery("author", content.PseudoKey(c.text))}
	case c.prefix:
		// A word is either its own stem, in text, or in exact.
		var alts []query.Query
		for _, field := range []string{"text", "exact"} {
			q := bleve.NewPrefixQuery(fold(c.text))
			q.SetField(field)
			alts = append(alts, q)
		}
		return []query.Query{bleve.NewDisjunctionQuery(alts...)}
	case c.field == "title":
		return m.words("title", c.text)
	case c.phrase:
		q := bleve.NewMatchPhraseQuery(c.text)
		q.SetField("text")
		return []query.Query{q}
	}
	return m.words("text", c.text)
}

// require adds a clause the documents must match: its words are
// highlighted, and weigh more in a title.
func (m matcher) require(p *plan, c clause) {
	switch {
	case c.field == "author":
	case c.prefix:
		p.prefixes = append(p.prefixes, fold(c.text))
	default:
		for _, w := range m.analyzed(analyzerText, c.text) {
			p.terms[w] = true
			if c.field == "" {
				p.titleWords[w] = true
			}
		}
	}
}

// build turns the clauses into must / must-not queries. Runs of plain
// words are matched against the synonym list, longest first, so
// "conseiller numérique" also finds "CnFS".
func (m matcher) build(clauses []clause) *plan {
	p := &plan{titleWords: map[string]bool{}, terms: map[string]bool{}}
	for i := 0; i < len(clauses); {
		c := clauses[i]
		if c.exclude {
			p.mustNot = append(p.mustNot, all(m.clause(c)))
			i++
			continue
		}
		if c.field != "" || c.prefix {
			p.must = append(p.must, m.clause(c)...)
			m.require(p, c)
			i++
			continue
		}
		// Longest run of plain words (or one phrase) with synonyms.
		matched := false
		for n := min(longestSynonym, len(clauses)-i); n >= 1 && !matched; n-- {
			parts := make([]string, 0, n)
			plain := true
			for _, cc := range clauses[i : i+n] {
				plain = plain && !cc.exclude && cc.field == "" && !cc.prefix && (!cc.phrase || n == 1)
				parts = append(parts, cc.text)
			}
			if !plain {
				continue
			}
			group, ok := synonyms[fold(strings.Join(parts, " "))]
			if !ok {
				continue
			}
			// The words as typed, then each other expression once: many
			// analyse to the same stems ("médiateur/médiation numérique"),
			// and a phrase query on common words is costly.
			typed := clause{text: strings.Join(parts, " ")}
			m.require(p, typed)
			alts := [][]query.Query{m.clause(typed)}
			seen := map[string]bool{strings.Join(m.analyzed(analyzerText, typed.text), " "): true}
			for _, alt := range group {
				key := strings.Join(m.analyzed(analyzerText, alt), " ")
				if key == "" || seen[key] {
					continue
				}
				seen[key] = true
				c := clause{text: alt, phrase: strings.Contains(alt, " ")}
				m.require(p, c)
				alts = append(alts, m.clause(c))
			}
			if len(alts) == 1 {
				p.must = append(p.must, alts[0]...)
			} else {
				var either []query.Query
				for _, alt := range alts {
					either = append(either, all(alt))
				}
				p.must = append(p.must, bleve.NewDisjunctionQuery(either...))
			}
			p.words += n
			i += n
			matched = true
		}
		if matched {
			continue
		}
		if !c.phrase && len(m.analyzed(analyzerText, c.text)) == 0 {
			i++ // a stop word alone ("le", "de") would match nothing
			continue
		}
		p.must = append(p.must, m.clause(c)...)
		m.require(p, c)
		p.words++
		i++
	}
	return p
}
