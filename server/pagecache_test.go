package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// cachingSite is a site whose background loops run, the page cache's
// follower among them, caught up with the event stream.
func cachingSite(t *testing.T) *testSite {
	t.Helper()
	ts := newTestSite(t)
	stop := ts.srv.startBackground()
	t.Cleanup(stop)
	ts.caching = true
	return ts
}

// caughtUp waits until the page cache has applied every event written.
func (ts *testSite) caughtUp() {
	ts.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ts.srv.pages.current(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			ts.t.Fatal("the page cache does not follow the event stream")
		}
	}
}

// fromCache tells whether the page cache answered r: it says the page's
// Age, as a shared cache does.
func fromCache(r *response) bool { return r.header.Get("Age") != "" }

// TestVisitorsPagesComeFromTheCache reads the pages visitors read most
// twice: the second time the cache answers, with the same page.
func TestVisitorsPagesComeFromTheCache(t *testing.T) {
	ts := cachingSite(t)
	lea := ts.mustCreateMember("Lea", content.RoleMember)
	topic := ts.mustCreateTopic(lea, "Aider sans adresse e-mail", "Comment faire une demande CAF sans adresse ?")
	f, err := ts.srv.store.CreateFiche(ts.ctx(), lea, content.FicheInput{Title: "Créer une adresse e-mail",
		Summary: "Pas à pas.", Body: "## Étapes\n\nOuvrir le site."}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f, err = ts.srv.store.PublishFiche(ts.ctx(), lea, f.ID); err != nil {
		t.Fatal(err)
	}
	ts.caughtUp()
	visitor := ts.client()
	for _, path := range []string{"/", "/discussions", "/categories/demarches-en-ligne", "/discussions.atom",
		topic.Path(), topic.Path() + "?page=1", "/fiches", f.Path()} {
		first := visitor.get(path)
		if first.status != 200 || fromCache(first) {
			t.Fatalf("%s: %d, from the cache: %v", path, first.status, fromCache(first))
		}
		again := visitor.get(path)
		if !fromCache(again) {
			t.Errorf("%s read again was rendered again, not taken from the cache", path)
		}
		if again.raw != first.raw || again.header.Get("Content-Type") != first.header.Get("Content-Type") ||
			again.header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s from the cache differs from the page rendered", path)
		}
	}

	// Never for a member, nor for what is not a page every visitor shares.
	member := ts.loggedIn(lea)
	for _, path := range []string{"/discussions", topic.Path()} {
		member.get(path)
		if r := member.get(path); r.status != 200 || fromCache(r) {
			t.Errorf("member's %s: %d, served from the visitors' cache", path, r.status)
		}
	}
	for _, path := range []string{"/recherche?q=adresse", "/connexion", "/membres/Lea"} {
		visitor.get(path)
		if fromCache(visitor.get(path)) {
			t.Errorf("%s was cached", path)
		}
	}
}

