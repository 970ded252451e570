package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/migrations"
)

// printVersion writes what the binary is and, when dataDir is given, the
// schema of the database there, opening it read-only.
func printVersion(ctx context.Context, stdout io.Writer, dataDir string) error {
	b := buildInfo()
	latest, err := migrations.Latest(migrations.Files)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ligue %s\ncommit : %s\nconstruit le : %s\nschéma : %d\n", b.Version, b.Commit, b.Date, latest)
	if dataDir == "" {
		return nil
	}
	path := filepath.Join(dataDir, "ligue.db")
	st, err := content.SchemaStatus(ctx, path)
	var newer *migrations.NewerSchemaError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(stdout, "base de données : aucune dans %s\n", dataDir)
	case errors.As(err, &newer):
		fmt.Fprintf(stdout, "base de données : schéma %d, plus récent que ce programme\n", st.Current)
	case err != nil:
		return err
	case len(st.Pending) == 0:
		fmt.Fprintf(stdout, "base de données : schéma %d (à jour)\n", st.Current)
	default:
		fmt.Fprintf(stdout, "base de données : schéma %d (%d migration(s) en attente : ligue migrate)\n", st.Current, len(st.Pending))
	}
	return nil
}

// dryRun lists the migrations that ligue migrate would apply, changing nothing.
func dryRun(ctx context.Context, stdout io.Writer, dataDir string) error {
	st, err := content.SchemaStatus(ctx, filepath.Join(dataDir, "ligue.db"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if st.Pending, err = migrations.List(migrations.Files); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "aucune base de données dans %s : elle serait créée, avec ces migrations :\n", dataDir)
	case err != nil:
		return err
	case len(st.Pending) == 0:
		fmt.Fprintf(stdout, "base de données à jour (schéma %d) : aucune migration en attente\n", st.Current)
		return nil
	default:
		fmt.Fprintf(stdout, "schéma %d → %d : %d migration(s) en attente :\n", st.Current, st.Latest, len(st.Pending))
	}
	for _, m := range st.Pending {
		fmt.Fprintf(stdout, "  %04d  %s\n", m.Version, m.Name)
	}
	fmt.Fprintln(stdout, "rien n’a été modifié (--dry-run)")
	return nil
}
