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
const mappingVersion = "7"

const (
	analyzerText  = "fr_folded" // accents folded, elisions, stop words, light stemming
	analyzerExact = "fr_exact"  // accents folded and lower-cased only: prefixes and suggestions
)

func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	// Stop words are listed with their accents, so they go before folding.
	if err := m.AddCustomAnalyzer(analyzerText, map[string]any{
		"type":          custom.Name,
		"tokenizer":     wordsName,
		"token_filters": []string{lowercase.Name, fr.ElisionName, fr.StopName, foldName, fr.LightStemmerName},
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(analyzerExact, map[string]any{
		"type":          custom.Name,
		"tokenizer":     wordsName,
		"token_filters": []string{lowercase.Name, fr.ElisionName, foldName},
	}); err != nil {
		return nil, err
	}
	text := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerText
		f.Store = store
		f.IncludeTermVectors = store // highlighting needs positions
		f.DocValues = false
		f.IncludeInAll = false // no composite "_all" field: queries name their fields
		return f
	}
	exact := bleve.NewTextFieldMapping()
	exact.Analyzer = analyzerExact
	exact.Store, exact.IncludeTermVectors, exact.DocValues, exact.IncludeInAll = false, false, false, false
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("title", text(true))
	doc.AddFieldMappingsAt("body", text(true))
	doc.AddFieldMappingsAt("exact", exact)
	for _, name := range []string{"type", "author", "category", "tags", "access"} {
		doc.AddFieldMappingsAt(name, kw())
	}
	resolved, accepted := bleve.NewBooleanFieldMapping(), bleve.NewBooleanFieldMapping()
	resolved.Store, accepted.Store = false, false
	resolved.IncludeInAll, accepted.IncludeInAll = false, false
	doc.AddFieldMappingsAt("resolved", resolved)
	doc.AddFieldMappingsAt("accepted", accepted)
	date := bleve.NewDateTimeFieldMapping()
	date.Store, date.IncludeInAll = false, false
	doc.AddFieldMappingsAt("date", date)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerText
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m, nil
}
