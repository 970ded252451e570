package server

import (
	"container/list"
	"context"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The page cache keeps the pages visitors read most — discussions, lists,
// fiches, the home page — rendered and already compressed, so that a
// visitor's page costs about what a static file costs. A visitor is a
// request with no cookie but the CSRF one and no API token: every such
// request gets the same page. Pages are forgotten through the event stream
// (a reply forgets its discussion and the lists), and after pageCacheTTL at
// the latest, for what the stream does not tell (view counts, « il y a 3
// min »). While the stream holds commits the cache has not applied yet, it
// is bypassed: a page read right after a write shows it.
type pageCache struct {
	budget int64 // bytes of bodies kept
	now    func() time.Time

	mu       sync.Mutex
	used     int64
	entries  map[string]*list.Element // of *cachedPage, most recently used first
	lru      *list.List
	versions map[string]uint64 // per tag, moved by each event about it
	epoch    uint64            // moved when everything is forgotten
	inflight map[string]chan struct{}

	caught atomic.Uint64 // commits whose events are applied (followEvents)
	events *content.Outbox
}

// pageCacheTTL bounds how stale a cached page gets on what the event
// stream does not tell.
const pageCacheTTL = 30 * time.Second

// maxCachedPage is the largest body kept; longer ones are rare and served
// uncached.
const maxCachedPage = 1 << 20

// DefaultPageCacheMB is the page cache's size when the configuration says
// nothing.
const DefaultPageCacheMB = 32

type cachedPage struct {
	key     string
	body    []byte
	headers [][2]string
	stamp   pageStamp
	stored  time.Time
	visit   *pageVisit
}

// pageStamp is the state of a page's tags when it was rendered: the page
// is stale once any of them moved.
type pageStamp struct {
	epoch    uint64
	tags     []string
	versions []uint64
}

// pageVisit is what reading a page records (server/visits.go), replayed
// when the cache serves it.
type pageVisit struct {
	topic, fiche int64
	number       int
}

func newPageCache(budget int64, events *content.Outbox, now func() time.Time) *pageCache {
	pc := &pageCache{budget: budget, now: now, events: events, entries: map[string]*list.Element{},
		lru: list.New(), versions: map[string]uint64{}, inflight: map[string]chan struct{}{}}
	pc.caught.Store(math.MaxUint64) // not current until the follower has read the stream's head
	return pc
}

// current tells whether the cache has applied every event this process
// committed: until it has, pages are neither served from it nor kept.
func (pc *pageCache) current() bool { return pc.caught.Load() == pc.events.Commits() }

// stamp returns the state of tags now.
func (pc *pageCache) stamp(tags []string) pageStamp {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	st := pageStamp{epoch: pc.epoch, tags: tags, versions: make([]uint64, len(tags))}
	for i, t := range tags {
		st.versions[i] = pc.versions[t]
	}
	return st
}

// fresh tells whether st is still the state of its tags; pc.mu is held.
func (pc *pageCache) fresh(st pageStamp) bool {
	if st.epoch != pc.epoch {
		return false
	}
	for i, t := range st.tags {
		if pc.versions[t] != st.versions[i] {
			return false
		}
	}
	return true
}

// get returns the page kept under key if it is still fresh; otherwise, when
// another request is rendering it, wait is closed once that one is done.
func (pc *pageCache) get(key string) (p *cachedPage, wait chan struct{}) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if el, ok := pc.entries[key]; ok {
		p := el.Value.(*cachedPage)
		if pc.fresh(p.stamp) && pc.now().Sub(p.stored) < pageCacheTTL {
			pc.lru.MoveToFront(el)
			return p, nil
		}
		pc.remove(el)
	}
	if ch, ok := pc.inflight[key]; ok {
		return nil, ch
	}
	pc.inflight[key] = make(chan struct{})
	return nil, nil
}

// peek returns the page kept under key if it is still fresh, and nil
// otherwise; unlike get, it never makes the caller the one rendering it.
func (pc *pageCache) peek(key string) *cachedPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if el, ok := pc.entries[key]; ok {
		if p := el.Value.(*cachedPage); pc.fresh(p.stamp) && pc.now().Sub(p.stored) < pageCacheTTL {
			return p
		}
	}
	return nil
}

