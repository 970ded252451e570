package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

func ficheJSON(title, body string, base int) string {
	b, _ := json.Marshal(map[string]any{"title": title, "summary": "Le chapô.", "body": body, "tags": []string{"caf", "e-mail"},
		"audiences": []string{"seniors"}, "base_revision": base})
	return string(b)
}

func TestFichesAPI(t *testing.T) {
	ts := newTestSite(t)
	alice, bruno := ts.mustCreateMember("alice", content.RoleMember), ts.mustCreateMember("bruno", content.RoleMember)
	at, bt := ts.mustToken(alice), ts.mustToken(bruno)

	status, out := ts.apiCall(at, "POST", "/api/v1/fiches", ficheJSON("Une fiche par l’API", ficheBody, 0))
	if status != 201 || out["slug"] != "une-fiche-par-l-api" || out["published"] != false {
		t.Fatalf("create: %d %v", status, out)
	}
	if tags, ok := out["tags"].([]any); !ok || len(tags) != 2 {
		t.Errorf("tags are not an array: %v", out["tags"])
	}
	path := "/api/v1/fiches/une-fiche-par-l-api"
	// A brouillon: 404 to others, listed nowhere.
	for _, token := range []string{"", bt} {
		if status, _ := ts.apiCall(token, "GET", path, ""); status != 404 {
			t.Errorf("brouillon via the API: %d", status)
		}
		if status, _ := ts.apiCall(token, "GET", path+"/revisions", ""); status != 404 {
			t.Errorf("brouillon revisions via the API: %d", status)
		}
	}
	if _, err := ts.srv.store.PublishFiche(ts.ctx(), alice, 1); err != nil {
		t.Fatal(err)
	}
	if status, out := ts.apiCall("", "GET", "/api/v1/fiches", ""); status != 200 || len(out["fiches"].([]any)) != 1 {
		t.Fatalf("list: %d %v", status, out)
	}
	status, out = ts.apiCall("", "GET", path, "")
	if status != 200 || out["revision"] != float64(1) || !strings.Contains(out["html"].(string), "<h2") || len(out["authors"].([]any)) != 1 {
		t.Fatalf("get: %d %v", status, out)
	}

	// Disjoint edits from revision 1: merged; overlapping ones: 409.
	if status, _ := ts.apiCall(at, "PUT", path, ficheJSON("Une fiche par l’API", strings.Replace(ficheBody, "Premier paragraphe.", "Premier, par Alice.", 1), 1)); status != 200 {
		t.Fatalf("alice put: %d", status)
	}
	status, out = ts.apiCall(bt, "PUT", path, ficheJSON("Une fiche par l’API", strings.Replace(ficheBody, "Troisième paragraphe.", "Troisième, par Bruno.", 1), 1))
	if status != 200 || len(out["merged_with"].([]any)) != 1 {
		t.Fatalf("merged put: %d %v", status, out)
	}
	fiche := out["fiche"].(map[string]any)
	if body := fiche["body"].(string); !strings.Contains(body, "par Alice") || !strings.Contains(body, "par Bruno") {
		t.Fatalf("merge lost an edit: %q", body)
	}
	status, out = ts.apiCall(bt, "PUT", path, ficheJSON("Une fiche par l’API", strings.Replace(ficheBody, "Premier paragraphe.", "Premier, par Bruno.", 1), 1))
	if status != 409 || errorCode(out) != "edit_conflict" || out["base_revision"] != float64(3) {
		t.Fatalf("conflict: %d %v", status, out)
	}
	if regions := out["conflicts"].([]any); len(regions) != 1 || !strings.Contains(regions[0].(map[string]any)["ours"].(string), "par Bruno") {
		t.Errorf("conflict regions %v", out["conflicts"])
	}
	for name, body := range map[string]string{"no base": ficheJSON("Une fiche par l’API", "x", 0), "unknown base": ficheJSON("Une fiche par l’API", "x", 42)} {
		if status, out := ts.apiCall(bt, "PUT", path, body); status != 422 || errorCode(out) != "invalid" {
			t.Errorf("%s: %d %v", name, status, out)
		}
	}
	status, out = ts.apiCall("", "GET", path+"/revisions", "")
	if status != 200 || len(out["revisions"].([]any)) != 3 {
		t.Fatalf("revisions: %d %v", status, out)
	}
	status, out = ts.apiCall("", "GET", path+"/revisions/1", "")
	if status != 200 || out["body"] != ficheBody {
		t.Fatalf("revision 1: %d %v", status, out)
	}
	if status, _ := ts.apiCall("", "GET", path+"/revisions/9", ""); status != 404 {
		t.Errorf("unknown revision: %d", status)
	}
}
