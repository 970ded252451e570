package server

import (
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
)

// Search: the /recherche page and GET /api/v1/recherche share the request
// parsing and the loading of results through content.

// searchTypes lists the kinds of result every search source offers.
func (s *Server) searchTypes() []option {
	var out []option
	for _, t := range s.store.SearchSources().Types() {
		out = append(out, option{t.Value, t.Label})
	}
	return out
}

// searchRequest reads the query string; problems become a French notice.
// Results are grouped by discussion, except within one (discussion=ID).
func (s *Server) searchRequest(c *fiber.Ctx) (search.Request, string) {
	r := search.Request{Q: strings.Clone(c.Query("q")), Category: strings.Clone(c.Query("categorie")),
		Tag: strings.Clone(c.Query("etiquette")), Audience: strings.Clone(c.Query("public")), Author: strings.Clone(c.Query("auteur")), Resolved: c.Query("resolue") == "1",
		Recent: c.Query("tri") == "recent", Exact: c.Query("exact") == "1", Grouped: true, Viewer: currentUser(c)}
	r.Page = pageNumber(c)
	var notices []string
	if v := c.Query("discussion"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			r.Group = content.DocID(content.EntityTopic, id)
		} else {
			notices = append(notices, "Le numéro de discussion « "+content.TruncateRunes(v, 30)+" » n’a pas été compris ; il est ignoré.")
		}
	}
	for _, t := range c.Context().QueryArgs().PeekMulti("type") {
		for _, known := range s.searchTypes() {
			if string(t) == known.Value {
				r.Types = append(r.Types, known.Value)
			}
		}
	}
	for _, d := range []struct {
		name string
		end  bool
		into *time.Time
	}{{"depuis", false, &r.Since}, {"jusqua", true, &r.Until}} {
		v := strings.Clone(c.Query(d.name))
		day, notice := parseSearchDay(v, d.end)
		*d.into = day
		if notice != "" {
			notices = append(notices, notice)
		}
	}
	return r, strings.Join(notices, " ")
}

// Search dates are days between these years: the network's texts are all
// recent, and the index cannot represent dates far outside them.
const (
	firstSearchYear = 1990
	lastSearchYear  = 2100
)

// parseSearchDay reads a day of the search form (AAAA-MM-JJ), as its first
// instant or, for end, its last; a day that cannot be used is ignored with
// a notice saying why.
func parseSearchDay(v string, end bool) (time.Time, string) {
	if v == "" {
		return time.Time{}, ""
	}
	shown := content.TruncateRunes(v, 30)
	d, err := time.ParseInLocation("2006-01-02", v, paris)
	if err != nil {
		return time.Time{}, "La date « " + shown + " » n’a pas été comprise (format attendu : 2026-11-22) ; elle est ignorée."
	}
	if d.Year() < firstSearchYear || d.Year() > lastSearchYear {
		return time.Time{}, "La date « " + shown + " » est hors des années possibles (" + strconv.Itoa(firstSearchYear) + " à " +
			strconv.Itoa(lastSearchYear) + ") ; elle est ignorée."
	}
	if end {
		d = d.Add(24*time.Hour - time.Nanosecond)
	}
	return d, ""
}

type searchResult struct {
	search.Hit
	content.SearchTarget
	OthersHref string // the search within the hit's discussion
	WhyText    string // where the words were found, in words
}

type searchPage struct {
	Page
	Query        string
	Req          search.Request
	Results      *search.Results
	Items        []searchResult
	Notice       string
	Rebuilding   bool
	Pager        pager
	TypeOpts     []option
	CategoryOpts []option
	Since, Until string // the days of the date filters, AAAA-MM-JJ
	Discussion   option // the discussion searched within: its ID and title
	OptionsOpen  bool   // an option is set: the panel shows it
	Facets       []facetGroup
	Active       []activeFilter
	ExactURL     string // after a correction: the same search, words as typed
}

type facetGroup struct {
	Label string
	Links []facetLink
}

type facetLink struct {
	Label   string
	Count   int
	Href    string
	Current bool
}

