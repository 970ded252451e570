package content

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The dashboard reads the latest run, failed or not; none yet is ErrNotFound.
func TestLatestBackupIsTheNewestRunWhateverItsState(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	if _, err := s.LatestBackup(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no backup yet: %v, want ErrNotFound", err)
	}
	day := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
	good := &Backup{StartedAt: day, FinishedAt: day.Add(2 * time.Second), Dir: "/sauvegardes/ligue-20260302-030000",
		SizeBytes: 5 << 20, FilesTotal: 3, FilesCopied: 1, DurationMS: 2000, OK: true}
	failed := &Backup{StartedAt: day.Add(24 * time.Hour), FinishedAt: day.Add(24*time.Hour + time.Second),
		DurationMS: 1000, Error: "Le disque de sauvegarde est plein."}
	for _, b := range []*Backup{good, failed} {
		if err := s.RecordBackup(ctx, b); err != nil || b.ID == 0 {
			t.Fatalf("record: %v (id %d)", err, b.ID)
		}
	}
	latest, err := s.LatestBackup(ctx)
	if err != nil || latest.ID != failed.ID || latest.OK || latest.Error != failed.Error {
		t.Fatalf("latest: %+v, %v", latest, err)
	}
	list, err := s.ListBackups(ctx, 10)
	if err != nil || len(list) != 2 || list[1].ID != good.ID || !list[1].OK || list[1].Duration() != 2*time.Second ||
		!list[1].StartedAt.Equal(day) || list[1].FilesCopied != 1 || list[1].SizeBytes != 5<<20 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if one, _ := s.ListBackups(ctx, 1); len(one) != 1 {
		t.Errorf("limit 1: %d runs", len(one))
	}
}
