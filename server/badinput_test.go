package server

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

var badDays = []string{"0000-01-01", "1000-01-01", "0202-11-22", "9999-12-31", "1989-12-31", "2101-01-01", "2026-13-01",
	"2026-02-30", "-001-01-01", "+2026-01-01", "2026-1-1", "26-11-22", "2026/11/22", strings.Repeat("9", 500), "2026-11-22T00:00",
	"\x00", "２０２６-１１-２２"}

func TestSearchDatesOutOfRangeAreIgnoredWithANotice(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	if _, err := ts.srv.store.CreateTopic(ts.ctx(), karim, content.NewTopic{Title: "Attestation CAF introuvable",
		Body: "Où la trouver ?", Category: "demarches-en-ligne"}); err != nil {
		t.Fatal(err)
	}
	ts.syncIndex()
	for _, day := range badDays {
		for _, param := range []string{"depuis", "jusqua"} {
			q := url.Values{"q": {"caf"}, param: {day}}.Encode()
			if r := ts.client().get("/recherche?" + q); r.status != http.StatusOK || !strings.Contains(r.body, "elle est ignorée") {
				t.Errorf("page with %s=%q: %d", param, day, r.status)
			}
			if r := ts.client().get("/api/v1/recherche?" + q); r.status != http.StatusOK || !strings.Contains(r.body, "ignorée") ||
				!strings.Contains(r.body, `"total":1`) {
				t.Errorf("API with %s=%q: %d %s", param, day, r.status, r.body)
			}
		}
	}
	if r := ts.client().get("/recherche?q=caf&depuis=1990-01-01&jusqua=2100-12-31"); r.status != 200 || strings.Contains(r.body, "ignorée") {
		t.Errorf("the first and last possible years are accepted: %d", r.status)
	}
}

func FuzzParseSearchDay(f *testing.F) {
	for _, d := range badDays {
		f.Add(d)
	}
	f.Add("2026-11-22")
	f.Fuzz(func(t *testing.T, v string) {
		d, notice := parseSearchDay(v, true)
		if notice == "" && v != "" && (d.Year() < firstSearchYear || d.Year() > lastSearchYear+1) {
			t.Fatalf("%q gives %v without a notice", v, d)
		}
		if notice != "" && !d.Equal(time.Time{}) {
			t.Fatalf("%q is refused but gives %v", v, d)
		}
	})
}

// Every class of input that once answered 500 now answers 4xx or works,
// and the typed text is never lost.
func TestBadInputsNeverAnswer500(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic, err := ts.srv.store.CreateTopic(ts.ctx(), karim, content.NewTopic{Title: "Citer une source en anglais",
		Body: "Voici la source.", Category: "demarches-en-ligne"})
	if err != nil {
		t.Fatal(err)
	}
	cl := ts.loggedIn(karim)
	for _, body := range []string{"> [fr] **Important** : à lire.", "> [en] *Hello*", "> [de] [Link](https://exemple.fr)",
		"> [en] `code`", "> [en] @Karim", "> [en] <b>HTML</b>", "> [pt-BR] **Olá**", "> > [en] *nested*"} {
		cl.get(topic.Path())
		r := cl.postForm("/discussions/"+itoa64(topic.ID)+"/reponses", url.Values{"body": {body}, "action": {"publier"}})
		if r.status != http.StatusSeeOther {
			t.Errorf("reply %q: %d", body, r.status)
		}
		cl.headers["X-CSRF-Token"] = cl.csrf
		// Not the same text twice: that would be a double submission, refused.
		r = cl.do("POST", "/api/v1/discussions/"+itoa64(topic.ID)+"/reponses", strings.NewReader(`{"body": `+jsonString(body+"\n\nPar l’API.")+`}`), "application/json")
		if r.status != http.StatusCreated {
			t.Errorf("API reply %q: %d %s", body, r.status, r.body)
		}
	}
}

