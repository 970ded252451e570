package content

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// Role is what a member may do beyond posting.
type Role string

// Roles, from least to most powerful.
const (
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Roles lists every role in order of power.
var Roles = []Role{RoleMember, RoleModerator, RoleAdmin}

// Label is the role's French name.
func (r Role) Label() string {
	switch r {
	case RoleModerator:
		return "Modérateur·rice"
	case RoleAdmin:
		return "Administrateur·rice"
	}
	return "Membre"
}

// Valid tells whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleMember || r == RoleModerator || r == RoleAdmin
}

// Metier is a member's role in the network, as shown on the profile.
type Metier struct {
	Code, Label string
}

// Metiers lists the choices of the profile's "role in the network" field.
var Metiers = []Metier{
	{"mediateur", "Médiateur·rice numérique"},
	{"conseiller", "Conseiller·ère numérique"},
	{"coordinateur", "Coordinateur·rice"},
	{"formateur", "Formateur·rice"},
	{"autre", "Autre"},
}

// MetierLabel returns the French label of a métier code, or "".
func MetierLabel(code string) string {
	for _, m := range Metiers {
		if m.Code == code {
			return m.Label
		}
	}
	return ""
}

// User is a member account.
type User struct {
	ID           int64      `db:"id" json:"-"`
	Pseudo       string     `db:"pseudo"`
	PseudoKey    string     `db:"pseudo_key" json:"-"`
	Email        string     `db:"email"`
	PasswordHash string     `db:"password_hash" json:"-"`
	Role         Role       `db:"role"`
	Structure    string     `db:"structure"`
	Departement  string     `db:"departement"`
	Metier       string     `db:"metier"`
	VerifiedAt   *time.Time `db:"verified_at"`
	SuspendedAt  *time.Time `db:"suspended_at"`
	CreatedAt    time.Time  `db:"created_at"`
	UpdatedAt    time.Time  `db:"updated_at"`
}

// Verified tells whether the member confirmed their e-mail address.
func (u *User) Verified() bool { return u != nil && u.VerifiedAt != nil }

// Suspended tells whether an administrator suspended the account.
func (u *User) Suspended() bool { return u != nil && u.SuspendedAt != nil }

// IsModerator tells whether u moderates (administrators do too).
func (u *User) IsModerator() bool {
	return u != nil && (u.Role == RoleModerator || u.Role == RoleAdmin)
}

// IsAdmin tells whether u administers the site.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// DepartementLabel is the département as "75 – Paris", or "".
func (u *User) DepartementLabel() string { return DepartementLabel(u.Departement) }

// MetierLabel is the French label of the member's role in the network.
func (u *User) MetierLabel() string { return MetierLabel(u.Metier) }

const userColumns = `id, pseudo, pseudo_key, email, password_hash, role, structure, departement, metier,
	verified_at, suspended_at, created_at, updated_at`

// Profile holds the optional public fields of an account.
type Profile struct {
	Structure   string
	Departement string
	Metier      string
}

// NewUser is the input of account creation.
type NewUser struct {
	Pseudo   string
	Email    string
	Password string
	Role     Role
	Verified bool
	Profile
	// Registration: the person signs up on the site, and must accept the
	// charter (AcceptCharter) to do so.
	Registration  bool
	AcceptCharter bool // the charter in force is accepted, now
	// Vouched: whoever creates the account vouches for the member (an
	// administrator on the command line): their posts go through.
	Vouched bool
}

// pseudoKey folds case and accents so look-alike pseudos clash.
// PseudoKey is how pseudos compare: lower-case, accents folded.
func PseudoKey(p string) string { return pseudoKey(p) }

// NormalizeEmail trims and lower-cases an address for storage and look-up.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func validatePseudo(v *ValidationError, p string) {
	n := utf8.RuneCountInString(p)
	switch {
	case p == "":
		v.Add("pseudo", "Choisissez un pseudo.")
	case n < 3 || n > 30:
		v.Add("pseudo", "Le pseudo doit compter de 3 à 30 caractères.")
	default:
		for _, r := range p {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
				v.Add("pseudo", "Le pseudo ne peut contenir que des lettres, des chiffres, « - » et « _ ».")
				return
			}
		}
	}
}