// TestCachedPagesFollowTheWrites: a reply shows at once to visitors on its
// discussion and in the lists; other discussions stay cached; a member's
// change of pseudo reaches every page.
func TestCachedPagesFollowTheWrites(t *testing.T) {
	ts := cachingSite(t)
	lea := ts.mustCreateMember("Lea", content.RoleMember)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	one := ts.mustCreateTopic(lea, "Première discussion", "Le début de la première.")
	two := ts.mustCreateTopic(lea, "Seconde discussion", "Le début de la seconde.")
	ts.caughtUp()
	visitor := ts.client()
	for _, p := range []string{one.Path(), two.Path(), "/discussions"} {
		visitor.get(p)
	}

	// The reply is written through the site; the visitor's next page shows
	// it, without waiting for anything.
	kc := ts.loggedIn(karim)
	ts.forgetLimits()
	r := kc.postForm("/discussions/"+itoa64(one.ID)+"/reponses", url.Values{"body": {"Une réponse toute fraîche"}})
	if r.status != 303 {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	if got := visitor.get(one.Path()); !strings.Contains(got.body, "Une réponse toute fraîche") {
		t.Error("the discussion's cached page hides the new reply")
	}
	ts.caughtUp()
	if got := visitor.get(one.Path()); !strings.Contains(got.body, "Une réponse toute fraîche") {
		t.Error("the discussion's page lost the new reply once cached again")
	}
	if !fromCache(visitor.get(two.Path())) {
		t.Error("the other discussion was forgotten by the reply")
	}
	if got := visitor.get("/discussions"); !strings.Contains(got.body, "Karim") {
		t.Error("the list does not show the last reply's author")
	}

	// A write the event stream does not tell is seen after pageCacheTTL.
	if _, err := ts.srv.db.W.Exec(`UPDATE topics SET title = 'Titre changé en douce' WHERE id = ?`, two.ID); err != nil {
		t.Fatal(err)
	}
	if got := visitor.get(two.Path()); strings.Contains(got.body, "Titre changé en douce") {
		t.Fatal("the page was not cached after all")
	}
	later := ts.srv.store.Now().Add(pageCacheTTL + time.Second)
	ts.srv.store.SetClock(func() time.Time { return later })
	if got := visitor.get(two.Path()); !strings.Contains(got.body, "Titre changé en douce") {
		t.Error("a cached page outlived pageCacheTTL")
	}

	// Karim's account is erased: his reply is signed « Ancien membre », and
	// every page is forgotten, since his name may be on any.
	visitor.get(two.Path())
	if _, err := ts.srv.store.EraseAccount(ts.ctx(), karim.ID, content.EraseAnonymize, "erase_account"); err != nil {
		t.Fatal(err)
	}
	ts.caughtUp()
	if got := visitor.get(one.Path()); strings.Contains(got.body, "Karim") || !strings.Contains(got.body, content.FormerMemberPseudo) {
		t.Error("an erased member's name stayed on a cached page")
	}
	if fromCache(visitor.get(two.Path())) {
		t.Error("an event about a member left the other pages cached")
	}
}

// TestCachedPagesKeepTheirEncodingAndVisits: each encoding is kept apart,
// and a visit served from the cache still counts.
func TestCachedPagesKeepTheirEncodingAndVisits(t *testing.T) {
	ts := cachingSite(t)
	lea := ts.mustCreateMember("Lea", content.RoleMember)
	topic := ts.mustCreateTopic(lea, "Compter les lectures", "Chaque lecture compte.")
	ts.caughtUp()
	plainReader, gzipReader := ts.client(), ts.client()
	gzipReader.headers["Accept-Encoding"] = "gzip"
	var first string
	for range 2 {
		r := gzipReader.get(topic.Path())
		if r.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("gzip asked, %q sent", r.header.Get("Content-Encoding"))
		}
		if first == "" {
			first = r.raw
		} else if r.raw != first {
			t.Error("the gzipped page was not kept")
		}
		zr, err := gzip.NewReader(bytes.NewReader([]byte(r.raw)))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(zr); !strings.Contains(string(got), "Chaque lecture compte.") {
			t.Error("the gzipped page is not the page")
		}
	}
	if r := plainReader.get(topic.Path()); r.header.Get("Content-Encoding") != "" || !strings.Contains(r.raw, "Chaque lecture compte.") {
		t.Error("a reader asking for no compression got the compressed page")
	}

	// Three more readers (each their own browser) read the cached page.
	for _, agent := range []string{"Firefox", "Chromium", "Safari"} {
		cl := ts.client()
		cl.headers["User-Agent"] = agent
		cl.get(topic.Path())
	}
	got, err := ts.srv.store.TopicByID(context.Background(), nil, topic.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Views < 4 {
		t.Errorf("views = %d, want every reader counted (the cache serves most of them)", got.Views)
	}
}

// TestPageCacheStaysInItsBudget: the least recently read pages go first.
func TestPageCacheStaysInItsBudget(t *testing.T) {
	pc := newPageCache(10_000, content.NewOutbox(nil, time.Now), time.Now)
	page := func(key string) *cachedPage {
		_, _ = pc.get(key)
		return &cachedPage{key: key, body: make([]byte, 3000), stamp: pc.stamp([]string{tagTopics}), stored: time.Now()}
	}
	for _, k := range []string{"a", "b", "c"} {
		pc.done(k, page(k))
	}
	if p, _ := pc.get("a"); p == nil { // a is read: b is now the oldest
		t.Fatal("a was not kept")
	}
	pc.done("d", page("d"))
	if p, _ := pc.get("b"); p != nil {
		t.Error("b outlived the budget")
	}
	pc.done("b", nil)
	for _, k := range []string{"a", "c", "d"} {
		if p, _ := pc.get(k); p == nil {
			t.Errorf("%s was dropped", k)
		}
	}
	if pc.used > pc.budget {
		t.Errorf("%d bytes kept, budget %d", pc.used, pc.budget)
	}
	pc.forget(tagTopics)
	if p, _ := pc.get("a"); p != nil {
		t.Error("a page outlived the event about its tag")
	}
}

func TestPageTags(t *testing.T) {
	for path, want := range map[string]string{
		"/":                                  "topics fiches proposals",
		"/discussions":                       "topics",
		"/discussions.atom":                  "topics",
		"/categories/demarches-en-ligne":     "topics",
		"/etiquettes/caf":                    "topics",
		"/discussions/12/aider":              "topic:12",
		"/discussions/12/aider.md":           "topic:12",
		"/discussions/12/evenements":         "",
		"/discussions/12":                    "",
		"/discussions/nouvelle":              "",
		"/discussions/x/aider":               "",
		"/discussions/12/aider/posts/3/vers": "",
		"/fiches":                            "fiches",
		"/fiches/creer-une-adresse":          "fiches",
		"/fiches/creer-une-adresse.pdf":      "",
		"/fiches/creer-une-adresse/modifier": "",
		"/fiches/nouvelle":                   "",
		"/recherche":                         "",
		"/connexion":                         "",
		"/propositions":                      "",
		"/membres/Lea":                       "",
	} {
		if got := strings.Join(pageTags(path), " "); got != want {
			t.Errorf("pageTags(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestOnePageRenderedForManyAsking: while one request renders a page, the
// others asking for it wait for that page instead of rendering it too, and
// none waits on a page that could not be kept.
func TestOnePageRenderedForManyAsking(t *testing.T) {
	pc := newPageCache(1<<20, content.NewOutbox(nil, time.Now), time.Now)
	if pc.current() {
		t.Error("the cache counts as current before its follower read the stream")
	}
	if p, wait := pc.get("k"); p != nil || wait != nil {
		t.Fatal("the first asking should render the page")
	}
	_, wait := pc.get("k")
	if wait == nil {
		t.Fatal("a second asking renders the page too")
	}
	if pc.peek("k") != nil {
		t.Fatal("a page is there before it was rendered")
	}
	pc.done("k", &cachedPage{key: "k", body: []byte("page"), stamp: pc.stamp([]string{tagTopics}), stored: time.Now()})
	select {
	case <-wait:
	default:
		t.Fatal("the waiting request was not woken")
	}
	if p := pc.peek("k"); p == nil || string(p.body) != "page" {
		t.Error("the waiting request does not find the page rendered")
	}

	// A page that cannot be kept: the waiters wake and find nothing, and
	// the next one asking renders it, as the first did.
	_, _ = pc.get("x")
	_, wait = pc.get("x")
	pc.done("x", nil)
	<-wait
	if pc.peek("x") != nil {
		t.Error("an unkept page was found")
	}
	if p, wait := pc.get("x"); p != nil || wait != nil {
		t.Error("after an unkept page, the next request waits again")
	}
}
