package content

import (
	"context"
	"fmt"
	"time"
)

// Backup is one backup run, as the backups table records it: made by the
// server's schedule, by an administrator's « Sauvegarder maintenant », or
// by `ligue backup --dir`. A run that failed is recorded too, with why.
type Backup struct {
	ID          int64     `db:"id"`
	StartedAt   time.Time `db:"started_at"`
	FinishedAt  time.Time `db:"finished_at"`
	Dir         string    `db:"dir"`          // the backup's folder; empty if it failed before making one
	SizeBytes   int64     `db:"size_bytes"`   // the database and the attached files it needs
	FilesTotal  int       `db:"files_total"`  // attached files the backup lists
	FilesCopied int       `db:"files_copied"` // of those, the ones new to the shared store
	DurationMS  int64     `db:"duration_ms"`
	OK          bool      `db:"ok"` // made and verified: it can be restored
	// Error says, in French for administrators, why the run failed, or
	// for a verified backup what went wrong beside it (older backups not
	// deleted).
	Error string `db:"error"`
}

// Duration is how long the run took.
func (b *Backup) Duration() time.Duration { return time.Duration(b.DurationMS) * time.Millisecond }

// RecordBackup writes down a finished run and sets its ID.
func (s *Store) RecordBackup(ctx context.Context, b *Backup) error {
	res, err := s.db.W.ExecContext(ctx, `INSERT INTO backups
		(started_at, finished_at, dir, size_bytes, files_total, files_copied, duration_ms, ok, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.StartedAt.UTC(), b.FinishedAt.UTC(), b.Dir, b.SizeBytes, b.FilesTotal, b.FilesCopied, b.DurationMS, b.OK, b.Error)
	if err != nil {
		return err
	}
	b.ID, err = res.LastInsertId()
	return err
}

const backupColumns = `id, started_at, finished_at, dir, size_bytes, files_total, files_copied, duration_ms, ok, error`

// ListBackups returns the latest runs, newest first, at most limit.
func (s *Store) ListBackups(ctx context.Context, limit int) ([]Backup, error) {
	var out []Backup
	err := s.db.R.SelectContext(ctx, &out, `SELECT `+backupColumns+` FROM backups
		ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
	return out, err
}

// LatestBackup returns the most recent run, failed or not (check OK), or
// ErrNotFound when no backup was ever made.
func (s *Store) LatestBackup(ctx context.Context) (*Backup, error) {
	var b Backup
	err := s.db.R.GetContext(ctx, &b, `SELECT `+backupColumns+` FROM backups
		ORDER BY started_at DESC, id DESC LIMIT 1`)
	if err != nil {
		return nil, notFound(err)
	}
	return &b, nil
}

// SizeLabel is the size for people: "12,5 Mo".
func (b *Backup) SizeLabel() string { return humanSize(b.SizeBytes) }

// DurationLabel is how long the run took, for people: "3 min 20 s".
func (b *Backup) DurationLabel() string {
	d := b.Duration().Round(time.Second)
	switch {
	case d < time.Second:
		return "moins d’une seconde"
	case d < time.Minute:
		return fmt.Sprintf("%d\u00a0s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d\u00a0min %d\u00a0s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d\u00a0h %d\u00a0min", int(d.Hours()), int(d.Minutes())%60)
}
