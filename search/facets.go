package search

import (
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Type, category and tags share the "facets" keyword field, prefixed by
// what they are.
const (
	facetType     = "type:"
	facetCategory = "category:"
	facetTag      = "tag:"
	facetAudience = "audience:" // a fiche's public
	facetGroup    = "group:"    // what results are grouped under (see group.go), never shown as a facet
)

// How many values of each facet a page shows.
const (
	maxTypes      = 4
	maxCategories = 10
	maxTags       = 12
	maxAudiences  = 10
)

func facetQuery(prefix, value string) query.Query {
	return termQuery("facets", prefix+value)
}

// facetValues lists a document's facet terms.
func facetValues(d content.SearchDoc) []string {
	out := make([]string, 0, 2+len(d.Tags)+len(d.Audiences))
	out = append(out, facetType+d.Type)
	if d.Category != "" { // fiches have none
		out = append(out, facetCategory+d.Category)
	}
	for _, t := range d.Tags {
		out = append(out, facetTag+t)
	}
	for _, a := range d.Audiences {
		out = append(out, facetAudience+a)
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
	uses     uint64                    // searches counted so far
}

// segmentFacets lists the facet values of a segment's documents: those of
// document d are ords[start[d]:start[d+1]].
type segmentFacets struct {
	start   []uint32
	ords    []uint32
	lastUse uint64 // the facetTables.uses of the last search that needed it
}

// keptUnused is how many searches the table of a segment no search needs
// any more (merged away) is kept: a search on a slightly older snapshot may
// still ask for it, and should not rebuild it.
const keptUnused = 64

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

// counter returns a counter for the matches of a search on snap. The tables
// of segments not seen yet are read outside the lock, so that other
// searches do not wait for them.
func (t *facetTables) counter(snap *snapshot) (*facetCounter, error) {
	read := map[uint64]*segmentTerms{}
	for _, ss := range t.unknown(snap) {
		st, err := readFacets(ss.Segment())
		if err != nil {
			return nil, err
		}
		read[ss.Id()] = st
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	t.ownedBy(snap.owner)
	t.uses++
	c := &facetCounter{offsets: snap.offsets}
	for _, ss := range snap.segments {
		sf, ok := t.segments[ss.Id()]
		if !ok {
			st := read[ss.Id()]
			if st == nil { // dropped since unknown looked (an index swap): read it now
				var err error
				if st, err = readFacets(ss.Segment()); err != nil {
					return nil, err
				}
			}
			sf = t.adopt(st)
			t.segments[ss.Id()] = sf
		}
		sf.lastUse = t.uses
		c.segments = append(c.segments, sf)
	}
	for id, sf := range t.segments {
		if t.uses-sf.lastUse > keptUnused {
			delete(t.segments, id) // merged away (a search still using it holds its own pointer)
		}
	}
	c.terms = t.terms
	c.counts = make([]int, len(t.terms))
	return c, nil
}

// unknown lists the segments of snap that have no table yet.
func (t *facetTables) unknown(snap *snapshot) []*scorch.SegmentSnapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ownedBy(snap.owner)
	var out []*scorch.SegmentSnapshot
	for _, ss := range snap.segments {
		if _, ok := t.segments[ss.Id()]; !ok {
			out = append(out, ss)
		}
	}
	return out
}

// ownedBy empties the tables when they belong to another index than owner
// (after a rebuild swapped it in). Call with t.mu held.
func (t *facetTables) ownedBy(owner bleve.Index) {
	if t.owner != owner || t.segments == nil {
		t.owner, t.terms, t.ordinals, t.segments = owner, nil, map[string]uint32{}, map[uint64]*segmentFacets{}
	}
}

// segmentTerms is a segment's table as read, with ordinals of its own.
type segmentTerms struct {
	terms []string
	start []uint32
	ords  []uint32 // indexes into terms
}

// adopt turns a table read on its own into one with the shared ordinals.
// Call with t.mu held.
func (t *facetTables) adopt(st *segmentTerms) *segmentFacets {
	shared := make([]uint32, len(st.terms))
	for i, term := range st.terms {
		ord, ok := t.ordinals[term]
		if !ok {
			ord = uint32(len(t.terms))
			t.terms = append(t.terms, term)
			t.ordinals[term] = ord
		}
		shared[i] = ord
	}
	for i, o := range st.ords {
		st.ords[i] = shared[o]
	}
	return &segmentFacets{start: st.start, ords: st.ords}
}

// readFacets reads a segment's facet postings into a table.
func readFacets(seg segment.Segment) (*segmentTerms, error) {
	dict, err := seg.Dictionary("facets")
	if err != nil {
		return nil, err
	}
	type pair struct{ doc, ord uint32 }
	var pairs []pair
	st := &segmentTerms{start: make([]uint32, seg.Count()+1)}
	terms := dict.AutomatonIterator(everyTerm{}, nil, nil)
	for {
		e, err := terms.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		ord := uint32(len(st.terms))
		st.terms = append(st.terms, e.Term)
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
			st.start[p.Number()+1]++
		}
	}
	for d := 1; d < len(st.start); d++ {
		st.start[d] += st.start[d-1]
	}
	st.ords = make([]uint32, len(pairs))
	next := append([]uint32(nil), st.start...)
	for _, p := range pairs {
		st.ords[next[p.doc]] = p.ord
		next[p.doc]++
	}
	return st, nil
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

// values lists the facet terms of a document of the snapshot, as ordinals.
func (c *facetCounter) values(id index.IndexInternalID) []uint32 {
	n := id.Value()
	seg := sort.Search(len(c.offsets), func(i int) bool { return c.offsets[i] > n }) - 1
	if seg < 0 {
		return nil
	}
	sf, local := c.segments[seg], n-c.offsets[seg]
	if local+1 >= uint64(len(sf.start)) {
		return nil
	}
	return sf.ords[sf.start[local]:sf.start[local+1]]
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
	res.Types, res.Categories, res.Tags, res.Audiences = nil, nil, nil, nil
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
		} else if v, ok := strings.CutPrefix(term, facetAudience); ok {
			res.Audiences = append(res.Audiences, Facet{v, n})
		}
	}
	res.Types, res.Categories, res.Tags = top(res.Types, maxTypes), top(res.Categories, maxCategories), top(res.Tags, maxTags)
	res.Audiences = top(res.Audiences, maxAudiences)
}

// top keeps the n largest counts, largest first, then by value.
func top(fs []Facet, n int) []Facet {
	sort.Slice(fs, func(i, j int) bool {
		return fs[i].Count > fs[j].Count || fs[i].Count == fs[j].Count && fs[i].Value < fs[j].Value
	})
	return fs[:min(n, len(fs))]
}
