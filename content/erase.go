package content

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Erasing an account (« Supprimer mon compte »): the users row stays, so
// that what remains of the member (fiche revisions under CC BY-SA, texts,
// amendments, and their posts when anonymised) shows « Ancien membre »;
// everything else personal goes, in one transaction.

// FormerMemberPseudo is what an erased member's contributions show. It has
// a space, which pseudos may not: nobody can register it.
const FormerMemberPseudo = "Ancien membre"

// IsFormerMember tells whether pseudo names the erased members' display.
func IsFormerMember(pseudo string) bool { return pseudoKey(pseudo) == pseudoKey(FormerMemberPseudo) }

// EraseMode says what becomes of an erased member's posts.
type EraseMode string

// Erase modes.
const (
	// EraseAnonymize keeps the posts' text, signed « Ancien membre ».
	EraseAnonymize EraseMode = "anonymiser"
	// EraseDelete turns the posts and private messages into « message
	// supprimé » tombstones; replies to them stay.
	EraseDelete EraseMode = "supprimer"
)

// Valid tells whether m is a known mode.
func (m EraseMode) Valid() bool { return m == EraseAnonymize || m == EraseDelete }

// ReauthWindow is how recent a login must be to delete the account.
const ReauthWindow = 10 * time.Minute

// Erased lists the files an erasure leaves for the caller to delete from
// the data folder (the store does not know where it is).
type Erased struct {
	Uploads []string // names under the uploads folder
	Exports []string // names under the exports folder
}

// DeleteAccount erases u's account at their request, after checking their
// password (the caller checks the login is recent).
func (s *Store) DeleteAccount(ctx context.Context, u *User, password string, mode EraseMode) (*Erased, error) {
	v := &ValidationError{}
	if !mode.Valid() {
		v.Add("mode", "Choisissez ce que deviennent vos messages : les garder sans votre nom, ou les supprimer.")
	}
	if password == "" {
		v.Add("password", "Indiquez votre mot de passe pour confirmer.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var admins int
	if err := s.db.R.GetContext(ctx, &admins, `SELECT count(*) FROM users WHERE role = 'admin' AND suspended_at IS NULL
		AND erased_at IS NULL AND id != ?`, u.ID); err != nil {
		return nil, err
	}
	if err := CanDeleteAccount(u, admins); err != nil {
		return nil, err
	}
	if err := s.checkPassword(ctx, u.ID, password); err != nil {
		if _, ok := AsValidation(err); ok {
			return nil, Invalid("password", "Ce mot de passe n’est pas le bon : votre compte n’a pas été supprimé.")
		}
		return nil, err
	}
	return s.EraseAccount(ctx, u.ID, mode, "erase_account")
}

// EraseAccount erases account userID in mode, recording action in the audit
// log (at the member's request, or the inactivity job).
func (s *Store) EraseAccount(ctx context.Context, userID int64, mode EraseMode, action string) (*Erased, error) {
	out := &Erased{}
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var who struct {
			Pseudo string     `db:"pseudo"`
			Key    string     `db:"pseudo_key"`
			Email  string     `db:"email"`
			Erased *time.Time `db:"erased_at"`
		}
		if err := tx.GetContext(ctx, &who, `SELECT pseudo, pseudo_key, email, erased_at FROM users WHERE id = ?`, userID); err != nil {
			return notFound(err)
		}
		if who.Erased != nil {
			return ErrNotFound
		}
		e := eraser{s: s, tx: tx, id: userID, pseudo: who.Pseudo, key: who.Key, email: who.Email, now: s.Now(), out: out}
		return e.run(ctx, mode, action)
	})
	if err != nil {
		return nil, err
	}
	// With secure_delete the erased rows are zeroed in the pages; the WAL
	// still holds their former images until it is checkpointed and cut.
	if err := s.db.Checkpoint(ctx); err != nil {
		return out, fmt.Errorf("checkpoint after erasure: %w", err)
	}
	return out, nil
}

// eraser is one erasure in progress, inside its transaction.
type eraser struct {
	s                 *Store
	tx                *sqlx.Tx
	id                int64
	pseudo, key       string
	email             string
	now               time.Time
	out               *Erased
	thanked, supports []int64 // posts and amendments whose counts change
	saved             []int64 // fiches whose save counts change
}

func (e *eraser) exec(ctx context.Context, q string, args ...any) error {
	_, err := e.tx.ExecContext(ctx, q, args...)
	return err
}

func (e *eraser) run(ctx context.Context, mode EraseMode, action string) error {
	steps := []func(context.Context) error{e.files, e.signatures}
	if mode == EraseDelete {
		steps = append(steps, e.deleteWritings)
	} else {
		steps = append(steps, func(ctx context.Context) error {
			return e.exec(ctx, `UPDATE uploads SET original = '' WHERE user_id = ?`, e.id)
		})
	}
	steps = append(steps, e.counted, e.cascade, e.recount, e.traces, e.tombstone, e.reindex)
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return audit(ctx, e.tx, e.now, e.id, action, EntityUser, e.id, string(mode))
}

