package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ligue-mednum/ligue/backup"
	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/server"
)

// serveBackupFlags are the scheduled backups' flags of `ligue serve`.
type serveBackupFlags struct {
	dir, every *string
	keep       *int64
}

func backupFlags(fs *flag.FlagSet) serveBackupFlags {
	return serveBackupFlags{
		dir: fs.String("backup-dir", os.Getenv("LIGUE_BACKUP_DIR"),
			"folder for scheduled full backups, best on another disk; empty: none (LIGUE_BACKUP_DIR)"),
		every: fs.String("backup-every", envOr("LIGUE_BACKUP_EVERY", "24h"), "time between two backups, at least 1m (LIGUE_BACKUP_EVERY)"),
		keep:  fs.Int64("backup-keep", envInt("LIGUE_BACKUP_KEEP", backup.DefaultKeep), "backups kept (LIGUE_BACKUP_KEEP)"),
	}
}

func (f serveBackupFlags) into(cfg *server.Config) error {
	every, err := time.ParseDuration(*f.every)
	if err != nil || every < time.Minute {
		return fmt.Errorf("--backup-every %q : donnez une durée d’au moins une minute, comme 24h, 6h ou 30m", *f.every)
	}
	cfg.BackupDir, cfg.BackupEvery, cfg.BackupKeep = *f.dir, every, int(*f.keep)
	return nil
}

// hasFlag tells whether args set the flag name, in any of its spellings.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "-"+name || a == "--"+name || strings.HasPrefix(a, "-"+name+"=") || strings.HasPrefix(a, "--"+name+"=") {
			return true
		}
	}
	return false
}

// fullBackup makes one backup as the server's schedule does (from cron, say).
func fullBackup(ctx context.Context, db *content.DB, dataDir, dir string, keep int, stdout io.Writer) error {
	rec, err := backup.Run(ctx, db, content.NewStore(db), backup.Options{DataDir: dataDir, Dir: dir, Keep: keep})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sauvegarde faite et vérifiée : %s (%s, %d fichier(s) joint(s) dont %d nouveau(x))\n",
		rec.Dir, strings.ReplaceAll(rec.SizeLabel(), "\u00a0", " "), rec.FilesTotal, rec.FilesCopied)
	if rec.Error != "" {
		fmt.Fprintln(stdout, rec.Error)
	}
	return nil
}

func restore(ctx context.Context, from, dataDir string, stdout io.Writer, log *slog.Logger) error {
	done, err := backup.Restore(ctx, from, dataDir, log)
	if err != nil {
		return err
	}
	if !done.CreatedAt.IsZero() {
		fmt.Fprintf(stdout, "sauvegarde du %s (UTC) restaurée dans %s\n", done.CreatedAt.UTC().Format("02/01/2006 à 15:04:05"), dataDir)
	} else {
		fmt.Fprintf(stdout, "base de données %s restaurée dans %s\n", from, dataDir)
	}
	if done.Aside != "" {
		fmt.Fprintf(stdout, "l’ancienne base de données est gardée dans %s\n", done.Aside)
	}
	fmt.Fprintf(stdout, "%d fichier(s) joint(s) remis en place ; index de recherche reconstruit\n", done.Files)
	return nil
}
