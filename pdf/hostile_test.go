package pdf

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/internal/cputime"
)

// Texts a member could write to hurt the server: each must give a valid
// PDF, quickly.
func TestRenderHostile(t *testing.T) {
	wide := func(cols, rows int) string {
		var b strings.Builder
		for r := 0; r <= rows; r++ {
			for c := 0; c < cols; c++ {
				switch r {
				case 0:
					b.WriteString("| h" + strconv.Itoa(c) + " ")
				default:
					b.WriteString("| v" + strconv.Itoa(r) + "-" + strconv.Itoa(c) + " ")
				}
			}
			b.WriteString("|\n")
			if r == 0 {
				b.WriteString(strings.Repeat("|---", cols) + "|\n")
			}
		}
		return b.String()
	}
	nested := func(marker string, depth int) string {
		var b strings.Builder
		for i := 0; i < depth; i++ {
			b.WriteString(strings.Repeat("  ", i) + marker + " niveau " + strconv.Itoa(i) + "\n")
		}
		return b.String()
	}
	word := strings.Repeat("x", 100_000)
	for _, tc := range []struct {
		name     string
		markdown string
		want     []string // in the text, spaces collapsed
		check    func(t *testing.T, text string)
	}{
		{name: "200-column table", markdown: wide(200, 3),
			want: []string{"h0 : v1-0", "h199 : v3-199"}},
		{name: "12-column table", markdown: wide(12, 2), want: []string{"h11 : v2-11"}},
		{name: "table cell with a huge word", markdown: "| a | b |\n|---|---|\n| " + word[:20_000] + " | fin |\n",
			want: []string{"b : fin"}},
		{name: "5,000 headings", markdown: strings.Repeat("## 1. Titre\n\ntexte\n\n", 5000),
			check: func(t *testing.T, text string) {
				if n := strings.Count(text, "1. Titre"); n != 5000 {
					t.Errorf("%d headings in the text, want 5000", n)
				}
			}},
		{name: "100,000-letter word", markdown: "avant " + word + " après", want: []string{"avant", "après"},
			check: func(t *testing.T, text string) {
				if n := strings.Count(text, "x") - strings.Count(text, "example"); n != 100_000 {
					t.Errorf("%d letters of the word in the text, want 100000", n)
				}
			}},
		{name: "100,000-letter link", markdown: "<https://e.example/" + word + ">"},
		{name: "code line of 100,000 letters", markdown: "```\n" + word + "\n```\n"},
		{name: "deep list", markdown: nested("-", 200), want: []string{"niveau 0", "niveau 199"}},
		{name: "deep ordered list", markdown: nested("1.", 200), want: []string{"niveau 199"}},
		{name: "deep quotes", markdown: strings.Repeat(">", 5000) + " profond", want: []string{"profond"}},
		{name: "deep quotes and lists", markdown: strings.Repeat("> - ", 2000) + "fond", want: []string{"fond"}},
		{name: "deep emphasis", markdown: strings.Repeat("*_", 5000) + "x" + strings.Repeat("_*", 5000)},
		{name: "body of 200 KB", markdown: strings.Repeat(sample(t), 200_000/len(sample(t))+1)},
		{name: "many emoji", markdown: strings.Repeat("👉🔎📌✔️💡⚠️📞1️⃣ ", 5000)},
		{name: "many footnotes", markdown: strings.Repeat("x[^a] ", 3000) + "\n\n[^a]: note\n"},
		{name: "many images", markdown: strings.Repeat("![alt](/fichiers/x.png) ", 3000)},
		{name: "empty", markdown: ""},
		{name: "invalid UTF-8", markdown: "caf\xe9 \xff\xfe \xed\xa0\x80 fin", want: []string{"fin"}},
		{name: "controls", markdown: "a\x00b\x01c\u2028d\u202ee\u200bf", want: []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := Document{Title: tc.name, Markdown: tc.markdown, URL: "https://ligue.example/fiches/hostile", Revision: 1}
			start := cputime.Used() // the work done, whatever else the machine does
			pdf := render(t, doc, nil)
			if d := cputime.Used() - start; d > 20*time.Second {
				t.Errorf("took %v of CPU", d)
			}
			t.Logf("%d bytes in %v of CPU", len(pdf), cputime.Used()-start)
			poppler(t, pdf, "pdfinfo")
			if tc.want == nil && tc.check == nil {
				return
			}
			text := pdfText(t, pdf)
			for _, want := range tc.want {
				if !strings.Contains(text, want) {
					t.Errorf("the text lacks %q", want)
				}
			}
			if tc.check != nil {
				tc.check(t, text)
			}
		})
	}
}

