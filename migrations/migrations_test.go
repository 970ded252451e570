package migrations

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"
)

func openDB(t *testing.T) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "ligue.db")+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestApplyTwiceIsANoOp(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	first, err := Apply(ctx, db, Files)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 2 {
		t.Fatalf("applied %v", first)
	}
	second, err := Apply(ctx, db, Files)
	if err != nil || len(second) != 0 {
		t.Fatalf("second run applied %v, %v", second, err)
	}
	var categories int
	if err := db.Get(&categories, `SELECT count(*) FROM categories`); err != nil || categories != 8 { // the themes and the two categories of comments (fiches, texts)
		t.Errorf("default categories: %d, %v (seeded twice?)", categories, err)
	}
}

func TestOlderDatabaseUpgrades(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	first, err := fs.ReadFile(Files, "0001_accounts.sql")
	if err != nil {
		t.Fatal(err)
	}
	older := fstest.MapFS{"0001_accounts.sql": {Data: first}}
	if _, err := Apply(ctx, db, older); err != nil {
		t.Fatal(err)
	}
	// Data written by the older version survives the upgrade.
	if _, err := db.Exec(`INSERT INTO users (pseudo, pseudo_key, email, password_hash, created_at, updated_at)
		VALUES ('Ancien', 'ancien', 'ancien@exemple.fr', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	applied, err := Apply(ctx, db, Files)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[0] != 2 {
		t.Fatalf("upgrade applied %v, want from 2 on", applied)
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM users WHERE pseudo = 'Ancien'`)
	if n != 1 {
		t.Error("the older data was lost")
	}
}

func TestBrokenMigrationLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	bad := fstest.MapFS{
		"0001_ok.sql":  {Data: []byte(`CREATE TABLE a (id INTEGER);`)},
		"0002_bad.sql": {Data: []byte(`CREATE TABLE b (id INTEGER); THIS IS NOT SQL;`)},
	}
	if _, err := Apply(ctx, db, bad); err == nil {
		t.Fatal("a broken migration was accepted")
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM sqlite_master WHERE name = 'b'`)
	if n != 0 {
		t.Error("half of the broken migration was applied")
	}
	db.Get(&n, `SELECT count(*) FROM schema_migrations`)
	if n != 1 {
		t.Errorf("recorded %d migrations, want 1", n)
	}
}

func TestBadNamesAreRefused(t *testing.T) {
	for _, set := range []fstest.MapFS{
		{"init.sql": {Data: []byte(`SELECT 1;`)}},
		{"0001_a.sql": {Data: []byte(`SELECT 1;`)}, "01_b.sql": {Data: []byte(`SELECT 1;`)}},
	} {
		if _, err := Apply(context.Background(), openDB(t), set); err == nil {
			t.Errorf("set %v accepted", set)
		}
	}
}

// upTo is the embedded migrations numbered up to last.
func upTo(t *testing.T, last string) fstest.MapFS {
	t.Helper()
	names, err := fs.Glob(Files, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	set := fstest.MapFS{}
	for _, n := range names {
		if n <= last {
			b, _ := fs.ReadFile(Files, n)
			set[n] = &fstest.MapFile{Data: b}
		}
	}
	return set
}

func TestWatchLevelsKeepWhatMembersFollowed(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := Apply(ctx, db, upTo(t, "0015")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, created_at, updated_at)
			VALUES (1, 'Lea', 'lea', 'lea@exemple.fr', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO follows (user_id, target_type, target_id, muted, created_at) VALUES (1, 'topic', 7, 0, CURRENT_TIMESTAMP)`,
		`INSERT INTO follows (user_id, target_type, target_id, muted, created_at) VALUES (1, 'topic', 8, 1, CURRENT_TIMESTAMP)`,
		`INSERT INTO follows (user_id, target_type, target_id, muted, created_at) VALUES (1, 'category', 3, 0, CURRENT_TIMESTAMP)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Apply(ctx, db, Files); err != nil {
		t.Fatal(err)
	}
	var levels []string
	if err := db.Select(&levels, `SELECT target_type || target_id || '=' || level FROM follows ORDER BY target_type, target_id`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(levels, " "); got != "category3=watching topic7=watching topic8=normal" {
		t.Errorf("after the upgrade: %s (followed stays watched, an explicit stop is normal)", got)
	}
}

// 0025 adds the trust tables beside an existing member: nothing of theirs
// is held, nobody vouched, no charter accepted yet (they are asked at
// their next write); deleting the account deletes what 0025 holds of it.
func TestTrustTablesKeepExistingMembers(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := Apply(ctx, db, upTo(t, "0022")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, created_at, updated_at)
		VALUES (1, 'Lea', 'lea', 'lea@exemple.fr', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, db, Files); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO vouches (member_id, voucher_id, created_at) VALUES (1, NULL, CURRENT_TIMESTAMP)`,
		`INSERT INTO charter_acceptances (user_id, version, accepted_at) VALUES (1, 1, CURRENT_TIMESTAMP)`,
		`INSERT INTO held_posts (author_id, title, category_id, body, html, reason, created_at)
			VALUES (1, 'Une question', (SELECT min(id) FROM categories), 'Le texte', '<p>Le texte</p>', 'new_member', CURRENT_TIMESTAMP)`,
		`DELETE FROM users WHERE id = 1`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var left int
	if err := db.Get(&left, `SELECT (SELECT count(*) FROM vouches) + (SELECT count(*) FROM charter_acceptances) + (SELECT count(*) FROM held_posts)`); err != nil || left != 0 {
		t.Errorf("rows left after the account went: %d, %v", left, err)
	}
}
