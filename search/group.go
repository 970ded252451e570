package search

import (
	"context"
	"strings"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// A grouped search answers one hit per group (a discussion: its topic and
// replies), its best match, and counts the group's other matches. Each
// document's group is one of its facet terms, so the facet tables give the
// group of a match and the number of matches of every group, exactly and
// for the matches the viewer may read only, at no cost beyond counting
// facets. The order of the groups is that of their best matches: the best
// groupWindow matches are collected, more when they hold too few groups
// for the page.

// groupWindow is how many of the best matches a grouped search collects
// first (at least four times the groups it needs).
const groupWindow = 200

// groupedPage is a page of groups: the best match of each, in order.
type groupedPage struct {
	found  *collected
	hits   bsearch.DocumentMatchCollection
	groups uint64 // groups that have a match; a document without a group is one
}

// collectGroups runs q on snap and returns the page of groups from..from+size.
func collectGroups(ctx context.Context, snap *snapshot, m mapping.IndexMapping, tables *facetTables, q query.Query,
	order bsearch.SortOrder, from, size, parts int) (*groupedPage, error) {
	need := from + size
	window := max(groupWindow, 4*need)
	for {
		found, err := collect(ctx, snap, m, tables, q, order, 0, window, parts)
		if err != nil {
			return nil, err
		}
		best := bestOfGroups(found, need)
		if len(best) >= need || uint64(window) >= found.total {
			return &groupedPage{found: found, hits: best[min(from, len(best)):], groups: found.counter.groups(found.total)}, nil
		}
		window *= 4 // a few long discussions took the whole window
	}
}

// bestOfGroups keeps the first (best) match of each group, in order, up to n.
func bestOfGroups(found *collected, n int) bsearch.DocumentMatchCollection {
	seen := map[string]bool{}
	var out bsearch.DocumentMatchCollection
	for _, h := range found.hits {
		key := found.counter.group(h)
		if key == "" {
			key = "doc " + h.ID // its own group
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, h)
		if len(out) == n {
			break
		}
	}
	return out
}

// group is the group of a match, "" for none.
func (c *facetCounter) group(dm *bsearch.DocumentMatch) string {
	if o, ok := c.groupOrdinal(dm); ok {
		return strings.TrimPrefix(c.terms[o], facetGroup)
	}
	return ""
}

// others is how many other matches the group of a match has.
func (c *facetCounter) others(dm *bsearch.DocumentMatch) int {
	if o, ok := c.groupOrdinal(dm); ok {
		return max(0, c.counts[o]-1)
	}
	return 0
}

func (c *facetCounter) groupOrdinal(dm *bsearch.DocumentMatch) (uint32, bool) {
	for _, o := range c.values(dm.IndexInternalID) {
		if strings.HasPrefix(c.terms[o], facetGroup) {
			return o, true
		}
	}
	return 0, false
}

// tags lists the tags of a match.
func (c *facetCounter) tags(dm *bsearch.DocumentMatch) []string {
	var out []string
	for _, o := range c.values(dm.IndexInternalID) {
		if t, ok := strings.CutPrefix(c.terms[o], facetTag); ok {
			out = append(out, t)
		}
	}
	return out
}

// groups is how many groups the matches counted make, out of total
// matches: each group that has a match, and each match without a group.
func (c *facetCounter) groups(total uint64) uint64 {
	var groups, grouped uint64
	for o, n := range c.counts {
		if n > 0 && strings.HasPrefix(c.terms[o], facetGroup) {
			groups++
			grouped += uint64(n)
		}
	}
	return groups + total - min(total, grouped)
}
