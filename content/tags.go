package content

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// tagLinks names the table that links one kind of content to its tags.
type tagLinks struct{ table, owner string }

var (
	topicTagLinks = tagLinks{"topic_tags", "topic_id"}
	ficheTagLinks = tagLinks{"fiche_tags", "fiche_id"}
)

// setTags replaces the tags of one topic or fiche; a tag spelled with or
// without accents is the one already there.
func setTags(ctx context.Context, tx *sqlx.Tx, links tagLinks, id int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+links.table+` WHERE `+links.owner+` = ?`, id); err != nil {
		return err
	}
	for _, tag := range tags {
		fold := FoldAccents(tag)
		if _, err := tx.ExecContext(ctx, `INSERT INTO tags (name, fold) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM tags WHERE fold = ?)
			ON CONFLICT (name) DO NOTHING`, tag, fold, fold); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+links.table+` (`+links.owner+`, tag_id) SELECT ?, id FROM tags WHERE fold = ?
			ORDER BY id LIMIT 1 ON CONFLICT DO NOTHING`, id, fold); err != nil {
			return err
		}
	}
	return nil
}
