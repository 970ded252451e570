// Package server is Ligue's HTTP side: the Fiber app, its routes, middleware,
// form handling and rendering. The domain lives in content.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/internal/flock"
	"github.com/ligue-mednum/ligue/search"
	"github.com/ligue-mednum/ligue/static"
	"github.com/ligue-mednum/ligue/templates"
)

// Config is everything the server needs from the command line and environment.
type Config struct {
	Addr      string // listen address, "127.0.0.1:8080"
	DataDir   string // folder holding ligue.db and later the index and uploads
	BaseURL   string // public URL used in mails and to decide on Secure cookies
	SMTPURL   string // smtp://user:pass@host:587 or smtps://…; empty: mails go to the log
	MailFrom  string // sender address of outgoing mail
	MaxUpload int64  // largest attached file, in bytes
	// AccessLog is which requests get a log line: "slow" (the default:
	// server errors and requests slower than SlowRequest), "all", or "off".
	AccessLog string
	BenchFile string // a file served at BenchFilePath for the load benchmark; empty: no such route
	// PageCacheMB is the memory kept for visitors' rendered pages, in MB
	// (DefaultPageCacheMB when 0; negative: no page cache).
	PageCacheMB int
	// FlagThreshold is the weight of members' open flags that hides a
	// content pending review (content.DefaultFlagThreshold when 0).
	FlagThreshold int
	// TrustedProxies are the addresses and CIDR ranges of the reverse
	// proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.
	TrustedProxies []string
	// MetricsAddr is where /metrics and the profiler listen ("" : nowhere);
	// beyond loopback only with MetricsToken, then required as a Bearer token.
	MetricsAddr, MetricsToken string
	BackupDir                 string        // where scheduled backups go; empty: none
	BackupEvery               time.Duration // time between two backups (24 h when 0, at least a minute)
	BackupKeep                int           // backups kept (backup.DefaultKeep when 0)
}

// SlowRequest is how long a request takes before the default access log
// writes it down.
const SlowRequest = 250 * time.Millisecond

// DefaultAddr is where `ligue serve` listens when told nothing.
const DefaultAddr = "127.0.0.1:8080"

func (c *Config) setDefaults() error {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	switch c.AccessLog {
	case "":
		c.AccessLog = "slow"
	case "slow", "all", "off":
	default:
		return fmt.Errorf("access log %q: slow, all or off", c.AccessLog)
	}
	if c.BaseURL == "" {
		host := c.Addr
		if h, p, err := net.SplitHostPort(c.Addr); err == nil && (h == "" || h == "0.0.0.0" || h == "::") {
			host = net.JoinHostPort("localhost", p)
		}
		c.BaseURL = "http://" + host
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base URL %q: want http(s)://host[:port]", c.BaseURL)
	}
	if c.MaxUpload <= 0 {
		c.MaxUpload = content.DefaultMaxUpload
	}
	if c.FlagThreshold <= 0 {
		c.FlagThreshold = content.DefaultFlagThreshold
	}
	if c.MailFrom == "" {
		c.MailFrom = "ligue@" + u.Hostname()
	}
	if err := checkMetricsAddr(c.MetricsAddr, c.MetricsToken); err != nil {
		return err
	}
	return c.setBackupDefaults()
}

// Server is one running Ligue site. Tests may run several side by side.
type Server struct {
	cfg    Config
	log    *slog.Logger
	db     *content.DB
	store  *content.Store
	views  *templates.Renderer
	assets *static.Assets
	app    *fiber.App
	secret []byte
	secure bool // https base URL: cookies get Secure (see secureRequest)
	origin string

	proxies     proxies // trusted reverse proxies
	limits      *rateLimits
	hashSlots   chan struct{} // bounds concurrent password hashes
	decodeSlots chan struct{} // bounds concurrent image decodes
	mailer      *mailer
	live        *live
	visits      *visits
	index       *search.Index
	pdfs        pdfCache
	exportWake  chan struct{} // a member asked for their data
	metrics     *metrics
	backups     backups
	dataLock    *flock.Lock // held while the server runs: no second server, no restore
	pages       *pageCache  // visitors' rendered pages; nil: none
}

// New opens the data folder and database (applying migrations) and builds
// the HTTP application.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	trusted, err := parseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	// A database a newer Ligue upgraded is refused before anything is
	// written in its folder, even the lock.
	dbPath := filepath.Join(cfg.DataDir, "ligue.db")
	if _, err := content.SchemaStatus(ctx, dbPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	db, err := content.OpenDB(ctx, dbPath)
	if err != nil {
		lock.Release()
		return nil, err
	}
	store := content.NewStore(db)
	store.SetFlagThreshold(cfg.FlagThreshold)
	s := &Server{cfg: cfg, log: log, db: db, store: store, proxies: trusted, limits: newRateLimits(store, log),
		hashSlots: make(chan struct{}, 2*runtime.NumCPU()), decodeSlots: make(chan struct{}, min(2, runtime.NumCPU())), live: newLive(store.Events(), store, log), visits: newVisits(store, log),
		exportWake: make(chan struct{}, 1), backups: backups{wake: make(chan struct{}, 1)}, dataLock: lock}
	if cfg.PageCacheMB >= 0 {
		s.pages = newPageCache(int64(cmp.Or(cfg.PageCacheMB, DefaultPageCacheMB))<<20, store.Events(), store.Now)
	}
	if err := s.init(ctx); err != nil {
		db.Close()
		lock.Release()
		return nil, err
	}
	return s, nil
}

