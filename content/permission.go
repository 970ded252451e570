package content

// Permissions are decided here and only here, so pages, API, feeds, search
// and exports all ask the same functions.

// ErrUnverified refuses writing to members who have not confirmed their address.
var ErrUnverified = errorString("account not verified")

type errorString string

func (e errorString) Error() string { return string(e) }

// CanWrite tells whether u may post at all; nil means yes.
func CanWrite(u *User) error {
	switch {
	case u == nil:
		return ErrForbidden
	case u.Suspended():
		return ErrForbidden
	case !u.Verified():
		return ErrUnverified
	}
	return nil
}

// CanModerate tells whether u moderates discussions.
func CanModerate(u *User) bool { return u.IsModerator() && !u.Suspended() }

// CanEditPost tells whether u may change p: its author while it is visible,
// or a moderator.
func CanEditPost(u *User, p *Post) bool {
	if u == nil || u.Suspended() || !u.Verified() {
		return false
	}
	if CanModerate(u) {
		return true
	}
	return p.AuthorID == u.ID && p.DeletedAt == nil && p.HiddenAt == nil
}

// CanSeePostBody tells whether u may read the text of p: a withdrawn post is
// read by nobody; a hidden one only by moderators and its author.
func CanSeePostBody(u *User, p *Post) bool {
	if p.DeletedAt != nil {
		return CanModerate(u)
	}
	if p.HiddenAt != nil {
		return CanModerate(u) || (u != nil && u.ID == p.AuthorID)
	}
	return true
}

// CanAccept tells whether u may mark an answer of t as accepted: the asker
// or a moderator, on a question.
func CanAccept(u *User, t *Topic) bool {
	if u == nil || t.Kind != KindQuestion || CanWrite(u) != nil {
		return false
	}
	return u.ID == t.AuthorID || CanModerate(u)
}
