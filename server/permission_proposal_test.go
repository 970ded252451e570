package server

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// The textes de propositions' permission table: for the owner, a co-author,
// a member, a moderator, an unverified account and a visitor, on a text in
// brouillon, open to members only, open to everyone, published and
// archived, what the pages offer and what the pages, every route of the
// JSON API and the store accept must be the decision of
// content/permission.go (CanReadProposal, CanEditProposal,
// CanMoveProposal, CanAmendProposal, CanSupportAmendment,
// CanDecideAmendment, CanManageProposal, CanSignProposal,
// CanReadSignatures), asked on the text as the store holds it. Part of
// TestPermissionTableMatchesPageStoreAndAPI.

const (
	psDraft       = "brouillon"
	psOpenMembers = "open to members"
	psOpenAll     = "open to everyone"
	psPublished   = "published"
	psArchived    = "archived"

	variantPlain  = ""
	variantSigned = "signed" // the member roles signed it while published
	variantClosed = "closed" // its amendments are closed
)

var propStates = []string{psDraft, psOpenMembers, psOpenAll, psPublished, psArchived}

// propRole is one kind of viewer: a browser session for the pages, a
// token for the API.
type propRole struct {
	name   string
	user   *content.User // nil for the visitor
	cl     *client
	token  string
	signer bool // signs the "signed" fixtures
}

// propFixture is one text of the owner, co-written by the co-author, with
// two propositions and an open amendment of the amender on the first.
type propFixture struct {
	id        int64
	slug      string
	path      string
	items     []int64
	amendment int64
}

// propSnap is a fixture as the store holds it.
type propSnap struct {
	p          *content.Proposal
	amendment  content.Amendment // the fixture's
	amendments int
	signatures int // counted and pending
}

func (s *propSnap) String() string {
	return fmt.Sprintf("%s members-only %v v%d rev %d closed %v, %d propositions, %d amendments (#%d %s, %d supports), %d signatures",
		s.p.State, s.p.MembersOnly, s.p.Version, s.p.Revision, s.p.AmendmentsClosed, len(s.p.Items), s.amendments,
		s.amendment.ID, s.amendment.State, s.amendment.Supports, s.signatures)
}

type propTable struct {
	t                                   *testing.T
	ts                                  *testSite
	owner, coauthor, amender, moderator *content.User
	roles                               []propRole
	spare                               map[string]*propFixture // by state and variant: unchanged by refused writes
	fixtures, checks                    int
	results                             map[[3]string]bool // role, state, "action via layer"
	apiRoutes                           map[string]bool    // "METHOD pattern" of the API routes the table sent
	clock                               atomic.Int64       // minutes the store's clock is ahead
}

func (pt *propTable) must(what string, err error) {
	pt.t.Helper()
	if err != nil {
		pt.t.Fatalf("fixture %d: %s: %v", pt.fixtures, what, err)
	}
}

// fixture makes a fresh text in state.
func (pt *propTable) fixture(state, variant string) *propFixture {
	pt.t.Helper()
	ctx, st := pt.ts.ctx(), pt.ts.srv.store
	pt.fixtures++
	p, err := st.CreateProposal(ctx, pt.owner, content.NewProposal{Title: "Texte de la table n°" + strconv.Itoa(pt.fixtures),
		Preamble: "Nous proposons, pour la table des permissions."})
	pt.must("create", err)
	fx := &propFixture{id: p.ID, slug: p.Slug, path: p.Path()}
	for _, title := range []string{"Des permanences", "Des ateliers"} {
		res, err := st.EditProposal(ctx, pt.owner, p.ID, content.PartEdit{Part: content.PartItem, Title: title, Body: title + " chaque semaine."})
		pt.must("add a proposition", err)
		fx.items = append(fx.items, res.Proposal.Items[len(res.Proposal.Items)-1].ID)
	}
	_, err = st.InviteToProposal(ctx, pt.owner, p.ID, pt.coauthor.Pseudo, content.RoleCoauthor)
	pt.must("invite the co-author", err)
	move := func(to content.ProposalState, membersOnly bool) {
		_, err := st.MoveProposal(ctx, pt.owner, p.ID, to, membersOnly)
		pt.must("move to "+string(to), err)
	}
	// Amendments are proposed while a text is open: a brouillon's was
	// made before it went back.
	move(content.ProposalOpen, state != psOpenAll)
	a, err := st.ProposeAmendment(ctx, pt.amender, p.ID, content.AmendmentInput{Kind: content.AmendChange, ItemID: fx.items[0],
		Title: "Des permanences", Body: "Des permanences deux fois par semaine.", Justification: "Une fois, c’est trop peu."})
	pt.must("amend", err)
	fx.amendment = a.ID
	switch state {
	case psDraft:
		move(content.ProposalDraft, false)
	case psPublished, psArchived:
		move(content.ProposalPublished, false)
		if variant == variantSigned {
			for _, r := range pt.roles {
				if r.signer {
					_, err := st.SignProposal(ctx, r.user, p.ID)
					pt.must("sign as "+r.name, err)
				}
			}
		}
		// The co-authors prepare the next version.
		_, err := st.EditProposal(ctx, pt.owner, p.ID, content.PartEdit{Part: content.PartItem, ItemID: fx.items[1],
			Title: "Des ateliers", Body: "Des ateliers chaque samedi.", BaseRevision: 1})
		pt.must("prepare the next version", err)
		if state == psArchived {
			move(content.ProposalArchived, false)
		}
	}
	if variant == variantClosed {
		pt.must("close amendments", st.CloseAmendments(ctx, pt.owner, p.ID, true))
	}
	return fx
}