func (s *Server) init(ctx context.Context) (err error) {
	if s.secret, err = s.store.Secret(ctx); err != nil {
		return err
	}
	u, _ := url.Parse(s.cfg.BaseURL)
	s.secure = u.Scheme == "https"
	s.origin = u.Scheme + "://" + u.Host
	if s.assets, err = static.Load(); err != nil {
		return err
	}
	if s.views, err = templates.New(s.templateFuncs()); err != nil {
		return err
	}
	s.metrics = newMetrics(s)
	if s.mailer, err = newMailer(s.cfg, s.store, s.log); err != nil {
		return err
	}
	s.mailer.failures = s.metrics.mailFailures
	s.index = search.Open(ctx, s.cfg.DataDir, s.store.SearchSources(), s.store.Events(), s.log)
	s.visits.readers = func(users []int64) {
		for _, u := range users {
			s.live.publish(content.DocID(content.EntityUser, u))
		}
	}
	if err := s.store.RegisterNotifier(ctx); err != nil {
		return fmt.Errorf("register the notifier: %w", err)
	}
	s.app = s.newApp()
	s.metrics.requests.learnRoutes(s.app)
	return nil
}

// App is the Fiber application (tests drive it with app.Test).
func (s *Server) App() *fiber.App { return s.app }

// Store is the content store behind the site.
func (s *Server) Store() *content.Store { return s.store }

// DB is the database behind the site.
func (s *Server) DB() *content.DB { return s.db }

// FlushMail delivers queued mail now (tests and the background loop use it).
func (s *Server) FlushMail(ctx context.Context) error { return s.mailer.flush(ctx) }

// AnnounceSetup logs the one-time link to create the first administrator
// when the site has none yet.
func (s *Server) AnnounceSetup(ctx context.Context) error {
	token, err := s.store.NewSetupToken(ctx)
	if err != nil || token == "" {
		return err
	}
	s.log.Warn("no administrator yet: open this one-time link to create the first administrator account",
		"url", s.cfg.BaseURL+"/installation?jeton="+token)
	return nil
}

// shutdownGrace is how long requests in flight may take to finish once the
// server is asked to stop.
const shutdownGrace = 10 * time.Second

// Run serves until ctx ends, then lets requests in flight finish and closes
// the database.
func (s *Server) Run(ctx context.Context) error {
	if err := s.AnnounceSetup(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	_, stopMetrics, err := s.startMetrics()
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()
	stopBackground := s.startBackground()

	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String(), "base_url", s.cfg.BaseURL, "data", s.cfg.DataDir)

	select {
	case err = <-errc:
	case <-ctx.Done():
		s.log.Info("shutting down: finishing requests in flight")
		s.live.close()
		err = s.app.ShutdownWithTimeout(shutdownGrace)
		if errors.Is(err, context.DeadlineExceeded) {
			// A slow upload or a stalled client: stopping is what was asked.
			s.log.Warn("requests still in flight were cut short", "after", shutdownGrace)
			err = nil
		}
	}
	stopBackground()
	return errors.Join(err, s.Close())
}

// startBackground starts the work done beside requests; the function it
// returns stops it and waits until it has.
func (s *Server) startBackground() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.background(ctx) }()
	return func() { cancel(); <-done }
}

// background runs the consumers of the event stream (search index, live
// updates), mail delivery, the visits recorder and the periodic chores.
func (s *Server) background(ctx context.Context) {
	var wg sync.WaitGroup
	run := func(fn func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); fn(ctx) }()
	}
	run(s.mailer.loop)
	run(s.index.Run)
	run(s.live.follow)
	if s.pages != nil {
		run(func(ctx context.Context) { s.pages.follow(ctx, s.log) })
	}
	run(s.notify)
	run(s.mailSchedule)
	run(s.visits.run)
	run(s.exportLoop)
	run(s.backupLoop)
	defer wg.Wait()
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for n := 0; ; n++ {
		if n%6 == 0 {
			if err := s.store.PruneStrikes(ctx, s.store.Now().Add(-longestPeriod)); err != nil && ctx.Err() == nil {
				s.log.Error("rate limit clean-up", "err", err)
			}
			// Visitors' signatures never confirmed stopped counting after 7 days.
			if removed, err := s.store.PruneUnconfirmedSignatures(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("signature clean-up", "err", err)
			} else if removed > 0 {
				s.log.Info("unconfirmed signatures removed", "count", removed)
			}
			if err := s.RunRetention(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("retention", "err", err)
			}
			// Suspensions whose end came while their member stayed away.
			if ended, err := s.store.EndSuspensions(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("suspension clean-up", "err", err)
			} else if ended > 0 {
				s.log.Info("suspensions ended", "count", ended)
			}
			if removed, err := s.store.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("session clean-up", "err", err)
			} else if removed > 0 {
				s.log.Info("expired sessions removed", "count", removed)
			}
		}
		// Events every consumer has applied are no longer needed.
		if _, err := s.store.Events().Prune(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("event stream prune", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// SyncIndex brings the search index up to date now (rebuilding it if
// needed); the running server does this in the background.
func (s *Server) SyncIndex(ctx context.Context) error { return s.index.Sync(ctx) }

// Close writes the pending visits, then releases the search index, the
// database and the data folder.
func (s *Server) Close() error {
	return errors.Join(s.visits.flush(context.Background()), s.index.Close(), s.db.Close(), s.dataLock.Release())
}
