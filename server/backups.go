package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/backup"
	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/internal/flock"
)

// backups is the state of the scheduled backups: one loop makes them all,
// so two never run at once in a server (and the backup folder's lock keeps
// a cron's `ligue backup --dir` apart).
type backups struct {
	wake    chan struct{} // « Sauvegarder maintenant »
	running atomic.Bool
}

func (c *Config) setBackupDefaults() error {
	if c.BackupEvery == 0 {
		c.BackupEvery = 24 * time.Hour
	}
	if c.BackupEvery < time.Minute {
		return fmt.Errorf("backup interval %s: at least 1m", c.BackupEvery)
	}
	if c.BackupKeep <= 0 {
		c.BackupKeep = backup.DefaultKeep
	}
	return nil
}

// lockDataDir takes the data folder for this server: a second server, or a
// restore, on the same folder is refused while it runs.
func lockDataDir(dir string) (*flock.Lock, error) {
	lock, err := backup.LockData(dir)
	if errors.Is(err, flock.ErrHeld) {
		return nil, fmt.Errorf("un autre serveur Ligue utilise déjà le dossier de données %s : "+
			"arrêtez-le, ou donnez un autre dossier à celui-ci (--data)", dir)
	}
	return lock, err
}

// backupLoop makes a backup every BackupEvery after the last one recorded
// (at once when there is none), and when an administrator asks, until ctx
// ends. A failed backup is logged and recorded; the next comes as planned.
func (s *Server) backupLoop(ctx context.Context) {
	if s.cfg.BackupDir == "" {
		return
	}
	for ran := false; ; ran = true {
		wait := s.untilNextBackup(ctx)
		if ran { // at least a minute apart, even when the last run could not be recorded
			wait = max(wait, time.Minute)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-s.backups.wake:
			timer.Stop()
		}
		s.backupNow(ctx)
	}
}

func (s *Server) untilNextBackup(ctx context.Context) time.Duration {
	latest, err := s.store.LatestBackup(ctx)
	if errors.Is(err, content.ErrNotFound) {
		return 0
	}
	if err != nil {
		s.log.Error("backup schedule", "err", err)
		return time.Minute
	}
	return latest.StartedAt.Add(s.cfg.BackupEvery).Sub(s.store.Now())
}

// backupNow makes one full backup (the schedule's, and the button's, way).
func (s *Server) backupNow(ctx context.Context) {
	s.backups.running.Store(true)
	defer s.backups.running.Store(false)
	rec, err := backup.Run(ctx, s.db, s.store, backup.Options{DataDir: s.cfg.DataDir, Dir: s.cfg.BackupDir, Keep: s.cfg.BackupKeep})
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("backup failed", "err", err)
		}
		return
	}
	s.log.Info("backup made and verified", "dir", rec.Dir, "bytes", rec.SizeBytes, "files", rec.FilesTotal,
		"files_copied", rec.FilesCopied, "duration", rec.Duration())
}

type adminBackupsPage struct {
	Page
	Backups []content.Backup
	Dir     string // empty: no scheduled backups
	Every   string
	Keep    int
	Running bool
	DataDir string
}

func (s *Server) handleAdminBackups(c *fiber.Ctx) error {
	if !content.CanRunBackup(currentUser(c)) {
		return content.ErrForbidden
	}
	list, err := s.store.ListBackups(c.UserContext(), 60)
	if err != nil {
		return err
	}
	return s.render(c, 200, "admin/backups", &adminBackupsPage{Page: s.page(c, "Sauvegardes — administration"),
		Backups: list, Dir: s.cfg.BackupDir, Every: everyLabel(s.cfg.BackupEvery), Keep: s.cfg.BackupKeep,
		Running: s.backups.running.Load(), DataDir: s.cfg.DataDir})
}

// handleBackupStart wakes the backup loop; the backup appears in the list
// once made and verified.
func (s *Server) handleBackupStart(c *fiber.Ctx) error {
	if !content.CanRunBackup(currentUser(c)) {
		return content.ErrForbidden
	}
	if s.cfg.BackupDir == "" {
		return s.redirectWithRefusal(c, "/admin/sauvegardes",
			"Aucun dossier de sauvegarde n’est configuré : indiquez-en un au démarrage du serveur (voir ci-dessous).")
	}
	select {
	case s.backups.wake <- struct{}{}:
	default: // already asked for: one backup answers both
	}
	msg := "La sauvegarde a commencé : rechargez cette page dans un moment pour la voir vérifiée."
	if s.backups.running.Load() {
		msg = "Une sauvegarde est déjà en cours : la vôtre la suivra."
	}
	return s.redirectWithFlash(c, "/admin/sauvegardes", msg)
}

// everyLabel is the interval between backups in French: "24 heures", "30 minutes".
func everyLabel(d time.Duration) string {
	unit := func(n int, one string) string {
		if n > 1 {
			one += "s"
		}
		return fmt.Sprintf("%d %s", n, one)
	}
	var parts []string
	if h := int(d.Hours()); h > 0 {
		parts = append(parts, unit(h, "heure"))
	}
	if m := int(d.Minutes()) % 60; m > 0 {
		parts = append(parts, unit(m, "minute"))
	}
	return strings.Join(parts, " ") // BackupEvery is at least a minute
}
