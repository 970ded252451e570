package search

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/ligue-mednum/ligue/content"
)

// Limits that keep any query cheap, whatever is typed.
const (
	MaxQueryLength = 200 // runes kept of the query
	maxClauses     = 12
	PerPage        = 20
	MaxPage        = 50
)

// Request is a search as members ask it, from the page or the API.
type Request struct {
	Q        string
	Types    []string // content.DocDiscussion, content.DocMessage
	Category string
	Tag      string
	Author   string
	Since    time.Time
	Until    time.Time
	Resolved bool
	Recent   bool // sort by date instead of relevance
	Page     int
	Viewer   *content.User
}

// Hit is one result: the index ID and the highlighted fragments.
type Hit struct {
	ID      string
	Type    string
	Score   float64
	Title   template.HTML // highlighted title, "" when the title did not match
	Excerpt template.HTML // highlighted excerpt of the body
}

// Facet is one value of a facet with its count.
type Facet struct {
	Value string
	Count int
}

// Results is a page of results with the facets of the whole result set.
type Results struct {
	Total      uint64
	Hits       []Hit
	Page       int
	Pages      int
	Types      []Facet
	Categories []Facet
	Tags       []Facet
	// Corrected is the query actually run when the typed one found nothing
	// and a close spelling did ("médiateur" for "mediatuer").
	Corrected string
	// Notice explains a query that was shortened or had nothing searchable.
	Notice string
	Took   time.Duration
}

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
		q = string([]rune(q)[:MaxQueryLength])
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

