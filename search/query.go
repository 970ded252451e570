package search

import (
	"context"
	"fmt"
	"html/template"
	"time"

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
	Types    []string // content.DocType values
	Category string
	Tag      string
	Audience string // a fiche's public
	Author   string
	Since    time.Time
	Until    time.Time
	Resolved bool
	Recent   bool // sort by date instead of relevance
	Exact    bool // the words as typed: no prefix or spelling correction
	// Group keeps the documents of one group only ("topic:42"), each its
	// own hit.
	Group string
	// Grouped answers one hit per group (a discussion), its best match,
	// with Hit.Others counting the group's other matches; Total and the
	// pages then count groups. Ignored with Group: within one group, each
	// match is a hit.
	Grouped bool
	Page    int
	Viewer  *content.User
}

// grouped tells whether hits are grouped.
func (r Request) grouped() bool { return r.Grouped && r.Group == "" }

// Where a hit's words were found (Hit.Why), as members read it.
const (
	WhyTitle = "titre"
	WhyBody  = "texte"
	WhyTag   = "étiquette"
)

// Hit is one result: the index ID and the highlighted fragments.
type Hit struct {
	ID      string
	Type    string
	Score   float64
	Title   template.HTML // highlighted title of a discussion, "" for a message
	Excerpt template.HTML // highlighted excerpt of the body
	Group   string        // the document's group ("topic:42"), "" for none
	Others  int           // the group's other matches, for a grouped request
	// Why says where the query's words were found: WhyTitle, WhyBody,
	// WhyTag, in that order; empty for a search by filters alone.
	Why []string
	// TagsMatched are the document's tags the words matched.
	TagsMatched []string
}

// Facet is one value of a facet with its count.
type Facet struct {
	Value string
	Count int
}

// Results is a page of results with the facets of the whole result set.
type Results struct {
	// Total counts the results: the groups for a grouped request, else
	// the matching documents, which Matches always counts.
	Total   uint64
	Matches uint64
	Hits    []Hit
	Page    int
	Pages   int
	// The facets count matching documents (a discussion with three
	// matching messages counts three), not groups.
	Types      []Facet
	Categories []Facet
	Tags       []Facet
	Audiences  []Facet
	// Corrected is the query actually run when the typed one found nothing
	// and a close spelling did ("médiateur" for "mediatuer").
	Corrected string
	// Notice explains a query that was shortened or had nothing searchable.
	Notice string
	Took   time.Duration
}

// Search runs a request for its viewer: only documents the viewer may read
// are counted, faceted and returned. On a damaged index it answers
// ErrRebuilding (and the rebuild starts), never a panic.
func (ix *Index) Search(ctx context.Context, r Request) (res *Results, err error) {
	if err := guard(func() error { res, err = ix.search(ctx, r); return err }); err != nil {
		return nil, ix.failed(ctx, "search", err)
	}
	return res, nil
}