func validateEmail(v *ValidationError, e string) {
	if e == "" {
		v.Add("email", "Indiquez votre adresse e-mail.")
		return
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || len(e) > 254 || !strings.Contains(e[strings.LastIndexByte(e, '@'):], ".") {
		v.Add("email", "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr).")
	}
}

// validateProfile normalises p in place and records problems in v.
func validateProfile(v *ValidationError, p *Profile) {
	p.Structure = normalizeLine(p.Structure)
	if utf8.RuneCountInString(p.Structure) > 120 {
		v.Add("structure", "Le nom de la structure ne doit pas dépasser 120 caractères.")
	}
	code, ok := NormalizeDepartement(p.Departement)
	if !ok {
		v.Add("departement", "Ce département n’existe pas : indiquez son numéro (par exemple 69 ou 2A) ou son nom.")
	} else {
		p.Departement = code
	}
	p.Metier = strings.TrimSpace(p.Metier)
	if p.Metier != "" && MetierLabel(p.Metier) == "" {
		v.Add("metier", "Choisissez un rôle dans la liste.")
	}
}

func emailLocal(e string) string {
	local, _, _ := strings.Cut(e, "@")
	return local
}

// hashPassword is argon2id at ~19 MiB, t=2, p=1 (OWASP's minimum).
func hashPassword(pw string) (string, error) {
	return argon2id.CreateHash(pw, &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32})
}

