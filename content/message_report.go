package content

import "context"

// Reports of private messages are flags (flag.go): while a flag on a
// message is open, moderators read that message alone in the queue (not
// its conversation, its title or its other members).

// MessageByID loads message id for u: ErrNotFound unless u may read it.
func (s *Store) MessageByID(ctx context.Context, u *User, id int64) (*Message, error) {
	var m Message
	if err := s.db.R.GetContext(ctx, &m, messageSelect+` WHERE m.id = ?`, viewerID(u), id); err != nil {
		return nil, notFound(err)
	}
	me, err := s.Membership(ctx, u, m.ConversationID)
	if err != nil {
		return nil, err
	}
	if !CanReadMessage(u, me, &m) {
		return nil, ErrNotFound
	}
	return &m, nil
}