func (pt *propTable) spareOf(state, variant string) *propFixture {
	key := state + "/" + variant
	if pt.spare[key] == nil {
		pt.spare[key] = pt.fixture(state, variant)
	}
	return pt.spare[key]
}

func (pt *propTable) snap(fx *propFixture) *propSnap {
	pt.t.Helper()
	ctx, st := pt.ts.ctx(), pt.ts.srv.store
	p, err := st.ProposalBySlug(ctx, pt.owner, fx.slug, "")
	if err != nil {
		pt.t.Fatal(err)
	}
	s := &propSnap{p: p}
	as, err := st.Amendments(ctx, p)
	if err != nil {
		pt.t.Fatal(err)
	}
	s.amendments = len(as)
	for _, a := range as {
		if a.ID == fx.amendment {
			s.amendment = a
		}
	}
	total, pending, err := st.SignatureTotals(ctx, p)
	if err != nil {
		pt.t.Fatal(err)
	}
	s.signatures = total + pending
	return s
}

// agree records one check: the layer's answer against the rule's.
func (pt *propTable) agree(r propRole, state, action string, want, got bool, detail string) {
	pt.t.Helper()
	pt.checks++
	pt.results[[3]string{r.name, state, action}] = got
	if want != got {
		pt.t.Errorf("%s / %s / %s: want %v, got %v (%s)", r.name, state, action, want, got, detail)
	}
}

func (pt *propTable) status(r propRole, state, what string, want, got int, body string) {
	pt.t.Helper()
	pt.checks++
	if want != got {
		pt.t.Errorf("%s / %s / %s: want status %d, got %d\n%.600s", r.name, state, what, want, got, body)
	}
}

// api sends a request to the route pattern (":slug", ":item<int>" and
// ":id<int>" filled from fx) with r's token, as a script would.
func (pt *propTable) api(r propRole, method, pattern string, fx *propFixture, body string) *response {
	pt.t.Helper()
	pt.apiRoutes[method+" "+pattern] = true
	path := pattern
	if fx != nil {
		path = strings.NewReplacer(":slug", fx.slug, ":item<int>", strconv.FormatInt(fx.items[0], 10),
			":id<int>", strconv.FormatInt(fx.amendment, 10)).Replace(pattern)
	}
	cl := pt.ts.client()
	if r.token != "" {
		cl.headers["Authorization"] = "Bearer " + r.token
	}
	var res *response
	if body == "" {
		res = cl.do(method, path, nil, "")
	} else {
		res = cl.do(method, path, strings.NewReader(body), "application/json")
	}
	if res.status >= 500 {
		pt.t.Errorf("%s %s as %s: status %d\n%s", method, path, r.name, res.status, res.body)
	}
	if res.status >= 400 && !strings.Contains(res.body, `"error":{"code"`) {
		pt.t.Errorf("%s %s as %s: status %d without the JSON error shape\n%.300s", method, path, r.name, res.status, res.body)
	}
	return res
}

func testProposalPermissionTable(t *testing.T) {
	start := time.Now()
	ts := newTestSite(t)
	ctx, st := ts.ctx(), ts.srv.store
	pt := &propTable{t: t, ts: ts, spare: map[string]*propFixture{}, results: map[[3]string]bool{}, apiRoutes: map[string]bool{}}
	// Signing is limited to 5 attempts per address in 15 minutes: the
	// store's clock moves 16 minutes before each signing attempt.
	st.SetClock(func() time.Time { return time.Now().Add(time.Duration(pt.clock.Load()) * time.Minute) })
	t.Cleanup(func() { st.SetClock(time.Now) })
	pt.owner = ts.mustCreateMember("Autrice", content.RoleMember)
	pt.coauthor = ts.mustCreateMember("Coauteur", content.RoleMember)
	pt.amender = ts.mustCreateMember("Amendeur", content.RoleMember)
	pt.moderator = ts.mustCreateMember("Moderatrice", content.RoleModerator)
	member := ts.mustCreateMember("Membre", content.RoleMember)
	unverified, err := st.CreateUser(ctx, content.NewUser{Pseudo: "NonVerifiee", Email: "nonverifiee@exemple.fr",
		Password: testPassword, Role: content.RoleMember, Verified: false}, nil)
	if err != nil {
		t.Fatal(err)
	}
	role := func(name string, u *content.User, signer bool) propRole {
		return propRole{name: name, user: u, cl: ts.loggedIn(u), token: ts.mustToken(u), signer: signer}
	}
	pt.roles = []propRole{
		role("owner", pt.owner, true),
		role("co-author", pt.coauthor, true),
		role("member", member, true),
		role("moderator", pt.moderator, true),
		role("unverified", unverified, false),
		{name: "visitor", cl: ts.client()},
	}

	// Reads first: the lists show the 200 latest texts.
	reads, signed := map[string]*propFixture{}, map[string]*propFixture{}
	for _, state := range propStates {
		reads[state], signed[state] = pt.fixture(state, variantPlain), pt.fixture(state, variantSigned)
	}
	for _, state := range propStates {
		for _, r := range pt.roles {
			pt.checkReads(r, state, reads[state])
			pt.checkOffers(r, state, reads[state], signed[state])
		}
	}
	for _, r := range pt.roles {
		pt.checkCreate(r)
		for _, state := range propStates {
			pt.checkEdits(r, state)
			pt.checkMoves(r, state)
			pt.checkAmendments(r, state)
			pt.checkSignatures(r, state)
		}
	}
	pt.checkEveryAPIRoute()
	pt.checkExpectations()
	t.Logf("%d roles × %d states: %d checks on %d fixtures in %s", len(pt.roles), len(propStates), pt.checks, pt.fixtures,
		time.Since(start).Round(time.Millisecond))
}

