package gen

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

var audiences = []string{"seniors", "jeunes", "allophones", "handicap", "demandeurs-emploi", "parents", "professionnels"}

// fichesAndTexts writes o.Fiches published fiches (sections, a list, a
// link to another fiche) and o.Texts published textes de propositions of
// three to eight propositions, through the store's ordinary methods: they
// are few, one transaction each is fast enough.
func (g *generator) fichesAndTexts(ctx context.Context) error {
	span := time.Since(g.plan.start)
	var slugs []string
	for i := range g.o.Fiches {
		w := newWriter(g.o.Seed, streamTopic, uint64(1<<31+i))
		g.clock.Store(g.plan.start.Add(time.Duration(w.r.Float64() * float64(span))).UnixNano())
		author := g.users[g.author(w)]
		var body strings.Builder
		for s := 2 + w.r.IntN(4); s > 0; s-- {
			body.WriteString("## " + capitalize(w.word()) + " " + w.word() + "\n\n")
			body.WriteString(w.body(80+w.r.IntN(300), nil) + "\n\n")
		}
		if len(slugs) > 0 {
			body.WriteString("Voir aussi [[" + slugs[w.r.IntN(len(slugs))] + "]].\n")
		}
		var sum strings.Builder
		w.sentence(&sum, 12+w.r.IntN(15))
		f, err := g.store.CreateFiche(ctx, author, content.FicheInput{Title: w.title(false), Summary: sum.String(),
			Body: body.String(), Tags: w.tags(), Audiences: []string{audiences[w.r.IntN(len(audiences))]}}, 0)
		if err != nil {
			return fmt.Errorf("fiche %d : %w", i, err)
		}
		if _, err := g.store.PublishFiche(ctx, author, f.ID); err != nil {
			return fmt.Errorf("publication de la fiche %d : %w", i, err)
		}
		slugs = append(slugs, f.Slug)
	}
	for i := range g.o.Texts {
		w := newWriter(g.o.Seed, streamTopic, uint64(1<<32+i))
		g.clock.Store(g.plan.start.Add(time.Duration(w.r.Float64() * float64(span))).UnixNano())
		owner := g.users[g.author(w)]
		p, err := g.store.CreateProposal(ctx, owner, content.NewProposal{Title: w.title(false), Preamble: w.body(60+w.r.IntN(150), nil)})
		if err != nil {
			return fmt.Errorf("texte %d : %w", i, err)
		}
		revision := p.Revision
		for k := 3 + w.r.IntN(6); k > 0; k-- {
			res, err := g.store.EditProposal(ctx, owner, p.ID, content.PartEdit{Part: content.PartItem,
				Title: w.title(false), Body: w.body(30+w.r.IntN(120), nil), BaseRevision: revision})
			if err != nil {
				return fmt.Errorf("proposition du texte %d : %w", i, err)
			}
			revision = res.Proposal.Revision
		}
		if _, err := g.store.MoveProposal(ctx, owner, p.ID, content.ProposalPublished, false); err != nil {
			return fmt.Errorf("publication du texte %d : %w", i, err)
		}
	}
	return nil
}