// A post edited many times with thousands of shuffled words: its public
// history is paginated, its diffs shortened and bounded.
func TestHistoryOfAHeavilyEditedPostIsBounded(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Un message souvent repris", "Texte")
	words := make([]string, 6000)
	for i := range words {
		words[i] = "mot" + strconv.Itoa(i)
	}
	body := func(v int) string {
		r := rand.New(rand.NewSource(int64(v)))
		r.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
		return content.TruncateRunes(strings.Join(words, " "), content.MaxBodyLength)
	}
	post := ts.mustReply(karim, topic, body(0), 0)
	for v := 1; v <= 12; v++ {
		if _, err := ts.srv.store.EditPost(ts.ctx(), karim, post.ID, body(v)); err != nil {
			t.Fatal(err)
		}
	}
	history := topic.Path() + "/posts/2/versions"
	r := ts.client().get(history)
	if r.status != 200 || len(r.body) > 400_000 || !strings.Contains(r.body, "Version 13") || strings.Contains(r.body, "Version 8,") ||
		!strings.Contains(r.body, "page=2") {
		t.Fatalf("history page 1: %d, %d bytes", r.status, len(r.body))
	}
	if r := ts.client().get(history + "?page=3"); r.status != 200 || !strings.Contains(r.body, "Version 1,") {
		t.Errorf("history page 3: %d", r.status)
	}
	if r := ts.client().get(history + "?page=4"); r.status != 404 {
		t.Errorf("history page 4: %d, want 404", r.status)
	}
	if r := ts.client().get(history + "?version=5"); r.status != 200 || !strings.Contains(r.body, "Version 5 du message") || strings.Contains(r.body, "<del>") {
		t.Errorf("one version in full: %d", r.status)
	}
	if r := ts.client().get(history + "?version=14"); r.status != 404 {
		t.Errorf("a version that does not exist: %d", r.status)
	}
}

func TestUnknownMethodsAndHugeHeadersAnswerInFrench(t *testing.T) {
	ts, base := browserSite(t)
	_ = ts
	for _, m := range []string{"PROPFIND", "BREW", "MKCOL", "LOCK", "SEARCH"} {
		for _, path := range []string{"/discussions", "/api/v1/discussions"} {
			req, _ := http.NewRequest(m, base+path, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			french := strings.Contains(string(b), "n’accepte pas ce type de requête")
			if res.StatusCode != 405 || !french || (path == "/discussions") != strings.Contains(string(b), "<html") {
				t.Errorf("%s %s: %d %s", m, path, res.StatusCode, b)
			}
		}
	}
	req, _ := http.NewRequest("GET", base+"/discussions", nil)
	req.Header.Set("Cookie", "pistage="+strings.Repeat("x", 20000))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 431 || !strings.Contains(string(b), "effacez les cookies") {
		t.Errorf("huge headers: %d %.300s", res.StatusCode, b)
	}
	// A chunked body (no announced length) is refused at once, in French.
	// The whole request is written before reading, over a plain connection:
	// the server answers without reading a chunked body.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(conn, "POST /connexion HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Transfer-Encoding: chunked\r\n\r\nd\r\nbody=du+texte\r\n0\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || res.StatusCode != 411 {
		t.Errorf("chunked body: %v %v", res, err)
	} else {
		b, _ := io.ReadAll(res.Body)
		if !strings.Contains(string(b), "Content-Length") || !strings.Contains(string(b), "<html") {
			t.Errorf("chunked body answer: %.300s", b)
		}
	}
	conn.Close()
	// A Basic header, as a proxy guarding a staging site sends, is not ours.
	req, _ = http.NewRequest("GET", base+"/discussions", nil)
	req.SetBasicAuth("staging", "secret")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Errorf("page with Basic auth: %v %v", res.StatusCode, err)
	}
	req, _ = http.NewRequest("GET", base+"/api/v1/discussions", nil)
	req.SetBasicAuth("staging", "secret")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Errorf("public API with Basic auth: %v %v", res.StatusCode, err)
	}
	req, _ = http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "bearer faux-jeton")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 401 {
		t.Errorf("a wrong bearer token (any case): %v %v", res.StatusCode, err)
	}
}

