package content

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Who wrote a text: everyone whose changes entered it — their own edits,
// and their accepted amendments (the revision that takes an amendment in
// is its author's and names it) — and, for the history page, each
// revision. Readers of a published text see what its latest version
// froze: the changes made since are its writers' until the next one.

// ProposalContributor is someone whose changes entered a text.
type ProposalContributor struct {
	UserID     int64
	Pseudo     string
	Changes    int // revisions of the text they made, an accepted amendment being one
	Amendments int // of those, their accepted amendments
	First      time.Time
	Last       time.Time
}

// RevisionShown is the last revision of p's working text u may see: all of
// it for its owner and co-authors, and while it is a brouillon or open;
// past publication, readers see up to what the latest version froze.
func (s *Store) RevisionShown(ctx context.Context, u *User, p *Proposal) (int, error) {
	if p.Writes(u) || p.Version == 0 || p.State == ProposalDraft || p.State == ProposalOpen {
		return p.Revision, nil
	}
	var rev int
	err := s.db.R.GetContext(ctx, &rev, `SELECT revision FROM proposal_versions WHERE proposal_id = ? AND number = ?`, p.ID, p.Version)
	return rev, notFound(err)
}

// ProposalContributors lists everyone whose changes entered p's text up to
// revision upTo, the most changes first (then the earliest), each with the
// dates of their first and last change. One query, on the revisions' index
// by text and number; suspended members are left out, as from fiches.
func (s *Store) ProposalContributors(ctx context.Context, p *Proposal, upTo int) ([]ProposalContributor, error) {
	var rows []struct {
		UserID     int64  `db:"author_id"`
		Pseudo     string `db:"pseudo"`
		Changes    int    `db:"changes"`
		Amendments int    `db:"amendments"`
		First      dbTime `db:"first"`
		Last       dbTime `db:"last"`
	}
	err := s.db.R.SelectContext(ctx, &rows, proposalContributorsQuery, p.ID, upTo)
	if err != nil {
		return nil, err
	}
	out := make([]ProposalContributor, len(rows))
	for i, r := range rows {
		out[i] = ProposalContributor{UserID: r.UserID, Pseudo: r.Pseudo, Changes: r.Changes, Amendments: r.Amendments,
			First: r.First.Time, Last: r.Last.Time}
	}
	return out, nil
}

const proposalContributorsQuery = `SELECT r.author_id, u.pseudo, count(DISTINCT r.number) AS changes,
	count(DISTINCT r.amendment_id) AS amendments, min(r.created_at) AS first, max(r.created_at) AS last
	FROM proposal_revisions r JOIN users u ON u.id = r.author_id
	WHERE r.proposal_id = ? AND r.number <= ? AND u.suspended_at IS NULL
	GROUP BY r.author_id ORDER BY changes DESC, first, u.pseudo`

// dbTime reads a date SQLite returns without its column's type (an
// aggregate's), as the driver writes them.
type dbTime struct{ time.Time }

func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		t.Time = x
		return nil
	case nil:
		t.Time = time.Time{}
		return nil
	case []byte:
		v = string(x)
	}
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("dbTime: cannot read %T", v)
	}
	for _, layout := range sqlite3.SQLiteTimestampFormats {
		if tt, err := time.ParseInLocation(layout, str, time.UTC); err == nil {
			t.Time = tt.UTC()
			return nil
		}
	}
	return fmt.Errorf("dbTime: cannot read %q", str)
}

var _ sql.Scanner = (*dbTime)(nil)

// ContributorPeriod is a week, a month or a year of a text's life, with
// the distinct contributors it had by its end.
type ContributorPeriod struct {
	Start time.Time // its first day, Paris time
	Label string    // "semaine du 3 mars 2026", "mars 2026", "2026"
	New   int       // contributors whose first change fell in it
	Total int       // contributors by its end
}

// Period lengths of ContributorsOverTime.
const (
	PeriodWeek  = "week"
	PeriodMonth = "month"
	PeriodYear  = "year"
)

// ContributorsOverTime counts, period by period from the first change to
// the last, the distinct contributors a text had: weeks for a text of up
// to 20 weeks, months up to five years, years beyond — a chart never has
// more than about sixty bars.
func ContributorsOverTime(cs []ProposalContributor) (periods []ContributorPeriod, unit string) {
	if len(cs) == 0 {
		return nil, ""
	}
	first, last := cs[0].First, cs[0].First
	for _, c := range cs {
		if c.First.Before(first) {
			first = c.First
		}
		if c.Last.After(last) {
			last = c.Last
		}
	}
	first, last = first.In(Paris), last.In(Paris)
	unit = PeriodWeek
	switch span := last.Sub(first); {
	case span > 5*366*24*time.Hour:
		unit = PeriodYear
	case span > 20*7*24*time.Hour:
		unit = PeriodMonth
	}
	start := periodStart(first, unit)
	for at := start; !at.After(last); at = nextPeriod(at, unit) {
		periods = append(periods, ContributorPeriod{Start: at, Label: periodLabel(at, unit)})
	}
	for _, c := range cs {
		at := periodStart(c.First.In(Paris), unit)
		for i := range periods {
			if periods[i].Start.Equal(at) {
				periods[i].New++
			}
		}
	}
	total := 0
	for i := range periods {
		total += periods[i].New
		periods[i].Total = total
	}
	return periods, unit
}

