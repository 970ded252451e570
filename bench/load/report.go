package main

import (
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/ligue-mednum/ligue/bench/gen"
)

// row is one measured run.
type row struct {
	scenario string
	member   bool
	conns    int
	gzip     bool
	search   bool // its limit is the Bleve query
	limit    bool // it is a limit
	res      result
}

// report gathers the runs and writes them as Markdown.
type report struct {
	size                  size
	machine               string
	date                  time.Time
	loadBefore, loadAfter string
	gen                   *gen.Manifest
	genSeconds            float64
	staticBytes           int
	peakMB                float64
	total                 time.Duration
	rows                  []row
}

func (rep *report) add(r row) { rep.rows = append(rep.rows, r) }

// limitOf is the limit row r is compared with: the Bleve query for
// searches, the static file (same compression) for the rest.
func (rep *report) limitOf(r row) (row, bool) {
	for _, l := range rep.rows {
		if !l.limit || l.conns != r.conns {
			continue
		}
		if r.search && strings.Contains(l.scenario, "Bleve") || !r.search && strings.Contains(l.scenario, "static") && l.gzip == r.gzip {
			return l, true
		}
	}
	return row{}, false
}

// commit is ", commit abc1234" when run in a git checkout.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	return ", commit " + strings.TrimSpace(string(out))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func who(r row) string {
	switch {
	case r.limit:
		return "–"
	case r.member:
		return "member"
	}
	return "visitor"
}

func enc(r row) string {
	switch {
	case r.limit && strings.Contains(r.scenario, "Bleve"):
		return "–"
	case r.gzip:
		return "gzip"
	}
	return "none"
}

// cells are a row's columns.
func (rep *report) cells(r row) []string {
	res := r.res
	kb := "–"
	if res.Requests > 0 && res.Bytes > 0 {
		kb = fmt.Sprintf("%.1f", float64(res.Bytes)/float64(res.Requests)/1024)
	}
	limit, ratio := "–", "–"
	if l, ok := rep.limitOf(r); ok && !r.limit && l.res.RPS() > 0 {
		limit = fmt.Sprintf("%.0f", l.res.RPS())
		ratio = fmt.Sprintf("%.2f", res.RPS()/l.res.RPS())
	}
	errs := fmt.Sprint(res.Errors)
	return []string{r.scenario, who(r), enc(r), fmt.Sprint(r.conns), fmt.Sprintf("%.0f", res.RPS()), ms(res.P50), ms(res.P99), kb,
		fmt.Sprintf("%.2f", res.CPUms), fmt.Sprintf("%.0f", res.RSSMB), limit, ratio, errs}
}

var header = []string{"scenario", "as", "encoding", "conns", "req/s", "p50 ms", "p99 ms", "KiB/resp", "CPU ms/req", "RSS MiB", "limit req/s", "ratio", "errors"}

// line is a row as printed while the benchmark runs.
func (rep *report) line(r row) string { return strings.Join(rep.cells(r), " | ") }

func mdRow(cells []string) string { return "| " + strings.Join(cells, " | ") + " |\n" }

func (rep *report) markdown() string {
	var b strings.Builder
	g := rep.gen
	fmt.Fprintf(&b, "## Load benchmark, %s (BENCH_SIZE=%s%s)\n\n", rep.date.Format("2006-01-02 15:04 MST"), rep.size.name, commit())
	fmt.Fprintf(&b, "Machine: %s. Load average %s before, %s after: the machine was shared with other developers' builds and tests while this ran, so the figures are low and noisy; the ratios to the limits, measured in the same minutes, are the steadier reading.\n\n",
		rep.machine, rep.loadBefore, rep.loadAfter)
	fmt.Fprintf(&b, "Data (`ligue gen`, %.0f s in all): %d members, %d topics, %d posts (the longest %d), %d accepted answers, %d fiches, %d textes de propositions. "+
		"Written at %.0f posts/s through the store (rendering included), indexed at %.0f documents/s; database %.1f MiB, search index %.1f MiB.\n\n",
		rep.genSeconds, g.Members, g.Topics, g.Posts, g.LongTopic.Posts, g.Accepted, g.Fiches, g.Texts, g.PostsPerSecond, g.IndexPerSecond,
		float64(g.DBBytes)/(1<<20), float64(g.IndexBytes)/(1<<20))
	fmt.Fprintf(&b, "Each run: %v of warm-up, then %v counted, Go's HTTP client on loopback (the client shares the cores with the server). "+
		"CPU ms/req is the server's user+system time (`/proc/<pid>/stat`) over the counted requests; RSS is the server's at the end of the run (peak %.0f MiB). "+
		"The limit of each page is the same server sending a file of the topic page's size (%.1f KiB, the page itself) through the same middleware and compression; "+
		"the limit of a search is a plain Bleve match query for the same words on a copy of the index, in-process (no HTTP, highlighting, facets or database). "+
		"Ratio = req/s ÷ limit req/s.\n\n", rep.size.warm, rep.size.dur, rep.peakMB, float64(rep.staticBytes)/1024)
	b.WriteString(mdRow(header))
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = "---"
	}
	b.WriteString(mdRow(sep))
	for _, r := range rep.rows {
		b.WriteString(mdRow(rep.cells(r)))
	}
	b.WriteString("\nSearch lag of the mixed scenario's replies: from a reply's 201 to the first search API answer finding its unique word " +
		"(polled every 25 ms, at most 8 replies followed at once; warm-up included):\n\n")
	b.WriteString(mdRow([]string{"as", "encoding", "conns", "replies", "followed", "lag p50 ms", "lag p99 ms", "lag max ms", "not found in 10 s", "refused"}))
	b.WriteString(mdRow([]string{"---", "---", "---", "---", "---", "---", "---", "---", "---", "---"}))
	lagRow := func(as, encoding, conns string, l *lagStats) {
		p50, p99, worst := l.percentiles()
		b.WriteString(mdRow([]string{as, encoding, conns, fmt.Sprint(l.sent), fmt.Sprint(len(l.lags)),
			ms(p50), ms(p99), ms(worst), fmt.Sprint(l.lost), fmt.Sprint(l.failed)}))
	}
	all := &lagStats{}
	for _, r := range rep.rows {
		if l := r.res.Lag; l != nil {
			lagRow(who(r), enc(r), fmt.Sprint(r.conns), l)
			all.merge(l)
		}
	}
	lagRow("**all runs**", "", "", all)
	fmt.Fprintf(&b, "\nThe whole benchmark took %.0f s.\n", rep.total.Seconds())
	return b.String()
}

// failures says what went wrong: runs with no answer or more than 1 % of
// errors, replies search never found.
func (rep *report) failures() string {
	var bad []string
	for _, r := range rep.rows {
		res := r.res
		switch {
		case res.Requests == 0:
			bad = append(bad, fmt.Sprintf("%s (%s, %s, %d connexions) : aucune réponse", r.scenario, who(r), enc(r), r.conns))
		case res.Errors*100 > res.Requests:
			bad = append(bad, fmt.Sprintf("%s (%s, %s, %d connexions) : %d erreurs sur %d requêtes, dont %s",
				r.scenario, who(r), enc(r), r.conns, res.Errors, res.Requests, res.FirstErr))
		}
		if res.Lag != nil && res.Lag.lost > 0 {
			bad = append(bad, fmt.Sprintf("%s (%s, %d connexions) : %d réponses introuvables par la recherche après 10 s", r.scenario, who(r), r.conns, res.Lag.lost))
		}
	}
	return strings.Join(bad, "\n")
}
