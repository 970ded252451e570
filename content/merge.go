package content

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Conflict markers, each on its own line, around the two versions of a
// region both authors changed. The separator alone is not a sign of a
// conflict: "=======" also underlines a markdown heading.
const (
	ConflictOursMarker   = "<<<<<<< Votre version"
	ConflictSeparator    = "======="
	conflictTheirsPrefix = ">>>>>>> Version de "
)

// ConflictTheirsMarker is the line closing a conflict, naming the author of
// the other version; whitespace in label is collapsed so the marker stays
// one line.
func ConflictTheirsMarker(label string) string {
	label = strings.Join(strings.Fields(label), " ")
	if label == "" {
		label = "l’autre membre"
	}
	return conflictTheirsPrefix + label
}

// HasConflictMarkers reports whether text still holds the opening or the
// closing line of a conflict written by Merge3.
func HasConflictMarkers(text string) bool {
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, " \t\r\n")
		if line == ConflictOursMarker || strings.HasPrefix(line, conflictTheirsPrefix) {
			return true
		}
	}
	return false
}

// MergeResult is the outcome of merging two edits of the same base text.
type MergeResult struct {
	Text      string          // the merged text; with conflicts, each conflict region is written with markers
	Conflicts []MergeConflict // empty when the merge is clean
}

// Clean reports whether the merge needed no decision from the user.
func (r MergeResult) Clean() bool { return len(r.Conflicts) == 0 }

// MergeConflict is one region both authors changed differently.
type MergeConflict struct {
	Base, Ours, Theirs string // the three versions of the region
	Start, End         int    // byte offsets of the whole marked region in Text
}

// mergeBudget bounds the diff work of one merge to a few tens of
// milliseconds. A 5,000-word fiche with edits all over uses well under 1%
// of it, a fiche at its length limit with three lines in four edited fits
// in it; past it, the parts left to compare count as changed, which can
// turn a clean merge into a conflict, never lose an edit.
const mergeBudget = 3_000_000

// Merge3 merges ours and theirs, both edited from base: a region changed on
// one side takes that change, a region changed the same way on both sides
// takes it once, and a region changed differently is a conflict, written
// between markers with the two versions. Regions are lines; a conflicting
// group of lines is merged again word by word and kept when that is clean,
// so edits to different sentences of a paragraph both go in. Edits of
// neighbouring lines form one group, merged at word level like any other;
// insertions at the same place conflict unless they are the same.
// CRLF line endings are read as LF, and the result uses LF (browsers send
// textareas with CRLF). theirsLabel names the other author in the markers.
func Merge3(base, ours, theirs, theirsLabel string) MergeResult {
	base, ours, theirs = toLF(base), toLF(ours), toLF(theirs)
	switch {
	case ours == theirs || theirs == base:
		return MergeResult{Text: ours}
	case ours == base:
		return MergeResult{Text: theirs}
	}
	budget := mergeBudget
	var out strings.Builder
	var conflicts []MergeConflict
	for _, c := range diff3(base, ours, theirs, lineCuts, &budget) {
		if text, ok := c.resolve(); ok {
			out.WriteString(text)
			continue
		}
		if text, ok := mergeWords(c, &budget); ok {
			out.WriteString(text)
			continue
		}
		start := out.Len()
		out.WriteString(ConflictOursMarker + "\n")
		writeLines(&out, c.ours)
		out.WriteString(ConflictSeparator + "\n")
		writeLines(&out, c.theirs)
		out.WriteString(ConflictTheirsMarker(theirsLabel) + "\n")
		conflicts = append(conflicts, MergeConflict{Base: c.base, Ours: c.ours, Theirs: c.theirs, Start: start, End: out.Len()})
	}
	return MergeResult{Text: out.String(), Conflicts: conflicts}
}

func toLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// writeLines writes s ending with a newline, so that the marker after it
// starts a line.
func writeLines(out *strings.Builder, s string) {
	out.WriteString(s)
	if s != "" && !strings.HasSuffix(s, "\n") {
		out.WriteByte('\n')
	}
}

// mergeWords merges a conflicting group of lines word by word, and reports
// whether that was clean. Once the budget is spent, only the ends of the
// lines could be matched: that is not worth cutting them into words.
func mergeWords(lines chunk, budget *int) (string, bool) {
	if *budget <= 0 {
		return "", false
	}
	var out strings.Builder
	for _, c := range diff3(lines.base, lines.ours, lines.theirs, wordCuts, budget) {
		text, ok := c.resolve()
		if !ok {
			return "", false
		}
		out.WriteString(text)
	}
	return out.String(), true
}

