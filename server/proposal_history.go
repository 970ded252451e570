package server

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Who wrote a text of propositions: the contributors' box of its page,
// with a chart of their number over time drawn here as SVG (no script,
// and a sentence and a table say the same), and the history page listing
// every revision. Readers of a published text see the changes up to its
// latest version; its writers see all.

// contributorsView is the contributors' box of a text's page.
type contributorsView struct {
	List    []content.ProposalContributor
	Chart   template.HTML // "" with fewer than two periods: one bar says nothing
	Caption string
	Periods []content.ContributorPeriod
	Unit    string // "Semaine", "Mois", "Année": the table's first column
	Each    string // "semaine par semaine"…
}

var periodWords = map[string][2]string{
	content.PeriodWeek:  {"Semaine", "semaine par semaine"},
	content.PeriodMonth: {"Mois", "mois par mois"},
	content.PeriodYear:  {"Année", "année par année"},
}

// contributorsOf builds the box for what u reads of p.
func (s *Server) contributorsOf(c *fiber.Ctx, p *content.Proposal) (*contributorsView, error) {
	ctx := c.UserContext()
	upTo, err := s.store.RevisionShown(ctx, currentUser(c), p)
	if err != nil {
		return nil, err
	}
	list, err := s.store.ProposalContributors(ctx, p, upTo)
	if err != nil {
		return nil, err
	}
	v := &contributorsView{List: list}
	periods, unit := content.ContributorsOverTime(list)
	if len(periods) < 2 {
		return v, nil
	}
	v.Periods, v.Unit, v.Each = periods, periodWords[unit][0], periodWords[unit][1]
	first, last := periods[0], periods[len(periods)-1]
	v.Caption = "Nombre de contributeur·rices du texte, " + v.Each + " : " + contributorsCount(first.Total) + " " +
		periodIn(first, unit) + ", " + contributorsCount(last.Total) + " " + periodIn(last, unit) + "."
	v.Chart = contributorsChart(periods)
	return v, nil
}

func contributorsCount(n int) string {
	if n == 1 {
		return "1 contributeur·rice"
	}
	return strconv.Itoa(n) + " contributeur·rices"
}

// periodIn says when a period was: "en mars 2026", "la semaine du 3 mars 2026".
func periodIn(p content.ContributorPeriod, unit string) string {
	if unit == content.PeriodWeek {
		return "la " + p.Label
	}
	return "en " + p.Label
}

// Chart geometry, in the SVG's own units: it scales to its box.
const (
	chartW, chartH     = 400.0, 160.0
	chartLeft          = 34.0 // the counts
	chartBottom        = 22.0 // the first and last periods
	chartTop, chartGap = 8.0, 1.0
)

// contributorsChart draws the cumulative number of contributors as bars,
// one per period, with a scale of round numbers (« 10… 30… 50 »). It is
// hidden from screen readers: the caption and the table say it in words.
func contributorsChart(periods []content.ContributorPeriod) template.HTML {
	top := periods[len(periods)-1].Total
	step := niceStep(top)
	scaleMax := ((top + step - 1) / step) * step
	plotW, plotH := chartW-chartLeft-4, chartH-chartTop-chartBottom
	y := func(n int) float64 { return chartTop + plotH - float64(n)/float64(scaleMax)*plotH }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" aria-hidden="true" focusable="false">`, chartW, chartH)
	for n := 0; n <= scaleMax; n += step {
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="currentColor" stroke-opacity="0.25" stroke-width="0.5"/>`,
			chartLeft, chartW-4, y(n), y(n))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end" font-size="10" fill="currentColor">%d</text>`, chartLeft-4, y(n)+3.5, n)
	}
	w := plotW / float64(len(periods))
	for i, p := range periods {
		h := chartTop + plotH - y(p.Total)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="currentColor" fill-opacity="0.7"><title>%s : %s</title></rect>`,
			chartLeft+float64(i)*w+chartGap/2, y(p.Total), max(w-chartGap, 0.5), h,
			template.HTMLEscapeString(p.Label), contributorsCount(p.Total))
	}
	for _, end := range []struct {
		p      content.ContributorPeriod
		x      float64
		anchor string
	}{{periods[0], chartLeft, "start"}, {periods[len(periods)-1], chartW - 4, "end"}} {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="%s" font-size="10" fill="currentColor">%s</text>`, end.x, chartH-6, end.anchor,
			template.HTMLEscapeString(strings.TrimPrefix(end.p.Label, "semaine du ")))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceStep is the scale's step for counts up to top: round numbers, at
// most five steps.
func niceStep(top int) int {
	for mag := 1; ; mag *= 10 {
		for _, base := range []int{1, 2, 5} {
			if step := base * mag; step*5 >= top {
				return step
			}
		}
	}
}

