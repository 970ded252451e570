package content

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// longFiche is the sample fiche repeated to about 5,000 words, the length
// of the longest real fiches.
func longFiche(tb testing.TB) string {
	tb.Helper()
	sample, err := os.ReadFile("testdata/fiche-exemple.md")
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for i := 0; b.Len() == 0 || len(strings.Fields(b.String())) < 5000; i++ {
		b.Write(sample)
		b.WriteString("\n")
	}
	return b.String()
}

// editedFiche changes one word in every tenth paragraph, as a revision
// that improves a fiche throughout.
func editedFiche(s string) string {
	paras := strings.Split(s, "\n\n")
	for i := 0; i < len(paras); i += 10 {
		paras[i] = strings.Replace(paras[i], "la ", "cette ", 1) + " (précisé)"
	}
	return strings.Join(paras, "\n\n")
}

func BenchmarkFicheRevisionDiff(b *testing.B) {
	a := longFiche(b)
	c := editedFiche(a)
	b.ReportAllocs()
	for b.Loop() {
		DiffHTML(a, c)
	}
}

func BenchmarkFicheSaveRevision(b *testing.B) {
	ctx := context.Background()
	s := mustOpenStore(b)
	alice := mustCreateMember(b, s, "alice", RoleMember)
	body := longFiche(b)
	f, err := s.CreateFiche(ctx, alice, FicheInput{Title: "Une longue fiche", Body: body}, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		next := body + "\n\nAjout " + itoa64(int64(i)) + ".\n"
		if _, err := s.SaveFiche(ctx, alice, f.ID, FicheInput{Title: f.Title, Body: next, BaseRevision: i + 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDiffTokensKeepTheirRules checks the tokenizer against the regular
// expression it replaced, over texts with accents, emoji, no-break spaces,
// apostrophes and invalid bytes.
func TestDiffTokensKeepTheirRules(t *testing.T) {
	rule := regexp.MustCompile(`\s+|[\p{L}\p{N}_'’-]+|[^\s\p{L}\p{N}]`)
	texts := []string{"", "Il faut la carte Vitale.", "1️⃣ Préparer l’accueil : « c’est‑à‑dire »\u00a0!", "a\tb\r\nc\f d",
		"œuvre_12 x-y 'z' ½ ²", "\xff\xfe bad \x80", strings.Repeat("mot ", 50) + "🙂👍🏽", longFiche(t)[:3000]}
	for _, s := range texts {
		if got, want := diffTokens(s), rule.FindAllString(s, -1); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q:\n got %q\nwant %q", s, got, want)
		}
	}
}