// The texts are cut into tokens, given as the offsets where each token
// starts, and the length of the text: token i is s[cuts[i]:cuts[i+1]].

// lineCuts cuts s after each newline; a last line without one is a token.
func lineCuts(s string) []int {
	cuts := make([]int, 1, strings.Count(s, "\n")+2)
	for i := 0; i < len(s); {
		if n := strings.IndexByte(s[i:], '\n'); n >= 0 {
			i += n + 1
		} else {
			i = len(s)
		}
		cuts = append(cuts, i)
	}
	return cuts
}

// wordCuts cuts s into runs of letters and digits, runs of spaces and
// single other characters. Combining marks, variation selectors, emoji
// modifiers and tags stay with the character before them, a zero-width
// joiner with both its neighbours and flags are kept whole, so that a merge
// never separates "é" (e + ◌́), "1️⃣", "👍🏽", "👩‍💻" or "🇫🇷".
func wordCuts(s string) []int {
	cuts := make([]int, 1, len(s)/4+2)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		switch {
		case isWordRune(r):
			j = spanRunes(s, j, func(r rune) bool { return isWordRune(r) || extendsRune(r) })
		case unicode.IsSpace(r):
			j = spanRunes(s, j, unicode.IsSpace)
		case isRegionalIndicator(r):
			if r2, n2 := utf8.DecodeRuneInString(s[j:]); isRegionalIndicator(r2) {
				j += n2
			}
		}
		i = attached(s, j)
		cuts = append(cuts, i)
	}
	return cuts
}

// attached returns the end of the runes from s[j:] that belong to the
// character before them.
func attached(s string, j int) int {
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if r == '\u200d' { // the joiner brings the next character along
			_, next := utf8.DecodeRuneInString(s[j+n:])
			n += next
		} else if !extendsRune(r) {
			return j
		}
		j += n
	}
	return j
}

// spanRunes returns the end of the run of runes satisfying in from s[j:].
func spanRunes(s string, j int, in func(rune) bool) int {
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if !in(r) {
			break
		}
		j += n
	}
	return j
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// extendsRune: marks (accents, variation selectors, keycaps), skin tone
// modifiers and emoji tags belong to the character they follow.
func extendsRune(r rune) bool {
	return r >= 0x300 && (unicode.Is(unicode.M, r) || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F))
}

// chunk is one region of a three-way merge in each version; in a stable
// chunk all three are the same.
type chunk struct{ base, ours, theirs string }

// resolve gives the text of a chunk changed on at most one side, or the
// same way on both, and false for a conflict. Comparing the texts of the
// regions is comparing their tokens: both cut the same way.
func (c chunk) resolve() (string, bool) {
	switch {
	case c.theirs == c.base || c.ours == c.theirs:
		return c.ours, true
	case c.ours == c.base:
		return c.theirs, true
	}
	return "", false
}

// diff3 cuts the three versions into chunks: stable ones, where base tokens
// are matched on both sides and nothing is inserted between them, and the
// chunks between, which run up to the next base token matched on both
// sides (Khanna, Kunal and Pierce, "A formal investigation of diff3").
func diff3(base, ours, theirs string, cut func(string) []int, budget *int) []chunk {
	cb, co, ct := cut(base), cut(ours), cut(theirs)
	ids := make(map[string]int, len(cb))
	intern := func(s string, cuts []int) []int {
		out := make([]int, len(cuts)-1)
		for i := range out {
			tok := s[cuts[i]:cuts[i+1]]
			id, ok := ids[tok]
			if !ok {
				id = len(ids)
				ids[tok] = id
			}
			out[i] = id
		}
		return out
	}
	b := intern(base, cb)
	mo, mt := matching(b, intern(ours, co), budget), matching(b, intern(theirs, ct), budget)
	nb, no, nt := len(b), len(co)-1, len(ct)-1
	region := func(i, e, j, je, k, ke int) chunk {
		return chunk{base[cb[i]:cb[e]], ours[co[j]:co[je]], theirs[ct[k]:ct[ke]]}
	}
	var chunks []chunk
	i, j, k := 0, 0, 0
	for i < nb || j < no || k < nt {
		n := 0
		for i+n < nb && mo[i+n] == j+n && mt[i+n] == k+n {
			n++
		}
		if n > 0 {
			chunks = append(chunks, region(i, i+n, j, j+n, k, k+n))
			i, j, k = i+n, j+n, k+n
			continue
		}
		e := i
		for e < nb && (mo[e] < 0 || mt[e] < 0) {
			e++
		}
		je, ke := no, nt
		if e < nb {
			je, ke = mo[e], mt[e]
		}
		chunks = append(chunks, region(i, e, j, je, k, ke))
		i, j, k = e, je, ke
	}
	return chunks
}