type activeFilter struct{ Label, RemoveHref string }

// results runs the search and loads what it found, as the viewer may see it.
func (s *Server) results(c *fiber.Ctx, r search.Request) (*search.Results, []searchResult, error) {
	res, err := s.index.Search(c.UserContext(), r)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	targets, err := s.store.SearchSources().Targets(c.UserContext(), r.Viewer, ids)
	if err != nil {
		return nil, nil, err
	}
	var items []searchResult
	for _, h := range res.Hits {
		if t, ok := targets[h.ID]; ok {
			items = append(items, searchResult{Hit: h, SearchTarget: t})
		}
	}
	return res, items, nil
}

func (s *Server) handleSearch(c *fiber.Ctx) error {
	r, notice := s.searchRequest(c)
	p := &searchPage{Page: s.page(c, "Recherche"), Query: r.Q, Req: r, Notice: notice, TypeOpts: s.searchTypes(),
		Since: searchDay(r.Since), Until: searchDay(r.Until)}
	if strings.TrimSpace(r.Q) != "" {
		p.Title = "« " + strings.TrimSpace(r.Q) + " » — Recherche"
	}
	p.OptionsOpen = len(r.Types) > 0 || r.Recent || r.Resolved || r.Exact || r.Category != "" || r.Tag != "" || r.Audience != "" || r.Author != "" ||
		p.Since != "" || p.Until != "" || r.Group != ""
	names := map[string]string{}
	cats, err := s.store.Categories(c.UserContext())
	if err != nil {
		return err
	}
	for _, cat := range cats {
		names[cat.Slug] = cat.Name
		p.CategoryOpts = append(p.CategoryOpts, option{cat.Slug, cat.Name})
	}
	auds, err := s.store.Audiences(c.UserContext())
	if err != nil {
		return err
	}
	for _, a := range auds {
		names[audienceKey(a.Slug)] = a.Name
	}
	if r.Category != "" && names[r.Category] == "" {
		p.CategoryOpts = append(p.CategoryOpts, option{r.Category, r.Category}) // kept, though it finds nothing
	}
	res, items, err := s.results(c, r)
	if errors.Is(err, search.ErrRebuilding) {
		p.Rebuilding = true
		return s.render(c, fiber.StatusServiceUnavailable, "search/search", p)
	}
	if err != nil {
		return err
	}
	p.Results, p.Items = res, items
	if res.Corrected != "" {
		q := url.Values{}
		c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
			if string(k) != "page" && string(k) != "exact" {
				q.Add(string(k), string(v))
			}
		})
		q.Set("exact", "1")
		p.ExactURL = "/recherche?" + q.Encode()
	}
	if res.Notice != "" {
		p.Notice = strings.TrimSpace(p.Notice + " " + res.Notice)
	}
	with := searchLink(c)
	for i := range p.Items {
		it := &p.Items[i]
		it.WhyText = whyText(it.Hit)
		if entity, id, ok := content.ParseDocID(it.Group); ok && entity == content.EntityTopic && it.Others > 0 {
			it.OthersHref = with("discussion", strconv.FormatInt(id, 10), true)
		}
	}
	if _, id, ok := content.ParseDocID(r.Group); ok {
		p.Discussion = option{strconv.FormatInt(id, 10), "n° " + strconv.FormatInt(id, 10)}
		if len(items) > 0 {
			p.Discussion.Label = "« " + items[0].SearchTarget.Title + " »"
		}
	}
	p.Pager = newPager(c, res.Page, int(min(res.Total, uint64(search.MaxPage*search.PerPage))), search.PerPage)
	p.Facets, p.Active = s.facetLinks(r, res, with, names)
	if p.Discussion.Value != "" {
		p.Active = append(p.Active, activeFilter{"Discussion : " + p.Discussion.Label, with("discussion", p.Discussion.Value, false)})
	}
	return s.render(c, 200, "search/search", p)
}

// searchDay is a day of the date filters as the form shows it.
func searchDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(paris).Format("2006-01-02")
}

