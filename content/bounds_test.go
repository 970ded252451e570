package content

import (
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// shuffledWords is a text of n distinct words in a random order.
func shuffledWords(seed int64, n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = "mot" + strconv.Itoa(i)
	}
	r := rand.New(rand.NewSource(seed))
	r.Shuffle(n, func(i, j int) { words[i], words[j] = words[j], words[i] })
	return strings.Join(words, " ")
}

func TestDiffOfVeryManyDistinctWords(t *testing.T) {
	// Past the surrogate range of runes (55,296 distinct tokens), which the
	// first word diff ran into: tokens keep their own runes.
	tr := &tokenRunes{index: map[string]rune{}}
	for i := 0; i < 70000; i++ {
		tok := "m" + strconv.Itoa(i)
		if r := tr.rune(tok); tr.token(r) != tok || string([]rune(string(r))) != string(r) {
			t.Fatalf("token %d does not survive as rune %U", i, r)
		}
	}
	var a, b strings.Builder
	for i := 0; i < 30000; i++ {
		a.WriteString("a" + strconv.Itoa(i) + ".")
		b.WriteString("b" + strconv.Itoa(i) + ".")
	}
	if DiffHTML(a.String(), b.String()) != Rewritten || DiffHTML(shuffledWords(1, 6000), shuffledWords(2, 6000)) != Rewritten {
		t.Error("texts sharing little are shown as rewritten")
	}
	half := shuffledWords(1, 3000)
	for _, pair := range [][2]string{{half + " alpha", half + " beta"}, {"alpha " + half, "beta " + half}} {
		html := string(DiffHTML(pair[0], pair[1]))
		if !strings.Contains(html, "<ins>") || len(html) > 2000 {
			t.Errorf("diff of %d and %d bytes: %d bytes, %.200s", len(pair[0]), len(pair[1]), len(html), html)
		}
	}
}

func TestDiffShortensUnchangedPassages(t *testing.T) {
	long := strings.Repeat("Le pass numérique se retire en mairie avec un justificatif. ", 40)
	html := string(DiffHTML(long+"Fin.", long+"Fin, merci."))
	if !strings.Contains(html, "[…]") || len(html) > 1000 || !strings.Contains(html, "<ins>") {
		t.Errorf("a small change in a long text: %d bytes\n%s", len(html), html)
	}
	if html := string(DiffHTML("Il faut la carte vitale.", "Il faut la carte Vitale.")); html != "Il faut la carte "+delOpen+"vitale"+delClose+insOpen+"Vitale"+insClose+"." {
		t.Errorf("short texts are shown whole: %s", html)
	}
}

var headingID = regexp.MustCompile(`<h[1-6] id="([^"]+)"`)

func TestManySameHeadingsGetUniqueIDs(t *testing.T) {
	md := NewMarkdown()
	for _, src := range []string{strings.Repeat("# Étape\n", 3000), strings.Repeat("Étape\n=====\n\n", 3000),
		strings.Repeat("## a\n## a-1\n", 1500)} {
		ids := headingID.FindAllStringSubmatch(string(md.Render(src, nil).HTML), -1)
		seen := map[string]bool{}
		for _, m := range ids {
			if seen[m[1]] {
				t.Fatalf("id %q given twice", m[1])
			}
			seen[m[1]] = true
		}
		if len(ids) != 3000 {
			t.Errorf("%d headings with ids, want 3000", len(ids))
		}
	}
}

func BenchmarkRenderManyHeadings(b *testing.B) {
	md := NewMarkdown()
	src := strings.Repeat("# a\n", 12000) // 48 KB, the largest post: 12,000 headings
	for i := 0; i < b.N; i++ {
		md.Render(src, nil)
	}
}

func BenchmarkDiffShuffledVersions(b *testing.B) {
	x, y := shuffledWords(1, 6000), shuffledWords(2, 6000)
	for i := 0; i < b.N; i++ {
		DiffHTML(x, y)
	}
}