// files notes the member's exports (deleted with their rows by cascade).
func (e *eraser) files(ctx context.Context) error {
	return e.tx.SelectContext(ctx, &e.out.Exports, `SELECT file FROM data_exports WHERE user_id = ? AND file != ''`, e.id)
}

// signatures: a member's signatures and those given as a visitor with the
// same address stop naming anybody, and keep counting as « Ancien membre »
// (in both modes: a signature is a count the text's authors rely on, and
// once unnamed nothing in it is personal).
func (e *eraser) signatures(ctx context.Context) error {
	// A random-looking, unique stand-in for the address keeps one signature
	// per row and the CHECK that a visitor's has one.
	return e.exec(ctx, `UPDATE signatures SET user_id = NULL, email_hash = 'erased:' || id, name = ?, metier = '',
		structure = '', departement = '', confirm_hash = NULL, withdraw_hash = NULL
		WHERE user_id = ? OR email_hash = ?`, FormerMemberPseudo, e.id, hashToken(NormalizeEmail(e.email)))
}

// deleteWritings turns the member's posts and private messages into
// tombstones (replies stay), and deletes their reports and the files only
// their posts used.
func (e *eraser) deleteWritings(ctx context.Context) error {
	var topics []int64
	if err := e.tx.SelectContext(ctx, &topics, `SELECT DISTINCT topic_id FROM posts WHERE author_id = ?`, e.id); err != nil {
		return err
	}
	var own []struct {
		Name        string `db:"name"`
		ContentType string `db:"content_type"`
	}
	// A file someone else's post shows too stays.
	if err := e.tx.SelectContext(ctx, &own, `SELECT name, content_type FROM uploads u WHERE user_id = ? AND NOT EXISTS (
		SELECT 1 FROM posts p WHERE p.author_id != u.user_id AND instr(p.body, u.name) > 0)`, e.id); err != nil {
		return err
	}
	for _, up := range own {
		e.out.Uploads = append(e.out.Uploads, up.Name)
		if (&Upload{ContentType: up.ContentType}).IsImage() {
			e.out.Uploads = append(e.out.Uploads, smallName(up.Name))
		}
		if err := e.exec(ctx, `DELETE FROM uploads WHERE name = ?`, up.Name); err != nil {
			return err
		}
	}
	if err := e.exec(ctx, `UPDATE posts SET body = '', html = '', edited_at = NULL, deleted_at = coalesce(deleted_at, ?)
		WHERE author_id = ?`, e.now, e.id); err != nil {
		return err
	}
	for _, q := range []string{
		`UPDATE uploads SET original = '' WHERE user_id = ?`,
		`DELETE FROM post_versions WHERE post_id IN (SELECT id FROM posts WHERE author_id = ?)`,
		`UPDATE topics SET accepted_post_id = NULL WHERE accepted_post_id IN (SELECT id FROM posts WHERE author_id = ?)`,
		`UPDATE messages SET body = '', html = '' WHERE author_id = ?`,
		`DELETE FROM fiche_reports WHERE user_id = ?`,
	} {
		if err := e.exec(ctx, q, e.id); err != nil {
			return err
		}
	}
	for _, t := range topics {
		if err := refreshTopic(ctx, e.tx, t); err != nil {
			return err
		}
	}
	return nil
}

// smallName is the reduced image beside upload name ("ab12.png" → "ab12.small.png").
func smallName(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[:i] + ".small" + name[i:]
		}
	}
	return name + ".small"
}

// counted notes what the member's mercis, supports and collections count,
// before they go.
func (e *eraser) counted(ctx context.Context) error {
	if err := e.tx.SelectContext(ctx, &e.thanked, `SELECT post_id FROM mercis WHERE user_id = ?`, e.id); err != nil {
		return err
	}
	if err := e.tx.SelectContext(ctx, &e.supports, `SELECT amendment_id FROM amendment_supports WHERE user_id = ?`, e.id); err != nil {
		return err
	}
	return e.tx.SelectContext(ctx, &e.saved, `SELECT DISTINCT i.fiche_id FROM collection_items i
		JOIN collections c ON c.id = i.collection_id WHERE c.owner_id = ?`, e.id)
}