// Control characters (C0 but tab and newline, DEL, C1) never reach a page.
func TestControlCharactersAreDroppedAtTheBoundary(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.loggedIn(karim)
	var controls []string
	for r := rune(0); r < 0x20; r++ {
		if r != '\t' && r != '\n' && r != '\r' {
			controls = append(controls, string(r))
		}
	}
	controls = append(controls, "\x7f", "\u0085", "\u009b")
	dirty := "Attestation" + strings.Join(controls, "") + " CAF"
	cl.get("/discussions/nouvelle")
	r := cl.postForm("/discussions/nouvelle", url.Values{"title": {dirty + " perdue"}, "body": {"Texte " + dirty + "\r\nligne\rsuivante"},
		"category": {"demarches-en-ligne"}, "kind": {"question"}, "action": {"publier"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d", r.status)
	}
	page := cl.get(r.location)
	for _, c := range controls {
		if strings.Contains(page.body, c) {
			t.Errorf("the page holds %q", c)
		}
	}
	if !strings.Contains(page.body, "Attestation CAF perdue") {
		t.Error("the title lost its words")
	}
	cl.headers["X-CSRF-Token"] = cl.csrf
	api := cl.do("POST", "/api/v1/discussions", strings.NewReader(`{"title": `+jsonString(dirty+" encore")+`, "body": `+jsonString(dirty)+
		`, "category": "demarches-en-ligne"}`), "application/json")
	if api.status != http.StatusCreated || strings.Contains(api.body, `\u0001`) || strings.Contains(api.body, `\u001b`) {
		t.Errorf("API create: %d %s", api.status, api.body)
	}
	cl.get("/compte")
	if r := cl.postForm("/compte/profil", url.Values{"structure": {"Médiathèque\x00\x1b[31m"}, "departement": {"69"}}); r.status != http.StatusSeeOther {
		t.Errorf("profile: %d", r.status)
	}
	if u, _ := ts.srv.store.UserByID(ts.ctx(), karim.ID); u.Structure != "Médiathèque[31m" {
		t.Errorf("structure stored as %q", u.Structure)
	}
}

// A POST refused for its origin never comes back as a form ready to send:
// the forgery would complete in one click.
func TestCrossSitePostsAreNotRefilled(t *testing.T) {
	ts := newTestSite(t)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.loggedIn(admin)
	cl.get("/admin/membres")
	target := "/admin/membres/" + itoa64(karim.ID) + "/role"
	for _, origin := range []struct{ origin, referer string }{
		{"http://evil.example", ""}, {"null", ""}, {"http://ligue.test.evil.example", ""}, {"https://ligue.test", ""},
		{"", "http://evil.example/page"}, {"", "http://ligue.test.evil.example/"},
	} {
		cl.headers["Origin"], cl.headers["Referer"] = origin.origin, origin.referer
		if origin.origin == "" {
			delete(cl.headers, "Origin")
		}
		if origin.referer == "" {
			delete(cl.headers, "Referer")
		}
		r := cl.postForm(target, url.Values{"role": {"admin"}, "_csrf": {"faux"}})
		if r.status != http.StatusForbidden || strings.Contains(r.body, `value="admin"`) || strings.Contains(r.body, `action="`+target+`"`) ||
			!strings.Contains(r.body, "depuis un autre site") {
			t.Errorf("Origin %q Referer %q: %d, refilled or unexplained", origin.origin, origin.referer, r.status)
		}
	}
	delete(cl.headers, "Origin")
	delete(cl.headers, "Referer")
	if u, _ := ts.srv.store.UserByID(ts.ctx(), karim.ID); u.Role != content.RoleMember {
		t.Fatalf("Karim became %s", u.Role)
	}
	// Our own page with a stale token: the form comes back, showing what it changes.
	cl.headers["Origin"] = "http://ligue.test"
	r := cl.postForm(target, url.Values{"role": {"moderator"}, "_csrf": {"perime"}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, `value="moderator"`) || !strings.Contains(r.body, "Renvoyer le formulaire") {
		t.Errorf("same-origin stale token: %d, want the form refilled", r.status)
	}
}

// Drafts are bounded like the forms they save.
func TestDraftsAreBounded(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Un brouillon", "Texte")
	cl := ts.loggedIn(karim)
	cl.get("/discussions/nouvelle")
	cl.headers["X-CSRF-Token"] = cl.csrf
	save := func(form url.Values) int {
		return cl.do("POST", "/brouillons", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded").status
	}
	for name, form := range map[string]url.Values{
		"huge tags":           {"place": {"topic"}, "body": {"x"}, "tags": {strings.Repeat("caf,", 200_000)}},
		"huge category":       {"place": {"topic"}, "body": {"x"}, "category": {strings.Repeat("a", 600)}},
		"long place":          {"place": {"reply:" + strings.Repeat("9", 2000)}, "body": {"x"}},
		"unknown place":       {"place": {"fiche:1"}, "body": {"x"}},
		"place of no topic":   {"place": {"reply:999"}, "body": {"x"}},
		"place with no topic": {"place": {"reply:"}, "body": {"x"}},
		"huge body":           {"place": {"topic"}, "body": {strings.Repeat("é", content.MaxBodyLength+1)}},
	} {
		if status := save(form); status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", name, status)
		}
	}
	if status := save(url.Values{"place": {"reply:" + itoa64(topic.ID)}, "body": {"Réponse en cours"}, "reply_to": {"1"}}); status != http.StatusNoContent {
		t.Errorf("a draft of ordinary size: %d", status)
	}
	var n int
	ts.srv.db.R.Get(&n, `SELECT count(*) FROM drafts`)
	if n != 1 {
		t.Errorf("%d drafts stored, want 1", n)
	}
}