// checkReads reads the text, its amendments and its signatories through
// every page, API route and store method that shows them.
func (pt *propTable) checkReads(r propRole, state string, fx *propFixture) {
	pt.t.Helper()
	s := pt.snap(fx)
	readable := content.CanReadProposal(r.user, s.p, content.ShareNone)
	want := http.StatusNotFound
	if readable {
		want = http.StatusOK
	}
	aid := strconv.FormatInt(fx.amendment, 10)
	for _, path := range []string{fx.path, fx.path + "/amendements", fx.path + "/amendements/" + aid} {
		res := r.cl.get(path)
		pt.status(r, state, "read "+path+" via page", want, res.status, res.body)
	}
	for _, pattern := range []string{"/api/v1/propositions/:slug", "/api/v1/propositions/:slug/amendements", "/api/v1/propositions/:slug/amendements/:id<int>"} {
		res := pt.api(r, "GET", pattern, fx, "")
		pt.status(r, state, "read "+pattern+" via API", want, res.status, res.body)
	}
	p, err := pt.ts.srv.store.ProposalBySlug(pt.ts.ctx(), r.user, fx.slug, "")
	pt.agree(r, state, "read via store", readable, err == nil && p != nil, fmt.Sprint(err))
	page := r.cl.get("/propositions")
	pt.agree(r, state, "listed via page", readable, strings.Contains(page.body, `href="`+fx.path+`"`), "GET /propositions")
	list := pt.api(r, "GET", "/api/v1/propositions", nil, "")
	pt.agree(r, state, "listed via API", readable, strings.Contains(list.body, `"slug":"`+fx.slug+`"`), "GET /api/v1/propositions")

	want = http.StatusNotFound
	if content.CanReadSignatures(r.user, s.p) {
		want = http.StatusOK
	}
	res := r.cl.get(fx.path + "/signatures")
	pt.status(r, state, "read signatories via page", want, res.status, res.body)
	res = pt.api(r, "GET", "/api/v1/propositions/:slug/signatures", fx, "")
	pt.status(r, state, "read signatories via API", want, res.status, res.body)
}

// offer is one thing a page shows when the rule allows it.
type offer struct {
	action string
	rule   bool
	body   string
	marker string
}

// checkOffers compares what the pages and the API say the viewer may do
// with the rules, on the same rows.
func (pt *propTable) checkOffers(r propRole, state string, fx, signedFx *propFixture) {
	pt.t.Helper()
	s := pt.snap(fx)
	if !content.CanReadProposal(r.user, s.p, content.ShareNone) {
		return // checkReads saw the 404s
	}
	u, p, a := r.user, s.p, &s.amendment
	page := r.cl.get(fx.path).body
	amendment := r.cl.get(content.AmendmentPath(p, a.ID)).body
	aid := strconv.FormatInt(a.ID, 10)
	offers := []offer{
		{"edit", content.CanEditProposal(u, p) == nil, page, `href="` + fx.path + `/propositions/nouvelle"`},
		{"manage", content.CanManageProposal(u, p), page, `href="` + fx.path + `/gerer"`},
		{"amend", content.CanAmendProposal(u, p) == nil, page, `href="` + fx.path + `/amendements/nouveau?type=ajouter"`},
		{"sign", content.CanSignProposal(u, p) == nil, page, `action="` + fx.path + `/si`}, // /signer, or the visitor's /signatures
		{"support", content.CanSupportAmendment(u, p, a) == nil, amendment, `/amendements/` + aid + `/soutien"`},
		{"accept", content.CanDecideAmendment(u, p, a) == nil, amendment, `/amendements/` + aid + `/accepter"`},
		{"reject", content.CanDecideAmendment(u, p, a) == nil, amendment, `/amendements/` + aid + `/refuser"`},
		{"merge by hand", content.CanDecideAmendment(u, p, a) == nil, amendment, `/amendements/` + aid + `/repris"`},
	}
	manage := r.cl.get(fx.path + "/gerer")
	if r.user != nil {
		want := http.StatusForbidden
		if content.CanManageProposal(u, p) {
			want = http.StatusOK
		}
		pt.status(r, state, "manage page", want, manage.status, manage.body)
	}
	if manage.status != http.StatusOK {
		manage.body = ""
	}
	offers = append(offers, offer{"close amendments", content.CanManageProposal(u, p), manage.body, `action="` + fx.path + `/amendements/cloture"`})
	for _, to := range []content.ProposalState{content.ProposalOpen, content.ProposalDraft, content.ProposalPublished, content.ProposalArchived} {
		offers = append(offers, offer{"move to " + string(to), content.CanMoveProposal(u, p, to) == nil, manage.body, `name="etat" value="` + string(to) + `"`})
	}
	for _, o := range offers {
		pt.agree(r, state, o.action+" offered", o.rule, strings.Contains(o.body, o.marker), "the page against the rule")
	}

	// The API says the same.
	out := decodeJSON[map[string]any](pt.t, pt.api(r, "GET", "/api/v1/propositions/:slug", fx, ""))
	var moves, want []string
	for _, m := range out["moves"].([]any) {
		moves = append(moves, m.(string))
	}
	for _, m := range content.ProposalActionsFor(u, p).Moves {
		want = append(want, string(m))
	}
	sort.Strings(moves)
	sort.Strings(want)
	pt.agree(r, state, "moves via API offer", true, fmt.Sprint(moves) == fmt.Sprint(want), fmt.Sprintf("API %v, rule %v", moves, want))
	pt.agree(r, state, "edit via API offer", content.CanEditProposal(u, p) == nil, out["can_edit"] == true, "can_edit")
	pt.agree(r, state, "manage via API offer", content.CanManageProposal(u, p), out["can_manage"] == true, "can_manage")
	pt.agree(r, state, "amend via API offer", content.CanAmendProposal(u, p) == nil, out["can_amend"] == true, "can_amend")
	out = decodeJSON[map[string]any](pt.t, pt.api(r, "GET", "/api/v1/propositions/:slug/amendements/:id<int>", fx, ""))
	pt.agree(r, state, "support via API offer", content.CanSupportAmendment(u, p, a) == nil, out["can_support"] == true, "can_support")
	pt.agree(r, state, "decide via API offer", content.CanDecideAmendment(u, p, a) == nil, out["can_decide"] == true, "can_decide")

	// On the text they signed, members are offered to withdraw.
	hasSigned := r.signer && (state == psPublished || state == psArchived)
	page = r.cl.get(signedFx.path).body
	pt.agree(r, state, "withdraw offered", hasSigned, strings.Contains(page, `action="`+signedFx.path+`/signatures/retirer"`), "the signed text's page")
	if content.CanReadSignatures(u, p) {
		out = decodeJSON[map[string]any](pt.t, pt.api(r, "GET", "/api/v1/propositions/:slug/signatures", signedFx, ""))
		pt.agree(r, state, "own signature via API", hasSigned, out["mine"] != nil, fmt.Sprint(out["mine"]))
	}
}

