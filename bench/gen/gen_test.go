package gen

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
)

// TestGenerateSmallCommunity generates 200 posts into a temp folder and
// checks what a benchmark relies on: the counts, the long topic, accepted
// answers, quotes and mentions, a search index that finds a generated
// word, and post lengths spread around a median of 250 words.
func TestGenerateSmallCommunity(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := Run(ctx, Options{DataDir: dir, Topics: 20, PostsPerTopic: 10, Members: 30, Fiches: 2, Texts: 1, LongTopic: 60}, io.Discard, log)
	if err != nil {
		t.Fatal(err)
	}
	if m.Posts != 200 || m.LongTopic.Posts != 60 || m.Member == "" {
		t.Fatalf("manifest: %+v", m)
	}
	again, err := ReadManifest(dir)
	if err != nil || again.LongTopic.Path != m.LongTopic.Path {
		t.Fatalf("gen.json: %+v, %v", again, err)
	}

	db, err := content.OpenDB(ctx, filepath.Join(dir, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.R.GetContext(ctx, &n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM posts`:               200,
		`SELECT count(*) FROM topics`:              20,
		`SELECT count(*) FROM users`:               31, // and the writer
		`SELECT count(*) FROM charter_acceptances`: 31,
		`SELECT count(*) FROM users WHERE role = 'moderator' AND id IN (SELECT member_id FROM vouches)`: 1,
		`SELECT count(*) FROM totp_secrets WHERE confirmed_at IS NOT NULL`:                              1,
		`SELECT count(*) FROM fiches WHERE published_at IS NOT NULL`:                                    2,
		`SELECT count(*) FROM proposals WHERE state = 'published'`:                                      1,
		`SELECT post_count FROM topics WHERE id = ` + strconv.FormatInt(m.LongTopic.ID, 10):             60,
		`SELECT sum(post_count) FROM topics`:                                                            200,
	} {
		if got := count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if count(`SELECT count(*) FROM topics WHERE accepted_post_id IS NOT NULL`) != m.Accepted || m.Accepted == 0 {
		t.Errorf("accepted answers: %d in the database, %d said", count(`SELECT count(*) FROM topics WHERE accepted_post_id IS NOT NULL`), m.Accepted)
	}
	if count(`SELECT count(*) FROM posts WHERE html LIKE '%<blockquote>%'`) == 0 {
		t.Error("no post quotes another")
	}
	if count(`SELECT count(*) FROM posts WHERE html LIKE '%class="mention"%'`) == 0 {
		t.Error("no post mentions a member")
	}
	if count(`SELECT count(*) FROM outbox WHERE entity_type = 'post' AND kind = 'created'`) != 200 {
		t.Error("posts were written without their events")
	}

	var bodies []string
	if err := db.R.SelectContext(ctx, &bodies, `SELECT body FROM posts WHERE number = 1 OR body NOT LIKE '>%'`); err != nil {
		t.Fatal(err)
	}
	var lengths []int
	for _, b := range bodies {
		lengths = append(lengths, countWords(b))
	}
	sort.Ints(lengths)
	if median := lengths[len(lengths)/2]; median < 170 || median > 350 {
		t.Errorf("median post length %d words, want about 250", median)
	}
	if lengths[0] < 15 || lengths[len(lengths)-1] > 1700 {
		t.Errorf("post lengths from %d to %d words, want 20 to 1,500", lengths[0], lengths[len(lengths)-1])
	}

	store := content.NewStore(db)
	ix := search.Open(ctx, dir, store.SearchSources(), store.Events(), log)
	defer ix.Close()
	if ix.Rebuilding() {
		t.Fatal("the generated index is not usable as is")
	}
	var body string
	if err := db.R.GetContext(ctx, &body, `SELECT body FROM posts WHERE topic_id = ? AND number = 2`, m.LongTopic.ID); err != nil {
		t.Fatal(err)
	}
	word := rareWord(body)
	res, err := ix.Search(ctx, search.Request{Q: word, Exact: true})
	if err != nil || res.Total == 0 {
		t.Fatalf("searching %q: %v, %+v", word, err, res)
	}
}

// rareWord is the longest plain word of a text.
func rareWord(s string) string {
	best := ""
	for _, w := range strings.Fields(s) {
		if strings.Trim(w, ".,?!*`") == w && !strings.ContainsAny(w, "-@[]()#>") && len(w) > len(best) {
			best = w
		}
	}
	return best
}

// BenchmarkGenerate reports the generator's write rate (posts/s, index
// excluded from neither: see the printed phases) on 10,000 posts.
func BenchmarkGenerate(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := 0; i < b.N; i++ {
		m, err := Run(context.Background(), Options{DataDir: filepath.Join(b.TempDir(), "data"), Topics: 500, PostsPerTopic: 20, Members: 1000}, io.Discard, log)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(m.PostsPerSecond, "posts/s")
		b.ReportMetric(m.IndexPerSecond, "index-docs/s")
	}
}