func (ix *Index) search(ctx context.Context, r Request) (*Results, error) {
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
	m := matcher{idx: idx, ctx: ctx, viewer: r.Viewer}
	p := m.build(clauses)
	if len(clauses) > 0 && len(p.must) == 0 && len(p.mustNot) == 0 {
		res.Notice = "Votre recherche ne contient que des mots très courants (« le », « de »…) : ajoutez un mot plus précis."
		return res, nil
	}
	if len(p.must) == 0 && !r.hasFilters() {
		return res, nil // empty query: the page explains how to search
	}
	if err := ix.run(ctx, idx, r, p, res); err != nil {
		return nil, err
	}
	if res.Total == 0 && p.words > 0 && !r.Exact {
		// Nothing found: first read the short words as beginnings of words
		// ("sécu" finds "sécurité"), then correct the words that look like
		// typos of words the index knows; search again, and say so.
		for _, try := range []func([]clause) ([]clause, bool){prefixed, m.corrected} {
			fixed, changed := try(clauses)
			if !changed {
				continue
			}
			if err := ix.run(ctx, idx, r, m.build(fixed), res); err != nil {
				return nil, err
			}
			if res.Total > 0 {
				res.Corrected = m.displayed(fixed, res.Hits)
				break
			}
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

func (r Request) hasFilters() bool {
	return len(r.Types) > 0 || r.Category != "" || r.Tag != "" || r.Audience != "" || r.Author != "" || !r.Since.IsZero() || !r.Until.IsZero() ||
		r.Resolved || r.Group != ""
}

// run searches idx for the plan and the request, and fills res with the
// page of hits, the total and the facets.
func (ix *Index) run(ctx context.Context, idx bleve.Index, r Request, p *plan, res *Results) error {
	snap, err := openSnapshot(idx)
	if err != nil {
		return err
	}
	defer snap.Close()
	// Neither Bleve's highlighting nor its facets: they would read the
	// positions of the words and the facet values of every match.
	q, order, from := p.query(r), sortOrder(r.Recent), (res.Page-1)*PerPage
	var found *collected
	var page bsearch.DocumentMatchCollection
	if r.grouped() {
		g, err := collectGroups(ctx, snap, idx.Mapping(), &ix.facets, q, order, from, PerPage, parts(snap))
		if err != nil {
			return err
		}
		found, page, res.Total = g.found, g.hits, g.groups
	} else {
		found, err = collect(ctx, snap, idx.Mapping(), &ix.facets, q, order, from, PerPage, parts(snap))
		if err != nil {
			return err
		}
		page, res.Total = found.hits, found.total
	}
	hl, err := newHighlighter(idx.Mapping())
	if err != nil {
		return err
	}
	res.Matches = found.total
	res.Pages = max(1, min(MaxPage, int((res.Total+PerPage-1)/PerPage)))
	res.Hits = res.Hits[:0]
	for _, h := range page {
		hit := Hit{ID: h.ID, Score: h.Score, Group: found.counter.group(h)}
		if r.grouped() {
			hit.Others = found.counter.others(h)
		}
		if err := hl.highlight(p, snap, h, &hit); err != nil {
			return err
		}
		if hit.TagsMatched = hl.matchedTags(p, found.counter.tags(h)); len(hit.TagsMatched) > 0 {
			hit.Why = append(hit.Why, WhyTag)
		}
		res.Hits = append(res.Hits, hit)
	}
	found.counter.fill(res)
	return nil
}

// sortOrder is by relevance, or most recent first.
func sortOrder(recent bool) bsearch.SortOrder {
	if recent {
		return bsearch.ParseSortOrderStrings([]string{"-date", "-_score"})
	}
	return bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
}

// query finds the documents of the plan and the request's filters that
// the viewer may read.
func (p *plan) query(r Request) *query.BooleanQuery {
	b := bleve.NewBooleanQuery()
	for _, q := range p.must {
		b.AddMust(q)
	}
	for _, q := range p.mustNot {
		b.AddMustNot(q)
	}
	b.AddMustNot(unreadable(r.Viewer))
	if len(r.Types) > 0 {
		var types []query.Query
		for _, t := range r.Types {
			types = append(types, facetQuery(facetType, t))
		}
		b.AddMust(bleve.NewDisjunctionQuery(types...))
	}
	if r.Category != "" {
		b.AddMust(facetQuery(facetCategory, r.Category))
	}
	if r.Tag != "" {
		b.AddMust(facetQuery(facetTag, r.Tag))
	}
	if r.Audience != "" {
		b.AddMust(facetQuery(facetAudience, r.Audience))
	}
	if r.Group != "" {
		b.AddMust(facetQuery(facetGroup, r.Group))
	}
	if r.Author != "" {
		b.AddMust(termQuery("author", content.PseudoKey(r.Author)))
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
	if len(p.must) == 0 {
		b.AddMust(bleve.NewMatchAllQuery())
	}
	for _, q := range p.should() {
		b.AddShould(q)
	}
	// A small boost for accepted answers and resolved questions.
	accepted := bleve.NewBoolFieldQuery(true)
	accepted.SetField("accepted")
	accepted.SetBoost(0.5)
	b.AddShould(accepted)
	return b
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

// Similar returns up to n documents of type typ that look like a title and
// tags, most alike first (more-like-this by title words and tags); exclude
// is left out.
func (ix *Index) Similar(ctx context.Context, viewer *content.User, typ, title string, tags []string, exclude string, n int) (ids []string, err error) {
	if err := guard(func() error { ids, err = ix.similar(ctx, viewer, typ, title, tags, exclude, n); return err }); err != nil {
		return nil, ix.failed(ctx, "similar", err)
	}
	return ids, nil
}

// commonShare is the share of titles past which a word says nothing of
// what a title is about (« faire », « comment »): « Voir aussi » leaves it
// out, else it would score most of the index for nothing.
const commonShare = 0.05

// commonTitleWords tells the words found in more than commonShare of the
// titles, from the index's dictionary (one lookup a word), once the index
// holds enough documents for the share to mean something; done releases
// the index reader it holds.
func (ix *Index) commonTitleWords(ctx context.Context) (common func(string) bool, done func(), err error) {
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, nil, err
	}
	done = func() { r.Close() }
	docs, err := r.DocCount()
	if err != nil || docs < 200 {
		return func(string) bool { return false }, done, err
	}
	limit := uint64(float64(docs) * commonShare)
	return func(w string) bool {
		tfr, err := r.TermFieldReader(ctx, []byte(w), "title", false, false, false)
		if err != nil {
			return false
		}
		defer tfr.Close()
		return tfr.Count() > limit
	}, done, nil
}

func (ix *Index) similar(ctx context.Context, viewer *content.User, typ, title string, tags []string, exclude string, n int) ([]string, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, ErrRebuilding
	}
	m := matcher{idx: ix.idx, ctx: ctx, viewer: viewer}
	var alike []query.Query
	seen := map[string]bool{}
	common, done, err := ix.commonTitleWords(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	for _, w := range m.analyzed(analyzerText, content.TruncateRunes(title, MaxQueryLength)) {
		if seen[w] || len(alike) >= maxClauses || common(w) {
			continue
		}
		seen[w] = true
		q := bleve.NewTermQuery(w)
		q.SetField("title")
		alike = append(alike, q)
	}
	for _, t := range tags {
		q := bleve.NewTermQuery(facetTag + t)
		q.SetField("facets")
		q.SetBoost(0.5)
		alike = append(alike, q)
	}
	if len(alike) == 0 {
		return nil, nil
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(bleve.NewDisjunctionQuery(alike...))
	b.AddMust(facetQuery(facetType, typ))
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
