package content

// Readers is who reads a discussion. Nearly every discussion is read by
// everyone; the comments of a page that is not (a texte de propositions
// open to members only, or back to brouillon) follow that page.
type Readers string

// Readers of discussions.
const (
	ReadByEveryone Readers = "everyone"
	ReadByMembers  Readers = "members" // members who are not suspended
	// ReadOnPage: read only on its page, by those who read the page;
	// no list, search, feed or API shows it.
	ReadOnPage Readers = "page"
)

// readersSQL is the condition on topics t that keeps the discussions u
// reads, for the queries that list them (CanReadTopic says the same for
// one topic).
func readersSQL(u *User) string {
	if u == nil || u.Suspended() {
		return "t.readers = 'everyone'"
	}
	return "t.readers IN ('everyone', 'members')"
}

// searchAccess is the search access marks of a discussion read by a.
func (a Readers) searchAccess() []string {
	switch a {
	case ReadByMembers:
		return []string{AccessRestricted, AccessMembers}
	case ReadOnPage:
		return []string{AccessRestricted}
	}
	return []string{AccessPublic}
}
