package server

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// benchFiche publishes the sample fiche repeated to about 5,000 words and
// returns the site and the fiche's address.
func benchFiche(b *testing.B) (*testSite, string) {
	sample, err := os.ReadFile("../content/testdata/fiche-exemple.md")
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat(string(sample)+"\n", 9)
	ts := newTestSite(b)
	u := ts.mustCreateMember("alice", content.RoleMember)
	f, err := ts.srv.store.CreateFiche(ts.ctx(), u, content.FicheInput{Title: "Une fiche de 5 000 mots", Summary: "Pour mesurer.", Body: body}, 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ts.srv.store.PublishFiche(ts.ctx(), u, f.ID); err != nil {
		b.Fatal(err)
	}
	return ts, f.Path()
}

func benchGet(b *testing.B, ts *testSite, path string) {
	b.ReportAllocs()
	for b.Loop() {
		res, err := ts.srv.App().Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %v %v", path, err, res)
		}
		res.Body.Close()
	}
}

func BenchmarkFichePage(b *testing.B) {
	ts, path := benchFiche(b)
	benchGet(b, ts, path)
}

// BenchmarkFichePDFUncached draws the PDF each time (a new revision).
func BenchmarkFichePDFUncached(b *testing.B) {
	ts, path := benchFiche(b)
	b.ReportAllocs()
	for b.Loop() {
		ts.srv.pdfs = pdfCache{}
		res, err := ts.srv.App().Test(httptest.NewRequest("GET", path+".pdf", nil), -1)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("pdf: %v %v", err, res)
		}
		res.Body.Close()
	}
}

func BenchmarkFicheCompare(b *testing.B) {
	ts, path := benchFiche(b)
	f, err := ts.srv.store.FicheBySlug(ts.ctx(), nil, strings.TrimPrefix(path, "/fiches/"))
	if err != nil {
		b.Fatal(err)
	}
	u, _ := ts.srv.store.UserByPseudo(ts.ctx(), "alice")
	edited := strings.ReplaceAll(f.Fiche.Body, "démarche", "procédure")
	if _, err := ts.srv.store.SaveFiche(ts.ctx(), u, f.Fiche.ID, content.FicheInput{Title: f.Fiche.Title, Body: edited, BaseRevision: 1}); err != nil {
		b.Fatal(err)
	}
	benchGet(b, ts, path+"/comparer?de=1&a=2")
}
