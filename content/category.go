package content

import "context"

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
