package content

import (
	"context"
	"strconv"
)

// Category groups discussions by theme.
type Category struct {
	ID          int64  `db:"id"`
	Slug        string `db:"slug"`
	Name        string `db:"name"`
	Description string `db:"description"`
	Position    int    `db:"position"`
}

// Categories lists every category in display order.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	var cs []Category
	err := s.db.R.SelectContext(ctx, &cs, `SELECT id, slug, name, description, position FROM categories ORDER BY position, name`)
	return cs, err
}

// CategoryCard is a category with its number of topics and its latest one.
type CategoryCard struct {
	Category
	Topics      int    `db:"topics"`
	LatestTitle string `db:"latest_title"`
	LatestID    int64  `db:"latest_id"`
	LatestSlug  string `db:"latest_slug"`
}

// LatestPath is the address of the category's most recently active topic.
func (c CategoryCard) LatestPath() string {
	t := Topic{ID: c.LatestID, Slug: c.LatestSlug}
	return t.Path()
}

// CategoryCards lists every category in display order with its counts of
// the topics viewer reads (up to ListCountCap+1, for « plus de 1 000 »), in one query (each latest topic read from the
// category's activity index).
func (s *Store) CategoryCards(ctx context.Context, viewer *User) ([]CategoryCard, error) {
	var cs []CategoryCard
	readable := readersSQL(viewer)
	err := s.db.R.SelectContext(ctx, &cs, `SELECT c.id, c.slug, c.name, c.description, c.position,
		(SELECT count(*) FROM (SELECT 1 FROM topics t WHERE t.category_id = c.id AND t.merged_into IS NULL AND `+readable+`
			LIMIT `+strconv.Itoa(ListCountCap+1)+`)) AS topics,
		coalesce(l.title, '') AS latest_title, coalesce(l.id, 0) AS latest_id, coalesce(l.slug, '') AS latest_slug
		FROM categories c
		LEFT JOIN topics l ON l.id = (SELECT t.id FROM topics t WHERE t.category_id = c.id AND t.merged_into IS NULL AND `+readable+`
			ORDER BY t.last_activity_at DESC, t.id DESC LIMIT 1)
		ORDER BY c.position, c.name`)
	return cs, err
}