// cascade deletes every row that belongs to the account: each table whose
// reference to users says ON DELETE CASCADE (sessions, tokens, drafts,
// notifications, follows, bookmarks, collections, conversation membership,
// blocks, co-authorships, supports, preferences, exports… and whatever
// table later features add the same way).
func (e *eraser) cascade(ctx context.Context) error {
	var refs []struct {
		Table  string `db:"tbl"`
		Column string `db:"col"`
	}
	if err := e.tx.SelectContext(ctx, &refs, `SELECT m.name AS tbl, f."from" AS col FROM sqlite_master m,
		pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f."table" = 'users' AND f.on_delete = 'CASCADE'
		ORDER BY m.name, f."from"`); err != nil {
		return err
	}
	var convs []int64
	if err := e.tx.SelectContext(ctx, &convs, `SELECT conversation_id FROM conversation_members WHERE user_id = ?`, e.id); err != nil {
		return err
	}
	for _, r := range refs {
		if err := e.exec(ctx, `DELETE FROM "`+r.Table+`" WHERE "`+r.Column+`" = ?`, e.id); err != nil {
			return fmt.Errorf("erase %s.%s: %w", r.Table, r.Column, err)
		}
	}
	// A conversation nobody is in any more goes with its messages.
	for _, c := range convs {
		if err := e.exec(ctx, `DELETE FROM conversations WHERE id = ? AND NOT EXISTS (
			SELECT 1 FROM conversation_members WHERE conversation_id = ?)`, c, c); err != nil {
			return err
		}
	}
	return nil
}

// recount brings the counters the deleted rows fed up to date.
func (e *eraser) recount(ctx context.Context) error {
	for _, p := range e.thanked {
		if err := e.exec(ctx, `UPDATE posts SET merci_count = (SELECT count(*) FROM mercis WHERE post_id = ?) WHERE id = ?`, p, p); err != nil {
			return err
		}
	}
	for _, a := range e.supports {
		if err := e.exec(ctx, `UPDATE amendments SET supports = (SELECT count(*) FROM amendment_supports WHERE amendment_id = ?)
			WHERE id = ?`, a, a); err != nil {
			return err
		}
	}
	return e.s.recountSaves(ctx, e.tx, &User{ID: e.id}, e.saved)
}

// traces removes the mails to the member, their rate-limit strikes, and
// their pseudo from the mails others received and the audit log's details.
func (e *eraser) traces(ctx context.Context) error {
	id := strconv.FormatInt(e.id, 10)
	if err := e.exec(ctx, `DELETE FROM mails WHERE user_id = ? OR to_addr = ?`, e.id, e.email); err != nil {
		return err
	}
	if err := e.exec(ctx, `DELETE FROM strikes WHERE key IN (?, ?, ?, ?, ?, ?)`,
		id, "user:"+id, "email:"+e.email, "verify:"+e.email, "login:"+e.email, "login:"+e.key); err != nil {
		return err
	}
	if err := e.exec(ctx, `UPDATE mails SET subject = replace(subject, ?1, ?2), body = replace(body, ?1, ?2), html = replace(html, ?1, ?2)
		WHERE instr(subject, ?1) > 0 OR instr(body, ?1) > 0 OR instr(html, ?1) > 0`, e.pseudo, FormerMemberPseudo); err != nil {
		return err
	}
	return e.exec(ctx, `UPDATE audit_log SET detail = replace(detail, ?1, ?2) WHERE instr(detail, ?1) > 0`, e.pseudo, FormerMemberPseudo)
}

// tombstone empties the account's row: no pseudo, address, password or
// profile; it can never log in (no password matches an empty hash).
func (e *eraser) tombstone(ctx context.Context) error {
	id := strconv.FormatInt(e.id, 10)
	return e.exec(ctx, `UPDATE users SET pseudo = ?, pseudo_key = ?, email = ?, password_hash = '', role = 'member',
		structure = '', departement = '', metier = '', verified_at = NULL, suspended_at = NULL, erased_at = ?,
		active_at = NULL, inactive_warned_at = NULL, updated_at = ? WHERE id = ?`,
		FormerMemberPseudo, "~"+id, "~"+id, e.now, e.now, e.id)
}

// reindex emits the events that make the search index read again what
// named the member: their posts, the fiches they created, the texts they own.
func (e *eraser) reindex(ctx context.Context) error {
	if err := Emit(ctx, e.tx, Event{Kind: EventErased, EntityType: EntityUser, EntityID: e.id, ActorID: e.id, CreatedAt: e.now}); err != nil {
		return err
	}
	for _, q := range []struct{ entity, sql string }{
		{EntityFiche, `SELECT id FROM fiches WHERE creator_id = ?`},
		{EntityProposal, `SELECT id FROM proposals WHERE owner_id = ?`},
	} {
		var ids []int64
		if err := e.tx.SelectContext(ctx, &ids, q.sql, e.id); err != nil {
			return err
		}
		for _, id := range ids {
			if err := Emit(ctx, e.tx, Event{Kind: EventErased, EntityType: q.entity, EntityID: id, ActorID: e.id, CreatedAt: e.now}); err != nil {
				return err
			}
		}
	}
	return nil
}
