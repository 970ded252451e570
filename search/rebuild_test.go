package search

import (
	"context"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/internal/cputime"
)

// generatedSource streams n generated posts of about words words, as a
// database source would: in pages, each made when asked for.
type generatedSource struct{ n, words int }

func (g generatedSource) Changed(context.Context, content.Event) ([]content.SearchDoc, []string, error) {
	return nil, nil, nil
}

func (g generatedSource) Each(ctx context.Context, fn func([]content.SearchDoc) error) error {
	r := rand.New(rand.NewSource(1))
	for first := 0; first < g.n; first += 500 {
		docs := make([]content.SearchDoc, 0, 500)
		for i := first; i < min(first+500, g.n); i++ {
			docs = append(docs, generateDocOf(r, i, g.words))
		}
		if err := fn(docs); err != nil {
			return err
		}
	}
	return nil
}

func (g generatedSource) Count(context.Context) (uint64, error) { return uint64(g.n), nil }

// peakMemory samples the heap in use and the resident memory (anonymous
// and file pages, as /proc/self/status tells them) until stop is called,
// which returns the highest values seen.
func peakMemory() (stop func() memoryPeak) {
	var peak memoryPeak
	done, finished := make(chan struct{}), make(chan struct{})
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak.heap = max(peak.heap, ms.HeapInuse)
		anon, file := residentMemory()
		peak.anon, peak.file = max(peak.anon, anon), max(peak.file, file)
	}
	go func() {
		defer close(finished)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func() memoryPeak {
		once.Do(func() { close(done); <-finished })
		return peak
	}
}

type memoryPeak struct{ heap, anon, file uint64 }

// residentMemory reads the process's resident anonymous and file-backed
// memory; zeros where /proc is not there.
func residentMemory() (anon, file uint64) {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "RssAnon":
			anon = kb << 10
		case "RssFile":
			file = kb << 10
		}
	}
	return anon, file
}

// rebuildPeak rebuilds an index of src in a new data folder and returns
// the peaks of memory meanwhile.
func rebuildPeak(t testing.TB, src Sources) memoryPeak {
	t.Helper()
	f := newFixture(t)
	runtime.GC()
	stop := peakMemory()
	err := Rebuild(context.Background(), f.dir, src, f.store.Events(), quiet)
	peak := stop()
	if err != nil {
		t.Fatal(err)
	}
	return peak
}

// A rebuild holds a bounded amount of the corpus in memory: indexing three
// times as many posts does not need more memory (beyond a margin for the
// merges, which the larger corpus starts), so the whole network's million
// posts rebuild in the memory a few thousand take.
func TestRebuildMemoryDoesNotGrowWithCorpus(t *testing.T) {
	const n = 6000
	small := rebuildPeak(t, generatedSource{n: n, words: 100})
	large := rebuildPeak(t, generatedSource{n: 3 * n, words: 100})
	t.Logf("peak heap: %d MB for %d posts, %d MB for %d", small.heap>>20, n, large.heap>>20, 3*n)
	if large.heap > small.heap+small.heap/2 {
		t.Errorf("peak heap grew from %d MB (%d posts) to %d MB (%d posts)", small.heap>>20, n, large.heap>>20, 3*n)
	}
}

// BenchmarkRebuild rebuilds an index of LIGUE_BENCH_DOCS posts of 250
// words (100,000 by default) and reports the rate and the peak heap.
//
//	go test ./search -run '^$' -bench Rebuild -benchtime 1x
func BenchmarkRebuild(b *testing.B) {
	n := benchDocs()
	for range b.N {
		start, cpu := time.Now(), cputime.Used()
		peak := rebuildPeak(b, generatedSource{n: n, words: 250})
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "docs/s")
		b.ReportMetric(float64((cputime.Used()-cpu).Microseconds())/float64(n), "cpu-µs/doc")
		b.ReportMetric(float64(peak.heap)/(1<<20), "heap-MB")
		b.ReportMetric(float64(peak.anon)/(1<<20), "rss-anon-MB")
		b.ReportMetric(float64(peak.file)/(1<<20), "rss-file-MB")
	}
}
