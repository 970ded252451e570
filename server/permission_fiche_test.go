package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// The fiche permission table: for every role and state of a fiche, what its
// page offers and what the pages, the JSON API and the store accept must be
// the decision of content/permission.go (FicheActionsFor and the Can…Fiche
// functions), asked on the fiche as the store holds it.

// ficheRole is one kind of viewer. The suspended one is a co-author invited
// before their suspension: their old session reads as a visitor's, any
// write with it and any use of their token answers 403 (« suspendu »),
// while the store is called with their account.
type ficheRole struct {
	name  string
	user  *content.User // nil for the visitor
	cl    *client
	token string // "" for the visitor, dead for the suspended
	live  bool   // the session and token still identify them
	// suspended: their session reads as a visitor, their writes and token get 403
	suspended bool
}

const (
	stBrouillon = "brouillon"
	stPublished = "published"
	stProtected = "protected"
	stDeleted   = "deleted"
	stMerged    = "merged"
)

var ficheStates = []string{stBrouillon, stPublished, stProtected, stDeleted, stMerged}

// ficheFixture is one fiche of the creator, co-written by the co-author and
// the suspended member, brought to a state.
type ficheFixture struct {
	id       int64
	slug     string
	path     string
	word     string // only in its body, for search
	reportID int64  // an open report, once published
}

type ficheTable struct {
	t                                   *testing.T
	ts                                  *testSite
	creator, coauthor, moderator, admin *content.User
	reporter, suspended                 *content.User
	target                              *content.Fiche // where merged fixtures go
	roles                               []ficheRole
	spare                               map[string]*ficheFixture // unchanged by refused writes
	fixtures, checks                    int
	results                             map[[3]string]bool // role, state, "action via layer": accepted or offered
}

// fixture makes a fresh fiche in state.
func (ft *ficheTable) fixture(state string) *ficheFixture {
	ft.t.Helper()
	ctx, st := ft.ts.ctx(), ft.ts.srv.store
	ft.fixtures++
	n := ft.fixtures
	fx := &ficheFixture{word: fmt.Sprintf("tableperm%04d", n)}
	f, err := st.CreateFiche(ctx, ft.creator, content.FicheInput{Title: "Fiche de la table n°" + strconv.Itoa(n),
		Summary: "Une fiche pour la table des permissions.", Body: "## Accueillir\n\nLe repère " + fx.word + " de cette fiche.\n",
		Tags: "caf", Audiences: []string{"seniors"}}, 0)
	must := func(what string, err error) {
		if err != nil {
			ft.t.Fatalf("fixture %d (%s): %s: %v", n, state, what, err)
		}
	}
	must("create", err)
	fx.id, fx.slug, fx.path = f.ID, f.Slug, f.Path()
	_, err = st.InviteCoauthor(ctx, ft.creator, f.ID, ft.coauthor.Pseudo)
	must("invite co-author", err)
	// The suspended co-author is invited while active, then suspended again.
	must("reinstate", st.SetSuspended(ctx, ft.admin, ft.suspended.ID, false))
	_, err = st.InviteCoauthor(ctx, ft.creator, f.ID, ft.suspended.Pseudo)
	must("invite suspended", err)
	must("suspend", st.SetSuspended(ctx, ft.admin, ft.suspended.ID, true))
	if state == stBrouillon {
		return fx
	}
	_, err = st.PublishFiche(ctx, ft.creator, f.ID)
	must("publish", err)
	r, err := st.ReportFiche(ctx, ft.reporter, f.ID, content.ReportInput{Comment: "Le numéro de téléphone a changé en 2025."})
	must("report", err)
	fx.reportID = r.ID
	switch state {
	case stProtected:
		must("protect", st.SetFicheProtected(ctx, ft.moderator, f.ID, true))
	case stDeleted:
		must("delete", st.DeleteFiche(ctx, ft.moderator, f.ID, "Doublon"))
	case stMerged:
		must("merge", st.MergeFiches(ctx, ft.moderator, f.ID, ft.target.ID))
	}
	return fx
}

// spareOf is the state's fixture for writes; spend makes the next one fresh.
func (ft *ficheTable) spareOf(state string) *ficheFixture {
	if ft.spare[state] == nil {
		ft.spare[state] = ft.fixture(state)
	}
	return ft.spare[state]
}

