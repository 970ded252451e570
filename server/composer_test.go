package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// composerClient is a member's browser on a topic page, sending the CSRF
// token in the header as site.js does.
func composerClient(ts *testSite, u *content.User) *client {
	ts.t.Helper()
	cl := ts.loggedIn(u)
	cl.get("/discussions/nouvelle")
	if cl.csrf == "" {
		ts.t.Fatal("no CSRF token on the new topic form")
	}
	cl.headers["X-CSRF-Token"] = cl.csrf
	return cl
}

// postBody sends a form without the _csrf field (the header carries it, or
// nothing does).
func (cl *client) postBody(path string, form url.Values) *response {
	cl.site.t.Helper()
	return cl.do("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// postFile sends file as the multipart field "fichier", with no _csrf field.
func (cl *client) postFile(path, name string, file []byte) *response {
	cl.site.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("fichier", name)
	fw.Write(file)
	w.Close()
	return cl.do("POST", path, &body, w.FormDataContentType())
}

func decodeJSON[T any](t *testing.T, r *response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.raw), &v); err != nil {
		t.Fatalf("status %d, not JSON: %v\n%s", r.status, err, r.body)
	}
	return v
}

func TestComposerEndpointsAreForMembers(t *testing.T) {
	ts := newTestSite(t)
	visitor := ts.client()
	visitor.get("/connexion")
	visitor.headers["X-CSRF-Token"] = visitor.csrf

	if r := visitor.get("/composer/membres?debut=ka"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, `"error"`) {
		t.Errorf("visitor GET /composer/membres: %d %q, want the JSON 401", r.status, r.body)
	}
	if r := visitor.postBody("/composer/apercu", url.Values{"body": {"**gras**"}}); r.status != http.StatusUnauthorized || strings.Contains(r.body, "<strong>gras</strong>") {
		t.Errorf("visitor POST /composer/apercu: %d, want 401 without the preview", r.status)
	}
	if r := visitor.postFile("/composer/fichier", "capture.png", pngImage(t, 20, 10)); r.status != http.StatusUnauthorized {
		t.Errorf("visitor POST /composer/fichier: %d, want 401", r.status)
	}
	if entries, _ := os.ReadDir(filepath.Join(ts.srv.cfg.DataDir, "fichiers")); len(entries) != 0 {
		t.Errorf("a visitor's upload was stored: %d files", len(entries))
	}
}

func TestComposerPostsNeedTheCSRFToken(t *testing.T) {
	ts := newTestSite(t)
	cl := composerClient(ts, ts.mustCreateMember("Karim", content.RoleMember))
	for _, token := range []string{"", "faux"} {
		cl.headers["X-CSRF-Token"] = token
		if r := cl.postBody("/composer/apercu", url.Values{"body": {"**gras**"}}); r.status != http.StatusForbidden || strings.Contains(r.body, "<strong>gras</strong>") {
			t.Errorf("preview with token %q: %d, want 403", token, r.status)
		}
		if r := cl.postFile("/composer/fichier", "capture.png", pngImage(t, 20, 10)); r.status != http.StatusForbidden || strings.Contains(r.raw, "markdown") {
			t.Errorf("upload with token %q: %d, want 403", token, r.status)
		}
	}
	// Another site's page sending the right token is refused too.
	cl.headers["X-CSRF-Token"] = cl.csrf
	cl.headers["Origin"] = "https://ailleurs.example"
	if r := cl.postBody("/composer/apercu", url.Values{"body": {"**gras**"}}); r.status != http.StatusForbidden {
		t.Errorf("preview from another origin: %d, want 403", r.status)
	}
}

