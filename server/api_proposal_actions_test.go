package server

import (
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// apiProposalFixture is Léa's text « Des ateliers le samedi » with one
// proposition, open to contributions, and Karim's open amendment to it.
type apiProposalFixture struct {
	path, amendment string
	itemID          float64
}

func newAPIProposalFixture(t *testing.T, ts *testSite, owner, amender string, title string) apiProposalFixture {
	t.Helper()
	status, out := ts.apiCall(owner, "POST", "/api/v1/propositions", jsonOf(map[string]any{"title": title, "preamble": "Nous proposons."}))
	if status != 201 {
		t.Fatalf("create: %d %v", status, out)
	}
	fx := apiProposalFixture{path: "/api/v1/propositions/" + out["slug"].(string)}
	status, out = ts.apiCall(owner, "POST", fx.path+"/items", jsonOf(map[string]any{"title": "Un atelier", "body": "Un atelier par mois."}))
	if status != 200 {
		t.Fatalf("add a proposition: %d %v", status, out)
	}
	fx.itemID = out["proposition"].(map[string]any)["working"].(map[string]any)["items"].([]any)[0].(map[string]any)["id"].(float64)
	if status, out := ts.apiCall(owner, "POST", fx.path+"/etat", jsonOf(map[string]any{"state": "open"})); status != 200 {
		t.Fatalf("open: %d %v", status, out)
	}
	status, out = ts.apiCall(amender, "POST", fx.path+"/amendements", jsonOf(map[string]any{"kind": "change", "item_id": fx.itemID,
		"title": "Un atelier", "body": "Un atelier par semaine.", "justification": "Une fois par mois, c’est trop peu."}))
	if status != 201 {
		t.Fatalf("amend: %d %v", status, out)
	}
	fx.amendment = fx.path + "/amendements/" + itoa(int(out["id"].(float64)))
	return fx
}

func errorMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func TestAmendmentSupportMergeAndClosingThroughTheAPI(t *testing.T) {
	ts := newTestSite(t)
	lea, karim, nadia := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember),
		ts.mustCreateMember("Nadia", content.RoleMember)
	lt, kt, nt := ts.mustToken(lea), ts.mustToken(karim), ts.mustToken(nadia)
	fx := newAPIProposalFixture(t, ts, lt, kt, "Des ateliers le samedi")

	// « Je soutiens cet amendement », twice is still one support; then « Je ne le soutiens plus ».
	for i := 0; i < 2; i++ {
		status, out := ts.apiCall(nt, "POST", fx.amendment+"/soutien", "")
		if status != 200 || out["supports"] != 1.0 || out["supported"] != true || out["can_support"] != true || out["can_decide"] != false {
			t.Fatalf("support n°%d: %d %v", i+1, status, out)
		}
	}
	if status, out := ts.apiCall("", "POST", fx.amendment+"/soutien", ""); status != 401 || errorCode(out) != "unauthorized" {
		t.Errorf("a visitor supports: %d %v", status, out)
	}
	status, out := ts.apiCall(lt, "GET", fx.path+"/amendements", "")
	if a := out["amendements"].([]any)[0].(map[string]any); status != 200 || a["supports"] != 1.0 || a["supported"] != false || a["can_decide"] != true {
		t.Errorf("the list, to the owner: %d %v", status, out)
	}
	if _, out := ts.apiCall(nt, "GET", fx.path+"/amendements", ""); out["amendements"].([]any)[0].(map[string]any)["supported"] != true {
		t.Errorf("the list, to the supporter: %v", out)
	}
	status, out = ts.apiCall(nt, "POST", fx.amendment+"/soutien", jsonOf(map[string]any{"support": false}))
	if status != 200 || out["supports"] != 0.0 || out["supported"] != false {
		t.Fatalf("withdraw the support: %d %v", status, out)
	}
	// The page says the same.
	if page := ts.loggedIn(nadia).get(strings.TrimPrefix(fx.amendment, "/api/v1")); !strings.Contains(page.body, "0 soutien") ||
		!strings.Contains(page.body, "Je soutiens cet amendement") {
		t.Errorf("the amendment's page after withdrawing the support:\n%s", page.body)
	}

	// The owner closes amendments: Nadia's new one is refused, with the reason; a co-author may not reopen them.
	if _, err := ts.srv.store.InviteToProposal(ts.ctx(), lea, 1, "Karim", content.RoleCoauthor); err != nil {
		t.Fatal(err)
	}
	status, out = ts.apiCall(lt, "POST", fx.path+"/amendements/cloture", "")
	if status != 200 || out["amendments_closed"] != true || out["can_amend"] != false {
		t.Fatalf("close: %d %v", status, out)
	}
	addition := jsonOf(map[string]any{"kind": "add", "title": "Un goûter", "body": "Un goûter après l’atelier.", "justification": "Pour se parler."})
	status, out = ts.apiCall(nt, "POST", fx.path+"/amendements", addition)
	if status != 422 || !strings.Contains(errorMessage(out), "amendements de ce texte sont clos") {
		t.Errorf("amend once closed: %d %v", status, out)
	}
	if status, out := ts.apiCall(kt, "POST", fx.path+"/amendements/cloture", jsonOf(map[string]any{"closed": false})); status != 403 || errorCode(out) != "forbidden" {
		t.Errorf("a co-author reopens: %d %v", status, out)
	}
	// Closed amendments are still decided: Karim's is marked merged by hand, the text as it was.
	status, out = ts.apiCall(lt, "POST", fx.amendment+"/repris", "")
	if status != 200 || out["state"] != "merged" || out["decided_at"] == nil || out["can_decide"] != false {
		t.Fatalf("merged by hand: %d %v", status, out)
	}
	_, out = ts.apiCall(lt, "GET", fx.path, "")
	if body := out["working"].(map[string]any)["items"].([]any)[0].(map[string]any)["body"]; body != "Un atelier par mois." {
		t.Errorf("marking it merged by hand changed the text: %v", body)
	}
	if page := ts.client().get(strings.TrimPrefix(fx.amendment, "/api/v1")); !strings.Contains(page.body, "Repris à la main par Lea") {
		t.Errorf("the amendment's page once merged by hand:\n%s", page.body)
	}
	if status, out := ts.apiCall(nt, "POST", fx.amendment+"/soutien", ""); status != 422 || !strings.Contains(errorMessage(out), "déjà tranché") {
		t.Errorf("support a decided amendment: %d %v", status, out)
	}
	// Reopened, members amend again.
	status, out = ts.apiCall(lt, "POST", fx.path+"/amendements/cloture", jsonOf(map[string]any{"closed": false}))
	if status != 200 || out["amendments_closed"] != false {
		t.Fatalf("reopen: %d %v", status, out)
	}
	if status, out := ts.apiCall(nt, "POST", fx.path+"/amendements", addition); status != 201 {
		t.Errorf("amend once reopened: %d %v", status, out)
	}
}