func (ft *ficheTable) load(id int64) *content.Fiche {
	ft.t.Helper()
	f, err := ft.ts.srv.store.FicheByID(ft.ts.ctx(), id)
	if err != nil {
		ft.t.Fatal(err)
	}
	return f
}

// fingerprint is what a refused write must leave as it was.
func fingerprint(f *content.Fiche) string {
	var merged int64
	if f.MergedInto != nil {
		merged = *f.MergedInto
	}
	return fmt.Sprintf("rev %d, published %v, protected %v, deleted %v, merged into %d, %q", f.Revision, f.PublishedAt != nil,
		f.Protected, f.DeletedAt != nil, merged, f.Body)
}

// agree records one check: the layer's answer against the rule's.
func (ft *ficheTable) agree(r ficheRole, state, action string, want, got bool, detail string) {
	ft.t.Helper()
	ft.checks++
	ft.results[[3]string{r.name, state, action}] = got
	if want != got {
		ft.t.Errorf("%s / %s / %s: want %v, got %v (%s)", r.name, state, action, want, got, detail)
	}
}

// status records one check of a status code.
func (ft *ficheTable) status(r ficheRole, state, what string, want, got int, body string) {
	ft.t.Helper()
	ft.checks++
	if want != got {
		ft.t.Errorf("%s / %s / %s: want status %d, got %d\n%.600s", r.name, state, what, want, got, body)
	}
}

// readStatus is what loading the fiche answers: 200 when the viewer may
// read it, else 410 once deleted, 301 once merged, 404 for a brouillon.
func readStatus(state string, readable bool) int {
	switch {
	case readable:
		return http.StatusOK
	case state == stDeleted:
		return http.StatusGone
	case state == stMerged:
		return http.StatusMovedPermanently
	}
	return http.StatusNotFound
}

// api sends a request with r's token, as a script would (no cookies).
func (ft *ficheTable) api(r ficheRole, method, path, body string) *response {
	cl := ft.ts.client()
	if r.token != "" {
		cl.headers["Authorization"] = "Bearer " + r.token
	}
	if body == "" {
		return cl.do(method, path, nil, "")
	}
	return cl.do(method, path, strings.NewReader(body), "application/json")
}