// attempt is one write through one layer on a spare fixture.
type propAttempt struct {
	action, layer string
	variant       string
	rule          func(u *content.User, s *propSnap) error // nil error: allowed
	okStatus      int                                      // an accepted write's answer; 0 for the store
	sameReason    bool                                     // the store refuses with the rule's reason
	do            func(fx *propFixture, s *propSnap) (int, string, error)
	took          func(before, after *propSnap) bool
}

const (
	layerPage  = "page"
	layerAPI   = "API"
	layerStore = "store"
)

// try runs a on the state's spare fixture (or on fx, when given) and
// checks it against its rule; it returns the fixture and whether a took.
func (pt *propTable) try(r propRole, state string, a propAttempt, fx *propFixture) (*propFixture, bool) {
	pt.t.Helper()
	if fx == nil {
		fx = pt.spareOf(state, a.variant)
	}
	before := pt.snap(fx)
	rule := a.rule(r.user, before)
	readable := content.CanReadProposal(r.user, before.p, content.ShareNone)
	allowed := rule == nil
	if a.layer == layerAPI && r.user == nil {
		allowed = false // the API's writes are members' only: a visitor signs on the page
	}
	status, body, err := a.do(fx, before)
	after := pt.snap(fx)
	accepted := a.took(before, after)
	if before.String() != after.String() {
		pt.spare[state+"/"+a.variant] = nil
	}
	what := a.action + " via " + a.layer
	pt.agree(r, state, what, allowed, accepted, fmt.Sprintf("status %d, err %v, rule %v; %s → %s", status, err, rule, before, after))
	if !accepted && before.String() != after.String() {
		pt.t.Errorf("%s / %s / %s: refused, yet the text changed: %s → %s", r.name, state, what, before, after)
	}
	switch {
	case a.layer == layerStore:
		if (err == nil) != accepted {
			pt.t.Errorf("%s / %s / %s: the store answers %v, yet accepted=%v", r.name, state, what, err, accepted)
		}
		if a.sameReason && !accepted && rule != nil && !sameReason(err, rule) {
			pt.t.Errorf("%s / %s / %s: the store refuses with %v, the rule with %v", r.name, state, what, err, rule)
		}
	case accepted:
		pt.status(r, state, what, a.okStatus, status, body)
	case a.layer == layerAPI:
		want := http.StatusUnauthorized
		switch {
		case r.user == nil:
		case !readable:
			want = http.StatusNotFound
		case rule != nil:
			want = classify(rule).Status
		}
		pt.status(r, state, what, want, status, body)
	default: // a page: the form again (422), back with the reason (303), or the error's page
		pt.checks++
		switch {
		case r.user != nil && !readable && status != http.StatusNotFound:
			pt.t.Errorf("%s / %s / %s: a text one may not read answers %d, want 404", r.name, state, what, status)
		case status >= 500 || status < 300 || status == http.StatusOK:
			pt.t.Errorf("%s / %s / %s: refused with status %d\n%.400s", r.name, state, what, status, body)
		}
	}
	return fx, accepted
}

