package content

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Signatures of a published texte de propositions. A member signs in one
// click, with the name (pseudo), role, structure and département of their
// profile; a visitor gives a name, an e-mail address, and the same three
// fields, and the signature counts once a link sent to that address is
// followed. One signature per member and per address, for the text as a
// whole (every version), remembering the version current when it was made.
// The list of signatories is public; the addresses are never shown — they
// are not even kept, only their hash. Archiving a text closes its
// signatures; withdrawing one's own is always possible.

// EntitySignature is a signature in the event stream (its parent is the
// proposal): created when it starts counting, withdrawn when taken back.
const EntitySignature = "signature"

// SignatureConfirmWithin is how long a visitor's signature waits for its
// confirmation: past it, the signature no longer counts, its link no
// longer works, and the clean-up deletes it.
const SignatureConfirmWithin = 7 * 24 * time.Hour

// MaxSignatureName bounds a signatory's name.
const MaxSignatureName = 100

// Signature is one signature of a text.
type Signature struct {
	ID          int64      `db:"id"`
	ProposalID  int64      `db:"proposal_id"`
	Version     int        `db:"version"`
	UserID      *int64     `db:"user_id"` // a member's signature; nil: a visitor's
	Name        string     `db:"name"`
	Metier      string     `db:"metier"`
	Structure   string     `db:"structure"`
	Departement string     `db:"departement"`
	CreatedAt   time.Time  `db:"created_at"`
	ConfirmedAt *time.Time `db:"confirmed_at"`
}

// Member tells whether a member signed (rather than a visitor).
func (s *Signature) Member() bool { return s.UserID != nil }

// MetierLabel is the signatory's role in the network, in French, or "".
func (s *Signature) MetierLabel() string { return MetierLabel(s.Metier) }

// DepartementLabel is the signatory's département as "29 – Finistère", or "".
func (s *Signature) DepartementLabel() string { return DepartementLabel(s.Departement) }

// SignedAt is when the signature started counting.
func (s *Signature) SignedAt() time.Time {
	if s.ConfirmedAt != nil {
		return *s.ConfirmedAt
	}
	return s.CreatedAt
}

const signatureSelect = `SELECT id, proposal_id, version, user_id, name, metier, structure, departement, created_at, confirmed_at
	FROM signatures`

// SignatureInput is what a visitor types to sign.
type SignatureInput struct {
	Name, Email, Structure, Departement, Metier string
}

// SignatureMailKind says which mail a visitor's signature form sends.
type SignatureMailKind string

// What the mail to a visitor who signed says.
const (
	// SignatureMailConfirm carries the confirmation link, and the link to withdraw.
	SignatureMailConfirm SignatureMailKind = "confirm"
	// SignatureMailAlready: the address signed already; the link withdraws.
	SignatureMailAlready SignatureMailKind = "already"
	// SignatureMailAccount: the address is a member's, who signs logged in.
	SignatureMailAccount SignatureMailKind = "account"
)

// SignatureMail is what the server needs to write a visitor's mail; the
// tokens are the links' secrets, the database keeps only their hash.
type SignatureMail struct {
	Kind          SignatureMailKind
	To            string
	Name          string
	Proposal      *Proposal
	SignedAt      time.Time // SignatureMailAlready: when it counted
	ConfirmToken  string    // SignatureMailConfirm
	WithdrawToken string    // SignatureMailConfirm and SignatureMailAlready
}

// SignatureMailFunc composes a visitor's mail; the store queues it in the
// transaction that stores the links.
type SignatureMailFunc func(SignatureMail) Mail

