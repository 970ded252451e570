package content

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Collections are the sets of fiches a member saves, like boards: every
// member has "Mes fiches enregistrées", created at their first save and
// always private, and may make named ones, private or public. A private
// collection exists for its owner only; a public one has its page and its
// feed. A collection shows only the fiches its viewer may read, so a
// brouillon saved by its author never shows in their public collection.
// fiches.save_count is the number of members who saved the fiche, in any
// of their collections, kept exact in each change's transaction.

// DefaultCollectionName is the name of every member's first collection.
const DefaultCollectionName = "Mes fiches enregistrées"

// Limits of collections.
const (
	MinCollectionName        = 2
	MaxCollectionName        = 80
	MaxCollectionDescription = 500
	MaxCollections           = 100 // per member: the fiche page lists them in a select
	CollectionFichesPerPage  = 50
)

// Collection is a member's collection of saved fiches.
type Collection struct {
	ID             int64     `db:"id"`
	OwnerID        int64     `db:"owner_id"`
	OwnerPseudo    string    `db:"owner_pseudo"`
	OwnerSuspended bool      `db:"owner_suspended"`
	Name           string    `db:"name"`
	Description    string    `db:"description"`
	Public         bool      `db:"public"`
	IsDefault      bool      `db:"is_default"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"` // last change, fiches added included
	// Count is how many of its fiches the member it was loaded for may read.
	Count int `db:"count"`
}

// CollectionPathOf is the address of collection id.
func CollectionPathOf(id int64) string { return "/collections/" + itoa64(id) }

// Path is the collection's page.
func (c *Collection) Path() string { return CollectionPathOf(c.ID) }

// FeedPath is the address of the collection's Atom feed (public ones only).
func (c *Collection) FeedPath() string { return c.Path() + ".atom" }

// Collection permissions, pure functions of the member and the collection
// (fiches are asked CanSaveFiche and CanReadFiche besides). Moderators get
// no exception: a private collection is nobody else's business.

// CanReadCollection tells whether u may see c anywhere (page, feed, API,
// profile): its owner, or anybody when it is public and its owner is not
// suspended (moderators still see those, as they see the member).
func CanReadCollection(u *User, c *Collection) bool {
	if u != nil && u.ID == c.OwnerID {
		return true
	}
	return c.Public && (!c.OwnerSuspended || CanModerate(u))
}

// CanEditCollection tells whether u may add fiches to c and remove them:
// its owner, while not suspended.
func CanEditCollection(u *User, c *Collection) bool {
	return u != nil && u.ID == c.OwnerID && !u.Suspended()
}

// CanManageCollection tells whether u may rename, describe, publish or
// delete c: its owner, except for the default collection, which stays
// private, keeps its name and is never deleted.
func CanManageCollection(u *User, c *Collection) bool { return CanEditCollection(u, c) && !c.IsDefault }

// CollectionActions is what a viewer may do with a collection, for pages.
type CollectionActions struct {
	Edit   bool // add and remove fiches
	Manage bool // rename, describe, publish, delete
}

// CollectionActionsFor lists what u may do with c.
func CollectionActionsFor(u *User, c *Collection) CollectionActions {
	return CollectionActions{Edit: CanEditCollection(u, c), Manage: CanManageCollection(u, c)}
}

// readableFicheSQL is CanReadFiche for viewer as an SQL condition on
// fiches f, to filter lists at query time (TestCollectionFilterMatchesCanReadFiche
// keeps the two together).
func readableFicheSQL(viewer *User) (string, []any) {
	if viewer == nil || viewer.Suspended() {
		return publicFiche, nil
	}
	return `f.deleted_at IS NULL AND f.merged_into IS NULL AND (f.published_at IS NOT NULL OR
		f.id IN (SELECT fiche_id FROM fiche_authors WHERE user_id = ?))`, []any{viewer.ID}
}

