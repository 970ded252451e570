package server

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
)

// GET /sante answers "ok" while the database answers, for an uptime
// monitor. /sante?detail=1 tells administrators, and scripts on the server
// itself, how each part fares, as JSON: 200 when all is well, 503 naming
// what is not. Anyone else gets the short answer: nothing leaks.

// answerAlive is the liveness check.
func (s *Server) answerAlive(c *fiber.Ctx) error {
	if err := s.store.Ping(c.UserContext()); err != nil {
		s.log.Error("health check", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("base de données indisponible")
	}
	return c.SendString("ok")
}

// healthReport is the answer of /sante?detail=1.
type healthReport struct {
	Status   string         `json:"status"`            // "ok" or "failing"
	Failing  []string       `json:"failing,omitempty"` // "database", "index", "mail"
	Database databaseHealth `json:"database"`
	Index    indexHealth    `json:"index"`
	Mail     mailHealth     `json:"mail"`
	Backup   backupHealth   `json:"backup"`
}

type databaseHealth struct {
	OK            bool   `json:"ok"`
	Problem       string `json:"problem,omitempty"`
	SizeBytes     int64  `json:"size_bytes"`
	WALBytes      int64  `json:"wal_bytes"`
	SchemaVersion int    `json:"schema_version"`
}

type indexHealth struct {
	OK                bool    `json:"ok"`
	Problem           string  `json:"problem,omitempty"`
	Documents         uint64  `json:"documents"`
	DatabaseDocuments uint64  `json:"database_documents"`
	Rebuilding        bool    `json:"rebuilding"`
	EventsBehind      int64   `json:"events_behind"`
	LagSeconds        float64 `json:"lag_seconds"`
}

type mailHealth struct {
	OK          bool       `json:"ok"`
	Problem     string     `json:"problem,omitempty"`
	Queued      int        `json:"queued"`
	Failed24h   int        `json:"failed_24h"`
	LastErrorAt *time.Time `json:"last_error_at"`
}

type backupHealth struct {
	OK        bool       `json:"ok"`
	Problem   string     `json:"problem,omitempty"`
	Scheduled bool       `json:"scheduled"`            // --backup-dir is set
	LastAt    *time.Time `json:"last_at,omitempty"`    // the last run, verified or not
	LastOKAt  *time.Time `json:"last_ok_at,omitempty"` // the last verified backup
	SizeBytes int64      `json:"size_bytes,omitempty"` // of that one
	Size      string     `json:"-"`                    // the same, in words
}

// indexLagLimit is how long an event may wait for the indexer before the
// index counts as failing: it takes each within a second when all is well.
const indexLagLimit = 2 * time.Minute

// handleHealthDetail follows handleHealth for ?detail=1, once identify has
// found who asks.
func (s *Server) handleHealthDetail(c *fiber.Ctx) error {
	if !fromThisMachine(c) && !content.CanAdminister(currentUser(c)) {
		return s.answerAlive(c)
	}
	r := s.healthReport(c.UserContext())
	status := fiber.StatusOK
	if r.Status != "ok" {
		status = fiber.StatusServiceUnavailable
	}
	return c.Status(status).JSON(r)
}

// fromThisMachine tells a request made on the server itself: its
// connection's peer is loopback (never what a header claims). A reverse
// proxy on the same machine connects from loopback too, for anyone: the
// forwarding headers it adds say the request came from further away.
func fromThisMachine(c *fiber.Ctx) bool {
	if !c.Context().RemoteIP().IsLoopback() {
		return false
	}
	for _, h := range []string{fiber.HeaderXForwardedFor, "Forwarded", "X-Real-Ip"} {
		if c.Get(h) != "" {
			return false
		}
	}
	return true
}

func (s *Server) healthReport(ctx context.Context) *healthReport {
	r := &healthReport{Database: s.databaseHealth(ctx), Index: s.indexHealth(ctx), Mail: s.mailHealth(ctx),
		Backup: s.backupHealth(ctx)}
	for _, part := range []struct {
		name string
		ok   bool
	}{{"database", r.Database.OK}, {"index", r.Index.OK}, {"mail", r.Mail.OK}, {"backup", r.Backup.OK}} {
		if !part.ok {
			r.Failing = append(r.Failing, part.name)
		}
	}
	r.Status = "ok"
	if len(r.Failing) > 0 {
		r.Status = "failing"
	}
	return r
}

func (s *Server) databaseHealth(ctx context.Context) databaseHealth {
	var h databaseHealth
	err := s.db.Ping(ctx)
	if err == nil {
		h.SchemaVersion, err = s.db.SchemaVersion(ctx)
	}
	if err == nil {
		h.SizeBytes, h.WALBytes, err = s.db.DatabaseFiles()
	}
	if err != nil {
		s.log.Error("health check: database", "err", err)
		h.Problem = "la base de données ne répond pas"
		return h
	}
	h.OK = true
	return h
}

// indexHealth compares the index with the database; a difference counts
// only once the indexer has caught up, as events in flight make one.
func (s *Server) indexHealth(ctx context.Context) indexHealth {
	st := s.index.State()
	h := indexHealth{Documents: st.Documents, Rebuilding: st.Rebuilding}
	want, err := s.store.SearchSources().Count(ctx)
	var lags []content.ConsumerLag
	if err == nil {
		lags, err = s.store.Events().Lag(ctx)
	}
	if err != nil {
		s.log.Error("health check: index", "err", err)
		h.Problem = "la base de données ne répond pas"
		return h
	}
	h.DatabaseDocuments = want
	lag := searchLag(lags)
	h.EventsBehind, h.LagSeconds = lag.Behind, lag.Age(s.store.Now()).Seconds()
	switch {
	case !st.Usable:
		h.Problem = "aucun index utilisable : les recherches attendent sa reconstruction"
	case st.Rebuilding:
		h.Problem = "index en reconstruction"
	case lag.Age(s.store.Now()) > indexLagLimit:
		h.Problem = "l’index a " + strconv.FormatInt(lag.Behind, 10) + " changement(s) de retard"
	case lag.Behind == 0 && st.Documents != want:
		h.Problem = "l’index compte " + strconv.FormatUint(st.Documents, 10) + " documents, la base " + strconv.FormatUint(want, 10)
	default:
		h.OK = true
	}
	return h
}

// searchLag is the search index's position among the consumers.
func searchLag(lags []content.ConsumerLag) content.ConsumerLag {
	for _, l := range lags {
		if l.Name == search.ConsumerName {
			return l
		}
	}
	return content.ConsumerLag{Name: search.ConsumerName}
}

func (s *Server) mailHealth(ctx context.Context) mailHealth {
	mh, err := s.store.MailHealth(ctx)
	if err != nil {
		s.log.Error("health check: mail", "err", err)
		return mailHealth{Problem: "la base de données ne répond pas"}
	}
	h := mailHealth{OK: !mh.Failing(), Queued: mh.Queued, Failed24h: mh.Failed24h, LastErrorAt: mh.LastErrorAt}
	if !h.OK {
		h.Problem = "le dernier envoi a échoué et aucun courriel n’est parti depuis"
	}
	return h
}

// backupHealth tells whether the scheduled backups run: the last one was
// verified, and not longer ago than two intervals. Without a backup folder
// nothing is scheduled, which is the administrator's choice, not a failure.
func (s *Server) backupHealth(ctx context.Context) backupHealth {
	h := backupHealth{OK: true, Scheduled: s.cfg.BackupDir != ""}
	runs, err := s.store.ListBackups(ctx, 50)
	if err != nil {
		s.log.Error("health check: backups", "err", err)
		return backupHealth{Scheduled: h.Scheduled, Problem: "la base de données ne répond pas"}
	}
	if len(runs) > 0 {
		h.LastAt = &runs[0].StartedAt
	}
	for i := range runs {
		if runs[i].OK {
			h.LastOKAt, h.SizeBytes, h.Size = &runs[i].StartedAt, runs[i].SizeBytes, runs[i].SizeLabel()
			break
		}
	}
	switch {
	case !h.Scheduled || len(runs) == 0: // none asked for, or the first one is under way
	case !runs[0].OK:
		h.OK, h.Problem = false, "la dernière sauvegarde a échoué : "+runs[0].Error
	case s.store.Now().Sub(runs[0].StartedAt) > 2*s.cfg.BackupEvery:
		h.OK, h.Problem = false, "aucune sauvegarde depuis le "+content.FrenchDate(runs[0].StartedAt)
	}
	return h
}
