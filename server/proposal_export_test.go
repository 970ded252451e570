package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// publish moves the owner's text to state (open to members only, or
// published), confirmed.
func (ps *proposalSite) move(t *testing.T, path, state string, membersOnly bool) {
	t.Helper()
	f := url.Values{"etat": {state}, "confirmer": {"oui"}}
	if membersOnly {
		f.Set("reserve", "1")
	}
	if r := ps.owner.postForm(path+"/etat", f); r.status != http.StatusSeeOther {
		t.Fatalf("moving %s to %s: %d\n%s", path, state, r.status, r.body)
	}
}

// frontMatter reads an export's front matter (JSON values) and its text.
func frontMatter(t *testing.T, md string) (map[string]any, string) {
	t.Helper()
	head, body, ok := strings.Cut(strings.TrimPrefix(md, "---\n"), "\n---\n\n")
	if !strings.HasPrefix(md, "---\n") || !ok {
		t.Fatalf("no front matter:\n%s", md)
	}
	fm := map[string]any{}
	for _, line := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(line, ": ")
		var x any
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			t.Fatalf("front matter line %q: %v", line, err)
		}
		fm[k] = x
	}
	return fm, body
}

var exportHeading = regexp.MustCompile(`(?m)^### (\d+)\. (.+)$`)

func TestProposalExportsArePublishedVersionsOnly(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Pour un numérique à échelle humaine", "Un accueil physique partout", "Des médiateurs formés")
	follow(t, ps.owner, ps.owner.postForm(path+"/membres", url.Values{"pseudo": {"Karim"}, "role": {"coauthor"}}))

	// A brouillon is not exported: to a stranger, the 404 of nothing at all;
	// to its owner, a 404 saying why.
	for _, ext := range []string{".md", ".pdf", ".atom", "/versions/1.md"} {
		for _, who := range []*client{ps.member, ps.visitor, ps.modo} {
			nothing := who.get("/propositions/rien-du-tout" + ext)
			if r := who.get(path + ext); r.status != 404 || !strings.Contains(r.body, "Cette page n’existe pas") || strings.Contains(r.body, "version publiée") ||
				nothing.status != 404 || !strings.Contains(nothing.body, "Cette page n’existe pas") {
				t.Errorf("a brouillon's %s to a stranger: %d, unlike a text that does not exist\n%s", ext, r.status, r.body)
			}
		}
	}
	must(t, ps.owner.get(path+".md"), 404, "pas encore de version publiée")
	if r := ps.owner.get(path + "/versions/1.pdf"); r.status != 404 {
		t.Errorf("a brouillon's version PDF to its owner: %d", r.status)
	}

	ps.move(t, path, "published", false)
	ids := itemIDs(ps.owner.get(path).body)
	r := ps.coauthor.get(path + "/propositions/" + ids[0] + "/modifier")
	edit := ps.coauthor.postForm(path+"/propositions/"+ids[0]+"/modifier", url.Values{"title": {"Un accueil physique dans chaque commune"},
		"body": {"Nous proposons : un accueil physique partout, « même le samedi »."}, "base_revision": {revisionOf(t, r.body)}})
	if edit.status != http.StatusSeeOther {
		t.Fatalf("Karim's edit: %d", edit.status)
	}

	// The markdown of version 1 as a visitor reads it: its number, date,
	// contributors, and the text as published (not Karim's change since).
	md := ps.visitor.get(path + ".md")
	if md.status != 200 || !strings.HasPrefix(md.header.Get("Content-Type"), "text/markdown") {
		t.Fatalf("markdown: %d %s", md.status, md.header.Get("Content-Type"))
	}
	fm, body := frontMatter(t, md.raw)
	if fm["title"] != "Pour un numérique à échelle humaine" || fm["version"] != 1.0 || fm["url"] != "http://ligue.test"+path+"/versions/1" ||
		len(fm["date"].(string)) != 10 {
		t.Errorf("front matter %v", fm)
	}
	if cs, _ := json.Marshal(fm["contributors"]); string(cs) != `["Lea"]` {
		t.Errorf("contributors of version 1: %s", cs)
	}
	items := exportHeading.FindAllStringSubmatch(body, -1)
	if len(items) != 2 || items[0][2] != "Un accueil physique partout" || items[1][1] != "2" ||
		!strings.Contains(body, "## Préambule\n\nNous, médiateurs et médiatrices…\n") || strings.Contains(body, "samedi") {
		t.Errorf("the text of version 1:\n%s", body)
	}
	for _, it := range []string{"Un accueil physique partout", "Des médiateurs formés"} {
		if !strings.Contains(body, "### ") || !strings.Contains(body, "Nous proposons : "+it+".") {
			t.Errorf("the export lacks %q", it)
		}
	}

	// Version 2 carries Karim's change and his name; version 1 stays.
	ps.move(t, path, "published", false)
	fm, body = frontMatter(t, ps.visitor.get(path+".md").raw)
	if cs, _ := json.Marshal(fm["contributors"]); fm["version"] != 2.0 || string(cs) != `["Lea","Karim"]` || !strings.Contains(body, "« même le samedi »") {
		t.Errorf("version 2: %v\n%s", fm, body)
	}
	if _, old := frontMatter(t, ps.visitor.get(path+"/versions/1.md").raw); strings.Contains(old, "samedi") {
		t.Error("version 1's export changed")
	}
	for _, bad := range []string{"/versions/3.md", "/versions/0.md", "/versions/1.txt", "/versions/01.md"} {
		if r := ps.visitor.get(path + bad); r.status != 404 {
			t.Errorf("%s: %d", bad, r.status)
		}
	}

	// A member signs: the exports and the list count it.
	if fm["signatures"] != 0.0 {
		t.Errorf("signatures before anyone signed: %v", fm["signatures"])
	}
	if r := ps.member.postForm(path+"/signer", nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", r.status, r.body)
	}
	if fm, _ = frontMatter(t, ps.visitor.get(path+".md").raw); fm["signatures"] != 1.0 {
		t.Errorf("signatures in the export: %v", fm["signatures"])
	}
	must(t, ps.visitor.get("/propositions"), 200, "<td>1</td>\n      <td><time")

	// The PDF, read back by pdftotext.
	pdf := ps.visitor.get(path + "/versions/2.pdf")
	if pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.raw, "%PDF") {
		t.Fatalf("pdf: %d %s", pdf.status, pdf.header.Get("Content-Type"))
	}
	text := pdfToText(t, []byte(pdf.raw))
	for _, want := range []string{"Pour un numérique à échelle humaine", "Contributions de Lea et Karim", "1. Un accueil physique dans chaque commune",
		"« même le samedi »", "2. Des médiateurs formés", "Version 2 · publiée le", "· 1 signature", "/versions/2"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if again := ps.member.get(path + ".pdf"); again.raw != pdf.raw {
		t.Error("the latest version's PDF should be version 2's, from the cache")
	}
	must(t, ps.visitor.get(path), 200, `href="`+path+`.pdf"`, `href="`+path+`.md"`, "version 2 en")
}
