package server

import (
	"math/rand"
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
		r = cl.do("POST", "/api/v1/discussions/"+itoa64(topic.ID)+"/reponses", strings.NewReader(`{"body": `+jsonString(body)+`}`), "application/json")
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
