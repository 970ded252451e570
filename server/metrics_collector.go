package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// siteCollector reads what the database and the index hold at the moment
// Prometheus scrapes: nothing is polled in between. Each read is a small
// indexed query or a file's size.
type siteCollector struct{ s *Server }

var (
	descEventsBehind = prometheus.NewDesc("ligue_events_behind",
		"Events of the stream a consumer has not applied yet.", []string{"consumer"}, nil)
	descEventsAge = prometheus.NewDesc("ligue_events_oldest_pending_seconds",
		"Age of the oldest event a consumer has not applied yet (0 when it is up to date).", []string{"consumer"}, nil)
	descSearchDocs = prometheus.NewDesc("ligue_search_documents",
		"Documents in the search index (0 while there is no usable index).", nil, nil)
	descSearchUsable = prometheus.NewDesc("ligue_search_usable",
		"1 when a search index answers, 0 while searches wait for a rebuild.", nil, nil)
	descSearchRebuilding = prometheus.NewDesc("ligue_search_rebuilding",
		"1 while the search index is being rebuilt (or waits to be).", nil, nil)
	descSearchSize = prometheus.NewDesc("ligue_search_index_size_bytes",
		"Size on disk of the current search index.", nil, nil)
	descMailQueued = prometheus.NewDesc("ligue_mail_queued",
		"Mails waiting for delivery, retries included.", nil, nil)
	descMailFailed = prometheus.NewDesc("ligue_mail_failed_last_24h",
		"Mails whose latest delivery attempt, in the last 24 hours, failed.", nil, nil)
	descMailLastFailure = prometheus.NewDesc("ligue_mail_last_failure_timestamp_seconds",
		"When the latest delivery attempt that failed was made (absent when none did).", nil, nil)
	descDatabaseSize = prometheus.NewDesc("ligue_database_size_bytes",
		"Size of the SQLite database: its file (main) and its write-ahead log (wal).", []string{"file"}, nil)
)

// scrapeTimeout bounds the reads of one scrape.
const scrapeTimeout = 5 * time.Second

func (sc *siteCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEventsBehind, descEventsAge, descSearchDocs, descSearchUsable,
		descSearchRebuilding, descSearchSize, descMailQueued, descMailFailed, descMailLastFailure, descDatabaseSize} {
		ch <- d
	}
}

func (sc *siteCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	s := sc.s
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if lags, err := s.store.Events().Lag(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(descEventsBehind, err)
	} else {
		now := s.store.Now()
		for _, l := range lags {
			gauge(descEventsBehind, float64(l.Behind), l.Name)
			gauge(descEventsAge, l.Age(now).Seconds(), l.Name)
		}
	}

	st := s.index.State()
	gauge(descSearchDocs, float64(st.Documents))
	gauge(descSearchUsable, boolGauge(st.Usable))
	gauge(descSearchRebuilding, boolGauge(st.Rebuilding))
	if size, err := s.index.SizeOnDisk(); err != nil {
		ch <- prometheus.NewInvalidMetric(descSearchSize, err)
	} else {
		gauge(descSearchSize, float64(size))
	}

	if mh, err := s.store.MailHealth(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(descMailQueued, err)
	} else {
		gauge(descMailQueued, float64(mh.Queued))
		gauge(descMailFailed, float64(mh.Failed24h))
		if mh.LastErrorAt != nil {
			gauge(descMailLastFailure, float64(mh.LastErrorAt.Unix()))
		}
	}

	if main, wal, err := s.db.DatabaseFiles(); err != nil {
		ch <- prometheus.NewInvalidMetric(descDatabaseSize, err)
	} else {
		gauge(descDatabaseSize, float64(main), "main")
		gauge(descDatabaseSize, float64(wal), "wal")
	}
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
