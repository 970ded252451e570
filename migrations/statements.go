package migrations

import (
	"fmt"
	"strings"
)

// outsideTransaction lists the statements that a file must not hold: they end
// the runner's transaction (a COMMIT halfway would leave the file half
// applied), cannot run inside one, or silently do nothing there.
var outsideTransaction = map[string]string{
	"BEGIN":    "each file already runs in one transaction",
	"COMMIT":   "each file already runs in one transaction",
	"END":      "each file already runs in one transaction",
	"ROLLBACK": "each file already runs in one transaction",
	"VACUUM":   "SQLite cannot vacuum inside a transaction",
	"ATTACH":   "SQLite cannot attach a database inside a transaction",
	"DETACH":   "SQLite cannot detach a database inside a transaction",
	"PRAGMA FOREIGN_KEYS": "a no-op inside a transaction; the runner already turns foreign keys off " +
		"for every file and checks them before committing",
	"PRAGMA JOURNAL_MODE": "SQLite cannot change the journal mode inside a transaction",
}

// checkTransactional refuses a file holding a statement that cannot run
// within the transaction of its file.
func checkTransactional(body string) error {
	for _, stmt := range statements(body) {
		key := stmt[0]
		if key == "PRAGMA" && len(stmt) > 1 {
			key += " " + strings.TrimPrefix(stmt[1], "MAIN.")
		}
		if why, ok := outsideTransaction[key]; ok {
			return fmt.Errorf("%s is not allowed in a migration: %s", key, why)
		}
	}
	return nil
}

// statements splits SQL into its statements, each as its words upper-cased
// (and its other tokens), skipping comments and quoted text. A CREATE
// TRIGGER runs to the "; END;" of its body, as sqlite3_complete has it.
func statements(sql string) [][]string {
	var out [][]string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	for _, tok := range tokens(sql) {
		if tok == ";" && isTrigger(cur) && !endsBody(cur) {
			cur = append(cur, tok)
			continue
		}
		if tok == ";" {
			flush()
			continue
		}
		cur = append(cur, tok)
	}
	flush()
	return out
}

func isTrigger(stmt []string) bool {
	if len(stmt) > 1 && stmt[0] == "CREATE" {
		return stmt[1] == "TRIGGER" || (len(stmt) > 2 && (stmt[1] == "TEMP" || stmt[1] == "TEMPORARY") && stmt[2] == "TRIGGER")
	}
	return false
}

func endsBody(stmt []string) bool {
	n := len(stmt)
	return n >= 2 && stmt[n-1] == "END" && stmt[n-2] == ";"
}

// tokens cuts SQL into words (upper-cased), quoted strings and identifiers
// (kept whole) and single punctuation characters; it drops comments and space.
func tokens(sql string) []string {
	var out []string
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				return out
			}
			i += end + 1
		case strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += end + 4
		case c == '\'' || c == '"' || c == '`' || c == '[':
			closing := c
			if c == '[' {
				closing = ']'
			}
			j := i + 1
			for j < len(sql) {
				if sql[j] == closing && closing != ']' && j+1 < len(sql) && sql[j+1] == closing {
					j += 2 // a doubled quote: 'it''s'
					continue
				}
				if sql[j] == closing {
					break
				}
				j++
			}
			out = append(out, sql[i:min(j+1, len(sql))])
			i = j + 1
		case isWordByte(c):
			j := i
			for j < len(sql) && (isWordByte(sql[j]) || sql[j] == '.') {
				j++
			}
			out = append(out, strings.ToUpper(sql[i:j]))
			i = j
		default:
			out = append(out, string(c))
			i++
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
