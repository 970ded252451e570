package content

import (
	"context"
	"strings"
	"unicode"
)

// MaxTagSuggestions is how many tags the composers' completion offers.
const MaxTagSuggestions = 8

// TagsStartingWith completes a tag being typed: the tags in use whose name,
// or one of its words ("aide-au-logement" for "log"), starts with prefix,
// accents and case ignored as tags compare (see ParseTags); those whose name
// starts with it first, then the most used. Counts are of topics, as in
// TagCounts.
func (s *Store) TagsStartingWith(ctx context.Context, prefix string, limit int) ([]TagCount, error) {
	key := FoldAccents(strings.ToLower(strings.Join(strings.Fields(prefix), "-")))
	tags := []TagCount{}
	if key == "" || limit <= 0 || strings.IndexFunc(key, notTagRune) >= 0 {
		return tags, nil
	}
	// A tag is letters, digits and hyphens: nothing in key for LIKE to read
	// as a wildcard.
	err := s.db.R.SelectContext(ctx, &tags, `SELECT g.name, count(*) AS count FROM tags g
		JOIN topic_tags tt ON tt.tag_id = g.id JOIN topics t ON t.id = tt.topic_id
		WHERE t.merged_into IS NULL AND `+readersSQL(nil)+` AND (g.fold LIKE ?1 || '%' OR g.fold LIKE '%-' || ?1 || '%')
		GROUP BY g.id ORDER BY g.fold LIKE ?1 || '%' DESC, count DESC, g.name LIMIT ?2`, key, min(limit, 50))
	return tags, err
}

func notTagRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' }
