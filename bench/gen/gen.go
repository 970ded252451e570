// Package gen fills a fresh data folder with a generated community —
// members, discussions with French-like posts of realistic lengths, quotes,
// mentions, tags, accepted answers, fiches and textes de propositions —
// written through the same store code as the site (validation, rendering,
// outbox), then indexed for search. `ligue gen` runs it; the load
// benchmark (bench/load) serves what it made.
package gen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
)

// Options says how much to generate, and where.
type Options struct {
	DataDir       string // must not exist, or be empty
	Topics        int
	PostsPerTopic int // on average; the first topic has LongTopic posts
	Members       int
	Fiches        int
	Texts         int // textes de propositions
	LongTopic     int // posts of the first topic (500 by default), for a topic's middle page
	Seed          uint64
	Workers       int // goroutines preparing posts (rendering); NumCPU by default
	Batch         int // posts per transaction (500 by default)
}

// Password is the password of every generated member (they share one hash,
// see content.Bulk.CreateUser).
const Password = "banc-d-essai-de-la-ligue"

// ManifestName is the file gen writes into the data folder: what was
// generated, and what the load benchmark needs to know of it.
const ManifestName = "gen.json"

// Manifest describes a generated data folder.
type Manifest struct {
	Topics   int    `json:"topics"`
	Posts    int    `json:"posts"`
	Members  int    `json:"members"`
	Fiches   int    `json:"fiches"`
	Texts    int    `json:"texts"`
	Accepted int    `json:"accepted"`
	Member   string `json:"member"` // a member's pseudo, to log in with Password
	// Writer is a moderator's pseudo, for the benchmark's replies: a
	// member's own limits (a few hundred replies in ten minutes) would
	// refuse one account writing for a whole network.
	Writer    string `json:"writer"`
	LongTopic struct {
		ID    int64  `json:"id"`
		Path  string `json:"path"`
		Posts int    `json:"posts"`
	} `json:"long_topic"`
	Category string   `json:"category"` // slug of a category with many topics
	Queries  []string `json:"queries"`  // searches that find many posts
	// Rates and sizes, as printed.
	PostsPerSecond float64 `json:"posts_per_second"`
	IndexPerSecond float64 `json:"index_docs_per_second"`
	DBBytes        int64   `json:"db_bytes"`
	IndexBytes     int64   `json:"index_bytes"`
}

// categories are the default categories new topics go to (not the ones
// holding fiches' and texts' comments).
var categories = []string{"metier-et-reconnaissance", "accompagnement-des-publics", "demarches-en-ligne",
	"outils-et-materiel", "territoires-et-reseaux", "vie-de-la-ligue"}