// done ends the rendering of key started by a get that returned neither a
// page nor a wait, keeping p when it is not nil and still fresh.
func (pc *pageCache) done(key string, p *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if ch, ok := pc.inflight[key]; ok {
		close(ch)
		delete(pc.inflight, key)
	}
	if p == nil || !pc.fresh(p.stamp) || int64(len(p.body)) > pc.budget {
		return
	}
	if el, ok := pc.entries[key]; ok {
		pc.remove(el)
	}
	pc.entries[key] = pc.lru.PushFront(p)
	pc.used += p.size()
	for pc.used > pc.budget {
		pc.remove(pc.lru.Back())
	}
}

func (p *cachedPage) size() int64 { return int64(len(p.body) + len(p.key) + 256) }

// remove forgets an entry; pc.mu is held.
func (pc *pageCache) remove(el *list.Element) {
	p := pc.lru.Remove(el).(*cachedPage)
	delete(pc.entries, p.key)
	pc.used -= p.size()
}

// forget makes the pages of the tags stale; no tag: every page.
func (pc *pageCache) forget(tags ...string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	// The versions map holds a tag per discussion written to: start it
	// again, with every page, when it grows large.
	if len(tags) == 0 || len(pc.versions) > 100_000 {
		pc.epoch++
		clear(pc.versions)
		return
	}
	for _, t := range tags {
		pc.versions[t]++
	}
}

// apply forgets the pages an event changes.
func (pc *pageCache) apply(e content.Event) {
	switch {
	case e.EntityType == content.EntityTopic:
		pc.forget(topicTag(e.EntityID), tagTopics, tagFiches)
	case e.ParentType == content.EntityTopic:
		pc.forget(topicTag(e.ParentID), tagTopics, tagFiches)
	case e.EntityType == content.EntityFiche:
		pc.forget(tagFiches)
	case e.EntityType == content.EntityProposal, e.EntityType == content.EntityAmendment,
		e.EntityType == content.EntitySignature:
		pc.forget(tagProposals)
	case e.EntityType == content.EntityMessage, e.EntityType == content.EntityConversation:
		// Private: on no page a visitor reads.
	default:
		// A member renamed, suspended or erased, a moderation decision…:
		// their name or content may be on any page.
		pc.forget()
	}
}

// follow applies the event stream until ctx ends.
func (pc *pageCache) follow(ctx context.Context, log *slog.Logger) {
	followEvents(ctx, pc.events, log, "page cache", pc.apply, &pc.caught)
}

// Tags name what a cached page shows: "topics" the lists of discussions,
// "topic:12" one discussion, "fiches" every fiche page (their comments are
// discussions too), "proposals" the textes de propositions.
const (
	tagTopics    = "topics"
	tagFiches    = "fiches"
	tagProposals = "proposals"
)

func topicTag(id int64) string { return "topic:" + strconv.FormatInt(id, 10) }

// pageTags returns the tags of a path visitors may get from the cache, or
// nil for a path always rendered (search, forms, private pages…).
func pageTags(path string) []string {
	switch {
	case path == "/":
		return []string{tagTopics, tagFiches, tagProposals}
	case path == "/discussions", path == "/discussions.atom", path == "/etiquettes",
		strings.HasPrefix(path, "/categories/"), strings.HasPrefix(path, "/etiquettes/"):
		return []string{tagTopics}
	case strings.HasPrefix(path, "/discussions/"):
		// /discussions/{id}/{slug}, its .md and .atom; not its live events
		// (/discussions/{id}/evenements) nor the versions of a post.
		id, rest, ok := strings.Cut(path[len("/discussions/"):], "/")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || rest == "" || rest == "evenements" || strings.Contains(rest, "/") {
			return nil
		}
		return []string{topicTag(n)}
	case path == "/fiches", path == "/fiches.atom":
		return []string{tagFiches}
	case strings.HasPrefix(path, "/fiches/"):
		rest := path[len("/fiches/"):]
		if rest == "" || strings.Contains(rest, "/") || strings.HasSuffix(rest, ".pdf") || rest == "nouvelle" {
			return nil
		}
		return []string{tagFiches}
	}
	return nil
}

// visitorRequest tells whether c is a request every visitor would get the
// same answer to: a GET with no cookie but the CSRF one and no token.
func visitorRequest(c *fiber.Ctx) bool {
	if c.Method() != fiber.MethodGet || len(c.Request().Header.Peek(fiber.HeaderAuthorization)) > 0 {
		return false
	}
	only := true
	c.Request().Header.VisitAllCookie(func(name, _ []byte) {
		if string(name) != csrfCookie {
			only = false
		}
	})
	return only
}

