package content

import (
	"context"
	"unicode"
)

// MaxMentionSuggestions bounds the pseudos a composer's completion asks for.
const MaxMentionSuggestions = 8

// PseudosStartingWith returns the pseudos of active (not suspended) members
// whose key starts with the key of prefix — case and accents ignored, so
// "MAË" finds Maëlle — in key order, at most limit of them. A prefix that
// no pseudo could start with (a space, "%", "_" is fine) finds nothing.
func (s *Store) PseudosStartingWith(ctx context.Context, prefix string, limit int) ([]string, error) {
	key := pseudoKey(prefix)
	if key == "" || limit <= 0 || !couldStartPseudo(key) {
		return []string{}, nil
	}
	limit = min(limit, 50)
	// A range on the unique index of pseudo_key rather than LIKE: no
	// wildcard to escape, and the index is used. Keys are compared byte by
	// byte (SQLite's BINARY collation); the last byte of valid UTF-8 is never
	// 0xFF, so adding one to it bounds every key that starts with key.
	upper := []byte(key)
	upper[len(upper)-1]++
	pseudos := []string{}
	err := s.db.R.SelectContext(ctx, &pseudos, `SELECT pseudo FROM users
		WHERE pseudo_key >= ? AND pseudo_key < ? AND suspended_at IS NULL
		ORDER BY pseudo_key LIMIT ?`, key, string(upper), limit)
	return pseudos, err
}

// couldStartPseudo tells whether key is made of what pseudos are made of
// (see validatePseudo) and is not longer than one.
func couldStartPseudo(key string) bool {
	n := 0
	for _, r := range key {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return false
		}
		n++
	}
	return n <= 30
}

// mentionResolver resolves "@pseudo" to active members, looking each
// distinct pseudo up once; ids collects the members found.
func (s *Store) mentionResolver(ctx context.Context) (MentionFunc, *[]int64) {
	type member struct {
		ID     int64  `db:"id"`
		Pseudo string `db:"pseudo"`
	}
	known := map[string]member{}
	ids := &[]int64{}
	return func(pseudo string) (string, bool) {
		key := pseudoKey(pseudo)
		if m, seen := known[key]; seen {
			return m.Pseudo, m.Pseudo != ""
		}
		var m member
		if err := s.db.R.GetContext(ctx, &m, `SELECT id, pseudo FROM users WHERE pseudo_key = ? AND suspended_at IS NULL`, key); err != nil {
			m = member{}
		} else {
			*ids = append(*ids, m.ID)
		}
		known[key] = m
		return m.Pseudo, m.Pseudo != ""
	}, ids
}