// page posts a form as r's browser.
func (pt *propTable) page(r propRole, path string, form url.Values) (int, string, error) {
	res := r.cl.postForm(path, form)
	return res.status, res.body, nil
}

// apiDo sends a write to the API.
func (pt *propTable) apiDo(r propRole, method, pattern string, fx *propFixture, body string) (int, string, error) {
	res := pt.api(r, method, pattern, fx, body)
	return res.status, res.body, nil
}

func editRule(u *content.User, s *propSnap) error { return content.CanEditProposal(u, s.p) }

func (pt *propTable) checkCreate(r propRole) {
	pt.t.Helper()
	rule := content.CanWrite(r.user)
	for i, layer := range []string{layerPage, layerAPI, layerStore} {
		// Its slug is its title's words: only its author reads the new brouillon.
		name := "texte cree par " + strings.ReplaceAll(r.name, "-", " ") + " n " + strconv.Itoa(i)
		title, slug := strings.ToUpper(name[:1])+name[1:], strings.ReplaceAll(name, " ", "-")
		var err error
		status := 0
		switch layer {
		case layerPage:
			status, _, _ = pt.page(r, "/propositions/nouveau", url.Values{"title": {title}, "preamble": {"Nous proposons."}})
		case layerAPI:
			status, _, _ = pt.apiDo(r, "POST", "/api/v1/propositions", nil, jsonOf(map[string]any{"title": title, "preamble": "Nous proposons."}))
		case layerStore:
			_, err = pt.ts.srv.store.CreateProposal(pt.ts.ctx(), r.user, content.NewProposal{Title: title, Preamble: "Nous proposons."})
		}
		_, found := pt.ts.srv.store.ProposalBySlug(pt.ts.ctx(), r.user, slug, "")
		took := found == nil
		pt.agree(r, "any", "create via "+layer, rule == nil, took, fmt.Sprintf("status %d, err %v", status, err))
		if layer == layerAPI && took {
			pt.status(r, "any", "create via API", http.StatusCreated, status, "")
		}
	}
}

func (pt *propTable) checkEdits(r propRole, state string) {
	pt.t.Helper()
	added := func(before, after *propSnap) bool { return len(after.p.Items) == len(before.p.Items)+1 }
	changed := func(before, after *propSnap) bool {
		return after.p.Revision == before.p.Revision+1 && len(after.p.Items) == len(before.p.Items)
	}
	body := "Une proposition de " + r.name + "."
	item := func(s *propSnap) content.ProposalItem { return s.p.Items[0] }
	for _, a := range []propAttempt{
		{action: "add a proposition", layer: layerPage, okStatus: http.StatusSeeOther, took: added,
			do: func(fx *propFixture, s *propSnap) (int, string, error) {
				return pt.page(r, fx.path+"/propositions/nouvelle", url.Values{"title": {"Nouvelle"}, "body": {body}, "base_revision": {strconv.Itoa(s.p.Revision)}})
			}},
		{action: "add a proposition", layer: layerAPI, okStatus: http.StatusOK, took: added,
			do: func(fx *propFixture, s *propSnap) (int, string, error) {
				return pt.apiDo(r, "POST", "/api/v1/propositions/:slug/items", fx, jsonOf(map[string]any{"title": "Nouvelle", "body": body}))
			}},
		{action: "add a proposition", layer: layerStore, sameReason: true, took: added,
			do: func(fx *propFixture, s *propSnap) (int, string, error) {
				_, err := pt.ts.srv.store.EditProposal(pt.ts.ctx(), r.user, fx.id, content.PartEdit{Part: content.PartItem, Title: "Nouvelle", Body: body})
				return 0, "", err
			}},
		{action: "change a proposition", layer: layerPage, okStatus: http.StatusSeeOther, took: changed,
			do: func(fx *propFixture, s *propSnap) (int, string, error) {
				it := item(s)
				return pt.page(r, fx.path+"/propositions/"+strconv.FormatInt(it.ID, 10)+"/modifier",
					url.Values{"title": {it.Title}, "body": {body}, "base_revision": {strconv.Itoa(it.Revision)}})
			}},
		{action: "change a proposition", layer: layerAPI, okStatus: http.StatusOK, took: changed,
			do: func(fx *propFixture, s *propSnap) (int, string, error) {
				it := item(s)
				return pt.apiDo(r, "PUT", "/api/v1/propositions/:slug/items/:item<int>", fx,
					jsonOf(map[string]any{"title": it.Title, "body": body, "base_revision": it.Revision}))
			}},
		{action: "change a proposition", layer: layerStore, sameReason: true, took: changed,
			do: func(fx *propFixture, s *propSnap) (int, string, error) {
				it := item(s)
				_, err := pt.ts.srv.store.EditProposal(pt.ts.ctx(), r.user, fx.id, content.PartEdit{Part: content.PartItem, ItemID: it.ID,
					Title: it.Title, Body: body, BaseRevision: it.Revision})
				return 0, "", err
			}},
	} {
		a.rule = editRule
		pt.try(r, state, a, nil)
	}
}