// matching pairs a with a longest common subsequence of b: m[i] is the
// index in b of a[i], or -1. It uses Myers' O(ND) diff, bisecting at the
// middle of the edit path so memory stays linear. Every step is taken from
// budget; once it is spent, the parts not yet compared stay unmatched,
// which keeps the result a common subsequence, only a shorter one.
func matching(a, b []int, budget *int) []int {
	d := myers{a: a, b: b, m: make([]int, len(a)), budget: budget}
	for i := range d.m {
		d.m[i] = -1
	}
	size := len(a) + len(b) + 3
	d.v1, d.v2 = make([]int, size), make([]int, size)
	d.compare(0, len(a), 0, len(b))
	return d.m
}

type myers struct {
	a, b   []int
	m      []int
	v1, v2 []int // furthest x on each diagonal, forward and backward
	budget *int
}

// compare matches a[alo:ahi] with b[blo:bhi].
func (d *myers) compare(alo, ahi, blo, bhi int) {
	for alo < ahi && blo < bhi && d.a[alo] == d.b[blo] {
		d.m[alo] = blo
		alo, blo = alo+1, blo+1
	}
	for alo < ahi && blo < bhi && d.a[ahi-1] == d.b[bhi-1] {
		ahi, bhi = ahi-1, bhi-1
		d.m[ahi] = bhi
	}
	if alo == ahi || blo == bhi {
		return
	}
	if x, y, ok := d.bisect(d.a[alo:ahi], d.b[blo:bhi]); ok {
		d.compare(alo, alo+x, blo, blo+y)
		d.compare(alo+x, ahi, blo+y, bhi)
	}
}

// bisect finds a point (x, y) on a shortest edit path from a to b, about
// halfway along it, walking from both ends at once. It reports false when
// a and b have nothing in common or the budget is spent. a and b differ at
// both ends, so the point is strictly inside and both halves are smaller.
func (d *myers) bisect(a, b []int) (x, y int, ok bool) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	if *d.budget -= 2 * maxD; *d.budget < 0 {
		return 0, 0, false
	}
	off := maxD
	v1, v2 := d.v1[:2*maxD+2], d.v2[:2*maxD+2]
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	front := delta%2 != 0 // which walk meets the other one first
	// Diagonals whose walk left the grid are not walked again.
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for D := 0; D < maxD; D++ {
		cost := 0
		for k := -D + k1start; k <= D-k1end; k += 2 {
			i := off + k
			var x int
			if k == -D || (k != D && v1[i-1] < v1[i+1]) {
				x = v1[i+1]
			} else {
				x = v1[i-1] + 1
			}
			x0, y := x, x-k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			cost += 1 + x - x0
			v1[i] = x
			if x > n {
				k1end += 2
			} else if y > m {
				k1start += 2
			} else if front {
				if j := off + delta - k; j >= 0 && j < len(v2) && v2[j] != -1 && x >= n-v2[j] {
					return x, y, true
				}
			}
		}
		for k := -D + k2start; k <= D-k2end; k += 2 {
			i := off + k
			var x int
			if k == -D || (k != D && v2[i-1] < v2[i+1]) {
				x = v2[i+1]
			} else {
				x = v2[i-1] + 1
			}
			x0, y := x, x-k
			for x < n && y < m && a[n-x-1] == b[m-y-1] {
				x, y = x+1, y+1
			}
			cost += 1 + x - x0
			v2[i] = x
			if x > n {
				k2end += 2
			} else if y > m {
				k2start += 2
			} else if !front {
				if j := off + delta - k; j >= 0 && j < len(v1) && v1[j] != -1 && v1[j] >= n-x {
					return v1[j], off + v1[j] - j, true
				}
			}
		}
		if *d.budget -= cost; *d.budget < 0 {
			return 0, 0, false
		}
	}
	return 0, 0, false
}