// SignProposal records u's signature of proposal id, in one click, with
// their profile as it is now.
func (s *Store) SignProposal(ctx context.Context, u *User, id int64) (*Signature, error) {
	var sig *Signature
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := s.proposalState(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CanSignProposal(u, p); err != nil {
			return err
		}
		mine, err := signatureWhere(ctx, tx, `proposal_id = ? AND user_id = ?`, id, u.ID)
		switch {
		case err == nil:
			return alreadySigned(mine, "")
		case !errors.Is(err, ErrNotFound):
			return err
		}
		// The member may have signed as a visitor, with this address,
		// before having an account: one signature each.
		before, err := signatureWhere(ctx, tx, `proposal_id = ? AND email_hash = ?`, id, hashToken(NormalizeEmail(u.Email)))
		switch {
		case err == nil && before.ConfirmedAt != nil:
			return alreadySigned(before, " avec votre adresse e-mail")
		case err == nil: // not confirmed: this one replaces it
			if _, err := tx.ExecContext(ctx, `DELETE FROM signatures WHERE id = ?`, before.ID); err != nil {
				return err
			}
		case !errors.Is(err, ErrNotFound):
			return err
		}
		now := s.Now()
		sig = &Signature{ProposalID: id, Version: p.Version, UserID: &u.ID, Name: u.Pseudo, Metier: u.Metier,
			Structure: u.Structure, Departement: u.Departement, CreatedAt: now, ConfirmedAt: &now}
		res, err := tx.NamedExecContext(ctx, `INSERT INTO signatures (proposal_id, version, user_id, name, metier, structure,
			departement, created_at, confirmed_at) VALUES (:proposal_id, :version, :user_id, :name, :metier, :structure,
			:departement, :created_at, :confirmed_at)`, sig)
		if err != nil {
			return err
		}
		if sig.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return emitSignature(ctx, tx, EventCreated, sig, u.ID, now)
	})
	return sig, err
}

// alreadySigned is the refusal of a second signature.
func alreadySigned(sig *Signature, how string) error {
	return Invalid("signature", "Vous avez déjà signé ce texte"+how+", le "+FrenchDate(sig.SignedAt())+
		" (version "+itoa64(int64(sig.Version))+") : une signature par personne.")
}

func emitSignature(ctx context.Context, tx *sqlx.Tx, kind EventKind, sig *Signature, actor int64, at time.Time) error {
	return Emit(ctx, tx, Event{Kind: kind, EntityType: EntitySignature, EntityID: sig.ID, ActorID: actor,
		ParentType: EntityProposal, ParentID: sig.ProposalID, Data: EventData{Number: sig.Version}, CreatedAt: at})
}

// signatureWhere reads the one signature matching cond, or ErrNotFound.
func signatureWhere(ctx context.Context, q sqlx.QueryerContext, cond string, args ...any) (*Signature, error) {
	var sig Signature
	if err := sqlx.GetContext(ctx, q, &sig, signatureSelect+` WHERE `+cond, args...); err != nil {
		return nil, notFound(err)
	}
	return &sig, nil
}

// SignProposalAsVisitor takes a visitor's signature of proposal id and
// mails the address given. Whatever the address — new, already signed, a
// member's —, the caller answers the same: only the mail differs, so the
// form tells nobody who signed or who has an account. A signature not yet
// confirmed is replaced by the new one (its details, its links, its 7 days).
func (s *Store) SignProposalAsVisitor(ctx context.Context, id int64, in SignatureInput, compose SignatureMailFunc) error {
	if err := validateSignature(&in); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := s.proposalState(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CanSignProposal(nil, p); err != nil {
			return err
		}
		now := s.Now()
		m := SignatureMail{Kind: SignatureMailConfirm, To: in.Email, Name: in.Name, Proposal: p}
		var members int
		if err := tx.GetContext(ctx, &members, `SELECT count(*) FROM users WHERE email = ?`, in.Email); err != nil {
			return err
		}
		emailHash := hashToken(in.Email)
		before, err := signatureWhere(ctx, tx, `proposal_id = ? AND email_hash = ?`, id, emailHash)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		switch {
		case members > 0:
			m.Kind, err = SignatureMailAccount, nil
		case err == nil && before.ConfirmedAt != nil:
			m.Kind, m.SignedAt, m.WithdrawToken = SignatureMailAlready, before.SignedAt(), randomToken(32)
			_, err = tx.ExecContext(ctx, `UPDATE signatures SET withdraw_hash = ? WHERE id = ?`, hashToken(m.WithdrawToken), before.ID)
		default: // a new signature, or one not confirmed yet that it replaces
			m.ConfirmToken, m.WithdrawToken = randomToken(32), randomToken(32)
			_, err = tx.ExecContext(ctx, `INSERT INTO signatures (proposal_id, version, email_hash, name, metier, structure,
				departement, confirm_hash, withdraw_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (proposal_id, email_hash) WHERE email_hash IS NOT NULL DO UPDATE SET version = excluded.version,
				name = excluded.name, metier = excluded.metier, structure = excluded.structure, departement = excluded.departement,
				confirm_hash = excluded.confirm_hash, withdraw_hash = excluded.withdraw_hash, created_at = excluded.created_at`,
				id, p.Version, emailHash, in.Name, in.Metier, in.Structure, in.Departement,
				hashToken(m.ConfirmToken), hashToken(m.WithdrawToken), now)
		}
		if err != nil {
			return err
		}
		return enqueueMail(ctx, tx, now, compose(m))
	})
}

