package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The metrics listener is apart from the site: /metrics for Prometheus and
// Go's profiler under /debug/pprof/, on an address of its own
// (--metrics-addr), loopback unless a token guards it.

// metrics is the site's own Prometheus registry (not the global one, so
// tests can run several servers side by side).
type metrics struct {
	registry     *prometheus.Registry
	requests     *requestMetrics
	mailFailures prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{registry: reg, requests: newRequestMetrics(),
		mailFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "ligue_mail_delivery_failures_total",
			Help: "Delivery attempts that failed since the server started (each retry counts)."})}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests.counts, m.requests.latency, m.mailFailures, &siteCollector{s: s})
	return m
}

// checkMetricsAddr refuses to expose the metrics and the profiler beyond
// the machine without a token: they tell a lot about the site, and a
// profile costs CPU.
func checkMetricsAddr(addr, token string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("metrics address %q: %w", addr, err)
	}
	if token == "" && !isLoopbackHost(host) {
		return fmt.Errorf("metrics address %q is reachable from other machines: listen on 127.0.0.1, or set a token (--metrics-token, LIGUE_METRICS_TOKEN)", addr)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// metricsHandler serves /metrics and the profiler, behind the token when
// there is one.
func (s *Server) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError, // a failed query leaves out its family, not the others
		ErrorLog:      slog.NewLogLogger(s.log.Handler(), slog.LevelError),
	}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	token := s.cfg.MetricsToken
	if token == "" {
		return mux
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ligue-metrics"`)
			http.Error(w, "jeton manquant ou incorrect", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// startMetrics serves the metrics listener when one is configured; stop
// closes it. It returns the address it listens on ("" when off).
func (s *Server) startMetrics() (addr string, stop func(), err error) {
	if s.cfg.MetricsAddr == "" {
		return "", func() {}, nil
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		return "", nil, fmt.Errorf("metrics listener: %w", err)
	}
	// A CPU profile or a trace runs for ?seconds=N (30 by default).
	srv := &http.Server{Handler: s.metricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 2 * time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("metrics listener", "err", err)
		}
	}()
	s.log.Info("serving metrics", "addr", ln.Addr().String(), "token", s.cfg.MetricsToken != "")
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
	}, nil
}