func (pt *propTable) checkMoves(r propRole, state string) {
	pt.t.Helper()
	for _, to := range []content.ProposalState{content.ProposalOpen, content.ProposalDraft, content.ProposalPublished, content.ProposalArchived} {
		to := to
		rule := func(u *content.User, s *propSnap) error { return content.CanMoveProposal(u, s.p, to) }
		took := func(before, after *propSnap) bool {
			return after.p.State == to && (after.p.State != before.p.State || after.p.Version != before.p.Version)
		}
		action := "move to " + string(to)
		for _, a := range []propAttempt{
			{action: action, layer: layerPage, okStatus: http.StatusSeeOther,
				do: func(fx *propFixture, s *propSnap) (int, string, error) {
					return pt.page(r, fx.path+"/etat", url.Values{"etat": {string(to)}, "reserve": {"1"}, "confirmer": {"oui"}})
				}},
			{action: action, layer: layerAPI, okStatus: http.StatusOK,
				do: func(fx *propFixture, s *propSnap) (int, string, error) {
					return pt.apiDo(r, "POST", "/api/v1/propositions/:slug/etat", fx, jsonOf(map[string]any{"state": to, "members_only": true}))
				}},
			{action: action, layer: layerStore, sameReason: true,
				do: func(fx *propFixture, s *propSnap) (int, string, error) {
					_, err := pt.ts.srv.store.MoveProposal(pt.ts.ctx(), r.user, fx.id, to, true)
					return 0, "", err
				}},
		} {
			a.rule, a.took = rule, took
			pt.try(r, state, a, nil)
		}
	}
}

// manageRule is what managing the text answers: CanManageProposal, with
// the store's reason (403 to a reader, 404 to anyone else).
func manageRule(u *content.User, s *propSnap) error {
	switch {
	case content.CanManageProposal(u, s.p):
		return nil
	case content.CanReadProposal(u, s.p, content.ShareNone):
		return content.ErrForbidden
	}
	return content.ErrNotFound
}

func (pt *propTable) checkAmendments(r propRole, state string) {
	pt.t.Helper()
	st, ctx := pt.ts.srv.store, pt.ts.ctx()
	aid := func(fx *propFixture) string { return fx.path + "/amendements/" + strconv.FormatInt(fx.amendment, 10) }
	amendRule := func(u *content.User, s *propSnap) error { return content.CanAmendProposal(u, s.p) }
	proposed := func(before, after *propSnap) bool { return after.amendments == before.amendments+1 }
	just := "Pour la table des permissions."
	for _, a := range []propAttempt{
		{layer: layerPage, okStatus: http.StatusSeeOther, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			return pt.page(r, fx.path+"/amendements/nouveau", url.Values{"kind": {"add"}, "title": {"Un goûter"}, "body": {"Un goûter après l’atelier."},
				"justification": {just}})
		}},
		{layer: layerAPI, okStatus: http.StatusCreated, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			return pt.apiDo(r, "POST", "/api/v1/propositions/:slug/amendements", fx, jsonOf(map[string]any{"kind": "add", "title": "Un goûter",
				"body": "Un goûter après l’atelier.", "justification": just}))
		}},
		{layer: layerStore, sameReason: true, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			_, err := st.ProposeAmendment(ctx, r.user, fx.id, content.AmendmentInput{Kind: content.AmendAdd, Title: "Un goûter",
				Body: "Un goûter après l’atelier.", Justification: just})
			return 0, "", err
		}},
	} {
		a.action, a.rule, a.took = "amend", amendRule, proposed
		pt.try(r, state, a, nil)
	}

	// Supporting, then taking one's support back, on the same text.
	supportRule := func(u *content.User, s *propSnap) error { return content.CanSupportAmendment(u, s.p, &s.amendment) }
	supports := func(delta int) func(before, after *propSnap) bool {
		return func(before, after *propSnap) bool { return after.amendment.Supports == before.amendment.Supports+delta }
	}
	support := func(layer string, yes bool) func(fx *propFixture, s *propSnap) (int, string, error) {
		return func(fx *propFixture, s *propSnap) (int, string, error) {
			switch layer {
			case layerPage:
				return pt.page(r, aid(fx)+"/soutien", url.Values{"soutien": {map[bool]string{true: "oui", false: "non"}[yes]}})
			case layerAPI:
				return pt.apiDo(r, "POST", "/api/v1/propositions/:slug/amendements/:id<int>/soutien", fx, jsonOf(map[string]any{"support": yes}))
			}
			_, err := st.SupportAmendment(ctx, r.user, fx.id, fx.amendment, yes)
			return 0, "", err
		}
	}
	for _, layer := range []string{layerPage, layerAPI, layerStore} {
		ok := map[string]int{layerPage: http.StatusSeeOther, layerAPI: http.StatusOK}[layer]
		fx, took := pt.try(r, state, propAttempt{action: "support", layer: layer, rule: supportRule, okStatus: ok, sameReason: true,
			took: supports(1), do: support(layer, true)}, nil)
		if !took {
			fx = nil
		}
		pt.try(r, state, propAttempt{action: "withdraw support", layer: layer, rule: supportRule, okStatus: ok, sameReason: true,
			took: supports(-1), do: support(layer, false)}, fx)
	}

	// Deciding the amendment.
	decideRule := func(u *content.User, s *propSnap) error { return content.CanDecideAmendment(u, s.p, &s.amendment) }
	decided := func(to content.AmendmentState) func(before, after *propSnap) bool {
		return func(before, after *propSnap) bool {
			return before.amendment.State == content.AmendmentOpen && after.amendment.State == to
		}
	}
	reason := "Hors du sujet du texte."
	for _, d := range []struct {
		action, page, api string
		to                content.AmendmentState
	}{
		{"accept", "accepter", "accepter", content.AmendmentAccepted},
		{"reject", "refuser", "rejeter", content.AmendmentRejected},
		{"reject (refuser)", "", "refuser", content.AmendmentRejected},
		{"merge by hand", "repris", "repris", content.AmendmentMerged},
	} {
		attempts := []propAttempt{{layer: layerAPI, okStatus: http.StatusOK, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			return pt.apiDo(r, "POST", "/api/v1/propositions/:slug/amendements/:id<int>/"+d.api, fx, jsonOf(map[string]any{"raison": reason}))
		}}}
		if d.page != "" {
			attempts = append(attempts, propAttempt{layer: layerPage, okStatus: http.StatusSeeOther, do: func(fx *propFixture, s *propSnap) (int, string, error) {
				return pt.page(r, aid(fx)+"/"+d.page, url.Values{"reason": {reason}})
			}}, propAttempt{layer: layerStore, sameReason: true, do: func(fx *propFixture, s *propSnap) (int, string, error) {
				_, err := st.DecideAmendment(ctx, r.user, fx.id, fx.amendment, d.to, reason)
				return 0, "", err
			}})
		}
		for _, a := range attempts {
			a.action, a.rule, a.took = d.action, decideRule, decided(d.to)
			pt.try(r, state, a, nil)
		}
	}

	// Closing amendments, then opening them again.
	closedTo := func(closed bool) func(before, after *propSnap) bool {
		return func(before, after *propSnap) bool {
			return before.p.AmendmentsClosed != closed && after.p.AmendmentsClosed == closed
		}
	}
	closeAt := func(layer string, closed bool) func(fx *propFixture, s *propSnap) (int, string, error) {
		return func(fx *propFixture, s *propSnap) (int, string, error) {
			switch layer {
			case layerPage:
				return pt.page(r, fx.path+"/amendements/cloture", url.Values{"fermer": {map[bool]string{true: "oui", false: "non"}[closed]}})
			case layerAPI:
				return pt.apiDo(r, "POST", "/api/v1/propositions/:slug/amendements/cloture", fx, jsonOf(map[string]any{"closed": closed}))
			}
			return 0, "", st.CloseAmendments(ctx, r.user, fx.id, closed)
		}
	}
	for _, layer := range []string{layerPage, layerAPI, layerStore} {
		ok := map[string]int{layerPage: http.StatusSeeOther, layerAPI: http.StatusOK}[layer]
		fx, took := pt.try(r, state, propAttempt{action: "close amendments", layer: layer, rule: manageRule, okStatus: ok, sameReason: true,
			took: closedTo(true), do: closeAt(layer, true)}, nil)
		reopen := propAttempt{action: "reopen amendments", layer: layer, rule: manageRule, okStatus: ok, sameReason: true,
			took: closedTo(false), do: closeAt(layer, false)}
		if !took {
			fx, reopen.variant = nil, variantClosed
		}
		pt.try(r, state, reopen, fx)
	}
}