func TestFichePermissionTable(t *testing.T) {
	start := time.Now()
	ts := newTestSite(t)
	ctx, st := ts.ctx(), ts.srv.store
	ft := &ficheTable{t: t, ts: ts, spare: map[string]*ficheFixture{}, results: map[[3]string]bool{}}
	ft.creator = ts.mustCreateMember("Createur", content.RoleMember)
	ft.coauthor = ts.mustCreateMember("Coautrice", content.RoleMember)
	ft.moderator = ts.mustCreateMember("Moderatrice", content.RoleModerator)
	ft.admin = ts.mustCreateMember("Admin", content.RoleAdmin)
	ft.reporter = ts.mustCreateMember("Signaleur", content.RoleMember)
	member := ts.mustCreateMember("Membre", content.RoleMember)
	unverified, err := st.CreateUser(ctx, content.NewUser{Pseudo: "NonVerifie", Email: "nonverifie@exemple.fr",
		Password: testPassword, Role: content.RoleMember, Verified: false}, nil)
	if err != nil {
		t.Fatal(err)
	}
	suspended := ts.mustCreateMember("Suspendu", content.RoleMember)
	suspendedCl, suspendedToken := ts.loggedIn(suspended), ts.mustToken(suspended)
	if err := st.SetSuspended(ctx, ft.admin, suspended.ID, true); err != nil {
		t.Fatal(err)
	}
	if ft.suspended, err = st.UserByID(ctx, suspended.ID); err != nil || !ft.suspended.Suspended() {
		t.Fatalf("suspended account: %v", err)
	}
	target, err := st.CreateFiche(ctx, ft.creator, content.FicheInput{Title: "Fiche qui reçoit les fusions", Body: "Le texte qui reste.\n"}, 0)
	if err == nil {
		target, err = st.PublishFiche(ctx, ft.creator, target.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	ft.target = target
	role := func(name string, u *content.User) ficheRole {
		return ficheRole{name: name, user: u, cl: ts.loggedIn(u), token: ts.mustToken(u), live: true}
	}
	ft.roles = []ficheRole{
		{name: "visitor", cl: ts.client()},
		role("unverified", unverified),
		role("member", member),
		role("creator", ft.creator),
		role("co-author", ft.coauthor),
		role("moderator", ft.moderator),
		{name: "suspended co-author", user: ft.suspended, cl: suspendedCl, token: suspendedToken, suspended: true},
	}

	reads := map[string]*ficheFixture{}
	for _, state := range ficheStates {
		reads[state] = ft.fixture(state)
	}
	ts.syncIndex()
	for _, state := range ficheStates {
		for _, r := range ft.roles {
			ft.checkReadAndOffers(r, state, reads[state])
		}
		// Writes that leave the decisions as they were: on the same fiche.
		for _, r := range ft.roles {
			ft.checkKeptWrites(r, state, reads[state])
		}
		for _, r := range ft.roles {
			ft.checkEdit(r, state)
			ft.checkPublish(r, state)
			ft.checkProtect(r, state)
		}
	}
	ft.checkExpectations()
	t.Logf("%d roles × %d states: %d checks on %d fixtures in %s", len(ft.roles), len(ficheStates), ft.checks, ft.fixtures,
		time.Since(start).Round(time.Millisecond))
}

// checkReadAndOffers checks reading fx everywhere, and what its page offers.
func (ft *ficheTable) checkReadAndOffers(r ficheRole, state string, fx *ficheFixture) {
	ft.t.Helper()
	f := ft.load(fx.id)
	readable, can := content.CanReadFiche(r.user, f), content.FicheActionsFor(r.user, f)
	want := readStatus(state, readable)
	page := r.cl.get(fx.path)
	ft.status(r, state, "read via page", want, page.status, page.body)
	if state == stMerged {
		ft.checks++
		if page.location != ft.target.Path() {
			ft.t.Errorf("%s / merged / read via page: want a redirect to %s, got %q", r.name, ft.target.Path(), page.location)
		}
	}
	md := r.cl.get(fx.path + ".md")
	ft.status(r, state, "read via .md", want, md.status, md.body)
	hist := r.cl.get(fx.path + "/historique")
	ft.status(r, state, "read via history", want, hist.status, hist.body)
	apiWant := want
	if r.suspended {
		apiWant = http.StatusForbidden // their token says they are suspended
	}
	api := ft.api(r, "GET", "/api/v1/fiches/"+fx.slug, "")
	ft.status(r, state, "read via API", apiWant, api.status, api.body)
	link := fx.path + `"`
	found := r.cl.get("/recherche?q=" + fx.word)
	ft.agree(r, state, "found via search", readable, strings.Contains(found.body, `href="`+link), "GET /recherche?q="+fx.word)
	if r.live {
		res := ft.api(r, "GET", "/api/v1/recherche?q="+fx.word, "")
		ft.agree(r, state, "found via API search", readable, strings.Contains(res.body, link), fmt.Sprintf("status %d", res.status))
	}
	l, err := ft.ts.srv.store.FicheBySlug(ft.ts.ctx(), r.user, fx.slug)
	ft.agree(r, state, "read via store", readable, err == nil && l.Fiche != nil && l.Redirect == "" && !l.Gone,
		fmt.Sprintf("FicheBySlug: %+v, %v", l.Redirect, err))

	body := ""
	if page.status == http.StatusOK {
		body = page.body
	}
	offers := []struct {
		action string
		rule   bool
		marker string
	}{
		{"edit", can.Edit, `href="` + fx.path + `/modifier">Modifier la fiche</a>`},
		{"propose", can.Propose, `href="#commenter">Proposez votre modification`},
		{"publish", can.Publish, `action="` + fx.path + `/publier"`},
		{"invite", can.Invite, `action="` + fx.path + `/coauteurs"`},
		{"moderate", can.Moderate, `<h2 id="moderation">Modération</h2>`},
		{"save", can.Save, `action="` + fx.path + `/enregistrer"`},
		{"report", can.Report, `action="` + fx.path + `/signaler"`},
		{"handle", can.Handle, `/signalements/` + strconv.FormatInt(fx.reportID, 10) + `/traite"`},
		{"comment", can.Comment, `action="` + fx.path + `/commentaires"`},
	}
	for _, o := range offers {
		ft.agree(r, state, o.action+" offered", o.rule, strings.Contains(body, o.marker), "FicheActionsFor against the page")
	}
}

// checkKeptWrites saves, reports, comments and handles the report on fx:
// none of these changes what the next role may do.
func (ft *ficheTable) checkKeptWrites(r ficheRole, state string, fx *ficheFixture) {
	ft.t.Helper()
	ctx, st := ft.ts.ctx(), ft.ts.srv.store
	f := ft.load(fx.id)
	_, err := st.SaveToCollection(ctx, r.user, fx.id, content.SaveTarget{})
	ft.agree(r, state, "save via store", content.CanSaveFiche(r.user, f), err == nil, fmt.Sprint(err))
	res := ft.api(r, "POST", "/api/v1/fiches/"+fx.slug+"/enregistrer", "")
	ft.agree(r, state, "save via API", content.CanSaveFiche(r.user, f) && r.live, res.status == http.StatusOK,
		fmt.Sprintf("status %d %.300s", res.status, res.body))
	_, err = st.ReportFiche(ctx, r.user, fx.id, content.ReportInput{Comment: "Le formulaire en ligne a changé d’adresse."})
	ft.agree(r, state, "report via store", content.CanReportFiche(r.user, f), err == nil, fmt.Sprint(err))
	_, err = st.CommentFiche(ctx, r.user, fx.id, "Un commentaire de la table des permissions.")
	ft.agree(r, state, "comment via store", content.CanCommentFiche(r.user, f) == nil, err == nil, fmt.Sprint(err))
	_, err = st.HandleFicheReport(ctx, r.user, fx.id, fx.reportID)
	ft.agree(r, state, "handle via store", content.CanHandleReport(r.user, f), err == nil, fmt.Sprint(err))
	if after := ft.load(fx.id); fingerprint(after) != fingerprint(f) {
		ft.t.Fatalf("%s / %s: saving, reporting or commenting changed the fiche: %s → %s", r.name, state, fingerprint(f), fingerprint(after))
	}
}

// attempt is one write through one layer on the state's spare fixture.
type attempt struct {
	action, layer string
	allowed       bool
	okStatus      int // the answer of an accepted write; 0 for the store
	refusedStatus int
	do            func(fx *ficheFixture, f *content.Fiche) (int, string, error)
	took          func(before, after *content.Fiche) bool
}

func (ft *ficheTable) try(r ficheRole, state string, a attempt) {
	ft.t.Helper()
	fx := ft.spareOf(state)
	before := ft.load(fx.id)
	status, body, err := a.do(fx, before)
	after := ft.load(fx.id)
	accepted := a.took(before, after)
	if fingerprint(before) != fingerprint(after) {
		ft.spare[state] = nil
	}
	what := a.action + " via " + a.layer
	ft.agree(r, state, what, a.allowed, accepted, fmt.Sprintf("status %d, err %v", status, err))
	if !accepted && fingerprint(before) != fingerprint(after) {
		ft.t.Errorf("%s / %s / %s: refused, yet the fiche changed: %s → %s", r.name, state, what, fingerprint(before), fingerprint(after))
	}
	switch {
	case a.layer == "store":
		if (err == nil) != accepted {
			ft.t.Errorf("%s / %s / %s: the store answers %v, yet accepted=%v", r.name, state, what, err, accepted)
		}
	case accepted:
		ft.status(r, state, what, a.okStatus, status, body)
	default:
		ft.status(r, state, what, a.refusedStatus, status, body)
	}
}

// refused is what a page or the API answers a refused write: 403 to a
// suspended member, 401 without a live session or token, then what
// loading the fiche answers, then own.
func refused(r ficheRole, state string, readable bool, own int) int {
	switch {
	case r.suspended:
		return http.StatusForbidden // told why, the text kept
	case !r.live:
		return http.StatusUnauthorized
	case !readable:
		return readStatus(state, false)
	}
	return own
}

// apiRefused is refused for the API, where a suspended member's token is
// refused with 403, saying why.
func apiRefused(r ficheRole, state string, readable bool, own int) int {
	if r.token != "" && !r.live {
		return http.StatusForbidden
	}
	return refused(r, state, readable, own)
}

func (ft *ficheTable) checkEdit(r ficheRole, state string) {
	ft.t.Helper()
	f := ft.load(ft.spareOf(state).id)
	rule := content.CanEditFiche(r.user, f)
	readable := content.CanReadFiche(r.user, f)
	newBody := func(f *content.Fiche) string { return f.Body + "\nAjout de " + r.name + ".\n" }
	took := func(before, after *content.Fiche) bool { return after.Revision == before.Revision+1 }
	ft.try(r, state, attempt{action: "edit", layer: "page", allowed: rule == nil, okStatus: http.StatusSeeOther,
		refusedStatus: refused(r, state, readable, http.StatusUnprocessableEntity), took: took,
		do: func(fx *ficheFixture, f *content.Fiche) (int, string, error) {
			res := r.cl.postForm(fx.path+"/modifier", ficheForm(f.Title, newBody(f), strconv.Itoa(f.Revision)))
			return res.status, res.body, nil
		}})
	apiOwn := http.StatusUnprocessableEntity
	if errors.Is(rule, content.ErrUnverified) {
		apiOwn = http.StatusForbidden
	}
	ft.try(r, state, attempt{action: "edit", layer: "API", allowed: rule == nil && r.live, okStatus: http.StatusOK,
		refusedStatus: apiRefused(r, state, readable, apiOwn), took: took,
		do: func(fx *ficheFixture, f *content.Fiche) (int, string, error) {
			res := ft.api(r, "PUT", "/api/v1/fiches/"+fx.slug, ficheJSON(f.Title, newBody(f), f.Revision))
			return res.status, res.body, nil
		}})
	ft.try(r, state, attempt{action: "edit", layer: "store", allowed: rule == nil, took: took,
		do: func(fx *ficheFixture, f *content.Fiche) (int, string, error) {
			_, err := ft.ts.srv.store.SaveFiche(ft.ts.ctx(), r.user, fx.id, content.FicheInput{Title: f.Title, Body: newBody(f),
				Tags: "caf", Audiences: []string{"seniors"}, BaseRevision: f.Revision})
			if (err == nil) != (rule == nil) || (rule != nil && !sameReason(err, rule)) {
				ft.t.Errorf("%s / %s / edit via store: refused with %v, CanEditFiche says %v", r.name, state, err, rule)
			}
			return 0, "", err
		}})
}

// sameReason tells whether two refusals give the member the same reason.
func sameReason(a, b error) bool {
	_, va := content.AsValidation(a)
	_, vb := content.AsValidation(b)
	return va == vb && errors.Is(a, content.ErrNotFound) == errors.Is(b, content.ErrNotFound) &&
		errors.Is(a, content.ErrForbidden) == errors.Is(b, content.ErrForbidden) &&
		errors.Is(a, content.ErrUnverified) == errors.Is(b, content.ErrUnverified)
}

func (ft *ficheTable) checkPublish(r ficheRole, state string) {
	ft.t.Helper()
	f := ft.load(ft.spareOf(state).id)
	rule, readable := content.CanPublishFiche(r.user, f), content.CanReadFiche(r.user, f)
	took := func(before, after *content.Fiche) bool {
		return after.PublishedAt != nil && (before.PublishedAt == nil || !after.PublishedAt.Equal(*before.PublishedAt))
	}
	// A readable fiche one may not publish: back to it with the reason.
	ft.try(r, state, attempt{action: "publish", layer: "page", allowed: rule, okStatus: http.StatusSeeOther,
		refusedStatus: refused(r, state, readable, http.StatusSeeOther), took: took,
		do: func(fx *ficheFixture, _ *content.Fiche) (int, string, error) {
			res := r.cl.postForm(fx.path+"/publier", url.Values{})
			return res.status, res.body, nil
		}})
	ft.try(r, state, attempt{action: "publish", layer: "store", allowed: rule, took: took,
		do: func(fx *ficheFixture, _ *content.Fiche) (int, string, error) {
			_, err := ft.ts.srv.store.PublishFiche(ft.ts.ctx(), r.user, fx.id)
			return 0, "", err
		}})
}

func (ft *ficheTable) checkProtect(r ficheRole, state string) {
	ft.t.Helper()
	f := ft.load(ft.spareOf(state).id)
	rule, readable := content.CanModerateFiche(r.user, f), content.CanReadFiche(r.user, f)
	took := func(before, after *content.Fiche) bool { return after.Protected != before.Protected }
	// requireModerator answers 403 to members before the fiche is loaded.
	want := refused(r, state, readable, http.StatusForbidden)
	if r.live && !content.CanModerate(r.user) {
		want = http.StatusForbidden
	}
	ft.try(r, state, attempt{action: "protect", layer: "page", allowed: rule, okStatus: http.StatusSeeOther, refusedStatus: want, took: took,
		do: func(fx *ficheFixture, f *content.Fiche) (int, string, error) {
			res := r.cl.postForm(fx.path+"/protection", url.Values{"proteger": {map[bool]string{true: "0", false: "1"}[f.Protected]}})
			return res.status, res.body, nil
		}})
	ft.try(r, state, attempt{action: "protect", layer: "store", allowed: rule, took: took,
		do: func(fx *ficheFixture, f *content.Fiche) (int, string, error) {
			return 0, "", ft.ts.srv.store.SetFicheProtected(ft.ts.ctx(), r.user, fx.id, !f.Protected)
		}})
}

// checkExpectations pins decisions by name, so that the table cannot agree
// with itself by every layer refusing (or allowing) everything.
func (ft *ficheTable) checkExpectations() {
	t := ft.t
	want := func(role, state, action string, allowed bool) {
		t.Helper()
		got, ok := ft.results[[3]string{role, state, action}]
		if !ok {
			t.Fatalf("no result for %s / %s / %s", role, state, action)
		}
		if got != allowed {
			t.Errorf("expected %s / %s / %s to be %v, got %v", role, state, action, allowed, got)
		}
	}
	for _, layer := range []string{"page", "API", "store"} {
		want("member", stPublished, "edit via "+layer, true)
		want("member", stProtected, "edit via "+layer, false)
		want("co-author", stProtected, "edit via "+layer, true)
		want("co-author", stBrouillon, "edit via "+layer, true)
		want("moderator", stProtected, "edit via "+layer, true)
		want("moderator", stBrouillon, "edit via "+layer, false)
		want("unverified", stPublished, "edit via "+layer, false)
		want("suspended co-author", stBrouillon, "edit via "+layer, false)
	}
	for _, layer := range []string{"page", "store"} {
		want("co-author", stBrouillon, "publish via "+layer, true)
		want("moderator", stBrouillon, "publish via "+layer, false)
		want("moderator", stProtected, "protect via "+layer, true)
		want("creator", stPublished, "protect via "+layer, false)
	}
	want("creator", stBrouillon, "found via search", true)
	want("moderator", stBrouillon, "found via search", false)
	want("visitor", stPublished, "found via search", true)
	want("suspended co-author", stBrouillon, "read via store", false)
	want("member", stPublished, "edit offered", true)
	want("member", stProtected, "edit offered", false)
	want("creator", stBrouillon, "publish offered", true)
	want("moderator", stPublished, "moderate offered", true)
	want("moderator", stBrouillon, "moderate offered", false)
	want("member", stPublished, "save offered", true)
	want("member", stPublished, "comment offered", true)
	want("creator", stBrouillon, "found via API search", true)
	want("member", stProtected, "propose offered", true)
	want("co-author", stProtected, "invite offered", true)
	want("unverified", stPublished, "report offered", true)
	want("unverified", stPublished, "comment offered", false)
	want("member", stPublished, "handle offered", true)
	want("member", stProtected, "handle offered", false)
	for _, state := range ficheStates {
		for _, action := range []string{"save via store", "report via store", "comment via store", "edit via store", "publish via store"} {
			want("visitor", state, action, false)
			want("suspended co-author", state, action, false)
		}
		if state == stDeleted || state == stMerged {
			for _, r := range ft.roles {
				want(r.name, state, "read via store", false)
			}
		}
	}
}
