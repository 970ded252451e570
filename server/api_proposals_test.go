package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

func jsonOf(v map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestProposalsAPI(t *testing.T) {
	ts := newTestSite(t)
	lea, karim, nadia := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember),
		ts.mustCreateMember("Nadia", content.RoleMember)
	lt, kt, nt := ts.mustToken(lea), ts.mustToken(karim), ts.mustToken(nadia)

	status, out := ts.apiCall(lt, "POST", "/api/v1/propositions", jsonOf(map[string]any{"title": "Des permanences par l’API", "preamble": "Nous proposons."}))
	if status != 201 || out["slug"] != "des-permanences-par-l-api" || out["state"] != "draft" || out["role"] != "owner" {
		t.Fatalf("create: %d %v", status, out)
	}
	path := "/api/v1/propositions/des-permanences-par-l-api"
	status, out = ts.apiCall(lt, "POST", path+"/items", jsonOf(map[string]any{"title": "Une permanence", "body": "Une par semaine, à la mairie."}))
	if status != 200 {
		t.Fatalf("add a proposition: %d %v", status, out)
	}
	item := out["proposition"].(map[string]any)["working"].(map[string]any)["items"].([]any)[0].(map[string]any)
	itemPath := path + "/items/" + itoa(int(item["id"].(float64)))

	// A brouillon: 404 to others, as a text that does not exist, and listed nowhere.
	for _, token := range []string{"", nt} {
		for _, p := range []string{path, "/api/v1/propositions/rien-du-tout"} {
			if status, out := ts.apiCall(token, "GET", p, ""); status != 404 || out["error"].(map[string]any)["code"] != "not_found" {
				t.Errorf("GET %s: %d %v", p, status, out)
			}
		}
		if status, out := ts.apiCall(token, "GET", "/api/v1/propositions", ""); status != 200 || len(out["propositions"].([]any)) != 0 {
			t.Errorf("the list shows someone's brouillon: %v", out)
		}
	}
	if status, _ := ts.apiCall(nt, "PUT", itemPath, jsonOf(map[string]any{"title": "Piraté", "body": "Piraté.", "base_revision": 1})); status != 404 {
		t.Errorf("a stranger's PUT on a brouillon: %d", status)
	}
	if status, _ := ts.apiCall(nt, "POST", path+"/etat", jsonOf(map[string]any{"state": "open"})); status != 404 {
		t.Errorf("a stranger's state change: %d", status)
	}
	if status, _ := ts.apiCall(lt, "PUT", "/api/v1/propositions/rien-du-tout/items/1", jsonOf(map[string]any{"title": "x", "body": "y", "base_revision": 1})); status != 404 {
		t.Errorf("PUT on an unknown text: %d", status)
	}
	if _, err := ts.srv.store.InviteToProposal(ts.ctx(), lea, 1, "Karim", content.RoleCoauthor); err != nil {
		t.Fatal(err)
	}

	// Léa and Karim both start from revision 1: Léa's change goes in, Karim's
	// crosses it: 409 with the merged text between markers.
	if status, out := ts.apiCall(lt, "PUT", itemPath, jsonOf(map[string]any{"title": "Une permanence", "body": "Une par semaine, à la médiathèque.", "base_revision": 1})); status != 200 {
		t.Fatalf("Léa's PUT: %d %v", status, out)
	}
	status, out = ts.apiCall(kt, "PUT", itemPath, jsonOf(map[string]any{"title": "Une permanence", "body": "Une par semaine, au centre social.", "base_revision": 1}))
	if status != 409 || out["error"].(map[string]any)["code"] != "edit_conflict" || out["base_revision"] != 2.0 {
		t.Fatalf("stale PUT: %d %v", status, out)
	}
	merged := out["merged"].(map[string]any)["body"].(string)
	if !strings.Contains(merged, "médiathèque") || !strings.Contains(merged, "centre social") || !strings.Contains(merged, "<<<<<<<") ||
		len(out["conflicts"].([]any)) != 1 || out["current"].(map[string]any)["body"] != "Une par semaine, à la médiathèque." {
		t.Errorf("the conflict's merged text: %v", out)
	}
	if status, _ := ts.apiCall(kt, "PUT", itemPath, jsonOf(map[string]any{"title": "Une permanence", "body": "Une par semaine, à la médiathèque ou au centre social.", "base_revision": 2})); status != 200 {
		t.Errorf("the settled PUT: %d", status)
	}

	// State moves: Karim does not manage it; Léa publishes version 1.
	if status, _ := ts.apiCall(kt, "POST", path+"/etat", jsonOf(map[string]any{"state": "published"})); status != 403 {
		t.Errorf("a co-author publishes: %d", status)
	}
	if status, out := ts.apiCall(lt, "POST", path+"/etat", jsonOf(map[string]any{"state": "archived"})); status != 422 {
		t.Errorf("brouillon to archived: %d %v", status, out)
	}
	status, out = ts.apiCall(lt, "POST", path+"/etat", jsonOf(map[string]any{"state": "published"}))
	if status != 200 || out["state"] != "published" || out["version"] != 1.0 {
		t.Fatalf("publish: %d %v", status, out)
	}

	// A visitor now reads version 1 with its text, its contributors, not the working text.
	status, out = ts.apiCall("", "GET", path, "")
	if status != 200 || out["working"] != nil || len(out["versions"].([]any)) != 1 || len(out["contributors"].([]any)) != 2 {
		t.Fatalf("published, to a visitor: %d %v", status, out)
	}
	v := out["versions"].([]any)[0].(map[string]any)
	if v["markdown_url"] != "http://ligue.test/propositions/des-permanences-par-l-api/versions/1.md" ||
		v["text"].(map[string]any)["items"].([]any)[0].(map[string]any)["body"] != "Une par semaine, à la médiathèque ou au centre social." {
		t.Errorf("version 1: %v", v)
	}
	if status, out := ts.apiCall(nt, "GET", "/api/v1/propositions", ""); status != 200 || len(out["propositions"].([]any)) != 1 {
		t.Errorf("the list once published: %v", out)
	}
}
