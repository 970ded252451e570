package server

import (
	"net/url"
	"strings"
	"testing"
)

// TestProposalSearchPrivacy: a brouillon and a text open to members only
// are found, counted, faceted and suggested for those who may read them
// only; a published text is found by everyone, in its published words.
func TestProposalSearchPrivacy(t *testing.T) {
	ps := newProposalSite(t)
	// A public discussion says « médiateurs », and so does every text's
	// préambule here.
	r := ps.member.postForm("/discussions/nouvelle", url.Values{"title": {"Former les médiateurs du département"},
		"body": {"Comment former les médiateurs qui arrivent ?"}, "category": {"vie-de-la-ligue"}})
	if r.status != 303 {
		t.Fatalf("topic: %d\n%s", r.status, r.body)
	}
	// Léa's brouillon writes « médiatuers » (a typo a visitor might type)
	// and the secret word « quinconce ».
	draft := ps.create(t, "Brouillon confidentiel sur les médiatuers", "Disposer les bureaux en quinconce")
	follow(t, ps.owner, ps.owner.postForm(draft+"/membres", url.Values{"pseudo": {"Karim"}, "role": {"reader"}}))
	members := ps.create(t, "Texte réservé aux membres", "Des permanences en pétanque")
	ps.move(t, members, "open", true)
	public := ps.create(t, "Texte public sur la médiation", "Des ateliers en bibliothèque")
	ps.move(t, public, "published", false)
	ps.syncIndex()

	search := func(cl *client, q string) *response {
		t.Helper()
		return cl.get("/recherche?q=" + url.QueryEscape(q))
	}
	api := func(token, q string) map[string]any {
		t.Helper()
		_, out := ps.apiCall(token, "GET", "/api/v1/recherche?q="+url.QueryEscape(q), "")
		return out
	}
	// Strangers: the brouillon is nowhere — not in results, totals, facets,
	// nor as the reason a correction is or is not offered.
	for _, who := range []*client{ps.visitor, ps.member, ps.modo} {
		for _, q := range []string{"quinconce", "confidentiel", "quinconse"} {
			if r := search(who, q); !strings.Contains(r.body, "Aucun résultat") || strings.Contains(r.body, "Brouillon confidentiel") ||
				strings.Contains(r.body, "Résultats pour") {
				t.Errorf("%q finds or suggests the brouillon:\n%s", q, r.body)
			}
		}
		// « médiatuers » is a word of the brouillon only: a stranger gets the
		// public correction, as if the brouillon did not exist.
		r := search(who, "médiatuers")
		// (Members also read the text kept to them.)
		total, texts := "2 résultats.", "Textes de propositions</a> (1)"
		if who != ps.visitor {
			total, texts = "3 résultats.", "Textes de propositions</a> (2)"
		}
		must(t, r, 200, "Résultats pour « médiateurs »", "/discussions/1/former-les-mediateurs-du-departement",
			"/propositions/texte-public-sur-la-mediation", total, texts)
		if strings.Contains(r.body, "confidentiel") || who == ps.visitor && strings.Contains(r.body, "réservé aux membres") {
			t.Errorf("the correction shows the brouillon:\n%s", r.body)
		}
	}
	// By type alone, a visitor counts the published text only; a member the
	// members' one too; Karim, the brouillon he reads as well.
	for token, want := range map[string]float64{"": 1, ps.mustToken(ps.karim): 3} {
		if _, out := ps.apiCall(token, "GET", "/api/v1/recherche?type=proposition", ""); out["total"] != want ||
			out["facets"].(map[string]any)["type"].([]any)[0].(map[string]any)["count"] != want {
			t.Errorf("texts by type alone: %v, want %v", out, want)
		}
	}
	// The visitor does not see the members' text, nor its type facet.
	out := api("", "pétanque")
	if out["total"] != 0.0 || len(out["facets"].(map[string]any)["type"].([]any)) != 0 {
		t.Errorf("a visitor finds the members' text: %v", out)
	}
	if r := search(ps.visitor, "permanences"); strings.Contains(r.body, "réservé aux membres") {
		t.Error("a visitor finds the text kept to members")
	}
	must(t, search(ps.member, "pétanque"), 200, "Texte réservé aux membres", "Texte de propositions", "1 résultat.")

	// Readers of the brouillon find it, and its word corrects their typo.
	for _, who := range []*client{ps.owner, ps.coauthor} {
		must(t, search(who, "quinconce"), 200, "Brouillon confidentiel sur les médiatuers", "Texte de propositions", "1 résultat.")
		must(t, search(who, "quinconse"), 200, "Résultats pour « quinconce »")
	}
	// A member who joins through a share link finds the brouillon at once.
	r = ps.owner.postForm(draft+"/partages", url.Values{"access": {"read"}})
	follow(t, ps.member, ps.member.get(shareURL.FindStringSubmatch(r.body)[1]))
	ps.syncIndex()
	must(t, search(ps.member, "quinconce"), 200, "Brouillon confidentiel sur les médiatuers", "1 résultat.")

	// Everyone finds the published text, with its type in the facets and
	// the type filter.
	r = search(ps.visitor, "bibliothèque")
	must(t, r, 200, "Texte public sur la médiation", "Texte de propositions", "Textes de propositions</a> (1)")
	must(t, ps.visitor.get("/recherche?q=biblioth%C3%A8que&type=proposition"), 200, `value="proposition" checked`, "Textes de propositions</label>")
	if r := ps.visitor.get("/recherche?q=biblioth%C3%A8que&type=fiche"); !strings.Contains(r.body, "Aucun résultat") {
		t.Error("the type filter lets a text through as a fiche")
	}
}