// validateSignature normalises a visitor's input in place and tells, per
// field, what is wrong with it. The département is asked for: the counts
// per département are what the list is read for.
func validateSignature(in *SignatureInput) error {
	v := &ValidationError{}
	in.Name = normalizeLine(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		v.Add("name", "Indiquez votre nom : c’est lui qui figure dans la liste des signataires.")
	case n > MaxSignatureName:
		v.Add("name", "Le nom ne doit pas dépasser 100 caractères.")
	}
	in.Email = NormalizeEmail(in.Email)
	validateEmail(v, in.Email)
	profile := Profile{Structure: in.Structure, Departement: in.Departement, Metier: in.Metier}
	validateProfile(v, &profile)
	if profile.Departement == "" {
		v.Add("departement", "Indiquez votre département : son numéro (par exemple 69 ou 2A) ou son nom.")
	}
	in.Structure, in.Departement, in.Metier = profile.Structure, profile.Departement, profile.Metier
	return v.Err()
}

// ConfirmSignature makes the visitor's signature of proposal id whose
// confirmation link is token count. The link works once, for
// SignatureConfirmWithin, and not once the text is archived.
func (s *Store) ConfirmSignature(ctx context.Context, id int64, token string) (*Signature, error) {
	var sig *Signature
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if sig, err = s.pendingSignature(ctx, tx, id, token); err != nil {
			return err
		}
		p, err := s.proposalState(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CanSignProposal(nil, p); err != nil {
			return err
		}
		now := s.Now()
		sig.ConfirmedAt = &now
		if _, err := tx.ExecContext(ctx, `UPDATE signatures SET confirmed_at = ?, confirm_hash = NULL WHERE id = ?`, now, sig.ID); err != nil {
			return err
		}
		return emitSignature(ctx, tx, EventCreated, sig, 0, now)
	})
	return sig, err
}

// pendingSignature finds the unconfirmed, unexpired signature of proposal
// id whose confirmation link is token, or ErrTokenInvalid.
func (s *Store) pendingSignature(ctx context.Context, q sqlx.QueryerContext, id int64, token string) (*Signature, error) {
	sig, err := signatureWhere(ctx, q, `proposal_id = ? AND confirm_hash = ? AND confirmed_at IS NULL AND created_at > ?`,
		id, hashToken(token), s.Now().Add(-SignatureConfirmWithin))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	return sig, err
}

// CheckSignatureConfirmation tells whether a confirmation link of proposal
// id still works, without using it (mail scanners open links: the page
// asks for a click).
func (s *Store) CheckSignatureConfirmation(ctx context.Context, id int64, token string) error {
	_, err := s.pendingSignature(ctx, s.db.R, id, token)
	return err
}

// CheckSignatureWithdrawal tells whether a withdrawal link of proposal id
// still works, and returns the signature it would withdraw.
func (s *Store) CheckSignatureWithdrawal(ctx context.Context, id int64, token string) (*Signature, error) {
	sig, err := signatureWhere(ctx, s.db.R, `proposal_id = ? AND withdraw_hash = ?`, id, hashToken(token))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	return sig, err
}

// WithdrawSignature takes back u's signature of proposal id, archived or not.
func (s *Store) WithdrawSignature(ctx context.Context, u *User, id int64) error {
	if u == nil {
		return ErrForbidden
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		sig, err := signatureWhere(ctx, tx, `proposal_id = ? AND user_id = ?`, id, u.ID)
		if errors.Is(err, ErrNotFound) {
			return Invalid("signature", "Vous n’aviez pas signé ce texte.")
		}
		if err != nil {
			return err
		}
		return deleteSignature(ctx, tx, sig, u.ID, s.Now())
	})
}

// WithdrawSignatureByToken takes back the visitor's signature of proposal
// id whose withdrawal link (sent with the confirmation) is token.
func (s *Store) WithdrawSignatureByToken(ctx context.Context, id int64, token string) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		sig, err := signatureWhere(ctx, tx, `proposal_id = ? AND withdraw_hash = ?`, id, hashToken(token))
		if errors.Is(err, ErrNotFound) {
			return ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		return deleteSignature(ctx, tx, sig, 0, s.Now())
	})
}