func TestComposerPreview(t *testing.T) {
	ts := newTestSite(t)
	ts.mustCreateMember("Maëlle", content.RoleMember)
	cl := composerClient(ts, ts.mustCreateMember("Karim", content.RoleMember))

	for _, tc := range []struct {
		name, body      string
		wantStatus      int
		wantContains    []string
		wantNotContains []string
	}{
		{"markdown", "**gras** et *italique*\n\n- un\n- deux", 200,
			[]string{"<strong>gras</strong>", "<em>italique</em>", "<li>un</li>"}, nil},
		{"mention", "Merci @maelle !", 200, []string{`<a href="/membres/Ma%C3%ABlle" class="mention">@Maëlle</a>`}, nil},
		{"unknown mention stays text", "Bonjour @personne", 200, []string{"@personne"}, []string{"mention"}},
		{"quote language", "> [en] Have you tried turning it off?", 200, []string{`<blockquote lang="en">`}, []string{"[en]"}},
		{"script stripped", "Salut <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))", 200,
			[]string{"Salut alert(1)"}, []string{"<script", "<img", "onerror", "javascript:"}}, // the tag goes, its text stays inert
		{"french typography", "Vraiment ?", 200, []string{"Vraiment\u202f?"}, nil},
		{"empty", "   ", 422, []string{"Le message est vide."}, nil},
		{"too long", strings.Repeat("é", content.MaxBodyLength+1), 422, []string{"ne doit pas dépasser 50 000 caractères"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cl.postBody("/composer/apercu", url.Values{"body": {tc.body}})
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d\n%s", r.status, tc.wantStatus, r.body)
			}
			got := r.raw
			if r.status != 200 {
				e := decodeJSON[apiError](t, r)
				if e.Error.Code != "invalid" {
					t.Errorf("error code %q, want invalid", e.Error.Code)
				}
				got = e.Error.Message
			} else if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want text/html", ct)
			}
			for _, s := range tc.wantContains {
				if !strings.Contains(got, s) {
					t.Errorf("answer lacks %q:\n%s", s, got)
				}
			}
			for _, s := range tc.wantNotContains {
				if strings.Contains(got, s) {
					t.Errorf("answer contains %q:\n%s", s, got)
				}
			}
			if strings.Contains(got, "<html") || strings.Contains(got, "<main") {
				t.Errorf("the answer is a page, not a fragment:\n%s", got)
			}
		})
	}
}

func TestComposerMentionCompletion(t *testing.T) {
	ts := newTestSite(t)
	admin := ts.mustCreateMember("Agnès", content.RoleAdmin)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateMember("Maëlle", content.RoleMember)
	ts.mustCreateMember("Kamel", content.RoleMember)
	gone := ts.mustCreateMember("Katia", content.RoleMember)
	if err := ts.srv.store.SetSuspended(ts.ctx(), admin, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		ts.mustCreateMember(fmt.Sprintf("Zoé%02d", i), content.RoleMember)
	}
	cl := composerClient(ts, karim)

	type answer struct {
		Members []struct {
			Pseudo string `json:"pseudo"`
		} `json:"members"`
	}
	for _, tc := range []struct {
		debut string
		want  []string
	}{
		{"ka", []string{"Kamel", "Karim"}}, // not the suspended Katia
		{"kar", []string{"Karim"}},
		{"MAË", []string{"Maëlle"}},
		{"mae", []string{"Maëlle"}},
		{"zoe", []string{"Zoé00", "Zoé01", "Zoé02", "Zoé03", "Zoé04", "Zoé05", "Zoé06", "Zoé07"}}, // 8 at most
		{"%", nil},
		{"k%", nil},
		{"_", nil},
		{"'", nil},
		{"", nil},
		{"x", nil},
	} {
		r := cl.get("/composer/membres?debut=" + url.QueryEscape(tc.debut))
		if r.status != 200 {
			t.Fatalf("debut=%q: status %d\n%s", tc.debut, r.status, r.body)
		}
		if !strings.Contains(r.raw, `"members":[`) {
			t.Errorf("debut=%q: %s, want a members array (never null)", tc.debut, r.raw)
		}
		var got []string
		for _, m := range decodeJSON[answer](t, r).Members {
			got = append(got, m.Pseudo)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("debut=%q: %q, want %q", tc.debut, got, tc.want)
		}
	}
}

