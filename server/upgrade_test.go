package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/internal/schemafixture"
	"github.com/ligue-mednum/ligue/migrations"
	"github.com/ligue-mednum/ligue/search"
)

// What the fixtures of migrations/testdata hold, from the schema that
// brought each (see migrations/testdata/seed).
const (
	fixtureTopicTitle = "Aider une personne sans adresse courriel"
	fixtureTopicPath  = "/discussions/1/aider-une-personne-sans-adresse-courriel"
)

// A site whose database an older Ligue left, at any earlier schema, serves
// its content once upgraded and its index rebuilt, as after « ligue
// reindex ».
func TestSiteServesWhatEveryEarlierSchemaHeld(t *testing.T) {
	latest, err := migrations.Latest(migrations.Files)
	if err != nil {
		t.Fatal(err)
	}
	for version := 1; version < latest; version++ {
		t.Run(fmt.Sprintf("from schema %d", version), func(t *testing.T) {
			data := upgradedData(t, version)
			ts := newTestSite(t, func(c *Config) { c.DataDir = data })
			visitor := ts.client()
			pages := []struct {
				since       int
				path, wants string
			}{
				{1, "/membres/Karim", "Centre social des Lilas"},
				{3, "/", fixtureTopicTitle},
				{3, fixtureTopicPath, "faire sa demande à la CAF."},
				{3, fixtureTopicPath, "et elle la note dans son carnet."},
				{3, "/recherche?q=courriel", `<h2 class="result-title"><a href="` + fixtureTopicPath + `">`},
				{13, "/fiches/creer-une-adresse-e-mail", "Choisir le fournisseur"},
				{13, "/fiches/adresse-e-mail", ""}, // its former slug redirects
				{19, "/propositions/dix-propositions", "Un accueil physique"},
			}
			for _, p := range pages {
				if version < p.since {
					continue
				}
				r := visitor.get(p.path)
				if p.wants == "" {
					if r.status != http.StatusMovedPermanently && r.status != http.StatusSeeOther {
						t.Errorf("%s: status %d, want a redirect", p.path, r.status)
					}
					continue
				}
				if r.status != http.StatusOK || !strings.Contains(r.body, p.wants) {
					t.Errorf("%s: status %d, %q missing\n%s", p.path, r.status, p.wants, r.body[max(0, strings.Index(r.body, "<main")):])
				}
			}
			// Karim's password still opens his account.
			if version >= 3 {
				karim, err := ts.srv.store.UserByPseudo(ts.ctx(), "Karim")
				if err != nil {
					t.Fatal(err)
				}
				if r := ts.loggedIn(karim).get("/brouillons"); r.status != http.StatusOK || !strings.Contains(r.body, "Pass numérique") {
					t.Errorf("Karim's drafts: %d\n%.2000s", r.status, r.body)
				}
			}
		})
	}
}

// upgradedData is a data folder holding the fixture of schema version,
// upgraded by the current binary and its search index rebuilt.
func upgradedData(t *testing.T, version int) string {
	t.Helper()
	rows, err := os.ReadFile(filepath.Join("..", "migrations", "testdata", schemafixture.Name(version)))
	if err != nil {
		t.Fatalf("the fixture of schema %d: %v (see migrations/upgrade_test.go)", version, err)
	}
	ctx := context.Background()
	data := t.TempDir()
	path := filepath.Join(data, "ligue.db")
	if err := schemafixture.Create(ctx, path, version, string(rows)); err != nil {
		t.Fatal(err)
	}
	db, err := content.OpenDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := content.NewStore(db)
	if err := search.Rebuild(ctx, data, store.SearchSources(), store.Events(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	return data
}
