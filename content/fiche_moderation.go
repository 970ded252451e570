package content

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Moderating fiches: protect, hide a vandalised revision, merge two
// fiches, delete. Each decision is written to the audit log and emitted.

// moderateFiche runs fn on fiche id for moderator mod, in one transaction
// with the audit entry and the outbox event.
func (s *Store) moderateFiche(ctx context.Context, mod *User, id int64, action, detail string, e EventData, kind EventKind,
	fn func(tx *sqlx.Tx, f *Fiche) error) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		f, err := s.ficheFor(ctx, tx, mod, id, CanModerateFiche)
		if err != nil {
			return err
		}
		if err := fn(tx, f); err != nil {
			return err
		}
		now := s.Now()
		if err := audit(ctx, tx, now, mod.ID, action, EntityFiche, id, detail); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: kind, EntityType: EntityFiche, EntityID: id, ActorID: mod.ID, Data: e, CreatedAt: now})
	})
}

// SetFicheProtected protects fiche id (only its authors and moderators
// edit it) or opens it again to every member.
func (s *Store) SetFicheProtected(ctx context.Context, mod *User, id int64, protected bool) error {
	action, n := "unprotect", 0
	if protected {
		action, n = "protect", 1
	}
	return s.moderateFiche(ctx, mod, id, action, "", EventData{Number: n}, EventProtected, func(tx *sqlx.Tx, f *Fiche) error {
		_, err := tx.ExecContext(ctx, `UPDATE fiches SET protected = ? WHERE id = ?`, protected, id)
		return err
	})
}

// HideFicheRevision hides revision n of fiche id (kept for the log, shown
// to moderators only) or shows it again. The current revision cannot be
// hidden: restore an earlier one first.
func (s *Store) HideFicheRevision(ctx context.Context, mod *User, id int64, n int, hide bool) error {
	action := "show_revision"
	if hide {
		action = "hide_revision"
	}
	return s.moderateFiche(ctx, mod, id, action, "revision "+itoa64(int64(n)), EventData{Number: n}, EventRevision, func(tx *sqlx.Tx, f *Fiche) error {
		if _, err := s.revision(ctx, tx, id, n); err != nil {
			return err
		}
		if hide && n == f.Revision {
			return Invalid("revision", "C’est la version actuelle de la fiche : rétablissez d’abord une révision saine, puis masquez celle-ci.")
		}
		var at any
		var by any
		if hide {
			at, by = s.Now(), mod.ID
		}
		_, err := tx.ExecContext(ctx, `UPDATE fiche_revisions SET hidden_at = ?, hidden_by = ? WHERE fiche_id = ? AND number = ?`, at, by, id, n)
		return err
	})
}

// MergeFiches merges fiche from into fiche into: from's address redirects
// to into (301), its saves and links follow, and its history stays in the
// log. The texts are not mixed: editors bring what they want to keep into
// the remaining fiche from the old one's history.
func (s *Store) MergeFiches(ctx context.Context, mod *User, from, into int64) error {
	if from == into {
		return Invalid("into", "Une fiche ne peut pas être fusionnée avec elle-même.")
	}
	return s.moderateFiche(ctx, mod, from, "merge", "into "+itoa64(into), EventData{Into: into}, EventMerged, func(tx *sqlx.Tx, f *Fiche) error {
		target, err := s.ficheState(ctx, tx, into)
		if err != nil {
			return Invalid("into", "La fiche de destination n’existe pas.")
		}
		if !CanModerateFiche(mod, target) {
			return Invalid("into", "La fiche de destination n’est pas publiée : fusionnez dans une fiche publiée.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fiches SET merged_into = ? WHERE id = ?`, into, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO fiche_slugs (slug, fiche_id) VALUES (?, ?) ON CONFLICT (slug) DO UPDATE SET fiche_id = excluded.fiche_id`, f.Slug, into); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fiche_slugs SET fiche_id = ? WHERE fiche_id = ?`, into, from); err != nil {
			return err
		}
		// Saves follow to the remaining fiche (once per collection).
		if _, err := tx.ExecContext(ctx, `INSERT INTO collection_items (collection_id, fiche_id, added_at)
			SELECT collection_id, ?, added_at FROM collection_items WHERE fiche_id = ? ON CONFLICT DO NOTHING`, into, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM collection_items WHERE fiche_id = ?`, from); err != nil {
			return err
		}
		return s.recountSaves(ctx, tx, mod, []int64{into, from})
	})
}

// DeleteFiche deletes fiche id: its address answers 410, it leaves lists,
// search and feeds; its rows stay for the log.
func (s *Store) DeleteFiche(ctx context.Context, mod *User, id int64, reason string) error {
	return s.moderateFiche(ctx, mod, id, "delete", TruncateRunes(normalizeLine(reason), 300), EventData{}, EventDeleted, func(tx *sqlx.Tx, f *Fiche) error {
		_, err := tx.ExecContext(ctx, `UPDATE fiches SET deleted_at = ? WHERE id = ?`, s.Now(), id)
		return err
	})
}
