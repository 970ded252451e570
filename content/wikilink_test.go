package content

import (
	"os"
	"strings"
	"testing"
)

// fakeWiki knows one fiche, "Fiche existante".
func fakeWiki(target string) WikiTarget {
	if s := ficheSlug(target); s == "fiche-existante" {
		return WikiTarget{Slug: s, Title: "Fiche existante", Exists: true}
	}
	return WikiTarget{Slug: ficheSlug(target), Title: target}
}

func TestWikiLinks(t *testing.T) {
	m := NewMarkdown()
	for src, want := range map[string]string{
		"Voir [[Fiche existante]].":                   `<a href="/fiches/fiche-existante" class="wiki">Fiche existante</a>`,
		"Voir [[fiche-existante|cette fiche]].":       `<a href="/fiches/fiche-existante" class="wiki">cette fiche</a>`,
		"Voir [[À écrire un jour]].":                  `href="/fiches/nouvelle?titre=%C3%80+%C3%A9crire+un+jour"`,
		"`[[pas un lien]]` et ```\n[[non plus]]\n```": `<code>[[pas un lien]]</code>`,
		"[[]] et [[ ]] et [[a[b]]":                    `[[]] et [[ ]] et [[a[b]]`,
	} {
		if got := string(m.RenderWith(src, RenderOptions{Wiki: fakeWiki}).HTML); !strings.Contains(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", src, got, want)
		}
	}
	r := m.RenderWith("[[Fiche existante]] [[fiche-existante]] [[Autre]]", RenderOptions{Wiki: fakeWiki})
	if strings.Join(r.WikiLinks, ",") != "fiche-existante,autre" {
		t.Errorf("links %v", r.WikiLinks)
	}
}

func FuzzRenderFiche(f *testing.F) {
	sample, err := os.ReadFile("testdata/fiche-exemple.md")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample))
	for _, s := range []string{"[[Fiche existante]]", "[[a|b]] [[c]]", "## 1️⃣ Titre\n\n[[x]]\n\n### 2️⃣ Sous-titre", "[[[[x]]]]", "[[x|[[y]]]]"} {
		f.Add(s)
	}
	for _, p := range xssPayloads {
		f.Add("[[" + p.src + "]] " + p.src)
	}
	m := NewMarkdown()
	f.Fuzz(func(t *testing.T, src string) {
		r := m.RenderWith(src, RenderOptions{Mentions: lucieOnly, Wiki: fakeWiki})
		if probs := htmlProblems(string(r.HTML)); len(probs) > 0 {
			t.Fatalf("input %q\nrendered %s\nproblems:\n%s", src, r.HTML, strings.Join(probs, "\n"))
		}
		seen := map[string]bool{}
		for _, l := range r.WikiLinks {
			if seen[l] || l == "" {
				t.Fatalf("input %q: links %v", src, r.WikiLinks)
			}
			seen[l] = true
		}
		if len(r.Headings) > maxHeadings {
			t.Fatalf("input %q: %d headings in the contents", src, len(r.Headings))
		}
		for _, h := range r.Headings {
			if h.ID == "" || !strings.Contains(string(r.HTML), `id="`+h.ID+`"`) {
				t.Fatalf("input %q: heading %+v has no anchor in the page", src, h)
			}
		}
	})
}
