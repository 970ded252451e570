package search

import (
	"errors"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// snapshot is the reader of one search, and where its documents are: the
// segments and the number of the first document of each. Scorch numbers a
// document by its segment's offset plus its rank in the segment, and the
// internal ID of a match is that number.
type snapshot struct {
	*scorch.IndexSnapshot
	owner    bleve.Index
	segments []*scorch.SegmentSnapshot
	offsets  []uint64
}

func openSnapshot(idx bleve.Index) (*snapshot, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	is, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		reader.Close()
		return nil, errors.New("search: the index is not a scorch index")
	}
	s := &snapshot{IndexSnapshot: is, owner: idx, segments: is.Segments()}
	var offset uint64
	for _, ss := range s.segments {
		s.offsets = append(s.offsets, offset)
		offset += ss.Segment().Count() // all documents, deleted ones too, as Scorch counts
	}
	return s, nil
}

// docs is the number of documents, deleted ones included.
func (s *snapshot) docs() uint64 {
	n := len(s.segments)
	if n == 0 {
		return 0
	}
	return s.offsets[n-1] + s.segments[n-1].Segment().Count()
}

// locate returns the segment and rank of a document.
func (s *snapshot) locate(id index.IndexInternalID) (int, uint64) {
	n := id.Value()
	i := sort.Search(len(s.offsets), func(i int) bool { return s.offsets[i] > n }) - 1
	return i, n - s.offsets[i]
}

// stored returns the stored fields of a match, found by its internal ID
// rather than by looking its ID up in every segment.
func (s *snapshot) stored(id string, internal index.IndexInternalID) (index.Document, error) {
	seg, rank := s.locate(internal)
	doc := document.NewDocument(id)
	err := s.segments[seg].VisitDocument(rank, func(name string, typ byte, val []byte, pos []uint64) bool {
		if typ == 't' && name != "_id" {
			doc.AddField(document.NewTextField(name, nil, append([]byte(nil), val...)))
		}
		return true
	})
	return doc, err
}