// collectionSelect loads collections with their owner and the count of
// fiches the viewer may read (its condition's arguments come first).
func collectionSelect(viewer *User) (string, []any) {
	readable, args := readableFicheSQL(viewer)
	return `SELECT c.id, c.owner_id, u.pseudo AS owner_pseudo, u.suspended_at IS NOT NULL AS owner_suspended, c.name,
		c.description, c.public, c.is_default, c.created_at, c.updated_at,
		(SELECT count(*) FROM collection_items i JOIN fiches f ON f.id = i.fiche_id WHERE i.collection_id = c.id AND ` + readable + `) AS count
		FROM collections c JOIN users u ON u.id = c.owner_id`, args
}

// CollectionByID loads collection id as viewer may see it: ErrNotFound
// when it does not exist or is someone else's private collection.
func (s *Store) CollectionByID(ctx context.Context, viewer *User, id int64) (*Collection, error) {
	q, args := collectionSelect(viewer)
	var c Collection
	if err := s.db.R.GetContext(ctx, &c, q+` WHERE c.id = ?`, append(args, id)...); err != nil {
		return nil, notFound(err)
	}
	if !CanReadCollection(viewer, &c) {
		return nil, ErrNotFound
	}
	return &c, nil
}

// CollectionsOf lists the collections of member ownerID that viewer may
// see, the default first, then by name: all of them for the owner, the
// public ones for others.
func (s *Store) CollectionsOf(ctx context.Context, viewer *User, ownerID int64) ([]Collection, error) {
	q, args := collectionSelect(viewer)
	var list []Collection
	var self int64
	if viewer != nil {
		self = viewer.ID
	}
	if err := s.db.R.SelectContext(ctx, &list, q+` WHERE c.owner_id = ? AND (c.public = 1 OR c.owner_id = ?)
		ORDER BY c.is_default DESC, c.name COLLATE NOCASE, c.id`, append(args, ownerID, self)...); err != nil {
		return nil, err
	}
	out := list[:0]
	for _, c := range list {
		if CanReadCollection(viewer, &c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// SavedFiche is a fiche as a collection holds it.
type SavedFiche struct {
	Fiche
	AddedAt time.Time `db:"added_at"`
}

// CollectionPage is one page of a collection's fiches; Next is the cursor
// of the following page, "" on the last.
type CollectionPage struct {
	Fiches []SavedFiche
	Next   string
}

// CollectionFiches lists the fiches of c that viewer may read, the last
// saved first, a page from cursor after ("" for the first).
func (s *Store) CollectionFiches(ctx context.Context, viewer *User, c *Collection, after string) (CollectionPage, error) {
	if !CanReadCollection(viewer, c) {
		return CollectionPage{}, ErrNotFound
	}
	readable, args := readableFicheSQL(viewer)
	q := strings.Replace(ficheSelect, " FROM fiches", ", i.added_at FROM fiches f JOIN collection_items i ON i.fiche_id = f.id", 1) +
		` WHERE i.collection_id = ? AND ` + readable
	args = append([]any{c.ID}, args...)
	if cur, ok := decodeCursor(after); ok {
		q += ` AND (i.added_at, f.id) < (?, ?)`
		args = append(args, cur.Time, cur.ID)
	}
	q += ` ORDER BY i.added_at DESC, f.id DESC LIMIT ?`
	args = append(args, CollectionFichesPerPage+1)
	var rows []SavedFiche
	if err := s.db.R.SelectContext(ctx, &rows, q, args...); err != nil {
		return CollectionPage{}, err
	}
	var page CollectionPage
	if len(rows) > CollectionFichesPerPage {
		rows = rows[:CollectionFichesPerPage]
		last := rows[len(rows)-1]
		page.Next = cursor{Time: last.AddedAt, ID: last.ID}.encode()
	}
	fiches := make([]Fiche, len(rows))
	for i := range rows {
		fiches[i] = rows[i].Fiche
	}
	if err := s.loadFicheDetails(ctx, fiches); err != nil {
		return CollectionPage{}, err
	}
	for i := range rows {
		if CanReadFiche(viewer, &fiches[i]) { // the query filtered already; the rule has the last word
			rows[i].Fiche = fiches[i]
			page.Fiches = append(page.Fiches, rows[i])
		}
	}
	return page, nil
}

// CollectionChoice is one of a member's collections as a fiche page
// offers it: whether the fiche is in it. ID 0 is the default collection
// before its creation at the first save.
type CollectionChoice struct {
	ID        int64  `db:"id"`
	Name      string `db:"name"`
	Public    bool   `db:"public"`
	IsDefault bool   `db:"is_default"`
	Saved     bool   `db:"saved"`
}

// Path is the collection's page ("" before the default is created).
func (c CollectionChoice) Path() string {
	if c.ID == 0 {
		return ""
	}
	return CollectionPathOf(c.ID)
}

// FicheSaves are a member's collections for one fiche, the default first.
type FicheSaves []CollectionChoice

// In lists the collections that hold the fiche.
func (fs FicheSaves) In() []CollectionChoice { return fs.filter(true) }

// Others lists the collections the fiche may still go into.
func (fs FicheSaves) Others() []CollectionChoice { return fs.filter(false) }

func (fs FicheSaves) filter(saved bool) []CollectionChoice {
	var out []CollectionChoice
	for _, c := range fs {
		if c.Saved == saved {
			out = append(out, c)
		}
	}
	return out
}

// FicheSaves lists u's collections and whether each holds f, in one query.
func (s *Store) FicheSaves(ctx context.Context, u *User, f *Fiche) (FicheSaves, error) {
	var list FicheSaves
	if err := s.db.R.SelectContext(ctx, &list, `SELECT c.id, c.name, c.public, c.is_default,
		EXISTS (SELECT 1 FROM collection_items i WHERE i.collection_id = c.id AND i.fiche_id = ?) AS saved
		FROM collections c WHERE c.owner_id = ? ORDER BY c.is_default DESC, c.name COLLATE NOCASE, c.id`, f.ID, u.ID); err != nil {
		return nil, err
	}
	if len(list) == 0 || !list[0].IsDefault {
		list = append(FicheSaves{{Name: DefaultCollectionName, IsDefault: true}}, list...)
	}
	return list, nil
}

// CollectionInput is what a member types to create or change a collection.
type CollectionInput struct {
	Name        string
	Description string
	Public      bool
}

func (in *CollectionInput) normalize() {
	in.Name = normalizeLine(in.Name)
	in.Description = normalizeLine(in.Description)
}

// validateCollection checks in for owner u's collection self (0 for a new
// one), inside tx: lengths, and a name none of u's other collections has.
func validateCollection(ctx context.Context, tx *sqlx.Tx, u *User, in CollectionInput, self int64) error {
	v := &ValidationError{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		v.Add("name", "Donnez un nom à la collection.")
	case n < MinCollectionName:
		v.Add("name", "Le nom de la collection doit compter au moins 2 caractères.")
	case n > MaxCollectionName:
		v.Add("name", "Le nom de la collection ne doit pas dépasser 80 caractères (il en compte "+itoa64(int64(n))+").")
	}
	if n := utf8.RuneCountInString(in.Description); n > MaxCollectionDescription {
		v.Add("description", "La description ne doit pas dépasser 500 caractères (elle en compte "+itoa64(int64(n))+").")
	}
	if in.Public {
		if err := CanWrite(u); err != nil {
			return err
		}
	}
	if v.Get("name") == "" {
		var names []string
		if err := tx.SelectContext(ctx, &names, `SELECT name FROM collections WHERE owner_id = ? AND id != ?`, u.ID, self); err != nil {
			return err
		}
		want := nameKey(in.Name)
		if want == nameKey(DefaultCollectionName) {
			v.Add("name", "« "+DefaultCollectionName+" » est le nom de votre collection par défaut : choisissez-en un autre.")
		}
		for _, n := range names {
			if nameKey(n) == want {
				v.Add("name", "Vous avez déjà une collection « "+n+" » : choisissez un autre nom, ou enregistrez-y la fiche.")
			}
		}
		if self == 0 && len(names) >= MaxCollections {
			v.Add("name", "Vous avez déjà 100 collections : supprimez-en une avant d’en créer une autre.")
		}
	}
	return v.Err()
}

// nameKey is how two collection names are compared: case and accents aside.
func nameKey(name string) string { return FoldAccents(strings.ToLower(name)) }

// collectionInTx loads collection id for a change by u, inside tx:
// ErrNotFound unless u owns it (someone else's collection does not exist
// for them, public or not).
func collectionInTx(ctx context.Context, tx *sqlx.Tx, u *User, id int64) (*Collection, error) {
	var c Collection
	err := tx.GetContext(ctx, &c, `SELECT c.id, c.owner_id, u.pseudo AS owner_pseudo, u.suspended_at IS NOT NULL AS owner_suspended,
		c.name, c.description, c.public, c.is_default, c.created_at, c.updated_at, 0 AS count
		FROM collections c JOIN users u ON u.id = c.owner_id WHERE c.id = ?`, id)
	if err != nil {
		return nil, notFound(err)
	}
	if !CanEditCollection(u, &c) {
		return nil, ErrNotFound
	}
	return &c, nil
}

// CreateCollection makes a new collection for u.
func (s *Store) CreateCollection(ctx context.Context, u *User, in CollectionInput) (*Collection, error) {
	if u == nil || u.Suspended() {
		return nil, ErrForbidden
	}
	var c *Collection
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		c, err = s.createCollection(ctx, tx, u, in)
		return err
	})
	return c, err
}

func (s *Store) createCollection(ctx context.Context, tx *sqlx.Tx, u *User, in CollectionInput) (*Collection, error) {
	in.normalize()
	if err := validateCollection(ctx, tx, u, in, 0); err != nil {
		return nil, err
	}
	now := s.Now()
	c := &Collection{OwnerID: u.ID, OwnerPseudo: u.Pseudo, Name: in.Name, Description: in.Description, Public: in.Public,
		CreatedAt: now, UpdatedAt: now}
	res, err := tx.ExecContext(ctx, `INSERT INTO collections (owner_id, name, description, public, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, u.ID, c.Name, c.Description, c.Public, now, now)
	if err != nil {
		return nil, err
	}
	c.ID, err = res.LastInsertId()
	return c, err
}

// defaultCollection returns u's default collection, creating it on first use.
func (s *Store) defaultCollection(ctx context.Context, tx *sqlx.Tx, u *User) (int64, error) {
	now := s.Now()
	// The partial unique index collections_one_default makes a second one impossible.
	if _, err := tx.ExecContext(ctx, `INSERT INTO collections (owner_id, name, is_default, created_at, updated_at)
		VALUES (?, ?, 1, ?, ?) ON CONFLICT (owner_id) WHERE is_default = 1 DO NOTHING`, u.ID, DefaultCollectionName, now, now); err != nil {
		return 0, err
	}
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM collections WHERE owner_id = ? AND is_default = 1`, u.ID)
	return id, err
}

// UpdateCollection renames, describes or publishes u's collection id.
func (s *Store) UpdateCollection(ctx context.Context, u *User, id int64, in CollectionInput) (*Collection, error) {
	in.normalize()
	var c *Collection
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if c, err = collectionInTx(ctx, tx, u, id); err != nil {
			return err
		}
		if !CanManageCollection(u, c) {
			return ErrDefaultCollection
		}
		if err := validateCollection(ctx, tx, u, in, id); err != nil {
			return err
		}
		c.Name, c.Description, c.Public, c.UpdatedAt = in.Name, in.Description, in.Public, s.Now()
		_, err = tx.ExecContext(ctx, `UPDATE collections SET name = ?, description = ?, public = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Description, c.Public, c.UpdatedAt, id)
		return err
	})
	return c, err
}

// ErrDefaultCollection refuses to rename, publish or delete a default collection.
var ErrDefaultCollection = Invalid("name", "« "+DefaultCollectionName+" » est votre collection par défaut : elle reste privée, "+
	"garde son nom et ne peut pas être supprimée. Créez une autre collection pour partager des fiches.")

// DeleteCollection deletes u's collection id; its fiches stay in u's other
// collections.
func (s *Store) DeleteCollection(ctx context.Context, u *User, id int64) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		c, err := collectionInTx(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !CanManageCollection(u, c) {
			return ErrDefaultCollection
		}
		var fiches []int64
		if err := tx.SelectContext(ctx, &fiches, `SELECT fiche_id FROM collection_items WHERE collection_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM collections WHERE id = ?`, id); err != nil {
			return err
		}
		return s.recountSaves(ctx, tx, u, fiches)
	})
}

// SaveTarget is where a member saves a fiche: their collection ID (0 for
// the default), or a new collection named Name when New.
type SaveTarget struct {
	Collection int64
	New        bool
	Name       string
}

// SaveToCollection puts fiche ficheID in one of u's collections (nothing
// changes when it is there already) and returns the collection. A fiche u
// may not read, or a collection that is not u's, is ErrNotFound.
func (s *Store) SaveToCollection(ctx context.Context, u *User, ficheID int64, to SaveTarget) (*Collection, error) {
	var c *Collection
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		f, err := s.ficheState(ctx, tx, ficheID)
		if err != nil {
			return err
		}
		if !CanSaveFiche(u, f) {
			return ErrNotFound
		}
		switch {
		case to.New:
			if c, err = s.createCollection(ctx, tx, u, CollectionInput{Name: to.Name}); err != nil {
				return err
			}
		case to.Collection == 0:
			id, err := s.defaultCollection(ctx, tx, u)
			if err != nil {
				return err
			}
			to.Collection = id
			fallthrough
		default:
			if c, err = collectionInTx(ctx, tx, u, to.Collection); err != nil {
				return err
			}
		}
		now := s.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO collection_items (collection_id, fiche_id, added_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, c.ID, f.ID, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE collections SET updated_at = ? WHERE id = ?`, now, c.ID); err != nil {
			return err
		}
		return s.recountSaves(ctx, tx, u, []int64{f.ID})
	})
	return c, err
}

