package content

import (
	"context"
	"encoding/json"

	"github.com/jmoiron/sqlx"
)

// What a proposal's owner (or, past the brouillon, a moderator) manages:
// its state, its co-authors and readers, and its share links. Every
// decision is written to the audit log and emitted.

// manageProposal runs fn on proposal id for u, who must manage it, in one
// transaction with the audit entry and the event.
func (s *Store) manageProposal(ctx context.Context, u *User, id int64, action string, kind EventKind,
	fn func(tx *sqlx.Tx, p *Proposal) (string, error)) (*Proposal, error) {
	var p *Proposal
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if p, err = s.proposalState(ctx, tx, id); err != nil {
			return err
		}
		if !CanManageProposal(u, p) {
			if CanReadProposal(u, p, ShareNone) {
				return ErrForbidden
			}
			return ErrNotFound
		}
		detail, err := fn(tx, p)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := audit(ctx, tx, now, u.ID, action, EntityProposal, id, detail); err != nil {
			return err
		}
		return Emit(ctx, tx, Event{Kind: kind, EntityType: EntityProposal, EntityID: id, ActorID: u.ID,
			Data: EventData{Number: p.Version}, CreatedAt: now})
	})
	return p, err
}

// MoveProposal takes proposal id to state to. Publishing freezes the
// working text as the next version (v1, v2…), the one readers see and
// people sign; a published text is published again only when its working
// text changed since.
func (s *Store) MoveProposal(ctx context.Context, u *User, id int64, to ProposalState, membersOnly bool) (*Proposal, error) {
	kind := EventStateChanged
	if to == ProposalPublished {
		kind = EventPublished
	}
	return s.manageProposal(ctx, u, id, "proposal_"+string(to), kind, func(tx *sqlx.Tx, p *Proposal) (string, error) {
		if err := CanMoveProposal(u, p, to); err != nil {
			return "", err
		}
		from := p.State
		if to == ProposalPublished {
			if err := s.publishVersion(ctx, tx, p, u); err != nil {
				return "", err
			}
		}
		p.State = to
		if to == ProposalOpen {
			p.MembersOnly = membersOnly
		}
		p.UpdatedAt = s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE proposals SET state = ?, members_only = ?, version = ?, updated_at = ? WHERE id = ?`,
			p.State, p.MembersOnly, p.Version, p.UpdatedAt, p.ID); err != nil {
			return "", err
		}
		if err := syncCommentReaders(ctx, tx, p, u.ID, p.UpdatedAt); err != nil {
			return "", err
		}
		return string(from) + " → " + string(to), nil
	})
}

// publishVersion copies p's working text as its next version.
func (s *Store) publishVersion(ctx context.Context, tx *sqlx.Tx, p *Proposal, u *User) error {
	if len(p.Items) == 0 {
		return Invalid("state", "Le texte ne compte encore aucune proposition : ajoutez-en au moins une avant de le publier.")
	}
	if p.Version > 0 {
		var last int
		if err := tx.GetContext(ctx, &last, `SELECT revision FROM proposal_versions WHERE proposal_id = ? AND number = ?`, p.ID, p.Version); err != nil {
			return err
		}
		if last == p.Revision {
			return Invalid("state", "Rien n’a changé depuis la version "+itoa64(int64(p.Version))+" : modifiez le texte avant d’en publier une nouvelle.")
		}
	}
	items := make([]VersionItem, len(p.Items))
	for i, it := range p.Items {
		items[i] = VersionItem{Title: it.Title, Body: it.Body, HTML: it.HTML}
	}
	raw, err := json.Marshal(items)
	if err != nil {
		return err
	}
	p.Version++
	_, err = tx.ExecContext(ctx, `INSERT INTO proposal_versions (proposal_id, number, revision, title, preamble, preamble_html,
		conclusion, conclusion_html, items, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Version, p.Revision, p.Title, p.Preamble, p.PreambleHTML, p.Conclusion, p.ConclusionHTML, string(raw), u.ID, s.Now())
	return err
}

// InviteToProposal makes the member with that pseudo a co-author or a
// reader of proposal id.
func (s *Store) InviteToProposal(ctx context.Context, u *User, id int64, pseudo string, role ProposalRole) (*User, error) {
	if role != RoleCoauthor && role != RoleReader {
		return nil, Invalid("role", "Choisissez « co-auteur·rice » ou « lecture seule ».")
	}
	invited, err := s.UserByPseudo(ctx, normalizeLine(pseudo))
	if err != nil || invited.Suspended() {
		return nil, Invalid("pseudo", "Aucun membre ne porte ce pseudo : vérifiez l’orthographe.")
	}
	_, err = s.manageProposal(ctx, u, id, "proposal_invite", EventEdited, func(tx *sqlx.Tx, p *Proposal) (string, error) {
		if invited.ID == p.OwnerID {
			return "", Invalid("pseudo", invited.Pseudo+" est déjà l’auteur·rice de ce texte.")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO proposal_members (proposal_id, user_id, role, invited_as, added_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (proposal_id, user_id) DO UPDATE SET role = excluded.role, invited_as = excluded.role, via_link = NULL`,
			id, invited.ID, role, role, s.Now())
		if err != nil {
			return "", err
		}
		if role == RoleCoauthor {
			if err := autoFollow(ctx, tx, s.Now(), invited.ID, FollowProposal, id); err != nil {
				return "", err
			}
		}
		return string(role) + " " + invited.Pseudo, nil
	})
	return invited, err
}

// RemoveFromProposal takes a co-author's or reader's access away.
func (s *Store) RemoveFromProposal(ctx context.Context, u *User, id, userID int64) error {
	_, err := s.manageProposal(ctx, u, id, "proposal_remove_member", EventEdited, func(tx *sqlx.Tx, p *Proposal) (string, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM proposal_members WHERE proposal_id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", ErrNotFound
		}
		return "user " + itoa64(userID), nil
	})
	return err
}

// CreateShareLink makes a secret link that opens brouillon id for reading
// or writing, and returns its secret (kept hashed: shown once).
func (s *Store) CreateShareLink(ctx context.Context, u *User, id int64, access ShareAccess) (string, error) {
	if access != ShareRead && access != ShareWrite {
		return "", Invalid("access", "Choisissez un lien de lecture ou d’écriture.")
	}
	token := randomToken(24)
	_, err := s.manageProposal(ctx, u, id, "proposal_share_link", EventEdited, func(tx *sqlx.Tx, p *Proposal) (string, error) {
		_, err := tx.ExecContext(ctx, `INSERT INTO proposal_share_links (proposal_id, hash, access, created_by, created_at)
			VALUES (?, ?, ?, ?, ?)`, id, hashToken(token), access, u.ID, s.Now())
		return string(access), err
	})
	return token, err
}

// RevokeShareLink stops link linkID of proposal id at once, and takes back
// the access of those who came in through it (back to the role they were
// invited to by pseudo, if any).
func (s *Store) RevokeShareLink(ctx context.Context, u *User, id, linkID int64) error {
	_, err := s.manageProposal(ctx, u, id, "proposal_revoke_link", EventEdited, func(tx *sqlx.Tx, p *Proposal) (string, error) {
		res, err := tx.ExecContext(ctx, `UPDATE proposal_share_links SET revoked_at = ? WHERE id = ? AND proposal_id = ? AND revoked_at IS NULL`,
			s.Now(), linkID, id)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposal_members SET role = invited_as, via_link = NULL
			WHERE proposal_id = ? AND via_link = ? AND invited_as IS NOT NULL`, id, linkID); err != nil {
			return "", err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM proposal_members WHERE proposal_id = ? AND via_link = ?`, id, linkID)
		return "link " + itoa64(linkID), err
	})
	return err
}

// JoinByShareLink lets member u who opened a share link of proposal id in:
// a co-author for a writing link, a reader for a reading one, for as long
// as the link is not revoked. An owner or co-author keeps their role.
func (s *Store) JoinByShareLink(ctx context.Context, u *User, id int64, token string) (ShareAccess, error) {
	if err := CanWrite(u); err != nil {
		return ShareNone, err
	}
	var link struct {
		ID     int64       `db:"id"`
		Access ShareAccess `db:"access"`
	}
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &link, `SELECT id, access FROM proposal_share_links WHERE hash = ? AND proposal_id = ? AND revoked_at IS NULL`,
			hashToken(token), id); err != nil {
			return notFound(err)
		}
		p, err := s.proposalState(ctx, tx, id)
		if err != nil {
			return err
		}
		role := RoleReader
		if link.Access == ShareWrite {
			role = RoleCoauthor
		}
		switch current := p.RoleOf(u); {
		case current == "owner" || current == RoleCoauthor || current == role:
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO proposal_members (proposal_id, user_id, role, via_link, added_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (proposal_id, user_id) DO UPDATE SET role = excluded.role, via_link = excluded.via_link`, id, u.ID, role, link.ID, s.Now()); err != nil {
			return err
		}
		// Who may read the text changed: its search document says so.
		return Emit(ctx, tx, Event{Kind: EventEdited, EntityType: EntityProposal, EntityID: id, ActorID: u.ID, CreatedAt: s.Now()})
	})
	return link.Access, err
}