func deleteSignature(ctx context.Context, tx *sqlx.Tx, sig *Signature, actor int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM signatures WHERE id = ?`, sig.ID); err != nil {
		return err
	}
	if sig.ConfirmedAt == nil {
		return nil // it never counted
	}
	return emitSignature(ctx, tx, EventWithdrawn, sig, actor, now)
}

// PruneUnconfirmedSignatures deletes the visitors' signatures left
// unconfirmed past SignatureConfirmWithin (they stopped counting then) and
// says how many. The server runs it in its background loop.
func (s *Store) PruneUnconfirmedSignatures(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM signatures WHERE confirmed_at IS NULL AND created_at <= ?`,
		s.Now().Add(-SignatureConfirmWithin))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SignatureOf is u's signature of p, or ErrNotFound.
func (s *Store) SignatureOf(ctx context.Context, u *User, p *Proposal) (*Signature, error) {
	if u == nil {
		return nil, ErrNotFound
	}
	return signatureWhere(ctx, s.db.R, `proposal_id = ? AND user_id = ?`, p.ID, u.ID)
}

// SignatureFilter narrows the public list of signatories.
type SignatureFilter struct {
	Departement string // a canonical code, or "" for all
	Metier      string // a code of Metiers, or "" for all
	Offset      int
	Limit       int
}

func (f SignatureFilter) where() (string, []any) {
	cond, args := ` AND confirmed_at IS NOT NULL`, []any{}
	if f.Departement != "" {
		cond, args = cond+` AND departement = ?`, append(args, f.Departement)
	}
	if f.Metier != "" {
		cond, args = cond+` AND metier = ?`, append(args, f.Metier)
	}
	return cond, args
}

// Signatures lists p's signatures that count, newest first, as f narrows
// them, with how many match in all.
func (s *Store) Signatures(ctx context.Context, p *Proposal, f SignatureFilter) ([]Signature, int, error) {
	cond, args := f.where()
	args = append([]any{p.ID}, args...)
	var total int
	if err := s.db.R.GetContext(ctx, &total, `SELECT count(*) FROM signatures WHERE proposal_id = ?`+cond, args...); err != nil {
		return nil, 0, err
	}
	var out []Signature
	err := s.db.R.SelectContext(ctx, &out, signatureSelect+` WHERE proposal_id = ?`+cond+
		` ORDER BY confirmed_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	return out, total, err
}

// SignatureTotals tells how many signatures of p count, and how many of
// visitors wait for their confirmation (within SignatureConfirmWithin).
func (s *Store) SignatureTotals(ctx context.Context, p *Proposal) (total, pending int, err error) {
	err = s.db.R.QueryRowxContext(ctx, `SELECT coalesce(sum(confirmed_at IS NOT NULL), 0),
		coalesce(sum(confirmed_at IS NULL AND created_at > ?), 0) FROM signatures WHERE proposal_id = ?`,
		s.Now().Add(-SignatureConfirmWithin), p.ID).Scan(&total, &pending)
	return total, pending, err
}

// DepartementCount is how many signatures come from one département.
type DepartementCount struct {
	Code  string `db:"code"` // "": not given
	Count int    `db:"count"`
}

// Label is the département as « 29 – Finistère », or « Non précisé ».
func (d DepartementCount) Label() string {
	if l := DepartementLabel(d.Code); l != "" {
		return l
	}
	return "Non précisé"
}

// SignaturesByDepartement counts p's signatures per département, most
// first, among the signatories of role metier ("" for every role).
func (s *Store) SignaturesByDepartement(ctx context.Context, p *Proposal, metier string) ([]DepartementCount, error) {
	cond, args := SignatureFilter{Metier: metier}.where()
	var out []DepartementCount
	err := s.db.R.SelectContext(ctx, &out, `SELECT departement AS code, count(*) AS count FROM signatures
		WHERE proposal_id = ?`+cond+` GROUP BY departement ORDER BY count DESC, departement`, append([]any{p.ID}, args...)...)
	return out, err
}

// ExportSignatures lists every signature of p that counts, oldest first,
// for u, who must be allowed to export them (CanExportSignatures).
func (s *Store) ExportSignatures(ctx context.Context, u *User, p *Proposal) ([]Signature, error) {
	if err := CanExportSignatures(u, p); err != nil {
		return nil, err
	}
	var out []Signature
	err := s.db.R.SelectContext(ctx, &out, signatureSelect+` WHERE proposal_id = ? AND confirmed_at IS NOT NULL
		ORDER BY confirmed_at, id`, p.ID)
	return out, err
}
