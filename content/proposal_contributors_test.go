package content

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestProposalContributorsCountEditsAndAmendments writes a text over
// several weeks: Léa starts it, Karim edits it, Nadia's amendment is
// accepted; Léa publishes, then Karim changes it again. Readers count what
// the version froze; the query is one, on the revisions' index.
func TestProposalContributorsCountEditsAndAmendments(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a Monday
	s.SetClock(func() time.Time { return day })
	lea, karim, nadia := mustCreateMember(t, s, "Lea", RoleMember), mustCreateMember(t, s, "Karim", RoleMember), mustCreateMember(t, s, "Nadia", RoleMember)
	p := proposalWith(t, s, lea, "Des permanences numériques", "Une permanence par semaine")
	if _, err := s.InviteToProposal(ctx, lea, p.ID, "Karim", RoleCoauthor); err != nil {
		t.Fatal(err)
	}
	day = day.AddDate(0, 0, 8)
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")
	it := p.Items[0]
	if _, err := s.EditProposal(ctx, karim, p.ID, PartEdit{Part: PartItem, ItemID: it.ID, Title: it.Title, Body: it.Body + " Le samedi aussi.",
		BaseRevision: it.Revision}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveProposal(ctx, lea, p.ID, ProposalOpen, true); err != nil {
		t.Fatal(err)
	}
	day = day.AddDate(0, 0, 14)
	a, err := s.ProposeAmendment(ctx, nadia, p.ID, AmendmentInput{Kind: AmendAdd, Title: "Un numéro unique", Body: "Un numéro d’appel pour tout le département.",
		Justification: "Les personnes ne savent pas qui appeler."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideAmendment(ctx, karim, p.ID, a.ID, AmendmentAccepted, ""); err != nil {
		t.Fatal(err)
	}
	published, err := s.MoveProposal(ctx, lea, p.ID, ProposalPublished, false)
	if err != nil {
		t.Fatal(err)
	}
	day = day.AddDate(0, 0, 7)
	if _, err := s.EditProposal(ctx, karim, p.ID, PartEdit{Part: PartConclusion, Body: "Signez.", BaseRevision: published.Revision}); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ProposalBySlug(ctx, lea, p.Slug, "")

	got := func(u *User) string {
		t.Helper()
		upTo, err := s.RevisionShown(ctx, u, p)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := s.ProposalContributors(ctx, p, upTo)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Pseudo+":"+itoa64(int64(c.Changes))+"/"+itoa64(int64(c.Amendments))+"@"+c.First.Format("01-02"))
		}
		return strings.Join(out, " ")
	}
	// Léa: creation and her proposition; Karim: one edit (two for the
	// co-authors, who see the conclusion written after the version);
	// Nadia: her amendment.
	if want := "Lea:2/0@03-02 Karim:1/0@03-10 Nadia:1/1@03-24"; got(nadia) != want || got(nil) != want {
		t.Errorf("readers see %q (visitor %q), want %q", got(nadia), got(nil), want)
	}
	if want := "Lea:2/0@03-02 Karim:2/0@03-10 Nadia:1/1@03-24"; got(karim) != want {
		t.Errorf("a co-author sees %q, want %q", got(karim), want)
	}

	// One query, on the index by text and number.
	var plan []struct {
		ID     int    `db:"id"`
		Parent int    `db:"parent"`
		NotU   int    `db:"notused"`
		Detail string `db:"detail"`
	}
	if err := s.db.R.SelectContext(ctx, &plan, `EXPLAIN QUERY PLAN `+proposalContributorsQuery, p.ID, p.Revision); err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, row := range plan {
		details = append(details, row.Detail)
	}
	if joined := strings.Join(details, " | "); !strings.Contains(joined, "proposal_revisions_text") || strings.Contains(joined, "SCAN r") {
		t.Errorf("the contributors query does not use the revisions' index: %s", joined)
	}

	// Over time: weeks from the first change to the last.
	cs, _ := s.ProposalContributors(ctx, p, p.Revision)
	periods, unit := ContributorsOverTime(cs)
	var totals []string
	for _, pe := range periods {
		totals = append(totals, pe.Label+"="+itoa64(int64(pe.Total)))
	}
	if want := "semaine du 2\u00a0mars 2026=1 semaine du 9\u00a0mars 2026=2 semaine du 16\u00a0mars 2026=2 semaine du 23\u00a0mars 2026=3 semaine du 30\u00a0mars 2026=3"; unit != PeriodWeek || strings.Join(totals, " ") != want {
		t.Errorf("periods (%s): %s", unit, strings.Join(totals, " "))
	}
}

func TestContributorsOverTimeChoosesItsPeriods(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	cs := []ProposalContributor{{Pseudo: "a", First: at(2026, 1, 15), Last: at(2026, 9, 1)}, {Pseudo: "b", First: at(2026, 3, 31), Last: at(2026, 3, 31)},
		{Pseudo: "c", First: at(2026, 4, 1), Last: at(2026, 4, 1)}}
	periods, unit := ContributorsOverTime(cs)
	if unit != PeriodMonth || len(periods) != 9 || periods[0].Label != "janvier 2026" || periods[2].Total != 2 || periods[3].New != 1 || periods[8].Total != 3 {
		t.Errorf("months: %s %+v", unit, periods)
	}
	cs[0].First = at(2015, 6, 1)
	if periods, unit = ContributorsOverTime(cs); unit != PeriodYear || len(periods) != 12 || periods[0].Label != "2015" {
		t.Errorf("years: %s %d periods", unit, len(periods))
	}
	if periods, _ := ContributorsOverTime(nil); periods != nil {
		t.Error("no contributor, no period")
	}
}
