// Package search is Ligue's full-text index (Bleve): French analysis, an
// indexer that applies the content outbox, rebuilds swapped in atomically,
// and the query language members type.
package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"
)

// mappingVersion changes whenever the mapping or analysis does; an index
// built with another version is rebuilt automatically.
const mappingVersion = "13"

const (
	analyzerText  = "fr_folded" // accents folded, elisions, stop words, light stemming
	analyzerExact = "fr_exact"  // the words stemming changes, unstemmed: prefixes and suggestions
)

// newMapping describes the documents. Words are matched in "text" (title,
// body and tags together), one term lookup per word instead of a title/body
// disjunction; "title" is indexed again, small, to weigh titles more and
// for titre:. Title and body are stored for the highlighter. Type, category,
// tags and the group share the "facets" keyword field (see facets.go).
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	// Stop words are listed with their accents, so they go before folding.
	if err := m.AddCustomAnalyzer(analyzerText, map[string]any{
		"type":          custom.Name,
		"tokenizer":     wordsName,
		"token_filters": []string{lowercase.Name, fr.ElisionName, fr.StopName, foldName, stemName},
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(analyzerExact, map[string]any{
		"type":          custom.Name,
		"tokenizer":     wordsName,
		"token_filters": []string{lowercase.Name, fr.ElisionName, fr.StopName, foldName, unstemmedName},
	}); err != nil {
		return nil, err
	}
	text := func(analyzer string, index, store, positions bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Index, f.Store = index, store
		f.IncludeTermVectors = positions
		f.DocValues = false
		f.IncludeInAll = false // no composite "_all" field: queries name their fields
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store, f.DocValues = false, false
		f.IncludeInAll = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", text(analyzerText, true, false, true)) // positions for phrases
	doc.AddFieldMappingsAt("title", text(analyzerText, true, true, false))
	doc.AddFieldMappingsAt("body", text(analyzerText, false, true, false))
	doc.AddFieldMappingsAt("exact", text(analyzerExact, true, false, false))
	for _, name := range []string{"facets", "author", "access"} {
		doc.AddFieldMappingsAt(name, kw())
	}
	// The kind of result, stored so a hit says what it is without the
	// index knowing how IDs are made.
	typ := kw()
	typ.Index, typ.Store = false, true
	doc.AddFieldMappingsAt("type", typ)
	resolved, accepted := bleve.NewBooleanFieldMapping(), bleve.NewBooleanFieldMapping()
	resolved.Store, accepted.Store = false, false
	resolved.DocValues, accepted.DocValues = false, false
	resolved.IncludeInAll, accepted.IncludeInAll = false, false
	doc.AddFieldMappingsAt("resolved", resolved)
	doc.AddFieldMappingsAt("accepted", accepted)
	date := bleve.NewDateTimeFieldMapping() // doc values: the "recent first" sort
	date.Store, date.IncludeInAll = false, false
	doc.AddFieldMappingsAt("date", date)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerText
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m, nil
}