func TestRenderTooLarge(t *testing.T) {
	err := Render(&bytes.Buffer{}, Document{Markdown: strings.Repeat("a", maxMarkdown+1)}, nil)
	if err != ErrTooLarge {
		t.Fatalf("Render of a huge body: %v, want ErrTooLarge", err)
	}
	var buf bytes.Buffer
	err = Render(&buf, Document{Markdown: strings.Repeat("a\n\n", 200_000)}, nil)
	if err != errTooLong || buf.Len() != 0 {
		t.Fatalf("Render past maxPages: %v and %d bytes written, want errTooLong and nothing", err, buf.Len())
	}
}

func TestRenderImages(t *testing.T) {
	noise := image.NewRGBA(image.Rect(0, 0, 2400, 1600))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.Uint32())
	}
	var big bytes.Buffer
	if err := jpeg.Encode(&big, noise, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	if big.Len() < 5<<20 {
		t.Fatalf("the big image is only %d bytes", big.Len())
	}
	files := map[string][]byte{
		"/fichiers/capture.png": encodePNG(t, 300, 200),
		"/fichiers/photo.jpg":   encodeJPEG(t, 640, 480),
		"/fichiers/grand.jpg":   big.Bytes(),
		"/fichiers/flood.png":   pixelFlood(50_000, 50_000),
		"/fichiers/faux.png":    []byte("pas une image"),
		"/fichiers/haut.png":    encodePNG(t, 100, 3000),
	}
	var asked []string
	doc := Document{Title: "Images", Markdown: `Avant.

![Une capture](/fichiers/capture.png)

Une photo ![la photo](/fichiers/photo.jpg) au milieu d'un paragraphe, et [![capture liée](/fichiers/capture.png)](https://ligue.example/x).

![Très grande](/fichiers/grand.jpg)

![Inondation de pixels](/fichiers/flood.png)

![Fichier cassé](/fichiers/faux.png)

![Absente](/fichiers/absente.png)

![Distante](https://evil.example/pixel.png)

![Haute](/fichiers/haut.png)

Après.`}
	start := time.Now()
	pdf := render(t, doc, images(files, &asked))
	t.Logf("%d bytes in %v", len(pdf), time.Since(start))

	wantAsked := []string{"/fichiers/capture.png", "/fichiers/photo.jpg", "/fichiers/grand.jpg", "/fichiers/flood.png",
		"/fichiers/faux.png", "/fichiers/absente.png", "https://evil.example/pixel.png", "/fichiers/haut.png"}
	if strings.Join(asked, " ") != strings.Join(wantAsked, " ") {
		t.Errorf("Images was asked for %q, want each image once, in order: %q", asked, wantAsked)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"Avant.", "Une photo", "au milieu d'un paragraphe", "[image : Inondation de pixels]",
		"[image : Fichier cassé]", "[image : Absente]", "[image : Distante]", "Après."} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q: %s", want, text)
		}
	}
	for _, shown := range []string{"Une capture", "la photo", "Très grande", "Haute"} {
		if strings.Contains(text, shown) {
			t.Errorf("%q shows its alt text, not the image", shown)
		}
	}
	list := poppler(t, pdf, "pdfimages", "-list")
	sizes := regexp.MustCompile(`(?m)^\s*\d+\s+\d+\s+(image|smask)\s+(\d+)\s+(\d+)`).FindAllStringSubmatch(list, -1)
	var images []string
	for _, s := range sizes {
		if s[1] == "image" {
			images = append(images, s[2]+"x"+s[3])
		}
	}
	if got, want := strings.Join(images, " "), "300x200 640x480 300x200 2000x1333 66x2000"; got != want {
		t.Errorf("images in the PDF: %s, want %s (the big ones scaled down, the capture once per use)\n%s", got, want, list)
	}
	if !bytes.Contains(pdf, []byte("/URI (https://ligue.example/x)")) {
		t.Error("the linked image is not a link")
	}
}

func encodePNG(t *testing.T, w, h int) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		m.Set(i%w, i/w, color.NRGBA{uint8(i), 120, 200, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pixelFlood is a few bytes of PNG announcing a w×h picture.
func pixelFlood(w, h uint32) []byte {
	ihdr := make([]byte, 17)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 6 // 8-bit RGBA
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}
