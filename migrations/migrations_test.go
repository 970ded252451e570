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

func TestTopicReadersFollowTheirProposals(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := Apply(ctx, db, upTo(t, "0022")); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, created_at, updated_at)
		VALUES (1, 'Lea', 'lea', 'lea@exemple.fr', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`)
	for i, p := range []struct {
		state       string
		membersOnly int
	}{{"draft", 1}, {"open", 1}, {"open", 0}, {"published", 1}, {"archived", 0}} {
		id := i + 1
		exec(`INSERT INTO topics (id, category_id, author_id, title, slug, kind, created_at, last_activity_at)
			VALUES (?, (SELECT min(id) FROM categories), 1, 't', 't', 'discussion', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, id)
		exec(`INSERT INTO proposals (id, slug, owner_id, title, state, members_only, created_at, updated_at, topic_id)
			VALUES (?, ?, 1, 'p', ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?)`, id, "p"+strings.Repeat("x", id), p.state, p.membersOnly, id)
	}
	exec(`INSERT INTO topics (id, category_id, author_id, title, slug, kind, created_at, last_activity_at)
		VALUES (9, (SELECT min(id) FROM categories), 1, 'a discussion', 'd', 'question', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`)
	if _, err := Apply(ctx, db, Files); err != nil {
		t.Fatal(err)
	}
	var readers []string
	if err := db.Select(&readers, `SELECT readers FROM topics ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(readers, " "); got != "page members everyone everyone everyone everyone" {
		t.Errorf("after the upgrade: %s (a brouillon's comments on its page, a members-only text's to members)", got)
	}
}

func TestPersonalDataStartsFromTheLastVisit(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := Apply(ctx, db, upTo(t, "0026")); err != nil { // every migration before this one
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, created_at, updated_at)
			VALUES (1, 'Lea', 'lea', 'lea@exemple.fr', 'x', '2024-01-01 10:00:00', '2024-02-01 10:00:00')`,
		`INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, created_at, updated_at)
			VALUES (2, 'Karim', 'karim', 'karim@exemple.fr', 'x', '2024-01-01 10:00:00', '2024-03-01 10:00:00')`,
		`INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at)
			VALUES ('h', 1, '2025-05-01 10:00:00', '2025-06-01 10:00:00', '2025-07-01 10:00:00')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Apply(ctx, db, Files); err != nil {
		t.Fatal(err)
	}
	var active []string
	if err := db.Select(&active, `SELECT pseudo || '=' || substr(active_at, 1, 10) FROM users WHERE erased_at IS NULL ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(active, " "); got != "Lea=2025-06-01 Karim=2024-03-01" {
		t.Errorf("last activity after the upgrade: %s (a session's last visit, else the last change)", got)
	}
}

func TestMessageReportsBecomeFlags(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := Apply(ctx, db, upTo(t, "0023")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, created_at, updated_at) VALUES
			(1, 'Lea', 'lea', 'lea@exemple.fr', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
			(2, 'Karim', 'karim', 'karim@exemple.fr', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
			(3, 'Modo', 'modo', 'modo@exemple.fr', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO conversations (id, title, author_id, last_number, last_message_at, created_at)
			VALUES (1, 'Objet', 1, 2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO messages (id, conversation_id, number, author_id, body, html, created_at) VALUES
			(10, 1, 1, 1, 'a', 'a', CURRENT_TIMESTAMP), (11, 1, 2, 1, 'b', 'b', CURRENT_TIMESTAMP)`,
		`INSERT INTO message_reports (message_id, reporter_id, reason, created_at) VALUES (10, 2, 'Insultant', CURRENT_TIMESTAMP)`,
		`INSERT INTO message_reports (message_id, reporter_id, reason, created_at, handled_at) VALUES (11, 2, 'Vu', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO audit_log (actor_id, action, target_type, target_id, created_at) VALUES (3, 'suspend', 'user', 2, CURRENT_TIMESTAMP)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Apply(ctx, db, Files); err != nil {
		t.Fatal(err)
	}
	var flags []string
	if err := db.Select(&flags, `SELECT target_type || target_id || ':' || author_id || '>' || flagger_id || ':' || reason || ':' || comment ||
		':' || (closed_at IS NULL) FROM flags ORDER BY target_id`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(flags, " "); got != "message10:1>2:other:Insultant:1 message11:1>2:other:Vu:0" {
		t.Errorf("flags after the upgrade: %s", got)
	}
	if _, err := db.Exec(`UPDATE audit_log SET detail = 'changé'`); err == nil {
		t.Error("an audit log entry was changed")
	}
	// A member's deletion still clears their ID from the log.
	if _, err := db.Exec(`DELETE FROM users WHERE id = 3`); err != nil {
		t.Errorf("deleting an actor of the log: %v", err)
	}
	var actor *int64
	if err := db.Get(&actor, `SELECT actor_id FROM audit_log`); err != nil || actor != nil {
		t.Errorf("the deleted actor's entry: %v, %v", actor, err)
	}
}

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

func TestTwoFactorKeepsOpenSessions(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := Apply(ctx, db, upTo(t, "0026")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, role, created_at, updated_at)
			VALUES (1, 'Modo', 'modo', 'modo@exemple.fr', 'x', 'moderator', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO sessions (id_hash, user_id, user_agent, created_at, last_seen_at, expires_at)
			VALUES ('abc', 1, 'Firefox', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '2999-01-01')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Apply(ctx, db, Files); err != nil {
		t.Fatal(err)
	}
	var prefix string
	if err := db.Get(&prefix, `SELECT ip_prefix FROM sessions WHERE id_hash = 'abc' AND user_id = 1`); err != nil || prefix != "" {
		t.Errorf("session after the upgrade: %q, %v", prefix, err)
	}
	// Nobody has a second factor yet: moderators are asked to enrol at their next page.
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM totp_secrets`); err != nil || n != 0 {
		t.Errorf("%d second factors, %v", n, err)
	}
}
