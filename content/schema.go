package content

import (
	"context"
	"net/url"
	"os"

	"github.com/jmoiron/sqlx"

	"github.com/ligue-mednum/ligue/migrations"
)

// SchemaStatus reads which migrations the database at path lacks, creating
// and changing nothing: os.ErrNotExist when there is no database there, a
// *migrations.NewerSchemaError (with the status) when a newer Ligue
// upgraded it.
func SchemaStatus(ctx context.Context, path string) (migrations.Status, error) {
	if _, err := os.Stat(path); err != nil {
		return migrations.Status{}, err
	}
	// Not mode=ro: a read-only connection leaves the -wal and -shm files
	// behind, a query-only one removes them when it closes.
	db, err := sqlx.Open("sqlite3", "file:"+url.PathEscape(path)+"?_busy_timeout=5000&_query_only=true")
	if err != nil {
		return migrations.Status{}, err
	}
	defer db.Close()
	return migrations.Check(ctx, db, migrations.Files)
}
