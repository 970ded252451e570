package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// The permission table: for every role, post state and topic state, what the
// topic page offers for a reply (post n°2), what the store allows and what
// the JSON API allows must be one decision, the one content.PostActionsFor
// takes from the rules of content/permission.go.

// permRole is one kind of viewer, with the browser they use.
type permRole struct {
	name string
	user *content.User // nil for the visitor
	cl   *client
}

// permTopicState is the state the topic is in when the viewer acts.
type permTopicState struct {
	name   string
	kind   content.TopicKind
	locked bool
}

const (
	postVisible   = "visible"
	postHidden    = "hidden"
	postWithdrawn = "withdrawn"
)

var (
	permPostStates  = []string{postVisible, postHidden, postWithdrawn}
	permTopicStates = []permTopicState{
		{"open question", content.KindQuestion, false},
		{"locked question", content.KindQuestion, true},
		{"open discussion", content.KindDiscussion, false},
	}
	permActions = []string{"edit", "delete", "hide", "accept", "thank", "reply"}
	// apiActions are the actions the JSON API offers.
	apiActions = map[string]bool{"edit": true, "thank": true, "reply": true}
)

// permFixture is a fresh topic of the asker with the author's reply, post n°2.
type permFixture struct {
	topicID, postID int64
	path            string
}

type permKey struct{ role, post, topic, action string }

// permOutcome is what each layer decided for one (role, state, action).
type permOutcome struct {
	offered, store, api, rule bool
	apiStatus                 int
	storeErr                  error
}

type permTable struct {
	t                                            *testing.T
	ts                                           *testSite
	asker, author, member, moderator, unverified *content.User
	roles                                        []permRole
	fixtures                                     int
	results                                      map[permKey]permOutcome
	reads                                        map[permKey]bool // the page shows the text of post n°2
	topicReplies                                 map[permKey]permOutcome
}

// fixture builds a fresh topic in state (post, topic), so that what one
// attempt changes never bears on another.
func (pt *permTable) fixture(post string, ts permTopicState) permFixture {
	pt.t.Helper()
	ctx, store := pt.ts.ctx(), pt.ts.srv.store
	pt.fixtures++
	pt.ts.forgetLimits()
	topic, err := store.CreateTopic(ctx, pt.asker, content.NewTopic{Title: "Table des permissions, cas n°" + strconv.Itoa(pt.fixtures),
		Body: "Comment aider à remplir le formulaire ?", Category: "demarches-en-ligne", Kind: ts.kind})
	if err != nil {
		pt.t.Fatalf("fixture topic: %v", err)
	}
	reply, err := store.Reply(ctx, pt.author, topic.ID, content.NewReply{Body: "Réponse témoin de l’auteur."})
	if err != nil {
		pt.t.Fatalf("fixture reply: %v", err)
	}
	if reply.Number != 2 {
		pt.t.Fatalf("fixture reply is post n°%d, want 2", reply.Number)
	}
	switch post {
	case postHidden:
		err = store.SetPostHidden(ctx, pt.moderator, reply.ID, true)
	case postWithdrawn:
		err = store.DeletePost(ctx, pt.author, reply.ID)
	}
	if err != nil {
		pt.t.Fatalf("fixture %s post: %v", post, err)
	}
	if ts.locked {
		yes := true
		if err := store.ModerateTopic(ctx, pt.moderator, topic.ID, content.TopicUpdate{Locked: &yes}); err != nil {
			pt.t.Fatalf("fixture lock: %v", err)
		}
	}
	return permFixture{topicID: topic.ID, postID: reply.ID, path: topic.Path()}
}

// rule is what content.PostActionsFor decides, from the rows as u loads them.
func (pt *permTable) rule(u *content.User, fx permFixture) (content.PostActions, content.TopicActions) {
	pt.t.Helper()
	ctx, store := pt.ts.ctx(), pt.ts.srv.store
	topic, err := store.TopicByID(ctx, u, fx.topicID)
	if err != nil {
		pt.t.Fatalf("load topic: %v", err)
	}
	post, err := store.PostByNumber(ctx, u, fx.topicID, 2)
	if err != nil {
		pt.t.Fatalf("load post: %v", err)
	}
	return content.PostActionsFor(u, topic, post), content.TopicActionsFor(u, topic)
}

func actionOf(a content.PostActions, action string) bool {
	switch action {
	case "edit":
		return a.Edit
	case "delete":
		return a.Delete
	case "hide":
		return a.Hide
	case "accept":
		return a.Accept
	case "thank":
		return a.Thank
	case "reply":
		return a.Reply
	}
	panic("unknown action " + action)
}

