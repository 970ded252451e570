package search

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/internal/cputime"
)

type fixture struct {
	t     testing.TB
	dir   string
	db    *content.DB
	store *content.Store
	ix    *Index
	users map[string]*content.User
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := content.OpenDB(context.Background(), filepath.Join(dir, "ligue.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, dir: dir, db: db, store: content.NewStore(db), users: map[string]*content.User{}}
	for _, p := range []string{"Karim", "Lucie", "Nadia"} {
		u, err := f.store.CreateUser(context.Background(), content.NewUser{Pseudo: p, Email: strings.ToLower(p) + "@exemple.fr",
			Password: "une phrase assez longue", Verified: true, Vouched: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.users[p] = u
	}
	return f
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func (f *fixture) member(pseudo string, role content.Role) *content.User {
	f.t.Helper()
	u, err := f.store.CreateUser(context.Background(), content.NewUser{Pseudo: pseudo, Email: strings.ToLower(pseudo) + "@exemple.fr",
		Password: "une phrase assez longue", Verified: true, Vouched: true, Role: role}, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// open builds the index from the database and opens it.
func (f *fixture) open() *Index {
	f.t.Helper()
	ctx := context.Background()
	ix := Open(ctx, f.dir, f.store.SearchSources(), f.store.Events(), quiet)
	if ix.needRebuild.Load() {
		ix.rebuildNow(ctx)
	}
	if ix.Rebuilding() {
		f.t.Fatal("index not usable")
	}
	f.t.Cleanup(func() { ix.Close() })
	f.ix = ix
	return ix
}

func (f *fixture) topic(author, title, body string, opts ...func(*content.NewTopic)) *content.Topic {
	f.t.Helper()
	in := content.NewTopic{Title: title, Body: body, Category: "demarches-en-ligne", Kind: content.KindQuestion}
	for _, o := range opts {
		o(&in)
	}
	f.forgetLimits()
	t, err := f.store.CreateTopic(context.Background(), f.users[author], in)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func (f *fixture) reply(author string, t *content.Topic, body string) *content.Post {
	f.t.Helper()
	f.forgetLimits()
	p, err := f.store.Reply(context.Background(), f.users[author], t.ID, content.NewReply{Body: body})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// forgetLimits forgets what members wrote against their per-member limits:
// fixtures write faster than any member would.
func (f *fixture) forgetLimits() {
	f.t.Helper()
	if _, err := f.db.W.Exec(`DELETE FROM strikes WHERE bucket IN (?, ?)`, content.LimitTopics.Bucket, content.LimitReplies.Bucket); err != nil {
		f.t.Fatal(err)
	}
}

// sync applies the outbox, as the running indexer does within a second.
func (f *fixture) sync() {
	f.t.Helper()
	if err := f.ix.apply(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) search(r Request) *Results {
	f.t.Helper()
	res, err := f.ix.Search(context.Background(), r)
	if err != nil {
		f.t.Fatalf("search %q: %v", r.Q, err)
	}
	return res
}

func ids(res *Results) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func has(res *Results, id string) bool {
	for _, h := range res.Hits {
		if h.ID == id {
			return true
		}
	}
	return false
}

func docID(t *content.Topic) string { return content.DocID(content.EntityTopic, t.ID) }

func TestFrenchAnalysisAndQueryLanguage(t *testing.T) {
	f := newFixture(t)
	mediation := f.topic("Karim", "La médiation numérique en bibliothèque", "Les médiateurs accueillent le public de l’association. Un médiateur est présent.")
	vitale := f.topic("Lucie", "Carte Vitale perdue", "Commander une nouvelle carte sur Ameli, avec la vitale des enfants.")
	carte := f.topic("Nadia", "Une carte pour la médiathèque", "La carte de lecteur est gratuite, vitale pour nous.", func(n *content.NewTopic) { n.Category, n.Tags = "outils-et-materiel", "bibliotheque" })
	cnfs := f.topic("Karim", "Les CnFS de mon département", "Qui connaît les postes ouverts ?")
	numerique := f.topic("Lucie", "Ressources pédagogiques", "Des fiches sur les usages numériques du quotidien.")
	f.open()

	for _, tc := range []struct {
		q        string
		want     []*content.Topic
		wantNone []*content.Topic
	}{
		{q: "mediation", want: []*content.Topic{mediation}},
		{q: "MÉDIATION", want: []*content.Topic{mediation}},
		{q: "médiateur", want: []*content.Topic{mediation}},    // plural in the text
		{q: "associations", want: []*content.Topic{mediation}}, // elision "l’association", plural query
		{q: `"carte vitale"`, want: []*content.Topic{vitale}, wantNone: []*content.Topic{carte}},
		{q: "carte -médiathèque", want: []*content.Topic{vitale}, wantNone: []*content.Topic{carte}},
		{q: "titre:carte", want: []*content.Topic{vitale, carte}, wantNone: []*content.Topic{mediation}},
		{q: "auteur:nadia carte", want: []*content.Topic{carte}, wantNone: []*content.Topic{vitale}},
		{q: "numéri*", want: []*content.Topic{mediation, numerique}},
		{q: "conseiller numérique", want: []*content.Topic{cnfs}},
	} {
		res := f.search(Request{Q: tc.q})
		for _, w := range tc.want {
			if !has(res, docID(w)) {
				t.Errorf("%q does not find %q (got %v)", tc.q, w.Title, ids(res))
			}
		}
		for _, n := range tc.wantNone {
			if has(res, docID(n)) {
				t.Errorf("%q finds %q", tc.q, n.Title)
			}
		}
	}

	// Titles weigh more than bodies.
	res := f.search(Request{Q: "carte"})
	if len(res.Hits) < 2 || res.Hits[0].ID == docID(mediation) {
		t.Errorf("ranking: %v", ids(res))
	}

	// The reverse synonym: "CnFS" finds "conseiller numérique".
	conseiller := f.topic("Nadia", "Devenir conseiller numérique", "Quelle formation ?")
	f.sync()
	if res := f.search(Request{Q: "cnfs"}); !has(res, docID(conseiller)) || !has(res, docID(cnfs)) {
		t.Errorf("cnfs: %v", ids(res))
	}

	// A typo still finds something, and says what was searched.
	res = f.search(Request{Q: "mediatuer"})
	if !has(res, docID(mediation)) || res.Corrected != "médiateur" {
		t.Errorf("fuzzy fallback: %v corrected %q", ids(res), res.Corrected)
	}
}

func TestFiltersFacetsAndHighlighting(t *testing.T) {
	f := newFixture(t)
	q1 := f.topic("Karim", "Attestation CAF introuvable", "Où trouver l’attestation de paiement CAF ?", func(n *content.NewTopic) { n.Tags = "caf" })
	answer := f.reply("Lucie", q1, "Dans « Mon compte », rubrique attestations. Attention au piège `<script>alert(1)</script>` CAF.")
	if _, err := f.store.AcceptAnswer(context.Background(), f.users["Karim"], q1.ID, answer.Number); err != nil {
		t.Fatal(err)
	}
	f.topic("Nadia", "Imprimer une attestation CAF", "Avec quelle imprimante ?", func(n *content.NewTopic) { n.Category, n.Tags = "outils-et-materiel", "caf,impression" })
	f.open()

	res := f.search(Request{Q: "caf"})
	if res.Total != 3 {
		t.Fatalf("caf: %d hits %v", res.Total, ids(res))
	}
	counts := func(fs []Facet) map[string]int {
		m := map[string]int{}
		for _, x := range fs {
			m[x.Value] = x.Count
		}
		return m
	}
	if c := counts(res.Types); c["discussion"] != 2 || c["message"] != 1 {
		t.Errorf("type facet %v", res.Types)
	}
	if c := counts(res.Categories); c["demarches-en-ligne"] != 2 || c["outils-et-materiel"] != 1 {
		t.Errorf("category facet %v", res.Categories)
	}
	if c := counts(res.Tags); c["caf"] != 3 || c["impression"] != 1 {
		t.Errorf("tag facet %v", res.Tags)
	}
	for _, tc := range []struct {
		r    Request
		want uint64
	}{
		{Request{Q: "caf", Types: []string{"message"}}, 1},
		{Request{Q: "caf", Category: "outils-et-materiel"}, 1},
		{Request{Q: "caf", Tag: "impression"}, 1},
		{Request{Q: "caf", Resolved: true}, 2},
		{Request{Q: "caf", Author: "LUCIE"}, 1},
		{Request{Q: "caf", Since: time.Now().Add(time.Hour)}, 0},
		{Request{Q: "caf", Until: time.Now().Add(time.Hour)}, 3},
		{Request{Tag: "caf"}, 3}, // filters alone
	} {
		if res := f.search(tc.r); res.Total != tc.want {
			t.Errorf("%+v: %d hits, want %d", tc.r, res.Total, tc.want)
		}
	}
	// The accepted answer is boosted above the other message-free topic.
	res = f.search(Request{Q: "attestation", Types: []string{"message", "discussion"}})
	var excerpt string
	for _, h := range res.Hits {
		if h.Type == "message" {
			excerpt = string(h.Excerpt)
		}
	}
	if !strings.Contains(excerpt, "<mark>") || strings.Contains(excerpt, "<script>") || !strings.Contains(excerpt, "&lt;script&gt;") {
		t.Errorf("highlighted excerpt not escaped: %q", excerpt)
	}
	if res := f.search(Request{Q: "caf", Recent: true}); len(res.Hits) != 3 || res.Hits[0].ID != "topic:2" {
		t.Errorf("recent first: %v", ids(res))
	}
}

func TestTagsMatchAsWords(t *testing.T) {
	f := newFixture(t)
	tagged := f.topic("Karim", "Changement de coordonnées", "Comment déclarer une nouvelle adresse ?", func(n *content.NewTopic) { n.Tags = "caf" })
	untagged := f.topic("Lucie", "Changement d’adresse", "Une nouvelle adresse pour la mutuelle.")
	f.open()

	res := f.search(Request{Q: "adresse caf"})
	if !has(res, docID(tagged)) || has(res, docID(untagged)) {
		t.Errorf("adresse caf: %v", ids(res))
	}
	// As indexed from the outbox.
	later := f.topic("Nadia", "Déménagement", "Quelle adresse donner ?", func(n *content.NewTopic) { n.Tags = "ameli" })
	f.sync()
	if res := f.search(Request{Q: "ameli adresse"}); !has(res, docID(later)) || has(res, docID(untagged)) {
		t.Errorf("ameli adresse: %v", ids(res))
	}
}

// TestSplitSearchMatchesWhole checks that a search split in ranges of
// documents finds the same page, total and facets as a single one.
func TestSplitSearchMatchesWhole(t *testing.T) {
	f := newFixture(t)
	words := strings.Fields("tablette smartphone atelier imprimante caf attestation")
	for i := 0; i < 30; i++ {
		f.topic([]string{"Karim", "Lucie", "Nadia"}[i%3], "Atelier numéro "+itoa(int64(i))+" "+words[i%len(words)],
			strings.Repeat(words[(i+1)%len(words)]+" ", 1+i%4)+"pour les seniors.", func(n *content.NewTopic) {
				n.Tags = words[i%4]
				if i%2 == 0 {
					n.Category = "outils-et-materiel"
				}
			})
	}
	f.open()
	for i := 0; i < 10; i++ { // a second segment
		f.topic("Nadia", "Tablette "+itoa(int64(i)), "Un atelier tablette.", func(n *content.NewTopic) { n.Tags = "tablette" })
	}
	f.sync()
	snap, err := openSnapshot(f.ix.idx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	for _, tc := range []struct {
		q      string
		recent bool
		from   int
	}{{"atelier", false, 0}, {"atelier", false, 5}, {"tablette", true, 0}, {"seniors -caf", false, 3}} {
		clauses, _ := parse(tc.q)
		p := matcher{idx: f.ix.idx}.build(clauses)
		order := sortOrder(tc.recent)
		run := func(parts int) (*Results, []string) {
			found, err := collect(context.Background(), snap, f.ix.idx.Mapping(), &f.ix.facets, p.query(Request{}), order, tc.from, 5, parts)
			if err != nil {
				t.Fatal(err)
			}
			res := &Results{Total: found.total}
			found.counter.fill(res)
			var hits []string
			for _, h := range found.hits {
				hits = append(hits, h.ID+" "+strconv.FormatFloat(h.Score, 'g', 6, 64))
			}
			return res, hits
		}
		whole, wholeHits := run(1)
		if whole.Total == 0 {
			t.Fatalf("%q finds nothing", tc.q)
		}
		for _, parts := range []int{2, 3} {
			split, splitHits := run(parts)
			if split.Total != whole.Total || !reflect.DeepEqual(splitHits, wholeHits) ||
				!reflect.DeepEqual([][]Facet{split.Types, split.Categories, split.Tags}, [][]Facet{whole.Types, whole.Categories, whole.Tags}) {
				t.Errorf("%q in %d parts: %d %v %v %v %v, want %d %v %v %v %v", tc.q, parts,
					split.Total, splitHits, split.Types, split.Categories, split.Tags,
					whole.Total, wholeHits, whole.Types, whole.Categories, whole.Tags)
			}
		}
	}
}

func TestFoldingTableMatchesDecomposition(t *testing.T) {
	for r := rune(0x20); r < 0x300; r++ {
		if got, want := string(foldTerm([]byte(string(r)))), foldSlow(string(r)); got != want {
			t.Errorf("%q folds to %q, want %q", r, got, want)
		}
	}
	for _, s := range []string{"médiathèque", "Œuvre", "ÇA", "naïve", "e\u0301te\u0301", "straße", "Ǆemal", "ﬁchier", "日本語"} {
		if got, want := string(foldTerm([]byte(s))), foldSlow(s); got != want {
			t.Errorf("%q folds to %q, want %q", s, got, want)
		}
	}
}

func TestPrivateAndHiddenContentNeverLeaks(t *testing.T) {
	f := newFixture(t)
	public := f.topic("Karim", "Budget des ateliers numériques", "Le budget public des ateliers.")
	hidden := f.reply("Lucie", public, "Un budget secret à masquer.")
	f.open()

	// A private draft (the proposals issue will index them this way): only
	// its readers may find it.
	draft := content.SearchDoc{ID: "proposal:1", Type: "proposition", Title: "Brouillon confidentiel sur le budget",
		Body: "Un budget confidentiel.", Category: "vie-de-la-ligue", Tags: []string{"secret-tag"}, Date: time.Now(),
		Access: []string{content.AccessRestricted, "user:" + itoa(f.users["Nadia"].ID)}}
	b := f.ix.idx.NewBatch()
	b.Index(draft.ID, indexable(draft))
	if err := f.ix.idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	mod := f.member("Modo", content.RoleModerator)
	if err := f.store.SetPostHidden(context.Background(), mod, hidden.ID, true); err != nil {
		t.Fatal(err)
	}
	f.sync()

	for _, viewer := range []*content.User{nil, f.users["Karim"], f.users["Lucie"]} {
		res := f.search(Request{Q: "budget", Viewer: viewer})
		if res.Total != 1 || !has(res, docID(public)) {
			t.Errorf("viewer %v: %d hits %v", viewer, res.Total, ids(res))
		}
		for _, fs := range [][]Facet{res.Types, res.Categories, res.Tags} {
			for _, x := range fs {
				if x.Value == "proposition" || x.Value == "vie-de-la-ligue" || x.Value == "secret-tag" {
					t.Errorf("facet leaks the private draft: %v", x)
				}
			}
		}
		for _, h := range res.Hits {
			if strings.Contains(string(h.Excerpt), "secret") || strings.Contains(string(h.Excerpt), "confidentiel") {
				t.Errorf("excerpt leaks: %s", h.Excerpt)
			}
		}
	}
	if res := f.search(Request{Q: "confidentiel", Viewer: f.users["Nadia"]}); !has(res, "proposal:1") {
		t.Error("the draft's reader cannot find it")
	}
	// A suspended author's posts leave the index.
	admin := f.member("Admin", content.RoleAdmin)
	if err := f.store.SetSuspended(context.Background(), admin, f.users["Karim"].ID, true); err != nil {
		t.Fatal(err)
	}
	f.sync()
	if res := f.search(Request{Q: "budget"}); res.Total != 0 {
		t.Errorf("suspended author still found: %v", ids(res))
	}
}

func TestOutboxReplayAfterACrash(t *testing.T) {
	f := newFixture(t)
	f.open()
	// The transaction commits, then the process dies before indexing.
	late := f.topic("Karim", "Tablette pour les seniors", "Laquelle choisir ?")
	f.ix.Close()

	ix := Open(context.Background(), f.dir, f.store.SearchSources(), f.store.Events(), quiet)
	defer ix.Close()
	if ix.needRebuild.Load() {
		t.Fatal("a clean restart should replay the outbox, not rebuild")
	}
	f.ix = ix
	if res := f.search(Request{Q: "tablette"}); !has(res, docID(late)) {
		t.Errorf("the document written before the crash is not found: %v", ids(res))
	}
}

func TestCorruptIndexIsRebuiltAtStart(t *testing.T) {
	f := newFixture(t)
	first := f.topic("Karim", "Clé USB et sauvegardes", "Comment sauvegarder ?")
	f.open()
	f.ix.Close()
	target, _ := os.Readlink(filepath.Join(f.dir, LinkName))
	// Damage: every file of the index is truncated.
	filepath.Walk(filepath.Join(f.dir, target), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			os.WriteFile(p, []byte("garbage"), 0o600)
		}
		return nil
	})
	ix := Open(context.Background(), f.dir, f.store.SearchSources(), f.store.Events(), quiet)
	defer ix.Close()
	if !ix.Rebuilding() {
		t.Fatal("a damaged index was accepted")
	}
	if _, err := ix.Search(context.Background(), Request{Q: "clé"}); err != ErrRebuilding {
		t.Fatalf("search during rebuild: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for ix.Rebuilding() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	f.ix = ix
	if res := f.search(Request{Q: "clé usb"}); !has(res, docID(first)) {
		t.Errorf("rebuilt index: %v", ids(res))
	}
}

func TestDocumentCountMismatchTriggersRebuild(t *testing.T) {
	f := newFixture(t)
	f.topic("Karim", "Un sujet", "Un texte.")
	f.open()
	// A document silently lost: the index holds one less than the database.
	b := f.ix.idx.NewBatch()
	b.Delete("topic:1")
	f.ix.idx.Batch(b)
	f.ix.Close()
	ix := Open(context.Background(), f.dir, f.store.SearchSources(), f.store.Events(), quiet)
	defer ix.Close()
	if !ix.needRebuild.Load() {
		t.Error("a count mismatch did not trigger a rebuild")
	}
}

func TestReindexSwapWhileSearching(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 30; i++ {
		f.topic("Karim", "Atelier smartphone numéro "+itoa(int64(i)), "Prise en main du smartphone.")
	}
	f.open()
	before, _ := os.Readlink(filepath.Join(f.dir, LinkName))

	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 100)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := f.ix.Search(context.Background(), Request{Q: "smartphone"})
				if err != nil || res.Total < 30 {
					errs <- "search during reindex failed or lost documents"
					return
				}
			}
		}()
	}
	// `ligue reindex` from another process, while writes go on.
	extra := f.topic("Lucie", "Smartphone reconditionné", "Où en acheter ?")
	if err := Rebuild(context.Background(), f.dir, f.store.SearchSources(), f.store.Events(), quiet); err != nil {
		t.Fatal(err)
	}
	f.ix.followLink(context.Background())
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	after, _ := os.Readlink(filepath.Join(f.dir, LinkName))
	if after == before {
		t.Fatal("the link was not swapped")
	}
	if _, err := os.Stat(filepath.Join(f.dir, before)); !os.IsNotExist(err) {
		t.Error("the old generation was not removed")
	}
	f.sync()
	if res := f.search(Request{Q: "smartphone"}); res.Total != 31 {
		t.Errorf("after swap: %d", res.Total)
	}
	if res := f.search(Request{Q: "reconditionné"}); !has(res, docID(extra)) {
		t.Errorf("the topic written during the rebuild: %v", ids(res))
	}
}

func TestBadQueriesAnswerQuickly(t *testing.T) {
	f := newFixture(t)
	f.topic("Karim", "Le numérique pour tous", "Un texte sur le numérique.")
	f.open()
	for _, tc := range []struct {
		name, q    string
		page       int
		wantNotice string
	}{
		{"10,000 characters", strings.Repeat("numérique ", 1000), 1, "200 premiers caractères"},
		{"only stop words", "le la les de du", 1, "mots très courants"},
		{"only punctuation", "?!;:,.", 1, ""},
		{"unbalanced quotes", `"numérique pour`, 1, ""},
		{"star alone", "*", 1, ""},
		{"regex bomb", "(a+)+$ [[[ ((( \\\\", 1, ""},
		{"empty field", "titre:", 1, ""},
		{"unknown field", "couleur:bleu numérique", 1, ""},
		{"huge page", "numérique", 1_000_000_000, "page 50"},
		{"negative page", "numérique", -4, ""},
		{"many terms", strings.Repeat("a1 b2 c3 ", 10), 1, "12 premiers"},
	} {
		start := cputime.Used() // the work done, whatever else the machine does
		res, err := f.ix.Search(context.Background(), Request{Q: tc.q, Page: tc.page})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d := cputime.Used() - start; d > 5*time.Second {
			t.Errorf("%s took %v of CPU", tc.name, d)
		}
		if tc.wantNotice != "" && !strings.Contains(res.Notice, tc.wantNotice) {
			t.Errorf("%s: notice %q", tc.name, res.Notice)
		}
	}
	if res := f.search(Request{Q: `"numérique pour`}); res.Total != 1 {
		t.Errorf("unbalanced quote: %d hits", res.Total)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// synthetic makes documents straight for the index: every fifth one is a
// restricted draft only reader may read, with facet values of its own.
type synthetic struct {
	mu     sync.Mutex
	docs   map[string]content.SearchDoc
	reader *content.User
}

func (s *synthetic) doc(n, version int) content.SearchDoc {
	cats := []string{"demarches-en-ligne", "outils-et-materiel", "metier-et-reconnaissance"}
	tags := []string{"caf", "ameli", "impots", "tablette"}
	d := content.SearchDoc{ID: "post:" + strconv.Itoa(n), Type: content.DocMessage,
		Body:     "Un atelier " + tags[(n+version)%4] + " numéro " + strconv.Itoa(n) + " version " + strconv.Itoa(version),
		Category: cats[(n+version)%3], Tags: []string{tags[(n+version)%4]}, Date: time.Unix(int64(1e9+n*60+version), 0),
		Access: []string{content.AccessPublic}}
	if n%7 == 0 {
		d.ID, d.Type, d.Title = "topic:"+strconv.Itoa(n), content.DocDiscussion, "Atelier "+strconv.Itoa(n)
	}
	if (n+version)%5 == 0 {
		d.Type, d.Category, d.Tags = "proposition", "vie-de-la-ligue", []string{"secret-tag"}
		d.Body = "Un atelier confidentiel numéro " + strconv.Itoa(n)
		d.Access = []string{content.AccessRestricted, "user:" + itoa(s.reader.ID)}
	}
	return d
}

// index writes docs numbered from..to-1 at version in one batch (a new
// segment); documents written before are replaced (deleted in theirs).
func (s *synthetic) index(t *testing.T, ix *Index, from, to, version int) {
	t.Helper()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b := ix.idx.NewBatch()
	var written []content.SearchDoc
	for n := from; n < to; n++ {
		d := s.doc(n, version)
		if err := b.Index(d.ID, indexable(d)); err != nil {
			t.Error(err)
		}
		written = append(written, d)
	}
	if err := ix.idx.Batch(b); err != nil {
		t.Error(err)
	}
	s.mu.Lock()
	for _, d := range written {
		s.docs[d.ID] = d
	}
	s.mu.Unlock()
}

func facetMap(res *Results) map[string]int {
	m := map[string]int{}
	for _, f := range res.Types {
		m["type:"+f.Value] += f.Count
	}
	for _, f := range res.Categories {
		m["category:"+f.Value] += f.Count
	}
	for _, f := range res.Tags {
		m["tag:"+f.Value] += f.Count
	}
	return m
}

// checkReadable fails when a result shows something of a document the
// viewer may not read, or facets that do not add up to the total.
func checkReadable(t *testing.T, what string, res *Results, hits []string) {
	t.Helper()
	for _, h := range hits {
		if strings.HasPrefix(h, "secret") {
			t.Errorf("%s: a restricted document in the hits: %v", what, hits)
		}
	}
	types, cats := 0, 0
	for k, n := range facetMap(res) {
		if strings.Contains(k, "proposition") || strings.Contains(k, "vie-de-la-ligue") || strings.Contains(k, "secret-tag") {
			t.Errorf("%s: facet of a restricted document: %s %d", what, k, n)
		}
		if strings.HasPrefix(k, "type:") {
			types += n
		}
		if strings.HasPrefix(k, "category:") {
			cats += n
		}
	}
	if uint64(types) != res.Total || uint64(cats) != res.Total {
		t.Errorf("%s: %d matches but %d types and %d categories counted", what, res.Total, types, cats)
	}
}

// splitRun runs q for r on a snapshot of ix in parts, as Search does.
func splitRun(t *testing.T, ix *Index, q string, r Request, from, parts int) (*Results, []string) {
	t.Helper()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	snap, err := openSnapshot(ix.idx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	clauses, _ := parse(q)
	p := matcher{idx: ix.idx}.build(clauses)
	found, err := collect(context.Background(), snap, ix.idx.Mapping(), &ix.facets, p.query(r), sortOrder(r.Recent), from, PerPage, parts)
	if err != nil {
		t.Fatal(err)
	}
	res := &Results{Total: found.total}
	found.counter.fill(res)
	var hits []string
	hl, err := newHighlighter(ix.idx.Mapping())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range found.hits {
		var hit Hit
		if err := hl.highlight(p, snap, h, &hit); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(hit.Excerpt), "confidentiel") {
			hits = append(hits, "secret excerpt of "+h.ID)
		}
		hits = append(hits, h.ID)
	}
	return res, hits
}

// TestRestrictedDocsStayOutOfSplitSearches spreads restricted documents
// over segments, some replaced by public versions and the other way round
// (deleted documents in the segments), and checks every way of splitting
// the search finds, counts and facets what bleve's own search finds.
func TestRestrictedDocsStayOutOfSplitSearches(t *testing.T) {
	f := newFixture(t)
	f.open()
	s := &synthetic{docs: map[string]content.SearchDoc{}, reader: f.users["Nadia"]}
	for from := 0; from < 120; from += 20 {
		s.index(t, f.ix, from, from+20, 0)
	}
	s.index(t, f.ix, 10, 50, 1) // a public draft becomes restricted, and the other way round
	s.index(t, f.ix, 30, 35, 2)

	for _, viewer := range []*content.User{nil, f.users["Karim"], f.users["Nadia"]} {
		for _, q := range []string{"atelier", "atelier caf", "atelier -tablette"} {
			r := Request{Q: q, Viewer: viewer}
			// What bleve finds without the facet tables or the split.
			clauses, _ := parse(q)
			p := matcher{idx: f.ix.idx}.build(clauses)
			sr, err := f.ix.idx.Search(bleve.NewSearchRequestOptions(p.query(r), 1000, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{}
			restricted := 0
			for _, h := range sr.Hits {
				d := s.docs[h.ID]
				for _, v := range facetValues(d) {
					want[v]++
				}
				if d.Access[0] == content.AccessRestricted {
					restricted++
				}
			}
			if viewer == f.users["Nadia"] {
				if restricted == 0 && q == "atelier" {
					t.Fatalf("%q: the reader finds no draft", q)
				}
			} else if restricted > 0 {
				t.Fatalf("%q: bleve itself finds %d drafts for %v", q, restricted, viewer)
			}
			for _, parts := range []int{1, 2, 3, 5} {
				for _, from := range []int{0, 20} {
					what := q + " in " + strconv.Itoa(parts) + " parts from " + strconv.Itoa(from)
					res, hits := splitRun(t, f.ix, q, r, from, parts)
					if res.Total != sr.Total || !reflect.DeepEqual(facetMap(res), want) {
						t.Errorf("%s for %v: %d %v, want %d %v", what, viewer, res.Total, facetMap(res), sr.Total, want)
					}
					if viewer != f.users["Nadia"] {
						checkReadable(t, what, res, hits)
					}
				}
			}
			if viewer != f.users["Nadia"] {
				res := f.search(r)
				checkReadable(t, q, res, ids(res))
				for _, h := range res.Hits {
					if strings.Contains(string(h.Excerpt), "confidentiel") {
						t.Errorf("%q: excerpt of a draft: %s", q, h.Excerpt)
					}
				}
			}
		}
	}
}

// TestConcurrentSearchesWhileIndexing searches, split or not, while the
// indexer writes segments, replaces documents and Scorch merges: run with
// -race.
func TestConcurrentSearchesWhileIndexing(t *testing.T) {
	f := newFixture(t)
	f.open()
	s := &synthetic{docs: map[string]content.SearchDoc{}, reader: f.users["Nadia"]}
	s.index(t, f.ix, 0, 30, 0)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := Request{Q: []string{"atelier", "atelier caf", "tablette", "confidentiel"}[i%4], Recent: i%3 == 0, Page: 1 + i%2}
				res, err := f.ix.Search(context.Background(), r)
				if err != nil {
					t.Error(err)
					return
				}
				checkReadable(t, "search "+r.Q, res, ids(res))
				split, hits := splitRun(t, f.ix, r.Q, r, 0, 1+w%3)
				checkReadable(t, "split "+r.Q, split, hits)
			}
		}()
	}
	wg.Add(1)
	go func() { // as Run does after each write
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := f.ix.warmFacets(); err != nil {
				t.Error(err)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	for v := 1; v <= 40; v++ {
		from := (v * 7) % 60
		s.index(t, f.ix, from, from+15, v)
	}
	close(stop)
	wg.Wait()
	if res := f.search(Request{Q: "atelier"}); res.Total == 0 {
		t.Error("nothing found after indexing")
	}
}

// TestLigaturesAndElisions checks that prefixes and corrections see "œ"
// as the index does ("oe"), and that a correction shows the word without
// the article elided before it.
func TestLigaturesAndElisions(t *testing.T) {
	f := newFixture(t)
	oeuvre := f.topic("Karim", "Les chefs-d’œuvre du numérique", "Un cœur d’activité.")
	ordi := f.topic("Lucie", "Le rôle de l’ordinateur", "Allumer l’imprimante.")
	f.open()
	for _, q := range []string{"œuvr*", "cœu*", "coeu*", "Œuvee"} {
		if res := f.search(Request{Q: q}); !has(res, docID(oeuvre)) {
			t.Errorf("%q: %v", q, ids(res))
		}
	}
	for q, want := range map[string]string{"ordinatuer": "ordinateur", "imprimnate": "imprimante"} {
		if res := f.search(Request{Q: q}); !has(res, docID(ordi)) || res.Corrected != want {
			t.Errorf("%q: %v corrected %q, want %q", q, ids(res), res.Corrected, want)
		}
	}
}

func TestShortWordsArePrefixesBeforeCorrections(t *testing.T) {
	f := newFixture(t)
	secu := f.topic("Karim", "Carte de sécurité sociale perdue", "Comment refaire la carte ?")
	aide := f.topic("Lucie", "Une aide pour les démarches", "Le secours populaire aide aussi.")
	f.open()
	res := f.search(Request{Q: "sécu"})
	if !has(res, docID(secu)) {
		t.Errorf("« sécu » finds sécurité sociale: %v", ids(res))
	}
	res = f.search(Request{Q: "démarc"})
	if !has(res, docID(aide)) || res.Corrected != "démarc…" {
		t.Errorf("« démarc » as a prefix: %v, corrected %q", ids(res), res.Corrected)
	}
	if res := f.search(Request{Q: "démarc", Exact: true}); res.Total != 0 || res.Corrected != "" {
		t.Errorf("searching exactly: %d results, corrected %q", res.Total, res.Corrected)
	}
}