type proposalHistoryPage struct {
	Page
	Proposal *content.Proposal
	Changes  []historyEntry
	Pager    pager
	Partial  bool // a reader sees the history up to the latest version
	Restore  bool // a co-author may bring a part back
}

// historyEntry is a revision as the history page says it.
type historyEntry struct {
	content.ProposalChange
	What string
}

// historyPerPage is how many revisions a history page lists.
const historyPerPage = 50

func (s *Server) handleProposalHistory(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	upTo, err := s.store.RevisionShown(c.UserContext(), currentUser(c), p)
	if err != nil {
		return err
	}
	page := pageNumber(c)
	to := upTo - (page-1)*historyPerPage
	if to < 1 && page > 1 {
		return content.ErrNotFound
	}
	changes, err := s.store.ProposalHistory(c.UserContext(), p, max(1, to-historyPerPage+1), to)
	if err != nil {
		return err
	}
	out := &proposalHistoryPage{Page: s.page(c, "Historique de « "+p.Title+" »"), Proposal: p,
		Pager: newPager(c, page, upTo, historyPerPage), Partial: upTo < p.Revision, Restore: content.CanEditProposal(currentUser(c), p) == nil}
	for _, ch := range changes {
		out.Changes = append(out.Changes, historyEntry{ProposalChange: ch, What: changeWhat(ch)})
	}
	return s.render(c, 200, "proposals/history", out)
}

// itemHistoryEntry is one state of a proposition, with its changes from
// the state before.
type itemHistoryEntry struct {
	content.ItemRevision
	Changes template.HTML
}

type itemHistoryPage struct {
	Page
	Proposal *content.Proposal
	Entries  []itemHistoryEntry
	Restore  bool
}

// handleProposalItemHistory shows a proposition's own history: each of its
// wordings as a word diff from the one before, who, when, why.
func (s *Server) handleProposalItemHistory(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	upTo, err := s.store.RevisionShown(c.UserContext(), currentUser(c), p)
	if err != nil {
		return err
	}
	itemID, _ := strconv.ParseInt(c.Params("item"), 10, 64)
	revs, err := s.store.ProposalItemHistory(c.UserContext(), p, itemID, upTo)
	if err != nil {
		return err
	}
	page := &itemHistoryPage{Page: s.page(c, "Historique de la proposition « "+revs[0].Title+" »"), Proposal: p,
		Restore: content.CanEditProposal(currentUser(c), p) == nil}
	for i, r := range revs {
		before := ""
		if i+1 < len(revs) {
			before = revs[i+1].Body
		}
		e := itemHistoryEntry{ItemRevision: r}
		if r.Part == content.PartItem {
			e.Changes = content.DiffHTML(before, r.Body)
		}
		page.Entries = append(page.Entries, e)
	}
	return s.render(c, 200, "proposals/item_history", page)
}

// handleProposalRestore brings back the part a revision wrote, as a new
// revision, and goes back to the text.
func (s *Server) handleProposalRestore(c *fiber.Ctx) error {
	p, err := s.loadProposal(c)
	if err != nil {
		return err
	}
	rev, _ := strconv.ParseInt(c.Params("rev"), 10, 64)
	base, _ := strconv.Atoi(c.FormValue("revision"))
	res, err := s.store.RestoreProposalRevision(c.UserContext(), currentUser(c), p.ID, rev, base)
	msg := "Cette partie est rétablie, dans une nouvelle révision."
	if err == nil && res.Unchanged {
		msg = "Le texte dit déjà cela : rien à rétablir."
	}
	return s.afterAction(c, err, p.Path()+"/historique", msg)
}

// changeWhat says what a revision changed: « a modifié le préambule ».
func changeWhat(ch content.ProposalChange) string {
	if ch.Number == 1 {
		return "a créé le texte"
	}
	var parts []string
	for _, part := range ch.Parts {
		switch part.Part {
		case content.PartTitle:
			parts = append(parts, "a changé le titre en « "+part.Title+" »")
		case content.PartPreamble:
			parts = append(parts, "a modifié le préambule")
		case content.PartConclusion:
			parts = append(parts, "a modifié la conclusion")
		case content.PartItem:
			if part.Added {
				parts = append(parts, "a ajouté la proposition « "+part.Title+" »")
			} else {
				parts = append(parts, "a modifié la proposition « "+part.Title+" »")
			}
		case content.PartRemoved:
			parts = append(parts, "a retiré la proposition « "+part.Title+" »")
		case content.PartOrder:
			parts = append(parts, "a changé l’ordre des propositions")
		}
	}
	return strings.Join(parts, ", ")
}