var errNotSigned = content.Invalid("signature", "Vous n’aviez pas signé ce texte.")

func (pt *propTable) checkSignatures(r propRole, state string) {
	pt.t.Helper()
	st, ctx := pt.ts.srv.store, pt.ts.ctx()
	signRule := func(u *content.User, s *propSnap) error { return content.CanSignProposal(u, s.p) }
	counted := func(delta int) func(before, after *propSnap) bool {
		return func(before, after *propSnap) bool { return after.signatures == before.signatures+delta }
	}
	visitor := content.SignatureInput{Name: "Camille Visiteuse", Structure: "Médiathèque", Departement: "29"}
	n := 0
	for _, a := range []propAttempt{
		{layer: layerPage, okStatus: http.StatusSeeOther, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			if r.user != nil {
				return pt.page(r, fx.path+"/signer", url.Values{})
			}
			n++
			return pt.page(r, fx.path+"/signatures", url.Values{"name": {visitor.Name}, "email": {fmt.Sprintf("camille%d-%d@exemple.fr", pt.fixtures, n)},
				"structure": {visitor.Structure}, "departement": {visitor.Departement}})
		}},
		{layer: layerAPI, okStatus: http.StatusCreated, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			return pt.apiDo(r, "POST", "/api/v1/propositions/:slug/signatures", fx, "")
		}},
		{layer: layerStore, sameReason: true, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			if r.user != nil {
				_, err := st.SignProposal(ctx, r.user, fx.id)
				return 0, "", err
			}
			in := visitor
			n++
			in.Email = fmt.Sprintf("camille%d-%d@exemple.fr", pt.fixtures, n)
			return 0, "", st.SignProposalAsVisitor(ctx, fx.id, in, pt.ts.srv.signatureMail)
		}},
	} {
		pt.clock.Add(16)
		a.action, a.rule, a.took = "sign", signRule, counted(1)
		pt.try(r, state, a, nil)
	}

	// Withdrawing, on a text the member roles signed while it was published.
	signed := r.signer && (state == psPublished || state == psArchived)
	withdrawRule := func(u *content.User, s *propSnap) error {
		if signed {
			return nil
		}
		return errNotSigned
	}
	for _, a := range []propAttempt{
		{layer: layerPage, okStatus: http.StatusSeeOther, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			return pt.page(r, fx.path+"/signatures/retirer", url.Values{})
		}},
		{layer: layerAPI, okStatus: http.StatusOK, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			return pt.apiDo(r, "POST", "/api/v1/propositions/:slug/signatures/retirer", fx, "")
		}},
		{layer: layerStore, sameReason: r.user != nil, do: func(fx *propFixture, s *propSnap) (int, string, error) {
			return 0, "", st.WithdrawSignature(ctx, r.user, fx.id)
		}},
	} {
		a.action, a.variant, a.rule, a.took = "withdraw signature", variantSigned, withdrawRule, counted(-1)
		pt.try(r, state, a, nil)
	}
}