// offeredMarker is what the page shows in the post's <article> when it
// offers the action.
func offeredMarker(action string, fx permFixture) string {
	id := strconv.FormatInt(fx.postID, 10)
	switch action {
	case "edit":
		return `href="/messages/` + id + `/modifier"`
	case "delete":
		return `href="/messages/` + id + `/supprimer"` // the confirmation page
	case "hide":
		return `action="/messages/` + id + `/masquer"`
	case "accept":
		return `action="/messages/` + id + `/accepter"`
	case "thank":
		return `action="/messages/` + id + `/merci"`
	case "reply":
		return `?citer=2#reponse`
	}
	panic("unknown action " + action)
}

var postTwoArticle = regexp.MustCompile(`(?s)<article[^>]*\bid="post-2"[^>]*>.*?</article>`)

// article returns the <article> of post n°2 on the topic page as seen by r.
func (pt *permTable) article(r permRole, fx permFixture, where string) string {
	pt.t.Helper()
	page := r.cl.get(fx.path)
	if page.status != http.StatusOK {
		pt.t.Fatalf("%s: GET %s as %s: status %d", where, fx.path, r.name, page.status)
	}
	found := postTwoArticle.FindAllString(page.body, -1)
	if len(found) != 1 {
		pt.t.Fatalf("%s: %d <article id=\"post-2\"> on the page, want 1\n%s", where, len(found), page.body)
	}
	return found[0]
}

// tryStore attempts the action through the store, as u.
func (pt *permTable) tryStore(u *content.User, action, post string, fx permFixture) error {
	ctx, store := pt.ts.ctx(), pt.ts.srv.store
	switch action {
	case "edit":
		_, err := store.EditPost(ctx, u, fx.postID, "Texte modifié par le magasin.")
		return err
	case "delete":
		return store.DeletePost(ctx, u, fx.postID)
	case "hide":
		// The page's button hides a visible post and restores a hidden one.
		return store.SetPostHidden(ctx, u, fx.postID, post != postHidden)
	case "accept":
		_, err := store.AcceptAnswer(ctx, u, fx.topicID, 2)
		return err
	case "thank":
		_, err := store.ToggleMerci(ctx, u, fx.postID)
		return err
	case "reply":
		_, err := store.Reply(ctx, u, fx.topicID, content.NewReply{Body: "Réponse au message n°2.", ReplyTo: 2})
		return err
	}
	panic("unknown action " + action)
}

// tryAPI attempts the action through the JSON API with r's session cookie
// and CSRF header, and returns the status.
func (pt *permTable) tryAPI(r permRole, action string, fx permFixture, replyTo int) int {
	pt.t.Helper()
	if r.cl.csrf != "" {
		r.cl.headers["X-CSRF-Token"] = r.cl.csrf
	}
	var method, path, body string
	switch action {
	case "edit":
		method, path, body = "PATCH", "/api/v1/posts/"+strconv.FormatInt(fx.postID, 10), `{"body":"Texte modifié par l’API."}`
	case "thank":
		method, path = "POST", "/api/v1/posts/"+strconv.FormatInt(fx.postID, 10)+"/merci"
	case "reply":
		method, path = "POST", "/api/v1/discussions/"+strconv.FormatInt(fx.topicID, 10)+"/reponses"
		body = `{"body":"Réponse par l’API."}`
		if replyTo > 0 {
			body = `{"body":"Réponse par l’API.","reply_to":` + strconv.Itoa(replyTo) + `}`
		}
	default:
		panic("no API for " + action)
	}
	var res *response
	if body == "" {
		res = r.cl.do(method, path, nil, "")
	} else {
		res = r.cl.do(method, path, strings.NewReader(body), "application/json")
	}
	if res.status >= 500 || res.status < 200 || (res.status >= 300 && res.status < 400) {
		pt.t.Errorf("API %s %s as %s: status %d, want 2xx or 4xx\n%s", method, path, r.name, res.status, res.body)
	}
	if res.status == http.StatusForbidden && strings.Contains(res.body, `"code":"csrf"`) {
		pt.t.Fatalf("API %s %s as %s: refused for CSRF, the test sends no valid token", method, path, r.name)
	}
	return res.status
}