func TestComposerImageUpload(t *testing.T) {
	ts := newTestSite(t)
	cl := composerClient(ts, ts.mustCreateMember("Karim", content.RoleMember))

	r := cl.postFile("/composer/fichier", "image.png", pngImage(t, 40, 30))
	if r.status != 200 {
		t.Fatalf("upload: status %d\n%s", r.status, r.body)
	}
	ok := decodeJSON[struct {
		Markdown string `json:"markdown"`
	}](t, r)
	m := uploadLink.FindAllStringSubmatch(ok.Markdown, -1)
	if !strings.HasPrefix(ok.Markdown, "[![image jointe par Karim](/fichiers/") || len(m) != 2 {
		t.Fatalf("markdown %q, want a linked image with the default description", ok.Markdown)
	}
	for _, name := range []string{m[0][1], m[1][1]} {
		if got := cl.get("/fichiers/" + name); got.status != 200 || got.header.Get("Content-Type") != "image/png" {
			t.Errorf("GET /fichiers/%s: %d %s", name, got.status, got.header.Get("Content-Type"))
		}
	}
	// The markdown publishes as an image.
	html := cl.postBody("/composer/apercu", url.Values{"body": {ok.Markdown}})
	if !strings.Contains(html.raw, `<img src="/fichiers/`) {
		t.Errorf("the preview of the markdown shows no image:\n%s", html.raw)
	}

	for _, tc := range []struct {
		name, file string
		data       []byte
		wantStatus int
		want       string
	}{
		{"text file", "notes.txt", []byte("juste du texte"), 422, "Ce type de fichier n’est pas accepté"},
		{"html disguised as an image", "photo.png", []byte("<!doctype html><script>alert(1)</script>"), 422, "Ce type de fichier n’est pas accepté"},
		{"empty", "vide.png", nil, 422, "Choisissez un fichier"},
		{"pixel flood", "flood.png", pixelFlood(), 422, "trop grande"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cl.postFile("/composer/fichier", tc.file, tc.data)
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d\n%s", r.status, tc.wantStatus, r.body)
			}
			e := decodeJSON[apiError](t, r)
			if e.Error.Code != "invalid" || !strings.Contains(plain(e.Error.Message), tc.want) {
				t.Errorf("error %+v, want code invalid and %q", e.Error, tc.want)
			}
		})
	}
	r = cl.do("POST", "/composer/fichier", strings.NewReader("body=x"), "application/x-www-form-urlencoded")
	if e := decodeJSON[apiError](t, r); r.status != 422 || !strings.Contains(e.Error.Message, "Choisissez un fichier") {
		t.Errorf("no file: %d %+v", r.status, e.Error)
	}
}

func TestComposerUploadByUnverifiedMember(t *testing.T) {
	ts := newTestSite(t)
	u, err := ts.srv.store.CreateUser(ts.ctx(), content.NewUser{Pseudo: "Nouvelle", Email: "nouvelle@exemple.fr", Password: testPassword}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl := composerClient(ts, u)
	r := cl.postFile("/composer/fichier", "image.png", pngImage(t, 10, 10))
	if e := decodeJSON[apiError](t, r); r.status != 403 || e.Error.Code != "unverified" || !strings.Contains(e.Error.Message, "Confirmez d’abord votre adresse") {
		t.Errorf("unverified upload: %d %+v", r.status, e.Error)
	}
}

func TestMarkdownHelpPage(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Attestation CAF introuvable", "Où la trouver ?")
	reply := ts.mustReply(karim, topic, "Je précise : pour une personne accompagnée.", 0)
	member := ts.loggedIn(karim)
	runScenarios(t, ts, []scenario{
		{name: "help page, public", path: "/aide/markdown", wantStatus: 200,
			wantContains: []string{"<title>Mise en forme des messages", "<h1>Mise en forme des messages</h1>", "**important**",
				"&gt; [en]", "[^1]", "| Aide | Site", "```", "@Karim", "Joindre une image", "coller une image"}},
		{name: "linked from the reply form", as: member, path: topic.Path(), wantStatus: 200,
			wantContains: []string{`data-composer="h3"`, `href="/aide/markdown"`, "Aide à la mise en forme"}},
		{name: "linked from the new topic form", as: member, path: "/discussions/nouvelle", wantStatus: 200,
			wantContains: []string{`data-composer="h2"`, `href="/aide/markdown"`}},
		{name: "linked from the edit form", as: member, path: "/messages/" + itoa64(reply.ID) + "/modifier", wantStatus: 200,
			wantContains: []string{`data-composer="h2"`, `href="/aide/markdown"`}},
	})
}
