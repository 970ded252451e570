package server

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// TestBackupStateOnTheDashboardAndHealth: the dashboard and
// /sante?detail=1 say whether the scheduled backups run — none asked for,
// the last one failed, too old, verified.
func TestBackupStateOnTheDashboardAndHealth(t *testing.T) {
	unscheduled := newTestSite(t)
	admin := unscheduled.loggedIn(unscheduled.mustCreateMember("Admin", content.RoleAdmin))
	unscheduled.syncIndex()
	if r := admin.get("/admin"); !strings.Contains(r.body, "Aucune sauvegarde programmée") {
		t.Errorf("dashboard without a backup folder:\n%s", r.body)
	}
	if r := admin.get("/sante?detail=1"); r.status != 200 || readHealth(t, r.body).Backup.Scheduled {
		t.Errorf("health without a backup folder: %d %s", r.status, r.body)
	}

	ts := newTestSite(t, func(c *Config) { c.BackupDir = t.TempDir(); c.BackupEvery = time.Hour })
	ts.syncIndex()
	admin = ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	now := ts.srv.store.Now()
	record := func(at time.Time, ok bool, why string) {
		t.Helper()
		if err := ts.srv.store.RecordBackup(ts.ctx(), &content.Backup{StartedAt: at, FinishedAt: at.Add(time.Second),
			Dir: "ligue-x", SizeBytes: 12 << 20, DurationMS: 1000, OK: ok, Error: why}); err != nil {
			t.Fatal(err)
		}
	}
	record(now.Add(-30*time.Minute), true, "")
	if r := admin.get("/sante?detail=1"); r.status != 200 || readHealth(t, r.body).Backup.LastOKAt == nil {
		t.Errorf("a verified backup: %d %s", r.status, r.body)
	}
	if r := admin.get("/admin"); !strings.Contains(r.body, "Dernière sauvegarde vérifiée") || !strings.Contains(r.body, "12,0 Mo") {
		t.Errorf("dashboard after a verified backup:\n%s", r.body)
	}

	record(now.Add(-10*time.Minute), false, "le disque des sauvegardes est plein")
	r := admin.get("/sante?detail=1")
	if h := readHealth(t, r.body); r.status != 503 || !slices.Equal(h.Failing, []string{"backup"}) || h.Backup.LastOKAt == nil {
		t.Errorf("a failed backup: %d %s", r.status, r.body)
	}
	if r := admin.get("/admin"); !strings.Contains(r.body, "la dernière sauvegarde a échoué : le disque des sauvegardes est plein") {
		t.Errorf("dashboard after a failed backup:\n%s", r.body)
	}

	record(now.Add(-5*time.Minute), true, "")
	later := now.Add(3 * time.Hour) // two intervals without a backup
	ts.srv.store.SetClock(func() time.Time { return later })
	if r := admin.get("/sante?detail=1"); r.status != 503 || !strings.Contains(r.body, "aucune sauvegarde depuis") {
		t.Errorf("backups stopped: %d %s", r.status, r.body)
	}
}
