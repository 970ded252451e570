package server

import (
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// seedAuditBackups records a verified backup made by `ligue backup --dir`
// and a failed one, so /admin/sauvegardes shows both states (and, the
// audit site having no backup folder, how to set one up).
func seedAuditBackups(t *testing.T, ts *testSite) {
	t.Helper()
	night := ts.srv.store.Now().Add(-26 * time.Hour).Truncate(time.Hour)
	for _, b := range []*content.Backup{
		{StartedAt: night, FinishedAt: night.Add(4 * time.Second), Dir: "/srv/sauvegardes/ligue/ligue-" + night.Format("20060102-150405"),
			SizeBytes: 48 << 20, FilesTotal: 212, FilesCopied: 3, DurationMS: 4200, OK: true},
		{StartedAt: night.Add(24 * time.Hour), FinishedAt: night.Add(24*time.Hour + time.Second), DurationMS: 900,
			Error: "Le dossier de sauvegarde /srv/sauvegardes/ligue/un-chemin-assez-long-pour-un-petit-ecran ne peut pas être créé (mkdir: no space left on device)."},
	} {
		if err := ts.srv.store.RecordBackup(ts.ctx(), b); err != nil {
			t.Fatal(err)
		}
	}
}
