package pdf

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// poppler runs one of poppler-utils' programs on a PDF, named "{}" in
// args (last if absent), and returns what it prints. The tools are required
// under make test (LIGUE_REQUIRE_BROWSER=1); without them the test is
// skipped otherwise.
func poppler(t *testing.T, pdf []byte, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("LIGUE_REQUIRE_BROWSER") == "1" {
			t.Fatalf("LIGUE_REQUIRE_BROWSER=1 but %s is missing: install poppler-utils (make pdf-deps)", tool)
		}
		t.Skipf("%s is missing (poppler-utils)", tool)
	}
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(args, "{}") {
		args = append(args, "{}")
	}
	for i := range args {
		if args[i] == "{}" {
			args[i] = path
		}
	}
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
	return string(out)
}

// pdfText is the PDF's text as pdftotext reads it, with every run of spaces
// (no-break ones included) and line breaks made one space.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	out := poppler(t, pdf, "pdftotext", "-enc", "UTF-8", "-nopgbrk", "{}", "-")
	return strings.Join(strings.Fields(out), " ")
}

func render(t testing.TB, doc Document, images Images) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, doc, images); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", buf.Bytes()[:min(buf.Len(), 20)])
	}
	return buf.Bytes()
}

// sample is the shared example fiche, its front matter removed as the
// server does.
func sample(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/fiche-exemple.md")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(b), "\n---\n")
	if !ok {
		t.Fatal("testdata/fiche-exemple.md has no front matter")
	}
	return body
}

func ficheDoc(body string) Document {
	return Document{
		Title:    "Accompagner une démarche CAF avec une personne sans adresse e-mail",
		Summary:  "👋 Des pistes concrètes pour créer un accès durable, sans mettre en danger la personne ni la structure.",
		Markdown: body,
		URL:      "https://ligue.example/fiches/demarche-caf-sans-email",
		Revision: 7,
		Updated:  time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
		Licence:  "CC BY-SA 4.0",
		Authors:  []string{"camille_m", "yanis"},
	}
}

const extra = `

## 1. Pourquoi

La médiation numérique est une «` + "\u202f" + `œuvre` + "\u202f" + `» collective : l'atelier coûte 12` + "\u00a0" + `€, voir [le site de la CAF](https://www.caf.fr/allocataires) ou [[la fiche]](/fiches/autre).

## 2️⃣ Comment

Avant 🔎 après, puis 📞 appel ; ⚠️ attention, 💡 idée, ✔️ fait.

| Colonne | Valeur |
|---|--:|
| tarif | 12 € |

> Une citation « entre guillemets ».

Une note[^n].

` + "```go\nfmt.Println(\"code en bloc\")\n```" + `

[^n]: Le texte de la note.
`

func TestRenderFiche(t *testing.T) {
	doc := ficheDoc(sample(t) + extra)
	pdf := render(t, doc, nil)
	got := pdfText(t, pdf)
	for _, want := range []string{
		"Accompagner une démarche CAF avec une personne sans adresse e-mail",
		"👋 Des pistes concrètes",
		"Contributions de camille_m et yanis",
		"1️⃣ Comprendre la situation avant d'agir",
		"2️⃣ Créer une adresse qui dure",
		"5️⃣ Ce que la structure peut mettre en place",
		"1. Pourquoi",
		"2️⃣ Comment",
		"médiation", "« œuvre » collective", "12 €",
		"👉 Une personne qui veut « juste que ce soit fait »",
		"Avant 🔎 après, puis 📞 appel ; ⚠ attention, 💡 idée, ✔ fait.",
		"🗂 une fiche de liaison avec les travailleurs sociaux",
		"1. L'adresse appartient à la personne",
		"Personne sous curatelle",
		"« On n'attire pas quelqu'un vers le numérique",
		"le site de la CAF",
		"Le texte de la note.",
		`fmt.Println("code en bloc")`,
		"https://ligue.example/fiches/demarche-caf-sans-email",
		"Révision 7 · mis à jour le 1er décembre 2026 · licence CC BY-SA 4.0",
		"Page 1 / 2",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}

	for _, uri := range []string{"/URI (https://www.caf.fr/allocataires)", "/URI (https://ligue.example/fiches/autre)"} {
		if !bytes.Contains(pdf, []byte(uri)) {
			t.Errorf("no link annotation %s", uri)
		}
	}

	info := poppler(t, pdf, "pdfinfo")
	for _, want := range []string{"Title:           Accompagner une démarche CAF", "Author:          camille_m, yanis",
		"Subject:         Des pistes concrètes", "Pages:           2"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}

	fonts := poppler(t, pdf, "pdffonts")
	rows := regexp.MustCompile(`(?m)^(utf8\S+)\s.*?\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$`).FindAllStringSubmatch(fonts, -1)
	names := map[string]bool{}
	for _, row := range rows {
		names[row[1]] = true
		if row[2] != "yes" {
			t.Errorf("font %s is not embedded:\n%s", row[1], fonts)
		}
	}
	for _, want := range []string{"utf8go", "utf8goB", "utf8gomono", "utf8notoemoji"} {
		if !names[want] {
			t.Errorf("pdffonts lacks %s:\n%s", want, fonts)
		}
	}
}

// Every rune is drawn with a glyph some font has: none may fall back to an
// empty box. Runes no font has become '?', and copy and paste still gives
// the original.
func TestRenderUnknownRunes(t *testing.T) {
	doc := Document{Title: "Runes", Markdown: "漢字 et 🫶 puis 👩‍💻 et 👍🏽, 🇫🇷, #️⃣ et \u0301seul."}
	pdf := render(t, doc, nil)
	got := pdfText(t, pdf)
	for _, want := range []string{"漢字 et", "👩💻", "👍,", "🇫🇷", "#️⃣ et"} {
		if !strings.Contains(got, want) {
			t.Errorf("the text lacks %q: %s", want, got)
		}
	}
	r := &renderer{}
	r.metrics, _ = fontMetrics()
	for _, p := range r.pieces(doc.Markdown, &baseStyle) {
		for _, c := range p.text {
			if _, ok := r.metrics[p.face][c]; !ok {
				t.Errorf("%U is drawn in face %d, which lacks it", c, p.face)
			}
		}
	}
}

// The server renders several fiches at once: the fonts and tables shared
// between documents must only be read.
func TestRenderConcurrent(t *testing.T) {
	doc := ficheDoc(sample(t) + extra)
	want := pdfText(t, render(t, doc, nil))
	pdfs := make([][]byte, 4)
	var wg sync.WaitGroup
	for i := range pdfs {
		wg.Go(func() {
			var buf bytes.Buffer
			if err := Render(&buf, doc, nil); err != nil {
				t.Error(err)
			}
			pdfs[i] = buf.Bytes()
		})
	}
	wg.Wait()
	for _, pdf := range pdfs {
		if got := pdfText(t, pdf); got != want {
			t.Errorf("the same document rendered differently:\n%s\n%s", got, want)
		}
	}
}

// images serves files from a map, as the server serves uploads.
func images(files map[string][]byte, asked *[]string) Images {
	return func(src string) (io.ReadCloser, error) {
		*asked = append(*asked, src)
		b, ok := files[src]
		if !ok {
			return nil, os.ErrNotExist
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
}
