package search

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

type fixture struct {
	t     *testing.T
	dir   string
	db    *content.DB
	store *content.Store
	ix    *Index
	users map[string]*content.User
}

func newFixture(t *testing.T) *fixture {
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
			Password: "une phrase assez longue", Verified: true}, nil)
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
		Password: "une phrase assez longue", Verified: true, Role: role}, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// open builds the index from the database and opens it.
func (f *fixture) open() *Index {
	f.t.Helper()
	ctx := context.Background()
	ix := Open(ctx, f.dir, f.store, quiet)
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
	t, err := f.store.CreateTopic(context.Background(), f.users[author], in)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func (f *fixture) reply(author string, t *content.Topic, body string) *content.Post {
	f.t.Helper()
	p, err := f.store.Reply(context.Background(), f.users[author], t.ID, content.NewReply{Body: body})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
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

	ix := Open(context.Background(), f.dir, f.store, quiet)
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
	ix := Open(context.Background(), f.dir, f.store, quiet)
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
	ix := Open(context.Background(), f.dir, f.store, quiet)
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
	if err := Rebuild(context.Background(), f.dir, f.store, quiet); err != nil {
		t.Fatal(err)
	}
	f.ix.followLink()
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
		start := time.Now()
		res, err := f.ix.Search(context.Background(), Request{Q: tc.q, Page: tc.page})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s took %v", tc.name, time.Since(start))
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