func TestSignatureWithdrawalThroughTheAPI(t *testing.T) {
	ts := newTestSite(t)
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	lt, kt := ts.mustToken(lea), ts.mustToken(karim)
	unverified, err := ts.srv.store.CreateUser(ts.ctx(), content.NewUser{Pseudo: "Sam", Email: "sam@exemple.fr", Password: testPassword,
		Role: content.RoleMember, Verified: false}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := ts.mustToken(unverified)
	fx := newAPIProposalFixture(t, ts, lt, kt, "Des ateliers le samedi")
	if status, out := ts.apiCall(lt, "POST", fx.path+"/etat", jsonOf(map[string]any{"state": "published"})); status != 200 {
		t.Fatalf("publish: %d %v", status, out)
	}

	// A visitor cannot sign here, whatever fields they send: no signature, no mail.
	mailsBefore, err := ts.srv.store.RecentMails(ts.ctx(), 100)
	if err != nil {
		t.Fatal(err)
	}
	visitor := jsonOf(map[string]any{"name": "Camille", "email": "camille@exemple.fr", "departement": "29"})
	if status, out := ts.apiCall("", "POST", fx.path+"/signatures", visitor); status != 401 || errorCode(out) != "unauthorized" {
		t.Errorf("a visitor signs through the API: %d %v", status, out)
	}
	if mails, _ := ts.srv.store.RecentMails(ts.ctx(), 100); len(mails) != len(mailsBefore) {
		t.Errorf("a visitor's API request queued a mail: %v", mails[0])
	}
	// An account whose address is not confirmed signs nowhere, as on the page.
	if status, out := ts.apiCall(st, "POST", fx.path+"/signatures", ""); status != 403 || errorCode(out) != "unverified" {
		t.Errorf("an unverified account signs: %d %v", status, out)
	}
	_, out := ts.apiCall("", "GET", fx.path+"/signatures", "")
	if out["total"] != 0.0 || out["mine"] != nil {
		t.Fatalf("signatures after the refusals: %v", out)
	}

	// Karim signs, sees his own, withdraws; a second withdrawal says he had not signed.
	if status, out := ts.apiCall(kt, "POST", fx.path+"/signatures", ""); status != 201 {
		t.Fatalf("sign: %d %v", status, out)
	}
	status, out := ts.apiCall(kt, "GET", fx.path+"/signatures", "")
	if mine, _ := out["mine"].(map[string]any); status != 200 || mine["name"] != "Karim" || out["total"] != 1.0 {
		t.Errorf("Karim's signature: %d %v", status, out)
	}
	status, out = ts.apiCall(kt, "POST", fx.path+"/signatures/retirer", "")
	if status != 200 || out["withdrawn"] != true || out["total"] != 0.0 {
		t.Fatalf("withdraw: %d %v", status, out)
	}
	status, out = ts.apiCall(kt, "POST", fx.path+"/signatures/retirer", "")
	if status != 422 || errorMessage(out) != "Vous n’aviez pas signé ce texte." {
		t.Errorf("withdraw twice: %d %v", status, out)
	}
	if status, out := ts.apiCall("", "POST", fx.path+"/signatures/retirer", ""); status != 401 {
		t.Errorf("a visitor withdraws: %d %v", status, out)
	}
	// Signed again, then archived: signatures are closed, withdrawing still works.
	if status, out := ts.apiCall(kt, "POST", fx.path+"/signatures", ""); status != 201 {
		t.Fatalf("sign again: %d %v", status, out)
	}
	if status, out := ts.apiCall(lt, "POST", fx.path+"/etat", jsonOf(map[string]any{"state": "archived"})); status != 200 {
		t.Fatalf("archive: %d %v", status, out)
	}
	if status, out := ts.apiCall(lt, "POST", fx.path+"/signatures", ""); status != 422 || !strings.Contains(errorMessage(out), "signatures sont closes") {
		t.Errorf("sign an archived text: %d %v", status, out)
	}
	if status, out := ts.apiCall(kt, "POST", fx.path+"/signatures/retirer", ""); status != 200 || out["total"] != 0.0 {
		t.Errorf("withdraw from an archived text: %d %v", status, out)
	}
	if page := ts.client().get(strings.TrimPrefix(fx.path, "/api/v1") + "/signatures"); strings.Contains(page.body, "Karim") {
		t.Errorf("the signatories' page still lists Karim:\n%s", page.body)
	}
}
