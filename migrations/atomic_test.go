package migrations

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"
)

// fingerprint is the whole database as text: its schema and every row.
func fingerprint(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var schema []string
	if err := db.Select(&schema, `SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name`); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(schema, "\n")
	var tables []string
	if err := db.Select(&tables, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		var cols []string
		if err := db.Select(&cols, `SELECT 'quote("' || name || '")' FROM pragma_table_info(?)`, table); err != nil {
			t.Fatal(err)
		}
		var rows []string
		if err := db.Select(&rows, `SELECT `+strings.Join(cols, ` || ',' || `)+` FROM "`+table+`" ORDER BY 1`); err != nil {
			t.Fatal(err)
		}
		out += "\n" + table + ": " + strings.Join(rows, "; ")
	}
	return out
}

// A site's members and their posts, as a first migration makes them.
const membersAndPosts = `CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE posts (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE, body TEXT NOT NULL);
INSERT INTO members VALUES (1, 'Léa'), (2, 'Karim');
INSERT INTO posts VALUES (10, 1, 'Bonjour'), (11, 2, 'Merci');`

// rebuildMembers is SQLite's recipe for a change ALTER TABLE cannot make:
// a new table, the rows copied, the old one dropped, the new one renamed.
const rebuildMembers = `CREATE TABLE members_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (name != ''));
INSERT INTO members_new SELECT id, name FROM members;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
`

func TestTableRebuildKeepsTheRowsReferringToIt(t *testing.T) {
	db := openDB(t)
	set := fstest.MapFS{
		"0001_members.sql": {Data: []byte(membersAndPosts)},
		"0002_rebuild.sql": {Data: []byte(rebuildMembers)},
	}
	if _, err := Apply(context.Background(), db, set); err != nil {
		t.Fatal(err)
	}
	// With foreign keys on, dropping members would have deleted every post.
	var posts int
	if err := db.Get(&posts, `SELECT count(*) FROM posts JOIN members ON members.id = posts.member_id`); err != nil || posts != 2 {
		t.Errorf("posts of members after the rebuild: %d, %v", posts, err)
	}
	var on int
	if err := db.Get(&on, `PRAGMA foreign_keys`); err != nil || on != 1 {
		t.Errorf("foreign keys after the migrations: %d, %v", on, err)
	}
}