// apiShowsText tells whether GET /api/v1/discussions/:id gives r the text
// of post n°2.
func (pt *permTable) apiShowsText(r permRole, fx permFixture) bool {
	pt.t.Helper()
	res := r.cl.get("/api/v1/discussions/" + strconv.FormatInt(fx.topicID, 10))
	var out struct {
		Posts []struct {
			Number int    `json:"number"`
			Body   string `json:"body"`
		} `json:"posts"`
	}
	if res.status != http.StatusOK {
		pt.t.Fatalf("API topic as %s: status %d", r.name, res.status)
	}
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		pt.t.Fatalf("API topic as %s: %v", r.name, err)
	}
	for _, p := range out.Posts {
		if p.Number == 2 {
			return p.Body != ""
		}
	}
	pt.t.Fatalf("API topic as %s: no post n°2 in %s", r.name, res.body)
	return false
}

func is2xx(status int) bool { return status >= 200 && status < 300 }

// TestPermissionTableMatchesPageStoreAndAPI checks discussions here and
// textes de propositions in permission_proposal_test.go; fiches have
// TestFichePermissionTable.
func TestPermissionTableMatchesPageStoreAndAPI(t *testing.T) {
	t.Run("discussions", testDiscussionPermissionTable)
	t.Run("textes de propositions", testProposalPermissionTable)
}