// Run generates o into o.DataDir, printing its progress and figures to out.
func Run(ctx context.Context, o Options, out io.Writer, log *slog.Logger) (*Manifest, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return nil, err
	}
	db, err := content.OpenDB(ctx, filepath.Join(o.DataDir, "ligue.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	store := content.NewStore(db)
	g := &generator{o: o, store: store, out: out, plan: newPlan(o)}
	g.clock.Store(g.plan.start.Add(-24 * time.Hour).UnixNano())
	store.SetClock(func() time.Time { return time.Unix(0, g.clock.Load()) })

	m := &Manifest{Topics: o.Topics, Posts: len(g.plan.items), Members: o.Members, Fiches: o.Fiches, Texts: o.Texts,
		Category: categories[2], Queries: []string{"attestation caf", "mot passe", "carte vitale", "médiation numérique"}}
	start := time.Now()
	if err := g.members(ctx); err != nil {
		return nil, fmt.Errorf("membres : %w", err)
	}
	fmt.Fprintf(out, "membres : %d en %.1f s\n", o.Members, time.Since(start).Seconds())
	m.Member, m.Writer = pseudo(0), writerPseudo

	start = time.Now()
	if err := g.posts(ctx); err != nil {
		return nil, fmt.Errorf("messages : %w", err)
	}
	took := time.Since(start).Seconds()
	m.PostsPerSecond = float64(len(g.plan.items)) / took
	m.Accepted = g.accepted
	fmt.Fprintf(out, "messages : %d dans %d discussions en %.1f s, soit %.0f messages/s (%d réponses acceptées)\n",
		len(g.plan.items), o.Topics, took, m.PostsPerSecond, g.accepted)
	long := g.topics[0]
	m.LongTopic.ID, m.LongTopic.Path, m.LongTopic.Posts = long.id, (&content.Topic{ID: long.id, Slug: long.slug}).Path(), g.plan.counts[0]

	start = time.Now()
	if err := g.fichesAndTexts(ctx); err != nil {
		return nil, err
	}
	if o.Fiches+o.Texts > 0 {
		fmt.Fprintf(out, "fiches : %d, textes de propositions : %d, en %.1f s\n", o.Fiches, o.Texts, time.Since(start).Seconds())
	}
	store.SetClock(time.Now)

	start = time.Now()
	if err := search.Rebuild(ctx, o.DataDir, store.SearchSources(), store.Events(), log); err != nil {
		return nil, fmt.Errorf("index de recherche : %w", err)
	}
	docs, err := store.SearchSources().Count(ctx)
	if err != nil {
		return nil, err
	}
	took = time.Since(start).Seconds()
	m.IndexPerSecond = float64(docs) / took
	fmt.Fprintf(out, "index de recherche : %d documents en %.1f s, soit %.0f documents/s\n", docs, took, m.IndexPerSecond)

	m.DBBytes = dbSize(o.DataDir)
	m.IndexBytes = indexSize(o.DataDir)
	fmt.Fprintf(out, "taille : base de données %s, index %s\n", humanBytes(m.DBBytes), humanBytes(m.IndexBytes))
	return m, writeManifest(o.DataDir, m)
}

func (o *Options) check() error {
	switch {
	case o.DataDir == "":
		return errors.New("indiquez le dossier de données (--data)")
	case o.Topics < 1 || o.Members < 1 || o.PostsPerTopic < 1:
		return errors.New("--topics, --posts-per-topic et --members doivent valoir au moins 1")
	case o.Fiches < 0 || o.Texts < 0:
		return errors.New("--fiches et --texts ne peuvent pas être négatifs")
	}
	if entries, err := os.ReadDir(o.DataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("le dossier %s n’est pas vide : gen remplit un dossier neuf", o.DataDir)
	}
	if o.LongTopic <= 0 {
		o.LongTopic = 500
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return nil
}

// generator holds what the phases share.
type generator struct {
	o     Options
	store *content.Store
	out   io.Writer
	plan  *plan
	clock atomic.Int64 // the store's clock, in Unix nanoseconds: each write is dated as planned

	users    []*content.User
	topics   []topicRef // by topic index, filled as they are written
	topicsMu sync.Mutex
	written  *sync.Cond // broadcast when a topic is written, or on failure
	failed   bool
	accepted int
}

// topicRef is what replies need of their written topic.
type topicRef struct {
	id       int64
	slug     string
	author   int // member index
	question bool
	accept   int // number of the post its author accepts, 0 for none
}

// members creates o.Members verified members, 1,000 per transaction.
func (g *generator) members(ctx context.Context) error {
	g.users = make([]*content.User, g.o.Members)
	for first := 0; first < g.o.Members; first += 1000 {
		err := g.store.Bulk(ctx, func(b *content.Bulk) error {
			for i := first; i < min(first+1000, g.o.Members); i++ {
				w := newWriter(g.o.Seed, streamMember, uint64(i))
				u, err := b.CreateUser(content.NewUser{Pseudo: pseudo(i), Email: "membre" + strconv.Itoa(i) + "@exemple.fr",
					Password: Password, Verified: true, AcceptCharter: true, Profile: content.Profile{
						Structure:   structures[w.r.IntN(len(structures))] + " " + capitalize(vocabulary[200+w.r.IntN(2000)]),
						Departement: departements[w.r.IntN(len(departements))]}})
				if err != nil {
					return fmt.Errorf("%s : %w", pseudo(i), err)
				}
				g.users[i] = u
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	return g.writer(ctx)
}

// writer creates the moderator the benchmark writes as, with the second
// factor its role requires.
func (g *generator) writer(ctx context.Context) error {
	var u *content.User
	err := g.store.Bulk(ctx, func(b *content.Bulk) (err error) {
		u, err = b.CreateUser(content.NewUser{Pseudo: writerPseudo, Email: "redaction@exemple.fr", Password: Password,
			Verified: true, Vouched: true, AcceptCharter: true, Role: content.RoleModerator})
		return err
	})
	if err != nil {
		return err
	}
	secret, err := g.store.StartTwoFactor(ctx, u)
	if err != nil {
		return err
	}
	_, err = g.store.ConfirmTwoFactor(ctx, u, content.TOTPCode(secret, time.Unix(0, g.clock.Load())))
	return err
}

// writerPseudo is the moderator the benchmark writes its replies as.
const writerPseudo = "Redaction_Test"

var firstNames = []string{"Camille", "Maëlle", "Karim", "Lucie", "Thomas", "Inès", "Julien", "Fatou", "Nicolas", "Chloé",
	"Mehdi", "Sophie", "Antoine", "Léa", "Yanis", "Claire", "Hugo", "Amina", "Pierre", "Manon", "Sébastien", "Zoé",
	"Olivier", "Nadia", "Romain", "Elsa", "Bruno", "Aïcha", "Mathieu", "Hélène"}
var lastNames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
	"Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
	"Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Le_Goff"}
var structures = []string{"Médiathèque", "Centre social", "Espace France services", "Association", "Tiers-lieu", "Mairie", "Fablab"}
var departements = []string{"75", "69", "13", "29", "59", "33", "35", "44", "2A", "974", "63", "21", "67", "31", "34", "93"}

// pseudo is the pseudo of member i: "Prénom_Nom", numbered past the first
// 900 combinations.
func pseudo(i int) string {
	n := len(firstNames) * len(lastNames)
	p := firstNames[i%len(firstNames)] + "_" + lastNames[(i/len(firstNames))%len(lastNames)]
	if i >= n {
		p += strconv.Itoa(i / n)
	}
	return p
}

// writeManifest writes m as gen.json into dir.
func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestName), append(b, '\n'), 0o640)
}

// ReadManifest reads the gen.json of a generated data folder.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	return &m, json.Unmarshal(b, &m)
}

func dbSize(dir string) int64 {
	var n int64
	for _, name := range []string{"ligue.db", "ligue.db-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// indexSize is the size of the index generation the link points to.
func indexSize(dir string) int64 {
	target, err := filepath.EvalSymlinks(filepath.Join(dir, search.LinkName))
	if err != nil {
		return 0
	}
	var n int64
	filepath.WalkDir(target, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f Gio", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f Mio", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.0f kio", float64(n)/(1<<10))
	}
}

// sortItems orders posts by date, then topic and number.
func sortItems(items []item) {
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.at != b.at {
			return a.at < b.at
		}
		if a.topic != b.topic {
			return a.topic < b.topic
		}
		return a.number < b.number
	})
}
