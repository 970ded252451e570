package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

func TestProposalAmendmentsAndSignaturesAPI(t *testing.T) {
	ts := newTestSite(t)
	lea, karim, nadia := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember),
		ts.mustCreateMember("Nadia", content.RoleMember)
	lt, kt, nt := ts.mustToken(lea), ts.mustToken(karim), ts.mustToken(nadia)

	// Léa's text, with one proposition, open to contributions.
	if status, out := ts.apiCall(lt, "POST", "/api/v1/propositions", jsonOf(map[string]any{"title": "Des ateliers le samedi", "preamble": "Nous proposons."})); status != 201 {
		t.Fatalf("create: %d %v", status, out)
	}
	path := "/api/v1/propositions/des-ateliers-le-samedi"
	status, out := ts.apiCall(lt, "POST", path+"/items", jsonOf(map[string]any{"title": "Un atelier", "body": "Un atelier par mois."}))
	if status != 200 {
		t.Fatalf("add a proposition: %d %v", status, out)
	}
	itemID := out["proposition"].(map[string]any)["working"].(map[string]any)["items"].([]any)[0].(map[string]any)["id"]
	if status, out := ts.apiCall(lt, "POST", path+"/etat", jsonOf(map[string]any{"state": "open"})); status != 200 {
		t.Fatalf("open: %d %v", status, out)
	}

	// Karim proposes a change; a visitor may not; a kind the store does not know is refused.
	change := jsonOf(map[string]any{"kind": "change", "item_id": itemID, "title": "Un atelier", "body": "Un atelier par semaine, le samedi.",
		"justification": "Une fois par mois, c’est trop peu."})
	if status, _ := ts.apiCall("", "POST", path+"/amendements", change); status != 401 {
		t.Errorf("a visitor proposes: %d", status)
	}
	if status, out := ts.apiCall(kt, "POST", path+"/amendements", jsonOf(map[string]any{"kind": "modifier", "item_id": itemID, "body": "x", "justification": "y"})); status != 422 || errorCode(out) != "invalid" {
		t.Errorf("an unknown kind: %d %v", status, out)
	}
	status, out = ts.apiCall(kt, "POST", path+"/amendements", change)
	if status != 201 || out["kind"] != "change" || out["state"] != "open" || out["author"] != "Karim" || out["item_id"] != itemID ||
		out["item_number"] != 1.0 || out["stale"] != false || out["decided_at"] != nil {
		t.Fatalf("propose: %d %v", status, out)
	}
	amendment := path + "/amendements/" + itoa(int(out["id"].(float64)))

	// Karim does not decide on Léa's text; Léa accepts: the text changed.
	if status, _ := ts.apiCall(kt, "POST", amendment+"/accepter", ""); status != 403 {
		t.Errorf("the author of the amendment accepts it: %d", status)
	}
	status, out = ts.apiCall(lt, "POST", amendment+"/accepter", "")
	if status != 200 || out["state"] != "accepted" || out["decided_at"] == nil {
		t.Fatalf("accept: %d %v", status, out)
	}
	_, out = ts.apiCall(lt, "GET", path, "")
	if body := out["working"].(map[string]any)["items"].([]any)[0].(map[string]any)["body"]; body != "Un atelier par semaine, le samedi." {
		t.Errorf("the text after the amendment: %v", body)
	}
	status, out = ts.apiCall(lt, "POST", amendment+"/accepter", "")
	if msg, _ := out["error"].(map[string]any)["message"].(string); status != 422 || !strings.Contains(msg, "déjà été tranché") {
		t.Errorf("accept twice: %d %v", status, out)
	}

	// An addition, rejected: a reason is asked for, and kept.
	status, out = ts.apiCall(nt, "POST", path+"/amendements", jsonOf(map[string]any{"kind": "add", "title": "Un goûter", "body": "Un goûter après l’atelier.",
		"justification": "Pour se parler."}))
	if status != 201 || out["item_id"] != nil {
		t.Fatalf("propose an addition: %d %v", status, out)
	}
	addition := path + "/amendements/" + itoa(int(out["id"].(float64)))
	if status, out := ts.apiCall(lt, "POST", addition+"/rejeter", ""); status != 422 || errorCode(out) != "invalid" {
		t.Errorf("reject without a reason: %d %v", status, out)
	}
	status, out = ts.apiCall(lt, "POST", addition+"/rejeter", jsonOf(map[string]any{"raison": "Pas de budget pour cela."}))
	if status != 200 || out["state"] != "rejected" || out["reason"] != "Pas de budget pour cela." {
		t.Errorf("reject: %d %v", status, out)
	}
	status, out = ts.apiCall("", "GET", path+"/amendements", "")
	if list, _ := out["amendements"].([]any); status != 200 || len(list) != 2 || out["can_amend"] != false {
		t.Errorf("the list, to a visitor: %d %v", status, out)
	}

	// A brouillon's amendments and signatures: 404 to a stranger, as a text that does not exist.
	if status, _ := ts.apiCall(lt, "POST", "/api/v1/propositions", jsonOf(map[string]any{"title": "Mon brouillon", "preamble": "À voir."})); status != 201 {
		t.Fatal("create the brouillon")
	}
	draft := "/api/v1/propositions/mon-brouillon"
	for _, token := range []string{"", nt} {
		for _, p := range []string{draft + "/amendements", draft + "/signatures", "/api/v1/propositions/rien-du-tout/amendements"} {
			if status, out := ts.apiCall(token, "GET", p, ""); status != 404 || errorCode(out) != "not_found" {
				t.Errorf("GET %s: %d %v", p, status, out)
			}
		}
	}
	if status, _ := ts.apiCall(lt, "GET", draft+"/amendements", ""); status != 200 {
		t.Errorf("its owner reads the brouillon's amendments: %d", status)
	}
	if status, _ := ts.apiCall(lt, "GET", draft+"/signatures", ""); status != 404 {
		t.Errorf("a brouillon's signatures, to its owner: %d", status)
	}
	if status, _ := ts.apiCall(nt, "POST", draft+"/signatures", ""); status != 404 {
		t.Errorf("a stranger signs a brouillon: %d", status)
	}

	// Published: members sign, once; a visitor signs on the page, not here.
	if status, out := ts.apiCall(kt, "POST", path+"/signatures", ""); status != 422 {
		t.Errorf("sign an open text: %d %v", status, out)
	}
	if status, out := ts.apiCall(lt, "POST", path+"/etat", jsonOf(map[string]any{"state": "published"})); status != 200 {
		t.Fatalf("publish: %d %v", status, out)
	}
	if status, out := ts.apiCall("", "POST", path+"/signatures", ""); status != 401 || errorCode(out) != "unauthorized" {
		t.Errorf("a visitor signs: %d %v", status, out)
	}
	status, out = ts.apiCall(kt, "POST", path+"/signatures", "")
	if status != 201 || out["name"] != "Karim" || out["version"] != 1.0 {
		t.Fatalf("sign: %d %v", status, out)
	}
	status, out = ts.apiCall(kt, "POST", path+"/signatures", "")
	if msg, _ := out["error"].(map[string]any)["message"].(string); status != 422 || !strings.Contains(msg, "déjà signé") {
		t.Errorf("sign twice: %d %v", status, out)
	}
	if status, _ := ts.apiCall(nt, "POST", path+"/signatures", ""); status != 201 {
		t.Errorf("Nadia signs: %d", status)
	}
	status, out = ts.apiCall("", "GET", path+"/signatures", "")
	if list, _ := out["signatures"].([]any); status != 200 || len(list) != 2 || out["total"] != 2.0 || out["matching"] != 2.0 || out["pages"] != 1.0 {
		t.Fatalf("the signatures: %d %v", status, out)
	}
	if b, _ := json.Marshal(out); strings.Contains(string(b), "@") {
		t.Errorf("an e-mail address in the signatures: %s", b)
	}
	status, out = ts.apiCall("", "GET", path+"/signatures?departement=29", "")
	if list, _ := out["signatures"].([]any); status != 200 || len(list) != 0 || out["total"] != 2.0 || out["matching"] != 0.0 || out["departement"] != "29" {
		t.Errorf("filtered by département: %d %v", status, out)
	}
	if status, _ := ts.apiCall("", "GET", path+"/signatures?page=3", ""); status != 404 {
		t.Errorf("a page past the last: %d", status)
	}
}
