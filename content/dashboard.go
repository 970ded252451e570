package content

import (
	"context"
	"strings"
	"time"
)

// WeekActivity is what a week (Monday to Sunday, Paris time) brought: new
// accounts and contributions.
type WeekActivity struct {
	Start time.Time
	Label string // "semaine du 3 mars 2026"
	// Members are the accounts created; the others are contributions.
	Members, Posts, FicheRevisions, ProposalChanges, Amendments int
}

// Contributions adds up the week's contributions.
func (w WeekActivity) Contributions() int {
	return w.Posts + w.FicheRevisions + w.ProposalChanges + w.Amendments
}

// DayCount is a count for one day, Paris time.
type DayCount struct {
	Start time.Time
	Label string // "3 mars 2026"
	Count int
}

// periodCounts are what the dashboard counts by period: one subquery each,
// over a created_at index (migration 0030). A change of a text writes a row
// per part it touches under one revision number: the revisions are counted.
var periodCounts = []string{
	`SELECT count(*) FROM users WHERE created_at >= p.start AND created_at < p.finish`,
	`SELECT count(*) FROM posts WHERE created_at >= p.start AND created_at < p.finish`,
	`SELECT count(*) FROM fiche_revisions WHERE created_at >= p.start AND created_at < p.finish`,
	`SELECT count(*) FROM (SELECT DISTINCT proposal_id, number FROM proposal_revisions
		WHERE created_at >= p.start AND created_at < p.finish)`,
	`SELECT count(*) FROM amendments WHERE created_at >= p.start AND created_at < p.finish`,
}

// ActivityByWeek counts, for each of the last weeks weeks (the current one
// last), the accounts created and the contributions written.
func (s *Store) ActivityByWeek(ctx context.Context, weeks int) ([]WeekActivity, error) {
	last := periodStart(s.Now().In(Paris), PeriodWeek)
	starts := make([]time.Time, weeks+1)
	for i := range starts {
		starts[i] = last.AddDate(0, 0, 7*(i-weeks+1))
	}
	counts, err := s.countByPeriod(ctx, starts, periodCounts)
	if err != nil {
		return nil, err
	}
	out := make([]WeekActivity, weeks)
	for i := range out {
		c := counts[i]
		out[i] = WeekActivity{Start: starts[i], Label: periodLabel(starts[i], PeriodWeek),
			Members: c[0], Posts: c[1], FicheRevisions: c[2], ProposalChanges: c[3], Amendments: c[4]}
	}
	return out, nil
}

// MailFailuresByDay counts, for each of the last days days (today last),
// the mails whose latest delivery attempt failed that day.
func (s *Store) MailFailuresByDay(ctx context.Context, days int) ([]DayCount, error) {
	y, m, d := s.Now().In(Paris).Date()
	starts := make([]time.Time, days+1)
	for i := range starts {
		starts[i] = time.Date(y, m, d+i-days+1, 0, 0, 0, 0, Paris)
	}
	counts, err := s.countByPeriod(ctx, starts,
		[]string{`SELECT count(*) FROM mails WHERE last_error_at >= p.start AND last_error_at < p.finish`})
	if err != nil {
		return nil, err
	}
	out := make([]DayCount, days)
	for i := range out {
		out[i] = DayCount{Start: starts[i], Label: FrenchDate(starts[i]), Count: counts[i][0]}
	}
	return out, nil
}

// countByPeriod runs each count over the periods between consecutive
// starts, in one query: a row per period, a column per count. The bounds
// are compared as the driver writes times, in UTC like every stored one.
func (s *Store) countByPeriod(ctx context.Context, starts []time.Time, counts []string) ([][]int, error) {
	periods := len(starts) - 1
	values := make([]string, periods)
	args := make([]any, 0, 3*periods)
	for i := range periods {
		values[i] = "(?, ?, ?)"
		args = append(args, i, starts[i].UTC(), starts[i+1].UTC())
	}
	cols := make([]string, len(counts))
	for i, q := range counts {
		cols[i] = "(" + q + ")"
	}
	rows, err := s.db.R.QueryContext(ctx, `WITH p(n, start, finish) AS (VALUES `+strings.Join(values, ", ")+`)
		SELECT `+strings.Join(cols, ", ")+` FROM p ORDER BY n`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]int, 0, periods)
	for rows.Next() {
		row := make([]int, len(counts))
		dest := make([]any, len(counts))
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
