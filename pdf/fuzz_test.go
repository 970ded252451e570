package pdf

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// FuzzRender feeds any markdown to Render: it must not panic, and must
// give a PDF. Seeds are in testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	f.Add("## 1️⃣ Titre\n\n👉 **gras** *italique* `code` [lien](/x) ~~barré~~\n")
	f.Fuzz(func(t *testing.T, markdown string) {
		images := func(src string) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(src)), nil // never an image
		}
		var buf bytes.Buffer
		err := Render(&buf, Document{Title: markdown, Summary: markdown, Markdown: markdown, URL: "https://ligue.example/f", Authors: []string{markdown}}, images)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) {
			t.Fatalf("not a PDF: %q", buf.Bytes()[:min(buf.Len(), 16)])
		}
	})
}

// BenchmarkRenderFiche prints the example fiche repeated to about 5,000
// words.
func BenchmarkRenderFiche(b *testing.B) {
	body := sample(b)
	words := len(strings.Fields(body))
	body = strings.Repeat(body+"\n\n", 5000/words+1)
	doc := ficheDoc(body)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Render(&buf, doc, nil); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}
