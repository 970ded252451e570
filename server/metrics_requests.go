package server

import (
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// requestMetrics counts requests and their durations by route pattern
// (Fiber's route path, "/discussions/:id<int>/:slug": as many labels as
// routes, whatever the addresses asked) and status class. Each request
// finds its series in a map under a read lock: labels are resolved once per
// route, not per request.
type requestMetrics struct {
	counts  *prometheus.CounterVec
	latency *prometheus.HistogramVec

	routes map[*fiber.Route]string // the label of each route of the app, set once built

	mu     sync.RWMutex
	series map[routeClass]prometheus.Counter
	timers map[*fiber.Route]prometheus.Observer
}

type routeClass struct {
	route *fiber.Route
	class int // status / 100
}

// cachedPages stands for the route of the pages the page cache answers
// (server/pagecache.go): they reach no route.
var cachedPages = &fiber.Route{Method: fiber.MethodGet, Path: "(page cache)"}

// unmatchedRoute labels the requests no route answered: unknown addresses,
// and those a middleware refused or redirected before any route.
const unmatchedRoute = "unmatched"

var statusClasses = [...]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

func newRequestMetrics() *requestMetrics {
	return &requestMetrics{
		counts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ligue_http_requests_total",
			Help: "Requests answered, by method, route pattern and status class."}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ligue_http_request_duration_seconds",
			Help: "Time to answer a request, by method and route pattern.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
		series: map[routeClass]prometheus.Counter{},
		timers: map[*fiber.Route]prometheus.Observer{},
	}
}

// learnRoutes labels every route of app. Middleware layers (app.Use) match
// any address under their prefix, unknown ones too: they count as
// unmatched. Fiber tells them apart only in GetRoutes(true), which returns
// copies; a copy shares its route's handlers, which find the route.
func (m *requestMetrics) learnRoutes(app *fiber.App) {
	endpoints := map[*fiber.Handler]bool{}
	for _, r := range app.GetRoutes(true) {
		if len(r.Handlers) > 0 {
			endpoints[&r.Handlers[0]] = true
		}
	}
	m.routes = map[*fiber.Route]string{cachedPages: cachedPages.Path}
	for _, stack := range app.Stack() {
		for _, r := range stack {
			m.routes[r] = unmatchedRoute
			if len(r.Handlers) > 0 && endpoints[&r.Handlers[0]] {
				m.routes[r] = r.Path
			}
		}
	}
}

// countRequests is the first middleware: it sees the status the error
// handler gave (requestContext, next, answers errors itself).
func (s *Server) countRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := c.Route()
	if c.Locals(localCacheHit) != nil {
		route = cachedPages
	}
	s.metrics.requests.observe(route, c.Response().StatusCode(), time.Since(start))
	return err
}

func (m *requestMetrics) observe(route *fiber.Route, status int, took time.Duration) {
	if _, known := m.routes[route]; !known {
		route = nil // Fiber made up a route for this request: count it as unmatched
	}
	class := status / 100
	if class < 1 || class >= len(statusClasses) {
		class = 0
	}
	key := routeClass{route, class}
	m.mu.RLock()
	counter, timer := m.series[key], m.timers[route]
	m.mu.RUnlock()
	if counter == nil || timer == nil {
		counter, timer = m.newSeries(key)
	}
	counter.Inc()
	timer.Observe(took.Seconds())
}

// newSeries makes the series of a route and status class on its first
// request.
func (m *requestMetrics) newSeries(key routeClass) (prometheus.Counter, prometheus.Observer) {
	method, label := "other", unmatchedRoute
	if key.route != nil {
		method, label = key.route.Method, m.routes[key.route]
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.series[key] == nil {
		m.series[key] = m.counts.WithLabelValues(method, label, statusClasses[key.class])
	}
	if m.timers[key.route] == nil {
		m.timers[key.route] = m.latency.WithLabelValues(method, label)
	}
	return m.series[key], m.timers[key.route]
}