// matcher builds the queries of clauses against one index.
type matcher struct {
	idx bleve.Index
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

// text matches s in the title (weighted) and the body, as words or a phrase.
func (m matcher) text(s string, phrase bool, fields ...string) query.Query {
	if len(fields) == 0 {
		fields = []string{"title", "body"}
	}
	var alts []query.Query
	for _, f := range fields {
		boost := 1.0
		if f == "title" {
			boost = 3
		}
		switch {
		case phrase:
			q := bleve.NewMatchPhraseQuery(s)
			q.SetField(f)
			q.SetBoost(boost)
			alts = append(alts, q)
		default:
			q := bleve.NewMatchQuery(s)
			q.SetField(f)
			q.SetBoost(boost)
			q.SetOperator(query.MatchQueryOperatorAnd)
			alts = append(alts, q)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

func fuzziness(term string) int {
	if utf8.RuneCountInString(term) >= 7 {
		return 2
	}
	return 1
}

// expand returns the clause's query, with the synonyms of its words.
func (m matcher) clause(c clause) query.Query {
	switch {
	case c.field == "author":
		return termQuery("author", content.PseudoKey(c.text))
	case c.prefix:
		q := bleve.NewPrefixQuery(fold(c.text))
		q.SetField("exact")
		return q
	case c.field == "title":
		return m.text(c.text, c.phrase, "title")
	}
	return m.text(c.text, c.phrase)
}

// buildText turns the clauses into must / must-not queries. Runs of plain
// words are matched against the synonym list, longest first, so
// "conseiller numérique" also finds "CnFS".
func (m matcher) build(clauses []clause) (must, mustNot []query.Query, words int) {
	for i := 0; i < len(clauses); {
		c := clauses[i]
		if c.exclude {
			mustNot = append(mustNot, m.clause(c))
			i++
			continue
		}
		if c.field != "" || c.prefix {
			must = append(must, m.clause(c))
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
			typed := strings.Join(parts, " ")
			alts := []query.Query{m.text(typed, false)}
			seen := map[string]bool{strings.Join(m.analyzed(analyzerText, typed), " "): true}
			for _, alt := range group {
				key := strings.Join(m.analyzed(analyzerText, alt), " ")
				if key == "" || seen[key] {
					continue
				}
				seen[key] = true
				alts = append(alts, m.text(alt, strings.Contains(alt, " ")))
			}
			must = append(must, bleve.NewDisjunctionQuery(alts...))
			words += n
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
		must = append(must, m.clause(c))
		words++
		i++
	}
	return must, mustNot, words
}

var markRe = regexp.MustCompile(`<mark>([^<]+)</mark>`)

// Search runs a request for its viewer: only documents the viewer may read
// are counted, faceted and returned.
func (ix *Index) Search(ctx context.Context, r Request) (*Results, error) {
	// Held for the whole search: a swap to a rebuilt index waits for
	// searches in flight before closing the old one.
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	idx := ix.idx
	if idx == nil {
		return nil, ErrRebuilding
	}
	start := time.Now()
	clauses, notice := parse(r.Q)
	res := &Results{Notice: notice, Page: max(1, r.Page)}
	if res.Page > MaxPage {
		res.Notice = fmt.Sprintf("Les résultats s’arrêtent à la page %d : précisez votre recherche pour trouver plus vite.", MaxPage)
		res.Page = MaxPage
	}
	m := matcher{idx: idx}
	must, mustNot, words := m.build(clauses)
	if len(clauses) > 0 && len(must) == 0 && len(mustNot) == 0 {
		res.Notice = "Votre recherche ne contient que des mots très courants (« le », « de »…) : ajoutez un mot plus précis."
		return res, nil
	}
	if len(must) == 0 && !r.hasFilters() {
		return res, nil // empty query: the page explains how to search
	}
	if err := ix.run(ctx, idx, r, must, mustNot, res); err != nil {
		return nil, err
	}
	if res.Total == 0 && words > 0 {
		// Nothing found: correct the words that look like typos of words
		// the index knows, search again, and say so.
		fixed, changed := m.corrected(clauses)
		if changed {
			fmust, fnot, _ := m.build(fixed)
			if err := ix.run(ctx, idx, r, fmust, fnot, res); err != nil {
				return nil, err
			}
			if res.Total > 0 {
				res.Corrected = displayed(fixed, res.Hits)
			}
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

func (r Request) hasFilters() bool {
	return len(r.Types) > 0 || r.Category != "" || r.Tag != "" || r.Author != "" || !r.Since.IsZero() || !r.Until.IsZero() || r.Resolved
}

func (ix *Index) run(ctx context.Context, idx bleve.Index, r Request, must, mustNot []query.Query, res *Results) error {
	b := bleve.NewBooleanQuery()
	for _, q := range must {
		b.AddMust(q)
	}
	for _, q := range mustNot {
		b.AddMustNot(q)
	}
	b.AddMustNot(unreadable(r.Viewer))
	if len(r.Types) > 0 {
		var types []query.Query
		for _, t := range r.Types {
			types = append(types, termQuery("type", t))
		}
		b.AddMust(bleve.NewDisjunctionQuery(types...))
	}
	for field, value := range map[string]string{"category": r.Category, "tags": r.Tag, "author": content.PseudoKey(r.Author)} {
		if value != "" {
			b.AddMust(termQuery(field, value))
		}
	}
	if !r.Since.IsZero() || !r.Until.IsZero() {
		q := bleve.NewDateRangeQuery(r.Since, r.Until)
		q.SetField("date")
		b.AddMust(q)
	}
	if r.Resolved {
		q := bleve.NewBoolFieldQuery(true)
		q.SetField("resolved")
		b.AddMust(q)
	}
	// A small boost for accepted answers and resolved questions.
	accepted := bleve.NewBoolFieldQuery(true)
	accepted.SetField("accepted")
	accepted.SetBoost(0.5)
	b.AddShould(accepted)
	if len(must) == 0 {
		b.AddMust(bleve.NewMatchAllQuery())
	}

	req := bleve.NewSearchRequestOptions(b, PerPage, (res.Page-1)*PerPage, false)
	req.Highlight = bleve.NewHighlightWithStyle("html")
	req.Highlight.AddField("title")
	req.Highlight.AddField("body")
	req.Fields = []string{"title", "body"}
	req.AddFacet("type", bleve.NewFacetRequest("type", 4))
	req.AddFacet("category", bleve.NewFacetRequest("category", 10))
	req.AddFacet("tags", bleve.NewFacetRequest("tags", 12))
	if r.Recent {
		req.SortBy([]string{"-date", "-_score"})
	}
	sr, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return err
	}
	res.Total = sr.Total
	res.Pages = max(1, min(MaxPage, int((sr.Total+PerPage-1)/PerPage)))
	res.Hits = res.Hits[:0]
	for _, h := range sr.Hits {
		hit := Hit{ID: h.ID, Score: h.Score}
		hit.Type = content.DocMessage
		if strings.HasPrefix(h.ID, content.EntityTopic+":") {
			hit.Type = content.DocDiscussion
		}
		if f := h.Fragments["title"]; len(f) > 0 {
			hit.Title = template.HTML(f[0])
		}
		if f := h.Fragments["body"]; len(f) > 0 {
			hit.Excerpt = template.HTML(strings.Join(f, " … "))
		} else if body, ok := h.Fields["body"].(string); ok {
			hit.Excerpt = template.HTML(template.HTMLEscapeString(excerpt(body, 240)))
		}
		res.Hits = append(res.Hits, hit)
	}
	res.Types = facet(sr.Facets["type"])
	res.Categories = facet(sr.Facets["category"])
	res.Tags = facet(sr.Facets["tags"])
	return nil
}

func facet(f *bsearch.FacetResult) []Facet {
	if f == nil || f.Terms == nil {
		return nil
	}
	var out []Facet
	for _, t := range f.Terms.Terms() {
		out = append(out, Facet{Value: t.Term, Count: t.Count})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
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

func (m matcher) suggest(word string) (string, bool) {
	w := fold(word)
	rs := []rune(w)
	if len(rs) < 4 {
		return "", false
	}
	dict, err := m.idx.FieldDictPrefix("exact", []byte(string(rs[:2])))
	if err != nil {
		return "", false
	}
	defer dict.Close()
	best, bestDist, bestCount := "", 3, uint64(0)
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
			return "", false // the word exists: not a typo
		}
		if d <= fuzziness(w) && (d < bestDist || d == bestDist && e.Count > bestCount) {
			best, bestDist, bestCount = e.Term, d, e.Count
		}
	}
	return best, best != ""
}

// displayed is the corrected query as the results write its words (with
// their accents), for "Résultats pour « médiateur »".
func displayed(clauses []clause, hits []Hit) string {
	written := map[string]string{}
	for _, h := range hits {
		for _, m := range markRe.FindAllStringSubmatch(string(h.Title)+" "+string(h.Excerpt), -1) {
			w := strings.ToLower(html.UnescapeString(m[1]))
			written[fold(w)] = w
		}
	}
	var words []string
	for _, c := range clauses {
		if c.exclude {
			continue
		}
		if w, ok := written[fold(c.text)]; ok {
			words = append(words, w)
		} else {
			words = append(words, c.text)
		}
	}
	return strings.Join(words, " ")
}

func excerpt(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
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

// unreadable matches the restricted documents the viewer holds no mark for.
// Public documents carry no restriction, so the filter only walks the few
// restricted ones instead of intersecting every query with all documents.
func unreadable(viewer *content.User) query.Query {
	q := bleve.NewBooleanQuery()
	q.AddMust(termQuery("access", content.AccessRestricted))
	var mine []query.Query
	for _, mark := range content.AccessFor(viewer) {
		mine = append(mine, termQuery("access", mark))
	}
	q.AddMustNot(bleve.NewDisjunctionQuery(mine...))
	return q
}

func termQuery(field, value string) query.Query {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}

// Similar returns up to n discussions that look like a title and tags, most
// alike first (more-like-this by title words and tags); exclude is left out.
func (ix *Index) Similar(ctx context.Context, viewer *content.User, title string, tags []string, exclude string, n int) ([]string, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, ErrRebuilding
	}
	m := matcher{idx: ix.idx}
	var alike []query.Query
	seen := map[string]bool{}
	for _, w := range m.analyzed(analyzerText, excerpt(title, MaxQueryLength)) {
		if seen[w] || len(alike) >= maxClauses {
			continue
		}
		seen[w] = true
		q := bleve.NewTermQuery(w)
		q.SetField("title")
		alike = append(alike, q)
	}
	for _, t := range tags {
		q := bleve.NewTermQuery(t)
		q.SetField("tags")
		q.SetBoost(0.5)
		alike = append(alike, q)
	}
	if len(alike) == 0 {
		return nil, nil
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(bleve.NewDisjunctionQuery(alike...))
	b.AddMust(termQuery("type", content.DocDiscussion))
	b.AddMustNot(unreadable(viewer))
	if exclude != "" {
		b.AddMustNot(bleve.NewDocIDQuery([]string{exclude}))
	}
	sr, err := ix.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(b, n, 0, false))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(sr.Hits))
	for i, h := range sr.Hits {
		out[i] = h.ID
	}
	return out, nil
}
