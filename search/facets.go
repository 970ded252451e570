package search

import (
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Type, category and tags share the "facets" keyword field, prefixed by
// what they are.
const (
	facetType     = "type:"
	facetCategory = "category:"
	facetTag      = "tag:"
)

// How many values of each facet a page shows.
const (
	maxTypes      = 4
	maxCategories = 10
	maxTags       = 12
)

func facetQuery(prefix, value string) query.Query {
	return termQuery("facets", prefix+value)
}

// facetValues lists a document's facet terms.
func facetValues(typ, category string, tags []string) []string {
	out := make([]string, 0, 2+len(tags))
	out = append(out, facetType+typ, facetCategory+category)
	for _, t := range tags {
		out = append(out, facetTag+t)
	}
	return out
}

// Facets are counted exactly, for every match, while the collector pulls
// the matches. Bleve's own facets read each match's values from compressed
// doc values, which cost more than the search itself on large results.
// Instead, each segment of the index (immutable, identified by its ID) gets
// a table of its documents' facet values, built once from the field's
// postings; counting a match is then a few array reads.

// facetTables holds the tables of the segments of one Bleve index.
type facetTables struct {
	mu       sync.Mutex
	owner    bleve.Index               // segment IDs are those of this index
	terms    []string                  // facet terms by ordinal
	ordinals map[string]uint32         // facet term → ordinal
	segments map[uint64]*segmentFacets // by segment ID
}

// segmentFacets lists the facet values of a segment's documents: those of
// document d are ords[start[d]:start[d+1]].
type segmentFacets struct {
	start []uint32
	ords  []uint32
}

// warmFacets builds the facet tables of the segments searches have not
// seen yet (after opening, writing, or a merge), so that searches need not.
func (ix *Index) warmFacets() error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil
	}
	snap, err := openSnapshot(ix.idx)
	if err != nil {
		return err
	}
	defer snap.Close()
	_, err = ix.facets.counter(snap)
	return err
}

// counter returns a counter for the matches of a search on snap, building
// the tables of segments not seen yet.
func (t *facetTables) counter(snap *snapshot) (*facetCounter, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.owner != snap.owner || t.segments == nil {
		t.owner, t.terms, t.ordinals, t.segments = snap.owner, nil, map[string]uint32{}, map[uint64]*segmentFacets{}
	}
	c := &facetCounter{offsets: snap.offsets}
	live := map[uint64]bool{}
	for _, ss := range snap.segments {
		sf, ok := t.segments[ss.Id()]
		if !ok {
			var err error
			if sf, err = t.build(ss.Segment()); err != nil {
				return nil, err
			}
			t.segments[ss.Id()] = sf
		}
		live[ss.Id()] = true
		c.segments = append(c.segments, sf)
	}
	for id := range t.segments {
		if !live[id] {
			delete(t.segments, id) // merged away (a search still using it holds its own pointer)
		}
	}
	c.terms = t.terms
	c.counts = make([]int, len(t.terms))
	return c, nil
}

// build reads a segment's facet postings into its table.
func (t *facetTables) build(seg segment.Segment) (*segmentFacets, error) {
	dict, err := seg.Dictionary("facets")
	if err != nil {
		return nil, err
	}
	type pair struct{ doc, ord uint32 }
	var pairs []pair
	perDoc := make([]uint32, seg.Count()+1)
	terms := dict.AutomatonIterator(everyTerm{}, nil, nil)
	for {
		e, err := terms.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		ord, ok := t.ordinals[e.Term]
		if !ok {
			ord = uint32(len(t.terms))
			t.terms = append(t.terms, e.Term)
			t.ordinals[e.Term] = ord
		}
		pl, err := dict.PostingsList([]byte(e.Term), nil, nil)
		if err != nil {
			return nil, err
		}
		it := pl.Iterator(false, false, false, nil)
		for {
			p, err := it.Next()
			if err != nil {
				return nil, err
			}
			if p == nil {
				break
			}
			pairs = append(pairs, pair{uint32(p.Number()), ord})
			perDoc[p.Number()+1]++
		}
	}
	sf := &segmentFacets{start: perDoc, ords: make([]uint32, len(pairs))}
	for d := 1; d < len(sf.start); d++ {
		sf.start[d] += sf.start[d-1]
	}
	next := append([]uint32(nil), sf.start...)
	for _, p := range pairs {
		sf.ords[next[p.doc]] = p.ord
		next[p.doc]++
	}
	return sf, nil
}

// everyTerm is the automaton matching every term of a dictionary.
type everyTerm struct{}

func (everyTerm) Start() int               { return 0 }
func (everyTerm) IsMatch(int) bool         { return true }
func (everyTerm) CanMatch(int) bool        { return true }
func (everyTerm) WillAlwaysMatch(int) bool { return true }
func (everyTerm) Accept(int, byte) int     { return 0 }

// facetCounter counts the facet values of the matches of one search.
type facetCounter struct {
	offsets  []uint64 // of the snapshot's segments
	segments []*segmentFacets
	terms    []string
	counts   []int // by ordinal
	seg      int   // segment of the last match: matches come in order
}

func (c *facetCounter) count(id index.IndexInternalID) {
	n := id.Value()
	if c.seg >= len(c.offsets) || n < c.offsets[c.seg] {
		c.seg = 0
	}
	for c.seg+1 < len(c.offsets) && n >= c.offsets[c.seg+1] {
		c.seg++
	}
	sf, local := c.segments[c.seg], n-c.offsets[c.seg]
	for _, o := range sf.ords[sf.start[local]:sf.start[local+1]] {
		c.counts[o]++
	}
}

// clone returns a counter of the same tables, with no counts yet.
func (c *facetCounter) clone() *facetCounter {
	return &facetCounter{offsets: c.offsets, segments: c.segments, terms: c.terms, counts: make([]int, len(c.counts))}
}

// add adds the counts of a clone.
func (c *facetCounter) add(other *facetCounter) {
	for o, n := range other.counts {
		c.counts[o] += n
	}
}

// fill sets the facets of res from the counts.
func (c *facetCounter) fill(res *Results) {
	res.Types, res.Categories, res.Tags = nil, nil, nil
	for o, n := range c.counts {
		if n == 0 {
			continue
		}
		term := c.terms[o]
		if v, ok := strings.CutPrefix(term, facetType); ok {
			res.Types = append(res.Types, Facet{v, n})
		} else if v, ok := strings.CutPrefix(term, facetCategory); ok {
			res.Categories = append(res.Categories, Facet{v, n})
		} else if v, ok := strings.CutPrefix(term, facetTag); ok {
			res.Tags = append(res.Tags, Facet{v, n})
		}
	}
	res.Types, res.Categories, res.Tags = top(res.Types, maxTypes), top(res.Categories, maxCategories), top(res.Tags, maxTags)
}

// top keeps the n largest counts, largest first, then by value.
func top(fs []Facet, n int) []Facet {
	sort.Slice(fs, func(i, j int) bool {
		return fs[i].Count > fs[j].Count || fs[i].Count == fs[j].Count && fs[i].Value < fs[j].Value
	})
	return fs[:min(n, len(fs))]
}
