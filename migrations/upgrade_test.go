package migrations_test

// The upgrade fixtures: testdata/NNNN.sql holds the rows of a small site
// whose database is at schema NNNN, as the binary that shipped migration
// NNNN left it. They are made by a chain: the fixture of NNNN-1, upgraded by
// migration NNNN, plus testdata/seed/NNNN.sql (hand-written rows, against
// that schema, for what migration NNNN brought), dumped. To add the fixture
// a new migration asks for:
//
//	write testdata/seed/NNNN.sql (optional: rows for what schema NNNN added)
//	go test ./migrations -run TestUpgradeFromEverySchema -update
//
// The test fails when a committed fixture is not what the chain makes (an
// edited migration or seed), and when a migration has no fixture of the
// schema before it.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/ligue-mednum/ligue/internal/schemafixture"
	"github.com/ligue-mednum/ligue/migrations"
)

var update = flag.Bool("update", false, "write testdata/NNNN.sql, the upgrade fixtures, from testdata/seed")

func TestUpgradeFromEverySchema(t *testing.T) {
	latest, err := migrations.Latest(migrations.Files)
	if err != nil {
		t.Fatal(err)
	}
	previous := ""
	for version := 1; version < latest; version++ {
		made := makeFixture(t, version, previous)
		previous = made
		path := filepath.Join("testdata", schemafixture.Name(version))
		if *update {
			if err := os.WriteFile(path, []byte(made), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		committed, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			t.Fatalf("no fixture %s of a database at schema %d, before migration %04d: write testdata/seed/%04d.sql "+
				"(rows for what schema %d added, if any) and run go test ./migrations -run TestUpgradeFromEverySchema -update",
				path, version, version+1, version, version)
		}
		if err != nil {
			t.Fatal(err)
		}
		if string(committed) != made {
			t.Fatalf("%s is not what its migrations and seeds make (was a migration edited?); if a seed changed, "+
				"run go test ./migrations -run TestUpgradeFromEverySchema -update", path)
		}
		t.Run(fmt.Sprintf("from schema %d", version), func(t *testing.T) {
			upgradeKeepsRows(t, version, string(committed))
		})
	}
}

// upgradeKeepsRows upgrades a database at version holding rows to the
// latest schema: every row of a table that still exists is still there.
func upgradeKeepsRows(t *testing.T, version int, rows string) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ligue.db")
	if err := schemafixture.Create(ctx, path, version, rows); err != nil {
		t.Fatal(err)
	}
	db, err := schemafixture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := rowKeys(t, db)
	if _, err := migrations.Apply(ctx, db, migrations.Files); err != nil {
		t.Fatal(err)
	}
	after := rowKeys(t, db)
	for table, keys := range before {
		if _, kept := after[table]; !kept {
			continue // a table a migration replaced, as flags replaced message_reports
		}
		for key := range keys {
			if !after[table][key] {
				t.Errorf("%s: row %s lost in the upgrade", table, key)
			}
		}
	}
}

// rowKeys is, table by table, the primary key of each row (its rowid when
// it has none).
func rowKeys(t *testing.T, db *sqlx.DB) map[string]map[string]bool {
	t.Helper()
	var tables []string
	if err := db.Select(&tables, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, table := range tables {
		var pk []string
		if err := db.Select(&pk, `SELECT 'quote("' || name || '")' FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, table); err != nil {
			t.Fatal(err)
		}
		if len(pk) == 0 {
			pk = []string{"rowid"}
		}
		var keys []string
		if err := db.Select(&keys, `SELECT `+strings.Join(pk, ` || ', ' || `)+` FROM "`+table+`"`); err != nil {
			t.Fatal(err)
		}
		out[table] = map[string]bool{}
		for _, k := range keys {
			out[table][k] = true
		}
	}
	return out
}

// makeFixture is the fixture of schema version: the previous one upgraded
// by its migration, with its seed.
func makeFixture(t *testing.T, version int, previous string) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ligue.db")
	if err := schemafixture.Create(ctx, path, version-1, previous); err != nil {
		t.Fatalf("schema %d: %v", version-1, err)
	}
	db, err := schemafixture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	set, err := schemafixture.Through(migrations.Files, version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Apply(ctx, db, set); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile(filepath.Join("testdata", "seed", schemafixture.Name(version)))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := schemafixture.Exec(ctx, db, string(seed)); err != nil {
		t.Fatalf("testdata/seed/%s: %v", schemafixture.Name(version), err)
	}
	rows, err := schemafixture.Dump(ctx, db, set, filepath.Join(dir, "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("-- The rows of a database at schema %d. Made by go test ./migrations -run TestUpgradeFromEverySchema -update\n"+
		"-- from testdata/seed: do not edit.\n", version) + rows
}
