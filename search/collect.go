package search

import (
	"context"
	"runtime"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// splitDocs is the index size from which a search is split in two.
const splitDocs = 20_000

// collected is what a search found: a page of hits, the number of matches
// and their facet counts.
type collected struct {
	hits    bsearch.DocumentMatchCollection
	total   uint64
	counter *facetCounter
}

// parts is how many pieces a search on snap is split into: two on a large
// index when there are two cores.
func parts(snap *snapshot) int {
	if snap.docs() >= splitDocs && runtime.GOMAXPROCS(0) > 1 {
		return 2
	}
	return 1
}

// collect runs q on snap with Bleve's collector, counting the facets of
// every match on the way. Split in parts, ranges of document numbers are
// searched at once, by a searcher and a collector each, and the pages
// merged: scores do not depend on the split, and on two cores a large
// result takes about half as long.
func collect(ctx context.Context, snap *snapshot, m mapping.IndexMapping, tables *facetTables, q query.Query,
	order bsearch.SortOrder, from, size, parts int) (*collected, error) {
	counter, err := tables.counter(snap)
	if err != nil {
		return nil, err
	}
	type part struct {
		r     *rangeSearcher
		hits  bsearch.DocumentMatchCollection
		total uint64
		err   error
	}
	ps := make([]part, parts)
	docs := snap.docs()
	var wg sync.WaitGroup
	for i := range ps {
		p := &ps[i]
		p.r = &rangeSearcher{counter: counter}
		if i > 0 {
			p.r.counter = counter.clone()
			p.r.from = index.NewIndexInternalID(nil, docs*uint64(i)/uint64(parts))
		}
		if i < parts-1 {
			p.r.to = index.NewIndexInternalID(nil, docs*uint64(i+1)/uint64(parts))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.err = guard(func() error { // a panic here would not reach the caller's guard
				searcher, err := q.Searcher(ctx, snap, m, bsearch.SearcherOptions{})
				if err != nil {
					return err
				}
				defer searcher.Close()
				p.r.Searcher = searcher
				coll := collector.NewTopNCollector(from+size, 0, order.Copy())
				err = coll.Collect(ctx, p.r, snap)
				p.hits, p.total = coll.Results(), coll.Total()
				return err
			})
		}()
	}
	wg.Wait()
	out := &collected{counter: counter}
	for i, p := range ps {
		if p.err != nil {
			return nil, p.err
		}
		for _, h := range p.hits {
			h.HitNumber += out.total // ties keep the order of the documents
		}
		out.hits = append(out.hits, p.hits...)
		out.total += p.total
		if i > 0 {
			counter.add(p.r.counter)
		}
	}
	scoring, desc := order.CacheIsScore(), order.CacheDescending()
	sort.SliceStable(out.hits, func(i, j int) bool {
		return order.Compare(scoring, desc, out.hits[i], out.hits[j]) < 0
	})
	out.hits = out.hits[min(from, len(out.hits)):min(from+size, len(out.hits))]
	return out, nil
}

// rangeSearcher passes on the matches of a range of document numbers
// (from included, to excluded, nil for no bound), counting their facets.
type rangeSearcher struct {
	bsearch.Searcher
	counter  *facetCounter
	from, to index.IndexInternalID
	started  bool
}

func (s *rangeSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if !s.started && s.from != nil {
		return s.Advance(ctx, s.from)
	}
	s.started = true
	dm, err := s.Searcher.Next(ctx)
	return s.pass(ctx, dm, err)
}

func (s *rangeSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	if !s.started && s.from != nil && id.Compare(s.from) < 0 {
		id = s.from
	}
	s.started = true
	dm, err := s.Searcher.Advance(ctx, id)
	return s.pass(ctx, dm, err)
}

func (s *rangeSearcher) pass(ctx *bsearch.SearchContext, dm *bsearch.DocumentMatch, err error) (*bsearch.DocumentMatch, error) {
	if err != nil || dm == nil {
		return nil, err
	}
	if s.to != nil && dm.IndexInternalID.Compare(s.to) >= 0 {
		ctx.DocumentMatchPool.Put(dm)
		return nil, nil
	}
	s.counter.count(dm.IndexInternalID)
	return dm, nil
}
