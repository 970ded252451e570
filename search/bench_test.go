package search

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The benchmarks run on a generated French-like corpus: LIGUE_BENCH_DOCS
// posts (100,000 by default) of about 150 words.
//
//	go test ./search -run '^$' -bench . -benchtime 1x

var benchWords = strings.Fields(`médiation numérique accompagnement usager démarche administrative caf cpam ants
impôts déclaration revenus attestation paiement allocation logement rsa prime activité france travail inscription
actualisation mot de passe adresse courriel messagerie smartphone tablette ordinateur imprimante scanner clé usb
atelier collectif seniors jeunes famille parent école pronote espace numérique travail rendez-vous préfecture
titre séjour carte identité passeport permis conduire carte grise vitale ameli mutuelle santé médecin ordonnance
bibliothèque médiathèque centre social mairie france services conseiller coordinateur formateur bénévole structure
réseau territoire département région financement subvention appel projet pass numérique chèque aidant connect
franceconnect identité numérique sécurité arnaque hameçonnage virus sauvegarde photo fichier dossier document pdf
formulaire signature scan pièce justificative relevé bancaire facture électricité eau internet box wifi forfait
téléphone mobile application télécharger installer mise à jour compte connexion identifiant code confirmation
personne âgée handicap illettrisme allophone traduction français langue écrit lecture écriture autonomie confiance`)

var stop = strings.Fields("le la les de des du un une et à au aux pour avec sans sur dans par qui que est son sa ses il elle on nous vous ils")

// vocabulary is the field's words followed by 20,000 made-up French-looking
// words; words are drawn with Zipf's law, as in real text, so a few are
// very common and most are rare.
var vocabulary = func() []string {
	r := rand.New(rand.NewSource(7))
	syll := strings.Fields("ma mé ri on tion ment que ra lo ge ble té dé pro con ver sé ti na ré ca pi mo lu vi é ai eu ou in an")
	words := append([]string{}, benchWords...)
	for len(words) < 20000 {
		var w strings.Builder
		for n := 2 + r.Intn(3); n > 0; n-- {
			w.WriteString(syll[r.Intn(len(syll))])
		}
		words = append(words, w.String())
	}
	return words
}()

func generateDoc(r *rand.Rand, i int) content.SearchDoc { return generateDocOf(r, i, 150) }

// generateDocOf is generateDoc with n words.
func generateDocOf(r *rand.Rand, i, n int) content.SearchDoc {
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(vocabulary)-1))
	words := make([]string, 0, n+10)
	for len(words) < n {
		if r.Intn(3) == 0 {
			words = append(words, stop[r.Intn(len(stop))])
		} else {
			words = append(words, vocabulary[zipf.Uint64()])
		}
	}
	title := strings.Join(words[:6], " ")
	d := content.SearchDoc{ID: "post:" + strconv.Itoa(i), Type: content.DocMessage, Body: strings.Join(words, " "),
		Author: "membre" + strconv.Itoa(r.Intn(2000)), Category: []string{"demarches-en-ligne", "outils-et-materiel", "metier-et-reconnaissance"}[r.Intn(3)],
		Tags: []string{benchWords[r.Intn(40)]}, Date: time.Now().Add(-time.Duration(r.Intn(1000)) * time.Hour), Access: []string{content.AccessPublic}}
	if i%10 == 0 {
		d.ID, d.Type, d.Title = "topic:"+strconv.Itoa(i), content.DocDiscussion, title
	}
	return d
}

func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("LIGUE_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// buildBenchIndex bulk-indexes n generated posts and returns the index and
// the indexing rate.
func buildBenchIndex(b *testing.B, dir string, n int) (bleve.Index, float64) {
	b.Helper()
	m, err := newMapping()
	if err != nil {
		b.Fatal(err)
	}
	idx, err := newBulkIndex(filepath.Join(dir, "bench.bleve"), m)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	start := time.Now()
	w := newBulkWriter(idx, rebuildBatch, rebuildBatchBytes) // as Rebuild writes
	for i := 0; i < n; i++ {
		if err := w.Add(generateDoc(r, i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return idx, float64(n) / time.Since(start).Seconds()
}

func BenchmarkBulkIndexing(b *testing.B) {
	n := benchDocs()
	for i := 0; i < b.N; i++ {
		idx, rate := buildBenchIndex(b, b.TempDir(), n)
		idx.Close()
		b.ReportMetric(rate, "posts/s")
	}
}

func BenchmarkTwoWordQuery(b *testing.B) {
	idx, _ := buildBenchIndex(b, b.TempDir(), benchDocs())
	defer idx.Close()
	ix := &Index{idx: idx}
	if err := ix.warmFacets(); err != nil { // as Open does
		b.Fatal(err)
	}
	// Pairs of words of the field, common and rarer.
	queries := []string{"médiation numérique", "démarche caf", "attestation paiement", "carte vitale", "mot passe",
		"atelier seniors", "france travail", "imprimante scanner", "rendez-vous préfecture", "pass numérique",
		"identité numérique", "déclaration revenus", "smartphone tablette", "adresse courriel", "personne âgée"}
	// Each query runs queryRounds times, so that the p99 is a percentile of
	// 150 timings rather than the slowest of 15.
	const queryRounds = 10
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N*queryRounds; i++ {
		for _, q := range queries {
			start := time.Now()
			res, err := ix.Search(context.Background(), Request{Q: q})
			if err != nil {
				b.Fatal(err)
			}
			if res.Total == 0 {
				b.Logf("%q found nothing", q)
			}
			took = append(took, time.Since(start))
			if i == 0 && os.Getenv("LIGUE_BENCH_VERBOSE") != "" {
				fmt.Fprintf(os.Stderr, "%-25s %8d hits %v\n", q, res.Total, time.Since(start))
			}
		}
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	fmt.Fprintf(os.Stderr, "two-word queries with highlighting and facets on %d posts: median %v, p99 %v (%d queries)\n",
		benchDocs(), took[len(took)/2], took[len(took)*99/100], len(took))
}