func TestFailingFileLeavesTheDatabaseAsBeforeIt(t *testing.T) {
	for name, body := range map[string]string{
		"a statement fails after the rebuild": rebuildMembers + `INSERT INTO nowhere VALUES (1);`,
		"a row left pointing nowhere":         rebuildMembers + `DELETE FROM members WHERE id = 2;`,
		"a constraint of the new table fails": `CREATE TABLE members_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (length(name) > 3));
			INSERT INTO members_new SELECT id, name FROM members; DROP TABLE members; ALTER TABLE members_new RENAME TO members;`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t)
			first := fstest.MapFS{"0001_members.sql": {Data: []byte(membersAndPosts)}}
			if _, err := Apply(ctx, db, first); err != nil {
				t.Fatal(err)
			}
			before := fingerprint(t, db)
			first["0002_broken.sql"] = &fstest.MapFile{Data: []byte(body)}
			if applied, err := Apply(ctx, db, first); err == nil || len(applied) != 0 {
				t.Fatalf("the broken file: applied %v, %v", applied, err)
			} else if !strings.Contains(err.Error(), "0002_broken.sql") {
				t.Errorf("the error does not name the file: %v", err)
			}
			if after := fingerprint(t, db); after != before {
				t.Errorf("the database changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestStatementsOutsideATransactionAreRefused(t *testing.T) {
	for _, body := range []string{
		"CREATE TABLE b (id INTEGER);\nCOMMIT;\nINSERT INTO nowhere VALUES (1);",
		"BEGIN; CREATE TABLE b (id INTEGER); END;",
		"PRAGMA foreign_keys = OFF;\n" + rebuildMembers + "PRAGMA foreign_keys = ON;",
		"PRAGMA main.journal_mode = DELETE;",
		"-- reclaim the space\nVACUUM;",
		"ATTACH DATABASE 'other.db' AS other;",
	} {
		ctx := context.Background()
		db := openDB(t)
		set := fstest.MapFS{"0001_members.sql": {Data: []byte(membersAndPosts)}}
		if _, err := Apply(ctx, db, set); err != nil {
			t.Fatal(err)
		}
		before := fingerprint(t, db)
		set["0002_fine.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE fine (id INTEGER);`)}
		set["0003_outside.sql"] = &fstest.MapFile{Data: []byte(body)}
		if _, err := Apply(ctx, db, set); err == nil || !strings.Contains(err.Error(), "not allowed in a migration") {
			t.Errorf("%q: %v", body, err)
		}
		if fingerprint(t, db) != before {
			t.Errorf("%q: a file ran before the refusal", body)
		}
	}
}

func TestTriggersAndQuotedTextAreNotStatements(t *testing.T) {
	body := `CREATE TABLE log (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'COMMIT; VACUUM;');
-- BEGIN; is a comment here
CREATE TRIGGER log_append_only BEFORE DELETE ON log
BEGIN
    SELECT CASE WHEN old.note = 'end' THEN RAISE(ABORT, 'kept') END;
    SELECT RAISE(ABORT, 'append-only; END;');
END;
/* ROLLBACK; */ INSERT INTO log (note) VALUES ('it''s; ROLLBACK');`
	if err := checkTransactional(body); err != nil {
		t.Fatal(err)
	}
	if got := len(statements(body)); got != 3 {
		t.Errorf("%d statements, want 3: %q", got, statements(body))
	}
	db := openDB(t)
	if _, err := Apply(context.Background(), db, fstest.MapFS{"0001_log.sql": {Data: []byte(body)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM log`); err == nil || !strings.Contains(err.Error(), "append-only; END;") {
		t.Errorf("the trigger: %v", err)
	}
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := Apply(ctx, db, Files); err != nil {
		t.Fatal(err)
	}
	latest, err := Latest(Files)
	if err != nil {
		t.Fatal(err)
	}
	// A newer Ligue ran its three new migrations on this database.
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name) VALUES (?, 'future.sql')`, latest+3); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, db)
	_, err = Apply(ctx, db, Files)
	var newer *NewerSchemaError
	if !errors.As(err, &newer) || newer.Database != latest+3 || newer.Binary != latest {
		t.Fatalf("applying to a newer database: %v", err)
	}
	for _, want := range []string{"version plus récente de Ligue", "restaurez une sauvegarde", "upgraded by a newer Ligue", "restore a backup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message lacks %q: %s", want, err)
		}
	}
	if fingerprint(t, db) != before {
		t.Error("the newer database was changed")
	}
	if _, err := Check(ctx, db, Files); !errors.As(err, &newer) {
		t.Errorf("check of a newer database: %v", err)
	}
}

func TestCheckListsWhatWouldRun(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	st, err := Check(ctx, db, Files)
	if err != nil || st.Current != 0 || len(st.Pending) != st.Latest || st.Pending[0].Name != "0001_accounts.sql" {
		t.Fatalf("a new database: %+v, %v", st, err)
	}
	older := fstest.MapFS{}
	for _, m := range st.Pending[:st.Latest-2] {
		older[m.Name] = &fstest.MapFile{Data: mustRead(t, m.Name)}
	}
	if _, err := Apply(ctx, db, older); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, db)
	st, err = Check(ctx, db, Files)
	if err != nil || st.Current != st.Latest-2 || len(st.Pending) != 2 || st.Pending[1].Version != st.Latest {
		t.Errorf("two files behind: %+v, %v", st, err)
	}
	if fingerprint(t, db) != before {
		t.Error("check changed the database")
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(Files, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
