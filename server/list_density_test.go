package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/ligue-mednum/ligue/content"
)

// List rows show their participants as initials avatars, most active first,
// with each pseudo for screen readers, and the last poster as a link.
func TestListRowsShowParticipantsAsInitials(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	maelle := ts.mustCreateMember("Maëlle_29", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Attestation CAF introuvable pour une personne accompagnée", "Où la trouver ?")
	ts.mustReply(lucie, topic, "Dans Mon Compte.", 0)
	ts.mustReply(lucie, topic, "Rubrique Mes attestations.", 0)
	ts.mustReply(maelle, topic, "Merci Lucie.", 0)
	// A withdrawn reply does not make its author a participant.
	gone := ts.mustCreateMember("Retrait", content.RoleMember)
	withdrawn := ts.mustReply(gone, topic, "Je retire.", 0)
	if err := ts.srv.store.DeletePost(ts.ctx(), gone, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	// Seven writers: five shown, « +2 » for the others.
	crowded := ts.mustCreateTopic(karim, "Un atelier tablette pour les seniors", "Qui en organise ?")
	for i := range 6 {
		ts.mustReply(ts.mustCreateMember(fmt.Sprintf("Membre%d", i), content.RoleMember), crowded, "Nous, le jeudi.", 0)
	}

	body := ts.client().get("/discussions").raw
	row := func(title string) string {
		t.Helper()
		i := strings.Index(body, ">"+title+"</a>")
		if i < 0 {
			t.Fatalf("no row for %q", title)
		}
		start := strings.LastIndex(body[:i], `<li class="topic-row`)
		end := strings.Index(body[i:], "\n</li>")
		return body[start : i+end]
	}
	avatar := func(pseudo string) string {
		return fmt.Sprintf(`<li><span class="avatar av-%d" title="%s" aria-hidden="true">%s</span><span class="visually-hidden">%s</span></li>`,
			content.AvatarColour(pseudo), pseudo, content.Initials(pseudo), pseudo)
	}
	r := row(topic.Title)
	want := `<ul class="participants" aria-label="Participants">` + avatar("Lucie") + avatar("Karim") + avatar("Maëlle_29") + "\n  </ul>"
	if !strings.Contains(r, want) {
		t.Errorf("the row's participants are not Lucie (2 posts), Karim, then Maëlle, with their pseudos for screen readers:\n%s\nwant\n%s", r, want)
	}
	if strings.Contains(r, "Retrait") {
		t.Error("the author of a withdrawn reply shows among the participants")
	}
	if !strings.Contains(r, `(<a href="/membres/Ma%c3%abl`) || !strings.Contains(r, `">Maëlle_29</a>)`) {
		t.Errorf("the last poster is not a link to her profile:\n%s", r)
	}
	if n := strings.Count(r, `class="avatar `); n != 3 {
		t.Errorf("%d avatars, want 3", n)
	}
	c := row(crowded.Title)
	if n := strings.Count(c, `class="avatar `); n != content.MaxParticipants {
		t.Errorf("a topic with seven writers shows %d avatars, want %d", n, content.MaxParticipants)
	}
	if !strings.Contains(c, `<li class="more" title="et 2 autres">+2<span class="visually-hidden"> autres</span></li>`) {
		t.Errorf("no « +2 » for the two writers left out:\n%s", c)
	}
	if !strings.HasPrefix(c[strings.Index(c, `<ul class="participants"`):], `<ul class="participants" aria-label="Participants">`+avatar("Karim")) {
		t.Error("the topic's author, first to write, does not come first among equals")
	}
	// The home page's lists show them too.
	if home := ts.loggedIn(karim).get("/").raw; !strings.Contains(home, avatar("Lucie")) {
		t.Error("the home page's rows show no avatars")
	}
}

// The participants of a whole list come in one query: a list page makes as
// many queries with 30 topics as with 2.
func TestListParticipantsInOneQuery(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	queries := countQueries(t, ts)
	made := 0
	add := func(n int) {
		for range n {
			made++ // distinct titles: the same title and text again would be a double submission
			tp := ts.mustCreateTopic(karim, fmt.Sprintf("Question numéro %d sur la CAF", made), "Texte")
			ts.mustReply(lucie, tp, "Réponse", 0)
		}
	}
	visitor, member := ts.client(), ts.loggedIn(karim)
	measure := func(cl *client, path string) (all, participants int) {
		t.Helper()
		queries.reset()
		if r := cl.get(path); r.status != 200 {
			t.Fatalf("%s: %d", path, r.status)
		}
		for _, q := range queries.list() {
			if strings.Contains(q, "GROUP BY topic_id, author_id") {
				participants++
			}
		}
		return len(queries.list()), participants
	}
	paths := []string{"/discussions", "/categories/demarches-en-ligne", "/"}
	add(2)
	type count struct{ all, participants int }
	few := map[string]count{}
	for _, p := range paths {
		for who, cl := range map[string]*client{"visitor": visitor, "member": member} {
			a, n := measure(cl, p)
			few[who+p] = count{a, n}
		}
	}
	add(content.TopicsPerPage)
	for _, p := range paths {
		for who, cl := range map[string]*client{"visitor": visitor, "member": member} {
			a, n := measure(cl, p)
			if a != few[who+p].all {
				t.Errorf("%s %s: %d queries with %d topics, %d with 2", who, p, a, content.TopicsPerPage, few[who+p].all)
			}
			// The home page has a list per section.
			if want := 1; p != "/" && n != want || p == "/" && (n == 0 || n > 4) {
				t.Errorf("%s %s: %d participant queries, want one a list", who, p, n)
			}
		}
	}
}

// TestAvatarPaletteContrast checks that every avatar colour meets 4.5:1
// with its initials, in the light and in the dark theme.
func TestAvatarPaletteContrast(t *testing.T) {
	css, err := os.ReadFile("../static/css/site.css")
	if err != nil {
		t.Fatal(err)
	}
	texts := regexp.MustCompile(`--av-text: (#[0-9a-f]{6});`).FindAllStringSubmatch(string(css), -1)
	colours := regexp.MustCompile(`\.av-(\d) \{ --av: (#[0-9a-f]{6}); \}`).FindAllStringSubmatch(string(css), -1)
	if len(texts) != 2 || len(colours) != 2*content.AvatarColours {
		t.Fatalf("site.css has %d avatar text colours and %d avatar colours, want 2 (light, dark) and %d", len(texts), len(colours), 2*content.AvatarColours)
	}
	for i, m := range colours {
		theme, text := "light", texts[0][1]
		if i >= content.AvatarColours {
			theme, text = "dark", texts[1][1]
		}
		if want := fmt.Sprint(i % content.AvatarColours); m[1] != want {
			t.Errorf("%s theme: .av-%s where .av-%s was expected", theme, m[1], want)
		}
		if r := contrast(m[2], text); r < 4.5 {
			t.Errorf("%s theme: .av-%s %s with %s text: %.2f:1, want 4.5:1", theme, m[1], m[2], text, r)
		}
	}
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	lum := func(hex string) float64 {
		var rgb [3]int
		fmt.Sscanf(hex, "#%02x%02x%02x", &rgb[0], &rgb[1], &rgb[2])
		var l float64
		for i, w := range []float64{0.2126, 0.7152, 0.0722} {
			c := float64(rgb[i]) / 255
			if c <= 0.04045 {
				c /= 12.92
			} else {
				c = math.Pow((c+0.055)/1.055, 2.4)
			}
			l += w * c
		}
		return l
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// queryLog records the queries of the readers' pool.
type queryLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *queryLog) reset() { l.mu.Lock(); l.queries = nil; l.mu.Unlock() }

func (l *queryLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.queries...)
}

var (
	registerCounting sync.Once
	countingLogs     sync.Map // DSN → *queryLog
)

// countQueries replaces the site's pool of readers by one on the same file
// whose queries are logged.
func countQueries(t *testing.T, ts *testSite) *queryLog {
	t.Helper()
	registerCounting.Do(func() { sql.Register("sqlite3-counted", countingDriver{}) })
	dsn := "file:" + ts.srv.cfg.DataDir + "/ligue.db?_foreign_keys=on&_busy_timeout=5000&_query_only=true"
	log := &queryLog{}
	countingLogs.Store(dsn, log)
	r, err := sqlx.Open("sqlite3-counted", dsn)
	if err != nil {
		t.Fatal(err)
	}
	old := ts.srv.db.R
	ts.srv.db.R = r
	t.Cleanup(func() { ts.srv.db.R = old; r.Close() })
	return log
}

type countingDriver struct{}

func (countingDriver) Open(dsn string) (driver.Conn, error) {
	c, err := (&sqlite3.SQLiteDriver{}).Open(dsn)
	if err != nil {
		return nil, err
	}
	log, _ := countingLogs.Load(dsn)
	return &countingConn{c.(*sqlite3.SQLiteConn), log.(*queryLog)}, nil
}

type countingConn struct {
	*sqlite3.SQLiteConn
	log *queryLog
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.log.mu.Lock()
	c.log.queries = append(c.log.queries, query)
	c.log.mu.Unlock()
	return c.SQLiteConn.QueryContext(ctx, query, args)
}
