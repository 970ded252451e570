package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

func TestSearchPageAndAPI(t *testing.T) {
	ts := newTestSite(t)
	// Before the first sync the index does not exist yet: the page says so.
	if r := ts.client().get("/recherche?q=caf"); r.status != 503 || !strings.Contains(r.body, "en reconstruction") {
		t.Fatalf("search before the index exists: %d", r.status)
	}
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Attestation CAF introuvable", "Où trouver l’attestation de paiement ?", func(n *content.NewTopic) { n.Tags = "caf" })
	ts.mustCreateTopic(karim, "Imprimer une attestation CAF", "Avec quelle imprimante ?", func(n *content.NewTopic) { n.Category = "outils-et-materiel" })
	reply := ts.mustReply(lucie, topic, "Dans l’espace « Mon compte » de la CAF, rubrique attestations.", 1)
	hidden := ts.mustReply(lucie, topic, "Un message CAF masqué par la modération.", 0)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	if err := ts.srv.store.SetPostHidden(ts.ctx(), mod, hidden.ID, true); err != nil {
		t.Fatal(err)
	}
	ts.syncIndex()

	runScenarios(t, ts, []scenario{
		{name: "empty query helps", path: "/recherche", wantStatus: 200, wantContains: []string{"Chercher dans la Ligue", "CnFS"}},
		// One result per discussion: the topic stands for its matching reply.
		{name: "results with highlights and facets", path: "/recherche?q=attestation+caf", wantStatus: 200,
			wantContains: []string{"2 résultats", "<mark>", `href="` + topic.Path() + `"`, "Affiner", "Outils et matériel", "#caf",
				"Trouvé dans le titre, le texte et l’étiquette #caf", "Trouvé dans le titre</p>",
				`<a href="/recherche?discussion=` + itoa(int(topic.ID)) + `&amp;q=attestation&#43;caf">1 autre message de cette discussion correspond</a>`},
			wantNotContains: []string{"masqué par la modération", `href="` + topic.Path() + `?post=2"`}},
		{name: "within a discussion", path: "/recherche?q=attestation+caf&discussion=" + itoa(int(topic.ID)), wantStatus: 200,
			wantContains: []string{"2 résultats", `href="` + topic.Path() + `"`, `href="` + topic.Path() + `?post=2"`,
				"Discussion : « Attestation CAF introuvable »", `name="discussion" value="` + itoa(int(topic.ID)) + `" checked`},
			wantNotContains: []string{"Imprimer une", "autre message", "masqué par la modération"}},
		{name: "bad discussion number", path: "/recherche?q=caf&discussion=abc", wantStatus: 200,
			wantContains: []string{"Le numéro de discussion « abc » n’a pas été compris", "2 résultats"}},
		{name: "the options offer every filter", path: "/recherche?q=attestation", wantStatus: 200,
			wantContains: []string{`<details class="search-options">`, `name="type" value="message"`, `<select id="s-categorie" name="categorie">`,
				`<option value="outils-et-materiel">Outils et matériel</option>`, `<label for="s-etiquette">Étiquette</label>`,
				`<label for="s-auteur">`, `<label for="s-depuis">Depuis le</label>`, `id="s-depuis" name="depuis" type="text" value=""`,
				`<label for="s-jusqua">Jusqu’au</label>`, "AAAA-MM-JJ", `name="resolue"`, `name="exact"`, `name="tri"`},
			wantNotContains: []string{`name="discussion"`, `type="hidden" name="categorie"`, `type="hidden" name="auteur"`}},
		{name: "the options filled from the URL", wantStatus: 200,
			path: "/recherche?q=caf&categorie=outils-et-materiel&etiquette=impression&auteur=Karim&depuis=2025-01-31&jusqua=2026-12-01&exact=1&tri=recent",
			wantContains: []string{`<details class="search-options" open>`, `<option value="outils-et-materiel" selected>Outils et matériel</option>`,
				`id="s-etiquette" name="etiquette" type="text" value="impression"`, `id="s-auteur" name="auteur" type="text" value="Karim"`,
				`id="s-depuis" name="depuis" type="text" value="2025-01-31"`, `id="s-jusqua" name="jusqua" type="text" value="2026-12-01"`,
				`name="exact" value="1" checked`, `<option value="recent" selected>`}},
		{name: "filter by facet", path: "/recherche?q=attestation&categorie=outils-et-materiel", wantStatus: 200,
			wantContains: []string{"1 résultat.", "Imprimer une <mark>attestation</mark> CAF", "Catégorie : Outils et matériel"}},
		{name: "type filter", path: "/recherche?q=attestation&type=message", wantStatus: 200, wantContains: []string{"1 résultat.", "Message"}},
		{name: "typo", path: "/recherche?q=imprimnte", wantStatus: 200, wantContains: []string{"Résultats pour « imprimante » (au lieu de « imprimnte »)"}},
		{name: "no result", path: "/recherche?q=zzyzx", wantStatus: 200, wantContains: []string{"Aucun résultat", "Posez-la à la Ligue"}},
		{name: "only stop words", path: "/recherche?q=le+la+les", wantStatus: 200, wantContains: []string{"mots très courants"}},
		{name: "bad date", path: "/recherche?q=caf&depuis=hier", wantStatus: 200, wantContains: []string{"n’a pas été comprise"}},
		{name: "page too far", path: "/recherche?q=caf&page=1000000000", wantStatus: 200, wantContains: []string{"page 50"}},
		{name: "header search box", path: "/", wantStatus: 200, wantContains: []string{`<form method="get" action="/recherche" class="header-search" role="search">`}},
		{name: "see also under a topic", path: topic.Path(), wantStatus: 200, wantContains: []string{"Voir aussi", "Imprimer une attestation CAF"}},
	})

	r := ts.client().get("/api/v1/recherche?q=attestation&type=message")
	var out struct {
		Total   int `json:"total"`
		Results []struct {
			Type, URL, Author string
			Excerpt           string `json:"excerpt_html"`
		} `json:"results"`
		Facets map[string][]struct {
			Value string
			Count int
		} `json:"facets"`
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || r.status != 200 {
		t.Fatalf("API: %d %s", r.status, r.body)
	}
	if out.Total != 1 || out.Results[0].URL != "http://ligue.test"+topic.Path()+"?post="+itoa(reply.Number) || !strings.Contains(out.Results[0].Excerpt, "<mark>") {
		t.Errorf("API results: %+v", out)
	}
	if len(out.Facets["type"]) != 1 || out.Facets["type"][0].Value != "message" {
		t.Errorf("API facets: %+v", out.Facets)
	}
	// Grouped as on the page: the other matches of a discussion counted.
	var grouped struct {
		Total, Matches int
		Results        []struct {
			ID, Group string
			Others    int
			Why       []string
			Tags      []string `json:"tags_matched"`
		} `json:"results"`
	}
	r = ts.client().get("/api/v1/recherche?q=attestation+caf")
	if err := json.Unmarshal([]byte(r.body), &grouped); err != nil || r.status != 200 {
		t.Fatalf("API: %d %s", r.status, r.body)
	}
	topicDoc := content.DocID(content.EntityTopic, topic.ID)
	if grouped.Total != 2 || grouped.Matches != 3 || len(grouped.Results) != 2 {
		t.Fatalf("API grouped results: %+v", grouped)
	}
	for _, g := range grouped.Results {
		want := "0 titre "
		if g.ID == topicDoc {
			want = "1 titre,texte,étiquette caf"
		}
		if got := itoa(g.Others) + " " + strings.Join(g.Why, ",") + " " + strings.Join(g.Tags, ","); g.Group != g.ID || got != want {
			t.Errorf("API grouped result %s in %s: %q, want %q", g.ID, g.Group, got, want)
		}
	}
	r = ts.client().get("/api/v1/recherche?q=attestation+caf&discussion=" + itoa(int(topic.ID)))
	if err := json.Unmarshal([]byte(r.body), &grouped); err != nil || grouped.Total != 2 || len(grouped.Results) != 2 || grouped.Results[1].Others != 0 {
		t.Errorf("API within a discussion: %s", r.body)
	}

	// A new reply is searchable once the indexer ran (the running server
	// is poked after every write).
	asLucie := ts.loggedIn(lucie)
	asLucie.postForm("/discussions/"+itoa(int(topic.ID))+"/reponses", url.Values{"body": {"Le simulateur de la CAF aide aussi."}})
	ts.syncIndex()
	if r := ts.client().get("/recherche?q=simulateur"); !strings.Contains(r.body, "1 résultat.") {
		t.Error("a new reply is not searchable")
	}
}
