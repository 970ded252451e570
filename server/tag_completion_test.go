package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// The composers' tag completion offers the tags in use that start with what
// is typed (or one of whose words does), accents and case ignored, with
// their counts; visitors get the API's 401.
func TestComposerTagCompletion(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	for i, tags := range []string{"caf, sécurité sociale", "caf, carte vitale", "caf, sécurité sociale", "café numérique", "aide au logement"} {
		ts.mustCreateTopic(karim, "Une question pour les étiquettes "+itoa(i), "Texte", func(n *content.NewTopic) { n.Tags = tags })
	}
	if r := ts.client().get("/composer/etiquettes?debut=ca"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, `"error"`) {
		t.Errorf("visitor: %d %q, want the JSON 401", r.status, r.body)
	}
	cl := ts.loggedIn(karim)
	type answer struct {
		Tags []struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
		} `json:"tags"`
	}
	for _, tc := range []struct{ debut, want string }{
		{"ca", "caf 3, café-numérique 1, carte-vitale 1"},
		{"CAF", "caf 3, café-numérique 1"},
		{"cafe", "café-numérique 1"},
		{"SECU", "sécurité-sociale 2"},
		{"sécurité soc", "sécurité-sociale 2"},
		{"log", "aide-au-logement 1"},
		{"vitale", "carte-vitale 1"},
		{"a", "aide-au-logement 1"},
		{"zz", ""},
		{"%", ""},
		{"c_f", ""},
		{"", ""},
	} {
		r := cl.get("/composer/etiquettes?debut=" + url.QueryEscape(tc.debut))
		if r.status != 200 || !strings.Contains(r.raw, `"tags":[`) {
			t.Fatalf("debut=%q: %d %s, want a tags array (never null)", tc.debut, r.status, r.raw)
		}
		var got []string
		for _, g := range decodeJSON[answer](t, r).Tags {
			got = append(got, g.Name+" "+itoa(g.Count))
		}
		if strings.Join(got, ", ") != tc.want {
			t.Errorf("debut=%q: %q, want %q", tc.debut, strings.Join(got, ", "), tc.want)
		}
	}
}
