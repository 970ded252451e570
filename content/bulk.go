package content

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Bulk is one write transaction shared by many changes, for the data
// generator (`ligue gen`) and imports: a commit per change caps writes at a
// few hundred a second, one for hundreds of them does not. Each method runs
// the in-transaction code of the single write it is named after — the same
// checks, rows, counters and outbox events — inside a savepoint, so a
// refused change leaves nothing behind and the others go on.
type Bulk struct {
	s      *Store
	ctx    context.Context
	tx     *sqlx.Tx
	hashes map[string]string // password → hash, see CreateUser
}

// Bulk runs fn in one write transaction, committed when fn returns nil.
func (s *Store) Bulk(ctx context.Context, fn func(b *Bulk) error) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		return fn(&Bulk{s: s, ctx: ctx, tx: tx, hashes: map[string]string{}})
	})
}

// step runs fn inside a savepoint: undone alone when it fails.
func (b *Bulk) step(fn func() error) error {
	if _, err := b.tx.ExecContext(b.ctx, `SAVEPOINT bulk_step`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := b.tx.ExecContext(b.ctx, `ROLLBACK TO bulk_step`); rerr != nil {
			return rerr
		}
		b.tx.ExecContext(b.ctx, `RELEASE bulk_step`)
		return err
	}
	_, err := b.tx.ExecContext(b.ctx, `RELEASE bulk_step`)
	return err
}

// CreateUser is Store.CreateUser without a verification mail. Accounts of
// one Bulk that share a password share its hash (and salt): argon2id takes
// ~25 ms a hash, which would dominate generating 20,000 members. Generated
// accounts only — a person's password gets its own hash through
// Store.CreateUser.
func (b *Bulk) CreateUser(in NewUser) (*User, error) {
	u, err := b.s.prepareUser(b.ctx, in, func(pw string) (string, error) {
		if h, ok := b.hashes[pw]; ok {
			return h, nil
		}
		h, err := hashPassword(pw)
		b.hashes[pw] = h
		return h, err
	})
	if err != nil {
		return nil, err
	}
	return u, b.step(func() error { return insertNewUser(b.ctx, b.tx, u, in) })
}

// CreateTopic writes a topic prepared by Store.PrepareTopic, dated by the
// store's clock, as Store.CreateTopic does.
func (b *Bulk) CreateTopic(pt *PreparedTopic) (t *Topic, err error) {
	err = b.step(func() error {
		t, err = b.s.writeTopic(b.ctx, b.tx, pt)
		return err
	})
	return t, err
}

// Reply writes a reply prepared by Store.PrepareReply, dated by the store's
// clock, as Store.Reply does.
func (b *Bulk) Reply(pr *PreparedReply) (p *Post, err error) {
	err = b.step(func() error {
		p, err = b.s.writeReply(b.ctx, b.tx, pr)
		return err
	})
	return p, err
}

// AcceptAnswer is Store.AcceptAnswer inside the bulk transaction.
func (b *Bulk) AcceptAnswer(u *User, topicID int64, n int) (accepted bool, err error) {
	err = b.step(func() error {
		accepted, err = b.s.acceptAnswer(b.ctx, b.tx, u, topicID, n)
		return err
	})
	return accepted, err
}
