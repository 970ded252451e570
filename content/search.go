package content

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Each searchable type of content registers a SearchSource: how to load its
// documents, which rows are searchable, and who may read what a result
// shows. The search index iterates over the registered sources and never
// names a type, so adding fiches is a new source, not edits in the index.

// Access marks: what anybody may read is public; a restricted document
// also lists a mark for each reader ("user:ID"), or AccessMembers.
const (
	AccessPublic     = "public"
	AccessRestricted = "restricted"
)

// SearchDoc is what the search index holds of one readable thing. Content
// decides what is indexed and who may read it (Access), so search results,
// counts and facets never show a private or hidden text.
type SearchDoc struct {
	ID       string   `json:"-"`    // "topic:42", "post:9": the entity type, then its ID
	Type     string   `json:"type"` // a DocType value: what members filter by
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Author   string   `json:"author"` // pseudo key: lower-case, accents folded
	Category string   `json:"category"`
	Tags     []string `json:"tags"`
	// Audiences are the publics of a fiche (slugs).
	Audiences []string  `json:"audiences,omitempty"`
	Resolved  bool      `json:"resolved"` // a question with an accepted answer
	Accepted  bool      `json:"accepted"` // the accepted answer itself
	Date      time.Time `json:"date"`
	Access    []string  `json:"access"` // AccessPublic, or AccessRestricted and "user:ID" for each reader
	// Group is the thing results are grouped under, e.g. "topic:42" for a
	// topic and each of its replies; "" makes the document its own group.
	Group string `json:"group"`
}

// DocType is one kind of search result, as members name it in filters.
type DocType struct {
	Value string // "discussion"
	Label string // "Discussions"
}

// SearchTarget is what a search result shows of the thing it found.
type SearchTarget struct {
	DocID    string
	Type     string
	Title    string
	URL      string // to the exact place (a post, a paragraph)
	Author   string
	Date     time.Time
	Category string // name
	Tags     []string
	Resolved bool
	Accepted bool
}

// SearchSource is one searchable type of content.
type SearchSource interface {
	// Entities lists the document ID prefixes (entity types) the source owns.
	Entities() []string
	// Types lists the kinds of result it produces.
	Types() []DocType
	// Changed returns what to index and what to remove after event e; a
	// source answers nothing for events that do not concern it.
	Changed(ctx context.Context, e Event) (docs []SearchDoc, remove []string, err error)
	// Each streams every searchable document, in batches, for a rebuild.
	Each(ctx context.Context, fn func([]SearchDoc) error) error
	// Count is how many documents Each would stream.
	Count(ctx context.Context) (uint64, error)
	// Targets loads what results show for the given IDs of its own, leaving
	// out whatever viewer may not read now (the index may be a little behind).
	Targets(ctx context.Context, viewer *User, ids []string) (map[string]SearchTarget, error)
}

// SearchSources is the registry of searchable types.
type SearchSources struct {
	list []SearchSource
}

// Register adds a source; call it before the index opens.
func (r *SearchSources) Register(s SearchSource) { r.list = append(r.list, s) }

// Types lists the kinds of result of every source, in registration order.
func (r *SearchSources) Types() []DocType {
	var out []DocType
	for _, s := range r.list {
		out = append(out, s.Types()...)
	}
	return out
}

// Changed gathers what every source indexes and removes after e.
func (r *SearchSources) Changed(ctx context.Context, e Event) (docs []SearchDoc, remove []string, err error) {
	for _, s := range r.list {
		d, rm, err := s.Changed(ctx, e)
		if err != nil {
			return nil, nil, err
		}
		docs, remove = append(docs, d...), append(remove, rm...)
	}
	return docs, remove, nil
}

// Each streams every source's documents.
func (r *SearchSources) Each(ctx context.Context, fn func([]SearchDoc) error) error {
	for _, s := range r.list {
		if err := s.Each(ctx, fn); err != nil {
			return err
		}
	}
	return nil
}

// Count adds up the sources' document counts.
func (r *SearchSources) Count(ctx context.Context) (uint64, error) {
	var total uint64
	for _, s := range r.list {
		n, err := s.Count(ctx)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// Targets asks each source for the IDs it owns, one query per source.
func (r *SearchSources) Targets(ctx context.Context, viewer *User, ids []string) (map[string]SearchTarget, error) {
	out := map[string]SearchTarget{}
	for _, s := range r.list {
		var mine []string
		for _, id := range ids {
			entity, _, _ := ParseDocID(id)
			for _, e := range s.Entities() {
				if e == entity {
					mine = append(mine, id)
				}
			}
		}
		if len(mine) == 0 {
			continue
		}
		found, err := s.Targets(ctx, viewer, mine)
		if err != nil {
			return nil, err
		}
		for id, t := range found {
			out[id] = t
		}
	}
	return out, nil
}

// AccessFor lists the access marks a viewer holds: a member who is not
// suspended also their own and AccessMembers (a suspended one reads no
// restricted text, as CanReadFiche and CanReadProposal say).
func AccessFor(u *User) []string {
	marks := []string{AccessPublic}
	if u != nil && !u.Suspended() {
		marks = append(marks, "user:"+strconv.FormatInt(u.ID, 10), AccessMembers)
	}
	return marks
}

// DocID builds the index ID of an entity.
func DocID(entityType string, id int64) string { return entityType + ":" + strconv.FormatInt(id, 10) }

// ParseDocID splits an index ID.
func ParseDocID(doc string) (entityType string, id int64, ok bool) {
	t, n, found := strings.Cut(doc, ":")
	id, err := strconv.ParseInt(n, 10, 64)
	return t, id, found && err == nil
}

// IDsOf returns the numeric IDs of the documents of entity type entity.
func IDsOf(docIDs []string, entity string) []int64 {
	var out []int64
	for _, d := range docIDs {
		if t, id, ok := ParseDocID(d); ok && t == entity {
			out = append(out, id)
		}
	}
	return out
}