// encodingOf is the compression the compress middleware will choose for c
// (the same order as fasthttp's: brotli, gzip, deflate).
func encodingOf(c *fiber.Ctx) string {
	h := &c.Request().Header
	switch {
	case h.HasAcceptEncoding("br"):
		return "br"
	case h.HasAcceptEncoding("gzip"):
		return "gzip"
	case h.HasAcceptEncoding("deflate"):
		return "deflate"
	}
	return "identity"
}

// cachePages serves visitors' pages from the cache, and keeps those it
// renders. It comes before compression, so what it keeps is compressed.
func (s *Server) cachePages(c *fiber.Ctx) error {
	pc := s.pages
	if pc == nil || !visitorRequest(c) || !pc.current() {
		return c.Next()
	}
	tags := pageTags(strings.ToLower(c.Path())) // as Fiber routes: whatever the case
	if tags == nil || len(c.Request().URI().QueryString()) > 512 {
		return c.Next()
	}
	key := encodingOf(c) + " " + string(c.Request().URI().RequestURI())
	p, wait := pc.get(key)
	if wait != nil { // the same page is being rendered: take it once ready
		select {
		case <-wait:
		case <-time.After(5 * time.Second):
		}
		if p = pc.peek(key); p == nil {
			return c.Next() // it could not be kept: render it, without waiting again
		}
	}
	if p != nil {
		s.sendCached(c, p)
		return nil
	}
	// This request renders the page for those asking at the same time;
	// deferred, so that a panic does not leave them waiting.
	var kept *cachedPage
	defer func() { pc.done(key, kept) }()
	stamp := pc.stamp(tags)
	err := c.Next()
	kept = s.keepable(c, err, key, stamp)
	return err
}

// keepable returns the response of c as a cached page, or nil when it must
// not be kept: an error, a redirect, a cookie set, a private answer.
func (s *Server) keepable(c *fiber.Ctx, err error, key string, stamp pageStamp) *cachedPage {
	res := c.Response()
	// A stream (live updates) is never read here: its body has no end.
	if err != nil || res.StatusCode() != fiber.StatusOK || res.IsBodyStream() || !s.pages.current() || csrfPrinted(c) ||
		len(res.Body()) > maxCachedPage {
		return nil
	}
	cookie := false
	res.Header.VisitAllCookie(func(_, _ []byte) { cookie = true })
	if cookie {
		return nil
	}
	if cc := string(res.Header.Peek(fiber.HeaderCacheControl)); strings.Contains(cc, "no-store") || strings.Contains(cc, "private") {
		return nil
	}
	p := &cachedPage{key: key, body: append([]byte(nil), res.Body()...), stamp: stamp, stored: s.pages.now()}
	res.Header.VisitAll(func(k, v []byte) {
		switch string(k) {
		case fiber.HeaderContentLength, fiber.HeaderDate, fiber.HeaderServer, fiber.HeaderSetCookie, "X-Request-Id":
		default:
			p.headers = append(p.headers, [2]string{string(k), string(v)})
		}
	})
	if v, ok := c.Locals(localPageVisit).(*pageVisit); ok {
		p.visit = v
	}
	return p
}

// sendCached answers c with p, and records the visit its page records.
func (s *Server) sendCached(c *fiber.Ctx, p *cachedPage) {
	for _, h := range p.headers {
		c.Set(h[0], h[1])
	}
	// Age says, as shared caches do, that the page was kept: how long ago
	// it was rendered, in seconds.
	c.Set(fiber.HeaderAge, strconv.Itoa(int(s.pages.now().Sub(p.stored)/time.Second)))
	c.Status(fiber.StatusOK) // the only status kept
	c.Response().SetBodyRaw(p.body)
	c.Locals(localCacheHit, true)
	if v := p.visit; v != nil {
		s.recordVisit(c, nil, *v)
	}
}

// recordVisit notes that u (nil: a visitor) read a page, for the view
// counts and read marks, and keeps it with the page if the cache keeps it.
func (s *Server) recordVisit(c *fiber.Ctx, u *content.User, v pageVisit) {
	if v.fiche != 0 {
		s.visits.recordFiche(u, clientIP(c), c.Get(fiber.HeaderUserAgent), v.fiche)
	} else {
		s.visits.record(u, clientIP(c), c.Get(fiber.HeaderUserAgent), v.topic, v.number)
	}
	if u == nil {
		c.Locals(localPageVisit, &v)
	}
}
