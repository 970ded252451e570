package server

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// pdfToText reads a PDF as pdftotext does (poppler-utils, installed by
// make test).
func pdfToText(t *testing.T, data []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("LIGUE_REQUIRE_BROWSER") == "1" {
			t.Fatal("pdftotext is missing: install poppler-utils (make pdf-deps)")
		}
		t.Skip("pdftotext missing")
	}
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestFichePDFServedAndPrivate(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	path := mustPublishFiche(t, alice, "Créer une adresse e-mail avec une personne âgée", ficheBody+"\nVoir [[Créer une adresse e-mail avec une personne âgée]] : 12 €, « œuvre ».\n")
	r := ts.client().get(path + ".pdf")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.raw, "%PDF") {
		t.Fatalf("pdf: %d %s", r.status, r.header.Get("Content-Type"))
	}
	text := pdfToText(t, []byte(r.raw))
	for _, want := range []string{"Créer une adresse e-mail avec une personne âgée", "Préparer l’accueil", "Créer l’adresse", "12 €", "« œuvre »", "Révision 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if again := ts.client().get(path + ".pdf"); again.raw != r.raw {
		t.Error("the same revision's PDF should come from the cache")
	}
	draft := alice.postForm("/fiches/nouvelle", ficheForm("Un brouillon à imprimer", ficheBody, ""))
	if got := ts.client().get(draft.location + ".pdf"); got.status != http.StatusNotFound {
		t.Errorf("brouillon PDF to a visitor: %d", got.status)
	}
	if got := alice.get(draft.location + ".pdf"); got.status != http.StatusOK {
		t.Errorf("brouillon PDF to its author: %d", got.status)
	}
}
