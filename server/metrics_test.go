package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ligue-mednum/ligue/content"
)

// startMetrics serves the site's metrics listener and returns its base URL.
func (ts *testSite) startMetrics() string {
	ts.t.Helper()
	addr, stop, err := ts.srv.startMetrics()
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(stop)
	return "http://" + addr
}

// getWithToken sends a GET over real HTTP, with a Bearer token when one is
// given, and returns the status and body.
func getWithToken(t *testing.T, u, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// scrape reads /metrics as Prometheus does, parsed by its text parser.
type scrape map[string]*dto.MetricFamily

func scrapeMetrics(t *testing.T, base, token string) scrape {
	t.Helper()
	status, body := getWithToken(t, base+"/metrics", token)
	if status != 200 {
		t.Fatalf("GET /metrics: %d %s", status, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v\n%s", err, body)
	}
	return families
}

// value adds up the series of family name that have these labels (a
// histogram counts its observations), and tells whether there is one.
func (s scrape) value(name string, labels ...string) (float64, bool) {
	f := s[name]
	if f == nil {
		return 0, false
	}
	sum, found := 0.0, false
	for _, m := range f.Metric {
		if !hasLabels(m, labels) {
			continue
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum, found
}

func (s scrape) get(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	v, ok := s.value(name, labels...)
	if !ok {
		t.Fatalf("no series %s%v", name, labels)
	}
	return v
}

func hasLabels(m *dto.Metric, pairs []string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		found := false
		for _, l := range m.Label {
			found = found || (l.GetName() == pairs[i] && l.GetValue() == pairs[i+1])
		}
		if !found {
			return false
		}
	}
	return true
}

// The metrics listener answers Prometheus with every family the admin
// watches, and they move with the site: requests counted by route
// pattern, the event stream's lag while the indexer waits, the index's
// documents once it caught up, a failing SMTP server's refusals.
func TestMetricsMoveWithTheSite(t *testing.T) {
	sink, ts, _ := startSink(t, func(c *Config) { c.MetricsAddr = "127.0.0.1:0" })
	base := ts.startMetrics()
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Imprimer une attestation CAF", "Avec quelle imprimante ?")
	ts.syncIndex()

	before := scrapeMetrics(t, base, "")
	if docs := before.get(t, "ligue_search_documents"); docs != 1 {
		t.Errorf("%v documents in the index, want the one topic", docs)
	}
	if size := before.get(t, "ligue_database_size_bytes", "file", "main"); size <= 0 {
		t.Errorf("database size %v", size)
	}
	if size := before.get(t, "ligue_search_index_size_bytes"); size <= 0 {
		t.Errorf("index size %v", size)
	}
	if behind := before.get(t, "ligue_events_behind", "consumer", "search"); behind != 0 {
		t.Errorf("search is %v events behind once synced", behind)
	}

	// Requests, by route pattern: never the address asked.
	visitor := ts.client()
	for range 3 {
		visitor.get("/discussions")
	}
	visitor.get(topic.Path())
	visitor.get("/discussions/" + itoa64(topic.ID) + "/un-autre-titre")
	visitor.get("/une-adresse-inconnue-1234")
	after := scrapeMetrics(t, base, "")
	for _, family := range []string{
		"ligue_http_requests_total", "ligue_http_request_duration_seconds",
		"ligue_events_behind", "ligue_events_oldest_pending_seconds",
		"ligue_search_documents", "ligue_search_usable", "ligue_search_rebuilding", "ligue_search_index_size_bytes",
		"ligue_mail_queued", "ligue_mail_failed_last_24h", "ligue_mail_delivery_failures_total",
		"ligue_database_size_bytes", "go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes",
	} {
		if _, ok := after[family]; !ok {
			t.Errorf("family %s missing", family)
		}
	}
	if n := after.get(t, "ligue_http_requests_total", "method", "GET", "route", "/discussions", "code", "2xx"); n != 3 {
		t.Errorf("%v requests counted for /discussions, want 3", n)
	}
	if n := after.get(t, "ligue_http_request_duration_seconds", "method", "GET", "route", "/discussions"); n != 3 {
		t.Errorf("%v durations for /discussions, want 3", n)
	}
	if n, _ := after.value("ligue_http_requests_total", "method", "GET", "route", "/discussions/:id<int>/:slug"); n != 2 {
		t.Errorf("%v requests counted for the topic's pattern, want its 2 addresses", n)
	}
	if n, _ := after.value("ligue_http_requests_total", "method", "GET", "route", unmatchedRoute, "code", "4xx"); n != 1 {
		t.Errorf("%v unknown addresses counted, want 1", n)
	}
	for _, m := range after["ligue_http_requests_total"].Metric {
		for _, l := range m.Label {
			if strings.Contains(l.GetValue(), "inconnue") || strings.Contains(l.GetValue(), "imprimer") {
				t.Errorf("a label holds the address asked: %s=%q", l.GetName(), l.GetValue())
			}
		}
	}

	// The event stream's lag while the indexer waits, gone once it ran.
	for _, body := range []string{"Une HP.", "Une Epson.", "Une Canon."} {
		ts.mustReply(karim, topic, body, 0)
	}
	waiting := scrapeMetrics(t, base, "")
	if behind := waiting.get(t, "ligue_events_behind", "consumer", "search"); behind < 3 {
		t.Errorf("search is %v events behind after 3 replies", behind)
	}
	if age := waiting.get(t, "ligue_events_oldest_pending_seconds", "consumer", "search"); age <= 0 {
		t.Errorf("the oldest event waiting is %v s old", age)
	}
	ts.syncIndex()
	synced := scrapeMetrics(t, base, "")
	if behind, age := synced.get(t, "ligue_events_behind", "consumer", "search"), synced.get(t, "ligue_events_oldest_pending_seconds", "consumer", "search"); behind != 0 || age != 0 {
		t.Errorf("once indexed: %v events behind, the oldest %v s old", behind, age)
	}
	if docs := synced.get(t, "ligue_search_documents"); docs != 4 {
		t.Errorf("%v documents in the index, want the topic and its 3 replies", docs)
	}

	// A failing SMTP server: the attempt is counted, the mail waits.
	if err := ts.srv.FlushMail(context.Background()); err != nil { // mails queued so far go out
		t.Fatal(err)
	}
	sink.set(451)
	if r := ts.client().postForm("/inscription", registration("Lucie", "lucie@exemple.fr", "des mots pour entrer")); r.status != 303 {
		t.Fatalf("register: %d", r.status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.FlushMail(ctx); err != nil {
		t.Fatal(err)
	}
	failing := scrapeMetrics(t, base, "")
	if n := failing.get(t, "ligue_mail_delivery_failures_total"); n != 1 {
		t.Errorf("%v failed attempts counted, want 1", n)
	}
	if n := failing.get(t, "ligue_mail_failed_last_24h"); n != 1 {
		t.Errorf("%v mails failed in the last 24 h, want 1", n)
	}
	if n := failing.get(t, "ligue_mail_queued"); n != 1 {
		t.Errorf("%v mails queued, want the one waiting for its retry", n)
	}
	if at := failing.get(t, "ligue_mail_last_failure_timestamp_seconds"); at < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("last failure at %v", at)
	}
}

// A token, when set, guards the metrics and the profiler alike; without
// one, the listener (on loopback) serves both to whoever asks.
func TestMetricsTokenIsRequiredWhenSet(t *testing.T) {
	open := newTestSite(t, func(c *Config) { c.MetricsAddr = "127.0.0.1:0" })
	base := open.startMetrics()
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		if status, _ := getWithToken(t, base+path, ""); status != 200 {
			t.Errorf("GET %s on loopback without a token set: %d", path, status)
		}
	}

	guarded := newTestSite(t, func(c *Config) { c.MetricsAddr, c.MetricsToken = "127.0.0.1:0", "un-jeton-assez-long" })
	base = guarded.startMetrics()
	for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/goroutine?debug=1"} {
		for _, token := range []string{"", "un-autre-jeton"} {
			if status, body := getWithToken(t, base+path, token); status != 401 || strings.Contains(body, "ligue_") || strings.Contains(body, "goroutine") {
				t.Errorf("GET %s with token %q: %d %.100s", path, token, status, body)
			}
		}
		if status, _ := getWithToken(t, base+path, "un-jeton-assez-long"); status != 200 {
			t.Errorf("GET %s with the token: %d", path, status)
		}
	}
	if families := scrapeMetrics(t, base, "un-jeton-assez-long"); families["ligue_mail_queued"] == nil {
		t.Error("the guarded listener serves no ligue_ metrics")
	}
}

// Listening beyond loopback without a token is refused when the server
// starts, with what to do instead.
func TestMetricsBeyondLoopbackNeedAToken(t *testing.T) {
	for _, tc := range []struct {
		addr, token string
		refused     bool
	}{
		{"0.0.0.0:9100", "", true},
		{":9100", "", true},
		{"192.0.2.10:9100", "", true},
		{"[::]:9100", "", true},
		{"0.0.0.0:9100", "un-jeton-assez-long", false},
		{"127.0.0.1:9100", "", false},
		{"[::1]:9100", "", false},
		{"localhost:9100", "", false},
		{"", "", false},
	} {
		cfg := Config{DataDir: t.TempDir(), MetricsAddr: tc.addr, MetricsToken: tc.token}
		err := cfg.setDefaults()
		if refused := err != nil; refused != tc.refused {
			t.Errorf("metrics on %q, token %q: %v", tc.addr, tc.token, err)
		} else if refused && !strings.Contains(err.Error(), "--metrics-token") {
			t.Errorf("metrics on %q: the error does not say what to do: %v", tc.addr, err)
		}
	}
	if _, err := New(context.Background(), Config{DataDir: t.TempDir(), MetricsAddr: "0.0.0.0:9100"}, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("the server starts with its metrics open to every machine")
	}
}

// The request counter costs no allocation once a route has been seen: it
// runs on every request.
func TestCountingARequestDoesNotAllocate(t *testing.T) {
	ts := newTestSite(t)
	m := ts.srv.metrics.requests
	var route *fiber.Route
	for r, label := range m.routes {
		if label == "/discussions" && r.Method == fiber.MethodGet {
			route = r
		}
	}
	if route == nil {
		t.Fatal("GET /discussions is not among the labelled routes")
	}
	m.observe(route, 200, time.Millisecond)
	if allocs := testing.AllocsPerRun(100, func() { m.observe(route, 200, time.Millisecond) }); allocs != 0 {
		t.Errorf("%v allocations to count a request", allocs)
	}
}