func testDiscussionPermissionTable(t *testing.T) {
	ts := newTestSite(t)
	pt := &permTable{t: t, ts: ts, results: map[permKey]permOutcome{}, reads: map[permKey]bool{}, topicReplies: map[permKey]permOutcome{}}
	pt.asker = ts.mustCreateMember("Asker", content.RoleMember)
	pt.author = ts.mustCreateMember("Author", content.RoleMember)
	pt.member = ts.mustCreateMember("Member", content.RoleMember)
	pt.moderator = ts.mustCreateMember("Moderator", content.RoleModerator)
	unverified, err := ts.srv.store.CreateUser(ts.ctx(), content.NewUser{Pseudo: "Unverified", Email: "unverified@exemple.fr",
		Password: testPassword, Role: content.RoleMember, Verified: false}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pt.unverified = unverified
	// An account that has not confirmed its address may log in (it may
	// read, keep drafts and ask for a new link), so it is tested through
	// the page and the API like the others.
	pt.roles = []permRole{
		{"asker", pt.asker, ts.loggedIn(pt.asker)},
		{"author", pt.author, ts.loggedIn(pt.author)},
		{"member", pt.member, ts.loggedIn(pt.member)},
		{"moderator", pt.moderator, ts.loggedIn(pt.moderator)},
		{"unverified", pt.unverified, ts.loggedIn(pt.unverified)},
		{"visitor", nil, ts.client()},
	}

	for _, r := range pt.roles {
		for _, post := range permPostStates {
			for _, tst := range permTopicStates {
				pt.runCase(r, post, tst)
			}
		}
	}
	pt.checkExpectations()
	t.Logf("%d roles × %d post states × %d topic states = %d situations; %d post-action cases, %d topic-reply cases; %d fixtures",
		len(pt.roles), len(permPostStates), len(permTopicStates), len(pt.reads), len(pt.results), len(pt.topicReplies), pt.fixtures)
}

// runCase checks every action of role r on post n°2 in one state.
func (pt *permTable) runCase(r permRole, post string, tst permTopicState) {
	where := r.name + " / " + post + " post / " + tst.name
	// What the page offers, against the rule on the same rows.
	fx := pt.fixture(post, tst)
	rule, topicRule := pt.rule(r.user, fx)
	art := pt.article(r, fx, where)
	shown := strings.Contains(art, `class="post-body"`)
	if shown != rule.Read {
		pt.t.Errorf("%s: page shows the text: %v, PostActionsFor.Read: %v", where, shown, rule.Read)
	}
	pt.reads[permKey{r.name, post, tst.name, "read"}] = shown
	if api := pt.apiShowsText(r, fx); api != rule.Read {
		pt.t.Errorf("%s: API gives the text: %v, PostActionsFor.Read: %v", where, api, rule.Read)
	}
	if r.user == nil && strings.Contains(art, "/messages/") {
		pt.t.Errorf("%s: the page offers a visitor an action on the post:\n%s", where, art)
	}
	offered := map[string]bool{}
	for _, action := range permActions {
		offered[action] = strings.Contains(art, offeredMarker(action, fx))
	}

	for _, action := range permActions {
		key := permKey{r.name, post, tst.name, action}
		o := permOutcome{offered: offered[action], rule: actionOf(rule, action)}
		o.storeErr = pt.tryStore(r.user, action, post, pt.fixture(post, tst))
		o.store = o.storeErr == nil
		if apiActions[action] {
			o.apiStatus = pt.tryAPI(r, action, pt.fixture(post, tst), 2)
			o.api = is2xx(o.apiStatus)
		} else {
			o.api = o.store
		}
		pt.results[key] = o
		if o.offered != o.rule || o.store != o.rule || o.api != o.rule {
			pt.t.Errorf("%s / %s: page offers %v, store allows %v (err %v), API allows %v (status %d), PostActionsFor says %v",
				where, action, o.offered, o.store, o.storeErr, o.api, o.apiStatus, o.rule)
		}
	}

	// Answering the topic as a whole (no reply_to): store and API against
	// TopicActionsFor.
	key := permKey{r.name, post, tst.name, "reply to topic"}
	_, err := pt.ts.srv.store.Reply(pt.ts.ctx(), r.user, pt.fixture(post, tst).topicID, content.NewReply{Body: "Réponse à toute la discussion."})
	o := permOutcome{rule: topicRule.Reply, store: err == nil, storeErr: err}
	o.apiStatus = pt.tryAPI(r, "reply", pt.fixture(post, tst), 0)
	o.api = is2xx(o.apiStatus)
	pt.topicReplies[key] = o
	if o.store != o.rule || o.api != o.rule {
		pt.t.Errorf("%s / reply to topic: store allows %v (err %v), API allows %v (status %d), TopicActionsFor says %v",
			where, o.store, o.storeErr, o.api, o.apiStatus, o.rule)
	}
}

// checkExpectations pins down decisions by name, so that the table cannot
// agree with itself by all layers refusing (or allowing) everything.
func (pt *permTable) checkExpectations() {
	t := pt.t
	want := func(role, post, topic, action string, allowed bool) {
		t.Helper()
		o, ok := pt.results[permKey{role, post, topic, action}]
		if !ok {
			t.Fatalf("no result for %s / %s post / %s / %s", role, post, topic, action)
		}
		if o.offered != allowed || o.store != allowed || o.api != allowed {
			t.Errorf("expected %s / %s post / %s / %s to be allowed=%v: page offers %v, store %v (err %v), API %v (status %d)",
				role, post, topic, action, allowed, o.offered, o.store, o.storeErr, o.api, o.apiStatus)
		}
	}
	for _, tst := range permTopicStates {
		// Nobody edits a withdrawn post, not even a moderator.
		want("moderator", postWithdrawn, tst.name, "edit", false)
		// A moderator may edit a hidden post; its author may not.
		want("moderator", postHidden, tst.name, "edit", true)
		want("author", postVisible, tst.name, "edit", true)
		want("author", postHidden, tst.name, "edit", false)
		want("author", postVisible, tst.name, "delete", true)
		want("moderator", postVisible, tst.name, "hide", true)
		want("member", postVisible, tst.name, "edit", false)
		want("unverified", postVisible, tst.name, "thank", false)
		want("asker", postVisible, tst.name, "thank", true)
	}
	want("asker", postVisible, "open question", "accept", true)
	want("moderator", postVisible, "open question", "accept", true)
	want("member", postVisible, "open question", "accept", false)
	want("asker", postHidden, "open question", "accept", false)
	want("member", postVisible, "open question", "reply", true)
	want("member", postVisible, "open discussion", "reply", true)
	for _, r := range pt.roles {
		for _, post := range permPostStates {
			for _, tst := range permTopicStates {
				// Nobody replies in a locked topic.
				if tst.locked {
					want(r.name, post, tst.name, "reply", false)
					if o := pt.topicReplies[permKey{r.name, post, tst.name, "reply to topic"}]; o.store || o.api {
						t.Errorf("%s / %s post / %s: a reply to the locked topic was accepted (store %v, API %d)", r.name, post, tst.name, o.store, o.apiStatus)
					}
				}
				// A discussion has no accepted answer.
				if tst.kind == content.KindDiscussion {
					want(r.name, post, tst.name, "accept", false)
				}
				// Nobody thanks their own post.
				if r.name == "author" {
					want(r.name, post, tst.name, "thank", false)
				}
				// Visitors are offered nothing, and allowed nothing.
				if r.name == "visitor" {
					for _, action := range permActions {
						want(r.name, post, tst.name, action, false)
					}
				}
			}
		}
	}
	if got := fmt.Sprint(pt.reads[permKey{"member", postHidden, "open question", "read"}], pt.reads[permKey{"author", postHidden, "open question", "read"}],
		pt.reads[permKey{"moderator", postWithdrawn, "open question", "read"}], pt.reads[permKey{"author", postWithdrawn, "open question", "read"}]); got != "false true true false" {
		t.Errorf("read (member hidden, author hidden, moderator withdrawn, author withdrawn) = %s, want false true true false", got)
	}
}
