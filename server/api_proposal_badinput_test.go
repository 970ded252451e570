package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// Bad input through the proposals API: every refusal is the JSON error
// shape with a French message and its status, never a 500, and changes
// nothing.
func TestProposalAPIBadInput(t *testing.T) {
	ts := newTestSite(t)
	lea, karim, nadia := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember),
		ts.mustCreateMember("Nadia", content.RoleMember)
	lt, kt, nt := ts.mustToken(lea), ts.mustToken(karim), ts.mustToken(nadia)
	open := newAPIProposalFixture(t, ts, lt, kt, "Des ateliers le samedi")
	item := open.path + "/items/" + itoa(int(open.itemID))
	if status, out := ts.apiCall(lt, "POST", open.amendment+"/accepter", ""); status != 200 {
		t.Fatalf("accept: %d %v", status, out)
	}
	// Now at revision 2: Karim's amendment took the proposition there.
	published := newAPIProposalFixture(t, ts, lt, kt, "Un texte publié")
	if status, out := ts.apiCall(lt, "POST", published.path+"/etat", jsonOf(map[string]any{"state": "published"})); status != 200 {
		t.Fatalf("publish: %d %v", status, out)
	}
	if status, out := ts.apiCall(nt, "POST", published.path+"/signatures", ""); status != 201 {
		t.Fatalf("sign: %d %v", status, out)
	}
	if status, out := ts.apiCall(lt, "POST", "/api/v1/propositions", jsonOf(map[string]any{"title": "Mon brouillon secret"})); status != 201 {
		t.Fatalf("brouillon: %d %v", status, out)
	}
	draft := "/api/v1/propositions/mon-brouillon-secret"
	status, out := ts.apiCall(lt, "POST", draft+"/items", jsonOf(map[string]any{"title": "Secret", "body": "Rien à voir."}))
	if status != 200 {
		t.Fatalf("brouillon's proposition: %d %v", status, out)
	}
	draftItem := draft + "/items/" + itoa(int(out["proposition"].(map[string]any)["working"].(map[string]any)["items"].([]any)[0].(map[string]any)["id"].(float64)))
	// A text at the limit of propositions.
	full, err := ts.srv.store.CreateProposal(ts.ctx(), lea, content.NewProposal{Title: "Un texte très long"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= content.MaxProposalItems; i++ {
		if _, err := ts.srv.store.EditProposal(ts.ctx(), lea, full.ID, content.PartEdit{Part: content.PartItem,
			Title: "Proposition " + strconv.Itoa(i), Body: "Le texte de la proposition " + strconv.Itoa(i) + "."}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.srv.store.MoveProposal(ts.ctx(), lea, full.ID, content.ProposalOpen, false); err != nil {
		t.Fatal(err)
	}
	fullPath := "/api/v1/propositions/" + full.Slug

	long := strings.Repeat("Une phrase de la proposition. ", 400) // 12,000 characters
	for _, c := range []struct {
		name, token, method, path, body string
		status                          int
		code, message                   string
	}{
		{"accept twice", lt, "POST", open.amendment + "/accepter", "", 422, "invalid", "a déjà été tranché (accepté)"},
		{"merge by hand once accepted", lt, "POST", open.amendment + "/repris", "", 422, "invalid", "a déjà été tranché (accepté)"},
		{"reject once accepted", lt, "POST", open.amendment + "/rejeter", `{"raison":"Trop tard."}`, 422, "invalid", "a déjà été tranché"},
		{"support once accepted", nt, "POST", open.amendment + "/soutien", "", 422, "invalid", "déjà tranché : il ne se soutient plus"},
		{"an unknown amendment", lt, "POST", open.path + "/amendements/999999/accepter", "", 404, "not_found", "n’existe pas"},
		{"an amendment number past int64", lt, "GET", open.path + "/amendements/99999999999999999999999", "", 404, "not_found", "n’existe pas"},
		{"amend a published version", nt, "POST", published.path + "/amendements", jsonOf(map[string]any{"kind": "add", "title": "Un goûter",
			"body": "Un goûter.", "justification": "Pour se parler."}), 422, "invalid", "pas sur une version publiée"},
		{"amend without a justification", nt, "POST", open.path + "/amendements", jsonOf(map[string]any{"kind": "change", "item_id": open.itemID,
			"title": "Un atelier", "body": "Deux ateliers par semaine."}), 422, "invalid", "Expliquez en quelques mots"},
		{"amend a proposition not in the text", nt, "POST", open.path + "/amendements", jsonOf(map[string]any{"kind": "remove", "item_id": 424242,
			"justification": "Inutile."}), 422, "invalid", "n’est plus dans le texte"},
		{"amend with the text as it is", nt, "POST", open.path + "/amendements", jsonOf(map[string]any{"kind": "change", "item_id": open.itemID,
			"title": "Un atelier", "body": "Un atelier par semaine.", "justification": "Pareil."}), 422, "invalid", "mot pour mot"},
		{"sign twice", nt, "POST", published.path + "/signatures", "", 422, "invalid", "Vous avez déjà signé ce texte"},
		{"sign an open text", nt, "POST", open.path + "/signatures", "", 422, "invalid", "pas encore publié"},
		{"a stale base_revision", lt, "PUT", item, jsonOf(map[string]any{"title": "Un atelier", "body": "Un atelier par quinzaine.", "base_revision": 1}),
			409, "edit_conflict", "croisent celles de"},
		{"no base_revision", lt, "PUT", item, jsonOf(map[string]any{"title": "Un atelier", "body": "Un atelier par quinzaine."}),
			422, "invalid", "La version de départ de votre modification manque"},
		{"a base_revision from the future", lt, "PUT", item, jsonOf(map[string]any{"title": "Un atelier", "body": "Un atelier par quinzaine.", "base_revision": 99}),
			422, "invalid", "La version de départ de votre modification manque ou n’existe pas"},
		{"a base_revision that is not a number", lt, "PUT", item, `{"title":"Un atelier","body":"Deux.","base_revision":"deux"}`,
			400, "bad_request", "n’est pas lisible"},
		{"a body that is not JSON", lt, "POST", open.path + "/items", `{"title": "Un atelier",`, 400, "bad_request", "n’est pas lisible"},
		{"an empty proposition", lt, "POST", open.path + "/items", jsonOf(map[string]any{"title": "", "body": "  "}), 422, "invalid",
			"Donnez un titre court à la proposition. La proposition est vide"},
		{"a proposition too long", lt, "POST", open.path + "/items", jsonOf(map[string]any{"title": "Longue", "body": long}), 422, "invalid",
			"dépasse 10000 caractères"},
		{"a proposition not in the text", lt, "PUT", open.path + "/items/424242", jsonOf(map[string]any{"title": "x", "body": "y", "base_revision": 1}),
			404, "not_found", "n’existe pas"},
		{"an empty text", lt, "POST", "/api/v1/propositions", jsonOf(map[string]any{"title": " ", "preamble": ""}), 422, "invalid", "titre"},
		{"a 101st proposition", lt, "POST", fullPath + "/items", jsonOf(map[string]any{"title": "Encore une", "body": "Encore."}), 422, "invalid",
			"Un texte compte au plus 100 propositions"},
		{"an amendment adding a 101st", nt, "POST", fullPath + "/amendements", jsonOf(map[string]any{"kind": "add", "title": "Encore une",
			"body": "Encore.", "justification": "Il en manque une."}), 422, "invalid", "Le texte compte déjà 100 propositions"},
		{"an unknown state", lt, "POST", open.path + "/etat", jsonOf(map[string]any{"state": "volé"}), 422, "invalid", "ne peut pas passer de « Ouvert"},
		{"members_only that is not a boolean", lt, "POST", open.path + "/etat", `{"state":"draft","members_only":"oui"}`, 400, "bad_request", "n’est pas lisible"},
		{"support that is not a boolean", nt, "POST", published.amendment + "/soutien", `{"support":"oui"}`, 400, "bad_request", "n’est pas lisible"},
		{"withdraw a signature never given", kt, "POST", published.path + "/signatures/retirer", "", 422, "invalid", "Vous n’aviez pas signé ce texte."},
		{"the signatures of an open text", "", "GET", open.path + "/signatures", "", 404, "not_found", "n’existe pas"},
		{"a signatures page past the last", "", "GET", published.path + "/signatures?page=99999999999", "", 404, "not_found", "n’existe pas"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := ts.apiCall(c.token, c.method, c.path, c.body)
			if status != c.status || errorCode(out) != c.code || !strings.Contains(plain(errorMessage(out)), c.message) {
				t.Errorf("%s %s: %d %v, want %d %s « %s »", c.method, c.path, status, out, c.status, c.code, c.message)
			}
		})
	}

	// A brouillon guessed by its slug: 404 to whoever does not write or
	// read it, on every route, as a text that does not exist.
	for _, r := range []struct{ method, path, body string }{
		{"GET", draft, ""},
		{"PUT", draftItem, jsonOf(map[string]any{"title": "Piraté", "body": "Piraté.", "base_revision": 1})},
		{"POST", draft + "/items", jsonOf(map[string]any{"title": "Piraté", "body": "Piraté."})},
		{"POST", draft + "/etat", jsonOf(map[string]any{"state": "open"})},
		{"GET", draft + "/amendements", ""},
		{"POST", draft + "/amendements", jsonOf(map[string]any{"kind": "add", "title": "x", "body": "y", "justification": "z"})},
		{"POST", draft + "/amendements/cloture", ""},
		{"GET", draft + "/amendements/1", ""},
		{"POST", draft + "/amendements/1/soutien", ""},
		{"POST", draft + "/amendements/1/accepter", ""},
		{"POST", draft + "/amendements/1/repris", ""},
		{"GET", draft + "/signatures", ""},
		{"POST", draft + "/signatures", ""},
		{"POST", draft + "/signatures/retirer", ""},
	} {
		for _, token := range []string{kt, nt} {
			status, out := ts.apiCall(token, r.method, r.path, r.body)
			if status != 404 || errorCode(out) != "not_found" || errorMessage(out) == "" {
				t.Errorf("%s %s by a stranger to the brouillon: %d %v", r.method, r.path, status, out)
			}
		}
	}
	_, out = ts.apiCall(lt, "GET", draft, "")
	if items := out["working"].(map[string]any)["items"].([]any); len(items) != 1 || out["state"] != "draft" {
		t.Errorf("the brouillon after the strangers' requests: %v", out)
	}
	if strings.Contains(ts.logs.String(), "internal error") {
		t.Errorf("an internal error was logged:\n%s", ts.logs.String())
	}
}