// whyText says in words where a hit's words were found: "le titre, le
// texte et l’étiquette #caf".
func whyText(h search.Hit) string {
	var parts []string
	for _, w := range h.Why {
		switch w {
		case search.WhyTitle:
			parts = append(parts, "le titre")
		case search.WhyBody:
			parts = append(parts, "le texte")
		case search.WhyTag:
			tags := "#" + strings.Join(h.TagsMatched, ", #")
			if len(h.TagsMatched) > 1 {
				parts = append(parts, "les étiquettes "+tags)
			} else {
				parts = append(parts, "l’étiquette "+tags)
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " et " + parts[len(parts)-1]
}

// searchLink returns a function making the link to the current search
// with a filter added (on) or removed, back on its first page.
func searchLink(c *fiber.Ctx) func(key, value string, on bool) string {
	q := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		if string(k) != "page" {
			q.Add(string(k), string(v)) // copied: Fiber reuses the buffers
		}
	})
	return func(key, value string, on bool) string {
		out := url.Values{}
		for k, vs := range q {
			for _, v := range vs {
				if !(k == key && (key != "type" || v == value)) {
					out.Add(k, v)
				}
			}
		}
		if on {
			out.Add(key, value)
		}
		return "/recherche?" + out.Encode()
	}
}

// audienceKey names a public in the facets' names (apart from categories).
func audienceKey(slug string) string { return "public:" + slug }

// facetLinks turns facet counts into links that add (or remove) a filter.
func (s *Server) facetLinks(r search.Request, res *search.Results, with func(key, value string, on bool) string,
	names map[string]string) ([]facetGroup, []activeFilter) {
	var groups []facetGroup
	var active []activeFilter
	add := func(label, key string, facets []search.Facet, current func(string) bool, name func(string) string) {
		g := facetGroup{Label: label}
		for _, f := range facets {
			cur := current(f.Value)
			g.Links = append(g.Links, facetLink{Label: name(f.Value), Count: f.Count, Href: with(key, f.Value, !cur), Current: cur})
		}
		if len(g.Links) > 0 {
			groups = append(groups, g)
		}
	}
	typeName := func(v string) string {
		for _, o := range s.searchTypes() {
			if o.Value == v {
				return o.Label
			}
		}
		return v
	}
	add("Type", "type", res.Types, func(v string) bool {
		for _, t := range r.Types {
			if t == v {
				return true
			}
		}
		return false
	}, typeName)
	add("Catégorie", "categorie", res.Categories, func(v string) bool { return v == r.Category }, func(v string) string {
		if n := names[v]; n != "" {
			return n
		}
		return v
	})
	add("Étiquette", "etiquette", res.Tags, func(v string) bool { return v == r.Tag }, func(v string) string { return "#" + v })
	audienceName := func(v string) string {
		if n := names[audienceKey(v)]; n != "" {
			return n
		}
		return v
	}
	add("Public visé", "public", res.Audiences, func(v string) bool { return v == r.Audience }, audienceName)
	for _, t := range r.Types {
		active = append(active, activeFilter{"Type : " + typeName(t), with("type", t, false)})
	}
	if r.Category != "" {
		active = append(active, activeFilter{"Catégorie : " + names[r.Category], with("categorie", r.Category, false)})
	}
	if r.Tag != "" {
		active = append(active, activeFilter{"Étiquette : #" + r.Tag, with("etiquette", r.Tag, false)})
	}
	if r.Audience != "" {
		active = append(active, activeFilter{"Public visé : " + audienceName(r.Audience), with("public", r.Audience, false)})
	}
	if r.Author != "" {
		active = append(active, activeFilter{"Auteur : " + r.Author, with("auteur", r.Author, false)})
	}
	if r.Resolved {
		active = append(active, activeFilter{"Questions résolues", with("resolue", "1", false)})
	}
	return groups, active
}

type apiSearchHit struct {
	Type     string        `json:"type"`
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	URL      string        `json:"url"`
	Author   string        `json:"author"`
	Date     time.Time     `json:"date"`
	Category string        `json:"category"`
	Tags     []string      `json:"tags"`
	Resolved bool          `json:"resolved"`
	Accepted bool          `json:"accepted"`
	Score    float64       `json:"score"`
	Excerpt  template.HTML `json:"excerpt_html"`
	// Group is the discussion of the result ("topic:42"), Others how many
	// more of its messages match (search them with discussion=42).
	Group       string   `json:"group"`
	Others      int      `json:"others"`
	Why         []string `json:"why"` // "titre", "texte", "étiquette"
	TagsMatched []string `json:"tags_matched"`
}

func (s *Server) handleAPISearch(c *fiber.Ctx) error {
	r, notice := s.searchRequest(c)
	res, items, err := s.results(c, r)
	if errors.Is(err, search.ErrRebuilding) {
		return &httpError{fiber.StatusServiceUnavailable, "index_rebuilding", "L’index de recherche est en reconstruction : réessayez dans quelques minutes."}
	}
	if err != nil {
		return err
	}
	hits := make([]apiSearchHit, len(items))
	for i, it := range items {
		tags := it.Tags
		if tags == nil {
			tags = []string{}
		}
		hits[i] = apiSearchHit{Type: it.SearchTarget.Type, ID: it.DocID, Title: it.SearchTarget.Title, URL: s.cfg.BaseURL + it.URL,
			Author: it.Author, Date: it.Date, Category: it.Category, Tags: tags, Resolved: it.Resolved, Accepted: it.Accepted,
			Score: it.Score, Excerpt: it.Excerpt, Group: it.Group, Others: it.Others, Why: it.Why, TagsMatched: it.TagsMatched}
		if hits[i].Why == nil {
			hits[i].Why = []string{}
		}
		if hits[i].TagsMatched == nil {
			hits[i].TagsMatched = []string{}
		}
	}
	facets := func(fs []search.Facet) []fiber.Map {
		out := make([]fiber.Map, len(fs))
		for i, f := range fs {
			out[i] = fiber.Map{"value": f.Value, "count": f.Count}
		}
		return out
	}
	// Results are discussions: total counts them, matches their messages.
	return c.JSON(fiber.Map{"query": r.Q, "total": res.Total, "matches": res.Matches, "results": hits, "corrected": res.Corrected,
		"notice":     strings.TrimSpace(notice + " " + res.Notice),
		"facets":     fiber.Map{"type": facets(res.Types), "categorie": facets(res.Categories), "etiquette": facets(res.Tags), "public": facets(res.Audiences)},
		"pagination": apiPage{res.Page, res.Pages, int(res.Total), search.PerPage}})
}

// similarTargets loads the topics the index finds alike, for the new-topic
// form and the "Voir aussi" block; without an index it falls back to titles.
// A question being typed is answered by fiches too: up to two first.
func (s *Server) similarTargets(c *fiber.Ctx, title string, tags []string, exclude string) ([]content.SearchTarget, error) {
	fiches, err := s.similarOf(c, []string{content.DocFiche}, title, tags, exclude, 2)
	if err != nil {
		return nil, err
	}
	topics, err := s.similarOf(c, []string{content.DocDiscussion}, title, tags, exclude, 5)
	return append(fiches, topics...), err
}

// similarOf lists up to n documents of each type that look like a title
// and tags, the types in order, as targets viewer may read (none while the
// index rebuilds).
func (s *Server) similarOf(c *fiber.Ctx, types []string, title string, tags []string, exclude string, n int) ([]content.SearchTarget, error) {
	var ids []string
	for _, typ := range types {
		found, err := s.index.Similar(c.UserContext(), currentUser(c), typ, title, tags, exclude, n)
		if errors.Is(err, search.ErrRebuilding) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, found...)
	}
	targets, err := s.store.SearchSources().Targets(c.UserContext(), currentUser(c), ids)
	if err != nil {
		return nil, err
	}
	out := make([]content.SearchTarget, 0, len(ids))
	for _, id := range ids {
		if t, ok := targets[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}
