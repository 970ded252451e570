package search

import (
	"bytes"
	"hash/maphash"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/ligue-mednum/ligue/content"
)

// foldName is a token filter removing accents from each token. Folding as a
// token filter (not a character filter) keeps token offsets on the original
// text, so highlights mark exactly the words that matched.
const foldName = "fold_accents"

type foldFilter struct{}

func (foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		if !isASCII(tok.Term) {
			tok.Term = foldTerm(tok.Term)
		}
	}
	return input
}

// latinFolded holds the folded form of the Latin letters of U+00C0–U+024F
// ("" when the letter has no accent): looking them up is many times cheaper
// than decomposing every word, and they are nearly all French text has.
var latinFolded = func() (t [0x250 - 0xC0]string) {
	for r := rune(0xC0); r < 0x250; r++ {
		if f := foldSlow(string(r)); f != string(r) {
			t[r-0xC0] = f
		}
	}
	return t
}()

func foldTerm(term []byte) []byte {
	folded := make([]byte, 0, len(term))
	for _, r := range string(term) {
		switch {
		case r < 0x80:
			folded = append(folded, byte(r))
		case r >= 0xC0 && r < 0x250:
			if f := latinFolded[r-0xC0]; f != "" {
				folded = append(folded, f...)
			} else {
				folded = utf8.AppendRune(folded, r)
			}
		case unicode.Is(unicode.Mn, r):
		case r >= 0x250:
			return []byte(foldSlow(string(term))) // other scripts: decompose
		default:
			folded = utf8.AppendRune(folded, r)
		}
	}
	return folded
}

// foldSlow folds with the decomposition tables: other scripts, and the
// reference the lookup table is built from.
func foldSlow(s string) string { return content.FoldAccents(s) }

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// wordsName is the tokenizer: runs of letters and digits, apostrophes kept
// inside words so the elision filter can take "l’" off "l’association". It
// is several times cheaper than Unicode word segmentation, which matters
// when indexing 100,000 posts.
const wordsName = "fr_words"

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || unicode.Is(unicode.Mn, r)
}

// asciiWord tells which ASCII characters are word runes.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isWordRune(rune(c))
	}
	return t
}()

// eachWord calls fn with the byte offsets of each word of input.
func eachWord(input []byte, fn func(start, end int)) {
	start := -1
	for i := 0; i < len(input); {
		word, size := false, 1
		if c := input[i]; c < utf8.RuneSelf {
			word = asciiWord[c]
		} else {
			var r rune
			r, size = utf8.DecodeRune(input[i:])
			word = isWordRune(r)
		}
		if word {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			fn(start, i)
			start = -1
		}
		i += size
	}
	if start >= 0 {
		fn(start, len(input))
	}
}

type wordsTokenizer struct{}

// Tokenize allocates the tokens by blocks rather than one by one.
func (wordsTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	var block []analysis.Token
	eachWord(input, func(start, end int) {
		if len(block) == cap(block) {
			block = make([]analysis.Token, 0, 64)
		}
		block = append(block, analysis.Token{Term: input[start:end], Start: start, End: end,
			Position: len(out) + 1, Type: analysis.AlphaNumeric})
		out = append(out, &block[len(block)-1])
	})
	return out
}

// stemName is the French light stemmer with a cache of the stems it made:
// text is mostly the same few thousand words, and the stemmer, which works
// on runes, cost more than the rest of the analysis.
const stemName = "fr_light_stem_cached"

var stems = &stemCache{stemmer: fr.NewFrenchLightStemmerFilter(), seed: maphash.MakeSeed()}

// stemCache is a fixed array of slots, each holding the last word stemmed
// whose hash falls there: lock-free, bounded, and a common word keeps its
// slot as it comes back all the time.
type stemCache struct {
	stemmer analysis.TokenFilter
	seed    maphash.Seed
	slots   [1 << 16]atomic.Pointer[stemEntry]
}

type stemEntry struct{ word, stem []byte } // never written to

// stem returns the stem of term in a new slice: terms may be written to
// by whoever holds them.
func (c *stemCache) stem(term []byte) []byte {
	return bytes.Clone(c.shared(term))
}

// shared returns the stem of term, which nobody may write to.
func (c *stemCache) shared(term []byte) []byte {
	slot := &c.slots[maphash.Bytes(c.seed, term)&(1<<16-1)]
	if e := slot.Load(); e != nil && bytes.Equal(e.word, term) {
		return e.stem
	}
	tok := analysis.Token{Term: bytes.Clone(term)}
	c.stemmer.Filter(analysis.TokenStream{&tok})
	slot.Store(&stemEntry{word: bytes.Clone(term), stem: tok.Term})
	return tok.Term
}

type stemFilter struct{}

func (stemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		tok.Term = stems.stem(tok.Term)
	}
	return input
}

// unstemmedName is a token filter keeping only the words the light stemmer
// changes, unstemmed ("numerique", not "budget"). With the stems of the
// text field they make the vocabulary prefixes and spelling suggestions
// need, for less than half the cost of indexing every word a second time.
const unstemmedName = "fr_unstemmed"

type unstemmedFilter struct{}

func (unstemmedFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := input[:0]
	for _, tok := range input {
		if !bytes.Equal(stems.shared(tok.Term), tok.Term) {
			out = append(out, tok)
		}
	}
	return out
}

func init() {
	registry.RegisterTokenizer(wordsName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordsTokenizer{}, nil
	})
	registry.RegisterTokenFilter(foldName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	})
	registry.RegisterTokenFilter(stemName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return stemFilter{}, nil
	})
	registry.RegisterTokenFilter(unstemmedName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return unstemmedFilter{}, nil
	})
}