func periodStart(t time.Time, unit string) time.Time {
	y, m, d := t.Date()
	switch unit {
	case PeriodYear:
		return time.Date(y, 1, 1, 0, 0, 0, 0, Paris)
	case PeriodMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, Paris)
	}
	back := (int(t.Weekday()) + 6) % 7 // weeks start on Monday
	return time.Date(y, m, d-back, 0, 0, 0, 0, Paris)
}

func nextPeriod(t time.Time, unit string) time.Time {
	switch unit {
	case PeriodYear:
		return t.AddDate(1, 0, 0)
	case PeriodMonth:
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 7)
}

func periodLabel(t time.Time, unit string) string {
	switch unit {
	case PeriodYear:
		return itoa64(int64(t.Year()))
	case PeriodMonth:
		return frMonths[t.Month()-1] + " " + itoa64(int64(t.Year()))
	}
	return "semaine du " + FrenchDate(t)
}

// ProposalChange is one revision of a text, as its history lists it.
type ProposalChange struct {
	Number    int
	Author    string
	Parts     []ProposalChangePart // a text's creation writes its title and préambule at once
	Comment   string
	Amendment int64 // the accepted amendment it took in, or 0
	CreatedAt time.Time
}

// ProposalChangePart is what one revision rewrote.
type ProposalChangePart struct {
	ID    int64 // of the revision row: what « Rétablir » names
	Part  ProposalPart
	Title string // a proposition's title, or the text's
	Added bool   // a proposition added (its first revision)
}

// Restorable tells a part whose text can be brought back (an order
// cannot: moving the propositions does it).
func (p ProposalChangePart) Restorable() bool { return p.Part != PartOrder }

// ProposalHistory lists p's revisions numbered from to to, newest first.
func (s *Store) ProposalHistory(ctx context.Context, p *Proposal, from, to int) ([]ProposalChange, error) {
	var rows []struct {
		ID        int64         `db:"id"`
		Number    int           `db:"number"`
		Part      ProposalPart  `db:"part"`
		ItemRev   int           `db:"item_revision"`
		Title     string        `db:"title"`
		Author    string        `db:"pseudo"`
		Comment   string        `db:"comment"`
		Amendment sql.NullInt64 `db:"amendment_id"`
		CreatedAt time.Time     `db:"created_at"`
	}
	err := s.db.R.SelectContext(ctx, &rows, `SELECT r.id, r.number, r.part, r.item_revision, r.title, u.pseudo, r.comment, r.amendment_id, r.created_at
		FROM proposal_revisions r JOIN users u ON u.id = r.author_id
		WHERE r.proposal_id = ? AND r.number BETWEEN ? AND ? ORDER BY r.number DESC, r.id`, p.ID, from, to)
	if err != nil {
		return nil, err
	}
	var out []ProposalChange
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].Number != r.Number {
			out = append(out, ProposalChange{Number: r.Number, Author: r.Author, CreatedAt: r.CreatedAt})
		}
		c := &out[len(out)-1]
		c.Parts = append(c.Parts, ProposalChangePart{ID: r.ID, Part: r.Part, Title: r.Title, Added: r.Part == PartItem && r.ItemRev == 1})
		if r.Comment != "" {
			c.Comment = r.Comment
		}
		if r.Amendment.Valid {
			c.Amendment = r.Amendment.Int64
		}
	}
	return out, nil
}

// ItemRevision is one state of a proposition, as its own history shows it.
type ItemRevision struct {
	ID        int64         `db:"id"`
	Number    int           `db:"number"` // the text's revision
	Part      ProposalPart  `db:"part"`   // PartItem, or PartRemoved
	Title     string        `db:"title"`
	Body      string        `db:"body"`
	Author    string        `db:"pseudo"`
	Comment   string        `db:"comment"`
	Amendment sql.NullInt64 `db:"amendment_id"`
	CreatedAt time.Time     `db:"created_at"`
}

// maxItemHistory bounds a proposition's history page: its latest states.
const maxItemHistory = 100

// ProposalItemHistory lists the states of proposition itemID of p up to
// the text's revision upTo, newest first: its wordings, and its removals.
func (s *Store) ProposalItemHistory(ctx context.Context, p *Proposal, itemID int64, upTo int) ([]ItemRevision, error) {
	var out []ItemRevision
	err := s.db.R.SelectContext(ctx, &out, `SELECT r.id, r.number, r.part, r.title, r.body, u.pseudo, r.comment, r.amendment_id, r.created_at
		FROM proposal_revisions r JOIN users u ON u.id = r.author_id
		WHERE r.item_id = ? AND r.proposal_id = ? AND r.number <= ? ORDER BY r.number DESC, r.id DESC LIMIT ?`,
		itemID, p.ID, upTo, maxItemHistory)
	if err == nil && len(out) == 0 {
		err = ErrNotFound
	}
	return out, err
}
