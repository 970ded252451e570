package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// apiCall sends a JSON request with a Bearer token.
func (ts *testSite) apiCall(token, method, path, body string) (int, map[string]any) {
	ts.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := ts.srv.App().Test(req, -1)
	if err != nil {
		ts.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		ts.t.Fatalf("%s %s: not JSON: %s", method, path, b)
	}
	return res.StatusCode, out
}

func (ts *testSite) mustToken(u *content.User) string {
	ts.t.Helper()
	v, _, err := ts.srv.store.CreateAPIToken(ts.ctx(), u, "tests")
	if err != nil {
		ts.t.Fatal(err)
	}
	return v
}

func errorCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func TestDiscussionsAPIMatchesThePages(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	kt, lt := ts.mustToken(karim), ts.mustToken(lucie)

	status, out := ts.apiCall(kt, "POST", "/api/v1/discussions",
		`{"title":"Aider à déclarer ses revenus en ligne","body":"Par où **commencer** ?","category":"demarches-en-ligne","tags":"impots","kind":"question"}`)
	if status != 201 || out["title"] != "Aider à déclarer ses revenus en ligne" || out["url"] == nil {
		t.Fatalf("create: %d %v", status, out)
	}
	id := int(out["id"].(float64))
	path := "/api/v1/discussions/" + itoa(id)

	status, out = ts.apiCall(lt, "POST", path+"/reponses", `{"body":"Avec le numéro fiscal. @karim","reply_to":1}`)
	if status != 201 || !strings.Contains(out["html"].(string), `class="mention"`) || out["body"] != "Avec le numéro fiscal. @karim" {
		t.Fatalf("reply: %d %v", status, out)
	}
	postID := int(out["id"].(float64))

	status, out = ts.apiCall(kt, "POST", "/api/v1/posts/"+itoa(postID)+"/merci", "")
	if status != 200 || out["merci"] != true || out["mercis"].(float64) != 1 {
		t.Errorf("merci: %d %v", status, out)
	}
	status, out = ts.apiCall(kt, "PATCH", "/api/v1/posts/"+itoa(postID), `{"body":"Pas le mien"}`)
	if status != 403 || errorCode(out) != "forbidden" {
		t.Errorf("editing someone else's post: %d %v", status, out)
	}
	status, out = ts.apiCall(lt, "PATCH", "/api/v1/posts/"+itoa(postID), `{"body":"Avec le numéro fiscal et le mot de passe."}`)
	if status != 200 || out["edited_at"] == nil {
		t.Errorf("edit: %d %v", status, out)
	}

	// The same topic through the page and the API.
	status, out = ts.apiCall("", "GET", path, "")
	posts := out["posts"].([]any)
	page := ts.client().get("/discussions/" + itoa(id) + "/aider-a-declarer-ses-revenus-en-ligne")
	if status != 200 || len(posts) != 2 || len(postNumbers(page.body)) != 2 {
		t.Fatalf("get: %d %v", status, out)
	}
	for _, p := range posts {
		html := p.(map[string]any)["html"].(string)
		if !strings.Contains(page.body, html) {
			t.Errorf("the page does not show the API's html %q", html)
		}
	}

	status, out = ts.apiCall("", "GET", "/api/v1/discussions?categorie=demarches-en-ligne&filtre=sans-reponse", "")
	if status != 200 || len(out["discussions"].([]any)) != 0 {
		t.Errorf("filters: %v", out)
	}
	status, out = ts.apiCall("", "GET", "/api/v1/discussions?etiquette=impots", "")
	list := out["discussions"].([]any)
	if status != 200 || len(list) != 1 || list[0].(map[string]any)["replies"].(float64) != 1 {
		t.Errorf("list: %v", out)
	}
	if status, out := ts.apiCall("", "GET", "/api/v1/categories", ""); status != 200 || len(out["categories"].([]any)) != 8 { // the six defaults and the fiches' and texts' comments
		t.Errorf("categories: %v", out)
	}

	for _, tc := range []struct {
		name, token, method, path, body string
		status                          int
		code                            string
	}{
		{"no credentials", "", "POST", "/api/v1/discussions", `{"title":"x"}`, 401, "unauthorized"},
		{"bad JSON", kt, "POST", "/api/v1/discussions", `{"title":`, 400, "bad_request"},
		{"invalid topic", kt, "POST", "/api/v1/discussions", `{"title":"","body":"","category":"x"}`, 422, "invalid"},
		{"unknown topic", kt, "GET", "/api/v1/discussions/999", "", 404, "not_found"},
		{"reply to a missing post", kt, "POST", path + "/reponses", `{"body":"ok","reply_to":99}`, 422, "invalid"},
	} {
		status, out := ts.apiCall(tc.token, tc.method, tc.path, tc.body)
		if status != tc.status || errorCode(out) != tc.code {
			t.Errorf("%s: %d %v, want %d %s", tc.name, status, out, tc.status, tc.code)
		}
	}

	// With the session cookie instead of a token, writes need the CSRF header.
	cl := ts.loggedIn(karim)
	r := cl.do("POST", path+"/reponses", strings.NewReader(`{"body":"Par le cookie"}`), "application/json")
	if r.status != 403 || !strings.Contains(r.body, `"code":"csrf"`) {
		t.Errorf("cookie write without CSRF header: %d %s", r.status, r.body)
	}
	cl.headers["X-CSRF-Token"] = cl.csrf
	if r := cl.do("POST", path+"/reponses", strings.NewReader(`{"body":"Par le cookie"}`), "application/json"); r.status != 201 {
		t.Errorf("cookie write with CSRF header: %d %s", r.status, r.body)
	}
}