// checkEveryAPIRoute fails when a proposal route of the API was not sent
// by the table.
func (pt *propTable) checkEveryAPIRoute() {
	pt.t.Helper()
	seen := map[string]bool{}
	for _, rt := range pt.ts.srv.App().GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, "/api/v1/propositions") || rt.Method == http.MethodHead {
			continue
		}
		key := rt.Method + " " + rt.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		pt.checks++
		if !pt.apiRoutes[key] {
			pt.t.Errorf("the API route %s is not in the permission table", key)
		}
	}
	if len(seen) < 18 {
		pt.t.Errorf("only %d proposal routes found in the API: %v", len(seen), seen)
	}
}

// checkExpectations pins decisions by name, so that the table cannot agree
// with itself by every layer refusing (or allowing) everything.
func (pt *propTable) checkExpectations() {
	t := pt.t
	want := func(role, state, action string, allowed bool) {
		t.Helper()
		got, ok := pt.results[[3]string{role, state, action}]
		if !ok {
			t.Fatalf("no result for %s / %s / %s", role, state, action)
		}
		if got != allowed {
			t.Errorf("expected %s / %s / %s to be %v, got %v", role, state, action, allowed, got)
		}
	}
	want("visitor", psOpenAll, "read via store", true)
	want("visitor", psOpenMembers, "read via store", false)
	want("visitor", psPublished, "listed via API", true)
	want("member", psOpenMembers, "listed via page", true)
	want("member", psDraft, "read via store", false)
	want("moderator", psDraft, "listed via API", false)
	want("co-author", psDraft, "read via store", true)
	for _, layer := range []string{layerPage, layerAPI, layerStore} {
		want("co-author", psDraft, "change a proposition via "+layer, true)
		want("co-author", psPublished, "add a proposition via "+layer, true) // the next version
		want("co-author", psArchived, "change a proposition via "+layer, false)
		want("member", psOpenAll, "change a proposition via "+layer, false)
		want("moderator", psOpenAll, "add a proposition via "+layer, false)
		want("owner", psDraft, "move to open via "+layer, true)
		want("owner", psPublished, "move to published via "+layer, true)
		want("moderator", psPublished, "move to archived via "+layer, true)
		want("moderator", psDraft, "move to open via "+layer, false)
		want("co-author", psOpenAll, "move to published via "+layer, false)
		want("owner", psArchived, "move to published via "+layer, false)
		want("member", psOpenMembers, "amend via "+layer, true)
		want("member", psPublished, "amend via "+layer, false) // a published version is not amended
		want("unverified", psOpenAll, "amend via "+layer, false)
		want("member", psOpenAll, "support via "+layer, true)
		want("member", psOpenAll, "withdraw support via "+layer, true)
		want("unverified", psOpenAll, "support via "+layer, false)
		want("co-author", psOpenAll, "accept via "+layer, true)
		want("co-author", psOpenMembers, "merge by hand via "+layer, true)
		want("member", psOpenAll, "reject via "+layer, false)
		want("owner", psArchived, "accept via "+layer, false)
		want("owner", psOpenAll, "close amendments via "+layer, true)
		want("owner", psOpenAll, "reopen amendments via "+layer, true)
		want("co-author", psOpenAll, "close amendments via "+layer, false)
		want("moderator", psOpenAll, "close amendments via "+layer, true)
		want("moderator", psDraft, "close amendments via "+layer, false)
		want("member", psPublished, "sign via "+layer, true)
		want("member", psArchived, "sign via "+layer, false)
		want("unverified", psPublished, "sign via "+layer, false)
		want("member", psArchived, "withdraw signature via "+layer, true)
		want("moderator", psPublished, "withdraw signature via "+layer, true)
		want("unverified", psPublished, "withdraw signature via "+layer, false)
		want("member", "any", "create via "+layer, true)
		want("visitor", "any", "create via "+layer, false)
		want("unverified", "any", "create via "+layer, false)
	}
	// A visitor signs on the page, with an address confirmed by mail;
	// never through the API.
	want("visitor", psPublished, "sign via page", true)
	want("visitor", psPublished, "sign via store", true)
	want("visitor", psPublished, "sign via API", false)
	want("member", psOpenAll, "reject (refuser) via API", false)
	want("owner", psOpenAll, "reject (refuser) via API", true)
	want("member", psOpenAll, "support offered", true)
	want("co-author", psPublished, "accept offered", true)
	want("moderator", psPublished, "move to archived offered", true)
	want("member", psArchived, "withdraw offered", true)
	for _, state := range propStates {
		for _, r := range pt.roles {
			if r.user == nil {
				for _, action := range []string{"add a proposition", "amend", "support", "accept", "close amendments", "withdraw signature"} {
					for _, layer := range []string{layerPage, layerAPI, layerStore} {
						want(r.name, state, action+" via "+layer, false)
					}
				}
			}
		}
	}
}
