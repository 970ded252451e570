package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/feeds"

	"github.com/ligue-mednum/ligue/content"
)

// The Atom feed of a text of propositions: its published versions and the
// amendments accepted into what its readers read. A feed is read by
// whoever it is passed to, without an account: it exists only for a text
// everybody may read — a brouillon or an open text kept to members is the
// 404 of a text that does not exist, whoever asks.

func (s *Server) handleProposalFeed(c *fiber.Ctx, slug string) error {
	ctx := c.UserContext()
	p, err := s.store.ProposalBySlug(ctx, nil, slug, "")
	if err != nil {
		return err
	}
	versions, err := s.store.ProposalVersions(ctx, p)
	if err != nil {
		return err
	}
	amendments, err := s.store.Amendments(ctx, p)
	if err != nil {
		return err
	}
	link := s.cfg.BaseURL + p.Path()
	feed := &feeds.Feed{Title: p.Title + " · Textes de propositions · Ligue des mednum", Link: &feeds.Link{Href: link},
		Id: link, Updated: p.CreatedAt}
	add := func(it *feeds.Item) {
		feed.Items = append(feed.Items, it)
		if it.Updated.After(feed.Updated) {
			feed.Updated = it.Updated
		}
	}
	for i := range versions {
		v := &versions[i]
		items := v.Items()
		titles := make([]string, len(items))
		for j, it := range items {
			titles[j] = strconv.Itoa(j+1) + ". " + it.Title
		}
		add(&feeds.Item{Title: "Version " + strconv.Itoa(v.Number) + " publiée : « " + v.Title + " »",
			Link: &feeds.Link{Href: s.versionURL(p, v.Number)}, Id: s.versionURL(p, v.Number), Created: v.PublishedAt,
			Updated: v.PublishedAt, Description: content.ExcerptText(strconv.Itoa(len(items))+" proposition"+plural(len(items))+
				" : "+strings.Join(titles, " ; "), 300)})
	}
	// Past publication, readers read the latest version: an amendment
	// accepted since waits for the next one.
	var frozen *time.Time
	if len(versions) > 0 && p.State != content.ProposalOpen {
		frozen = &versions[0].PublishedAt
	}
	for i := range amendments {
		a := &amendments[i]
		if a.State != content.AmendmentAccepted || a.DecidedAt == nil || frozen != nil && a.DecidedAt.After(*frozen) {
			continue
		}
		id := strconv.FormatInt(a.ID, 10)
		add(&feeds.Item{Title: "Amendement n° " + id + " accepté : " + amendmentSummary(a),
			Link: &feeds.Link{Href: link + "/historique#amendement-" + id}, Id: link + "/amendements/" + id,
			Author: &feeds.Author{Name: a.AuthorPseudo}, Created: a.CreatedAt, Updated: *a.DecidedAt,
			Description: content.ExcerptText(a.Justification, 300)})
	}
	return s.sendAtom(c, feed)
}

// amendmentSummary says in a few words what an amendment changed.
func amendmentSummary(a *content.Amendment) string {
	switch a.Kind {
	case content.AmendAdd:
		return "ajouter « " + a.Title + " »"
	case content.AmendRemove:
		return "retirer « " + a.BaseTitle + " »"
	}
	return "« " + a.Title + " »"
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}