// RemoveFromCollection takes fiche ficheID out of u's collection
// collectionID, or out of all of u's collections when collectionID is 0.
func (s *Store) RemoveFromCollection(ctx context.Context, u *User, ficheID, collectionID int64) error {
	if u == nil {
		return ErrForbidden
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if collectionID != 0 {
			if _, err := collectionInTx(ctx, tx, u, collectionID); err != nil {
				return err
			}
		} else if u.Suspended() {
			return ErrForbidden
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM collection_items WHERE fiche_id = ? AND collection_id IN
			(SELECT id FROM collections WHERE owner_id = ? AND (id = ? OR ? = 0))`, ficheID, u.ID, collectionID, collectionID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.recountSaves(ctx, tx, u, []int64{ficheID})
	})
}

// recountSaves sets save_count of fiches to the number of members whose
// collections hold them, and tells the outbox about each that changed (the
// index sorts by it).
func (s *Store) recountSaves(ctx context.Context, tx *sqlx.Tx, actor *User, fiches []int64) error {
	if len(fiches) == 0 {
		return nil
	}
	q, args, err := sqlx.In(`SELECT f.id, f.save_count AS was, (SELECT count(DISTINCT c.owner_id) FROM collection_items i
		JOIN collections c ON c.id = i.collection_id WHERE i.fiche_id = f.id) AS now FROM fiches f WHERE f.id IN (?)`, fiches)
	if err != nil {
		return err
	}
	var counts []struct {
		ID  int64 `db:"id"`
		Was int   `db:"was"`
		Now int   `db:"now"`
	}
	if err := tx.SelectContext(ctx, &counts, tx.Rebind(q), args...); err != nil {
		return err
	}
	at := s.Now()
	for _, c := range counts {
		if c.Was == c.Now {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fiches SET save_count = ? WHERE id = ?`, c.Now, c.ID); err != nil {
			return err
		}
		if err := Emit(ctx, tx, Event{Kind: EventSaved, EntityType: EntityFiche, EntityID: c.ID, ActorID: actor.ID, CreatedAt: at}); err != nil {
			return err
		}
	}
	return nil
}