// CreateUser validates in and stores a new account. When verify is not nil,
// a verification link is created and its mail queued in the same transaction.
func (s *Store) CreateUser(ctx context.Context, in NewUser, verify MailFunc) (*User, error) {
	u, err := s.prepareUser(ctx, in, hashPassword)
	if err != nil {
		return nil, err
	}
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := insertNewUser(ctx, tx, u, in); err != nil {
			return err
		}
		if verify != nil && !u.Verified() {
			_, err = s.issueToken(ctx, tx, u, PurposeVerify, "", verify)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// prepareUser validates and normalises in (every field's problem at once,
// taken pseudo and address included), and hashes its password with hash.
func (s *Store) prepareUser(ctx context.Context, in NewUser, hash func(string) (string, error)) (*User, error) {
	in.Pseudo = strings.TrimSpace(in.Pseudo)
	in.Email = NormalizeEmail(in.Email)
	if in.Role == "" {
		in.Role = RoleMember
	}
	v := &ValidationError{}
	validatePseudo(v, in.Pseudo)
	validateEmail(v, in.Email)
	if msg := PasswordProblem(in.Password, in.Pseudo, emailLocal(in.Email)); msg != "" {
		v.Add("password", msg)
	}
	validateProfile(v, &in.Profile)
	if in.Registration && !in.AcceptCharter {
		v.Add("charte", "Pour créer un compte, lisez la charte et cochez la case qui dit que vous l’acceptez.")
	}
	if !in.Role.Valid() {
		v.Add("role", "Ce rôle n’existe pas.")
	}
	if err := uniqueProblems(ctx, s.db.R, v, &User{PseudoKey: pseudoKey(in.Pseudo), Email: in.Email}); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	hashed, err := hash(in.Password)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	u := &User{Pseudo: in.Pseudo, PseudoKey: pseudoKey(in.Pseudo), Email: in.Email, PasswordHash: hashed, Role: in.Role,
		Structure: in.Structure, Departement: in.Departement, Metier: in.Metier, CreatedAt: now, UpdatedAt: now}
	if in.Verified {
		u.VerifiedAt = &now
	}
	return u, nil
}

// insertNewUser writes the prepared account u with what in says of it:
// its charter accepted, someone vouching for it.
func insertNewUser(ctx context.Context, tx *sqlx.Tx, u *User, in NewUser) error {
	if err := insertUser(ctx, tx, u); err != nil {
		return err
	}
	if in.AcceptCharter {
		if _, err := tx.ExecContext(ctx, `INSERT INTO charter_acceptances (user_id, version, accepted_at) VALUES (?, ?, ?)`,
			u.ID, CharterVersion, u.CreatedAt); err != nil {
			return err
		}
	}
	if in.Vouched {
		if _, err := tx.ExecContext(ctx, `INSERT INTO vouches (member_id, created_at) VALUES (?, ?)`, u.ID, u.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

func insertUser(ctx context.Context, tx *sqlx.Tx, u *User) error {
	if err := checkUnique(ctx, tx, u); err != nil {
		return err
	}
	res, err := tx.NamedExecContext(ctx, `INSERT INTO users (pseudo, pseudo_key, email, password_hash, role, structure,
		departement, metier, verified_at, created_at, updated_at) VALUES (:pseudo, :pseudo_key, :email, :password_hash,
		:role, :structure, :departement, :metier, :verified_at, :created_at, :updated_at)`, u)
	if err != nil {
		return uniqueViolation(err)
	}
	u.ID, err = res.LastInsertId()
	return err
}

// checkUnique reports taken pseudos and e-mails as field errors, together.
func checkUnique(ctx context.Context, tx *sqlx.Tx, u *User) error {
	v := &ValidationError{}
	if err := uniqueProblems(ctx, tx, v, u); err != nil {
		return err
	}
	return v.Err()
}

type getter interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

// uniqueProblems adds to v what is already taken of u's pseudo and e-mail.
func uniqueProblems(ctx context.Context, q getter, v *ValidationError, u *User) error {
	var n int
	if err := q.GetContext(ctx, &n, `SELECT count(*) FROM users WHERE pseudo_key = ? AND id != ?`, u.PseudoKey, u.ID); err != nil {
		return err
	}
	if n > 0 {
		v.Add("pseudo", "Ce pseudo est déjà pris : choisissez-en un autre.")
	}
	if err := q.GetContext(ctx, &n, `SELECT count(*) FROM users WHERE email = ? AND id != ?`, u.Email, u.ID); err != nil {
		return err
	}
	if n > 0 {
		v.Add("email", "Un compte existe déjà avec cette adresse. Vous pouvez vous connecter ou réinitialiser votre mot de passe.")
	}
	return nil
}

// uniqueViolation turns a race lost on a UNIQUE index into a field error.
func uniqueViolation(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		if strings.Contains(se.Error(), "email") {
			return Invalid("email", "Un compte existe déjà avec cette adresse.")
		}
		return Invalid("pseudo", "Ce pseudo est déjà pris : choisissez-en un autre.")
	}
	return err
}

// UserByID loads an account.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	err := s.db.R.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
	return &u, notFound(err)
}

// UserByPseudo loads an account by pseudo, ignoring case and accents.
func (s *Store) UserByPseudo(ctx context.Context, pseudo string) (*User, error) {
	var u User
	err := s.db.R.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE pseudo_key = ? AND erased_at IS NULL`, pseudoKey(pseudo))
	return &u, notFound(err)
}

// UserByEmail loads an account by e-mail address.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.R.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE email = ? AND erased_at IS NULL`, NormalizeEmail(email))
	return &u, notFound(err)
}

// userByLogin finds an account by e-mail when login has an "@", else by pseudo.
func (s *Store) userByLogin(ctx context.Context, login string) (*User, error) {
	if strings.Contains(login, "@") {
		return s.UserByEmail(ctx, login)
	}
	return s.UserByPseudo(ctx, login)
}

// dummyHash is compared against when the account does not exist, so that
// the answer takes as long either way and does not reveal who is registered.
var dummyHash, _ = hashPassword("ligue-dummy-password-for-timing")

// Authenticate checks a login (e-mail or pseudo) and password.
func (s *Store) Authenticate(ctx context.Context, login, password string) (*User, error) {
	u, err := s.userByLogin(ctx, strings.TrimSpace(login))
	if errors.Is(err, ErrNotFound) {
		argon2id.ComparePasswordAndHash(password, dummyHash)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := argon2id.ComparePasswordAndHash(password, u.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	if err := s.stillSuspended(ctx, u); err != nil {
		return u, err // ErrSuspended: the login page says why and until when
	}
	return u, nil
}

// UpdateProfile changes the optional public fields of an account.
func (s *Store) UpdateProfile(ctx context.Context, userID int64, p Profile) error {
	v := &ValidationError{}
	validateProfile(v, &p)
	if err := v.Err(); err != nil {
		return err
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE users SET structure = ?, departement = ?, metier = ?, updated_at = ? WHERE id = ?`,
		p.Structure, p.Departement, p.Metier, s.Now(), userID)
	return err
}

// ChangePassword replaces the password after checking the current one, and
// ends every other session of the account.
func (s *Store) ChangePassword(ctx context.Context, u *User, current, next, keepSession string) error {
	if err := s.checkPassword(ctx, u.ID, current); err != nil {
		return err
	}
	return s.setPassword(ctx, u, next, keepSession)
}

// checkPassword confirms that password is the account's current one.
func (s *Store) checkPassword(ctx context.Context, userID int64, password string) error {
	var hash string
	if err := s.db.R.GetContext(ctx, &hash, `SELECT password_hash FROM users WHERE id = ?`, userID); err != nil {
		return notFound(err)
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return err
	}
	if !ok {
		return Invalid("current_password", "Le mot de passe actuel n’est pas le bon.")
	}
	return nil
}

func (s *Store) setPassword(ctx context.Context, u *User, next, keepSession string) error {
	if msg := PasswordProblem(next, u.Pseudo, emailLocal(u.Email)); msg != "" {
		return Invalid("password", msg)
	}
	hash, err := hashPassword(next)
	if err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, s.Now(), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash != ?`, u.ID, hashToken(keepSession)); err != nil {
			return err
		}
		return revokeAPITokens(ctx, tx, s.Now(), u.ID)
	})
}
