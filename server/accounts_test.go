package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

func registration(pseudo, email, password string) url.Values {
	return url.Values{"pseudo": {pseudo}, "email": {email}, "password": {password},
		"structure": {"Médiathèque de Brest"}, "departement": {"29"}, "metier": {"mediateur"}, "charte": {"1"}}
}

func TestRegistration(t *testing.T) {
	ts := newTestSite(t)
	ts.mustCreateMember("Hélène", content.RoleMember)

	runScenarios(t, ts, []scenario{
		{name: "form", path: "/inscription", wantStatus: 200,
			wantContains: []string{`<label for="f-pseudo">`, `name="departement"`, `autocomplete="new-password"`}},
		{name: "pseudo taken, ignoring case and accents", method: "POST", path: "/inscription",
			form: registration("HELENE", "autre@exemple.fr", "des mots pour entrer"), wantStatus: 422,
			wantContains: []string{"Ce pseudo est déjà pris", `value="HELENE"`, `value="autre@exemple.fr"`, `value="Médiathèque de Brest"`, `href="#f-pseudo"`}},
		{name: "e-mail taken", method: "POST", path: "/inscription",
			form: registration("Lucie", "Hélène@Exemple.fr", "des mots pour entrer"), wantStatus: 422,
			wantContains: []string{"Un compte existe déjà avec cette adresse"}},
		{name: "weak password", method: "POST", path: "/inscription",
			form: registration("Lucie", "lucie@exemple.fr", "azertyuiop"), wantStatus: 422,
			wantContains:    []string{"fait partie des plus courants", `value="Lucie"`},
			wantNotContains: []string{`value="azertyuiop"`}},
		{name: "short password", method: "POST", path: "/inscription",
			form: registration("Lucie", "lucie@exemple.fr", "court"), wantStatus: 422,
			wantContains: []string{"au moins 10 caractères"}},
		{name: "bad département", method: "POST", path: "/inscription",
			form:       url.Values{"pseudo": {"Lucie"}, "email": {"lucie@exemple.fr"}, "password": {"des mots pour entrer"}, "departement": {"99"}},
			wantStatus: 422, wantContains: []string{"Ce département n’existe pas", `value="99"`, `aria-invalid="true"`}},
		{name: "bad pseudo and e-mail together", method: "POST", path: "/inscription",
			form:       url.Values{"pseudo": {"ab"}, "email": {"pas-une-adresse"}, "password": {"des mots pour entrer"}},
			wantStatus: 422, wantContains: []string{"Le pseudo doit compter de 3 à 30 caractères", "n’est pas valide"}},
		{name: "valid", method: "POST", path: "/inscription",
			form: registration("Lucie", "Lucie@Exemple.fr", "des mots pour entrer"), wantStatus: 303, wantLocation: "/compte"},
	})

	u, err := ts.srv.store.UserByPseudo(context.Background(), "lucie")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "lucie@exemple.fr" || u.Departement != "29" || u.Structure != "Médiathèque de Brest" || u.Verified() {
		t.Errorf("stored account: %+v", u)
	}
	if m := ts.lastMail("lucie@exemple.fr"); !strings.Contains(m.Body, "/verification?jeton=") {
		t.Errorf("verification mail: %q", m.Body)
	}
	if strings.Contains(ts.logs.String(), "des mots pour entrer") {
		t.Error("a password was written to the log")
	}
}

func TestVerificationLink(t *testing.T) {
	ts := newTestSite(t)
	cl := ts.client()
	if r := cl.postForm("/inscription", registration("Lucie", "lucie@exemple.fr", "des mots pour entrer")); r.status != 303 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	r := cl.get("/compte")
	if !strings.Contains(r.body, "pas encore confirmée") {
		t.Error("an unverified member is not told to confirm")
	}
	link := linkPath(t, ts.lastMail("lucie@exemple.fr"))

	// A mail scanner opening the link must not use it up.
	if r := ts.client().get(link); r.status != 200 || !strings.Contains(r.body, "Confirmer mon adresse") {
		t.Fatalf("GET link: %d", r.status)
	}
	r = cl.postForm("/verification", url.Values{"jeton": {tokenOf(t, link)}})
	if r.status != 303 || r.location != "/compte" {
		t.Fatalf("confirm: %d %s", r.status, r.location)
	}
	if r := cl.get("/compte"); !strings.Contains(r.body, "Merci, votre adresse e-mail est confirmée") || strings.Contains(r.body, "pas encore confirmée") {
		t.Errorf("after confirmation:\n%s", r.body)
	}
	if r := cl.postForm("/verification", url.Values{"jeton": {tokenOf(t, link)}}); r.status != http.StatusGone {
		t.Errorf("reused link: %d, want 410", r.status)
	}
	if r := cl.get("/verification?jeton=faux"); r.status != http.StatusGone || !strings.Contains(r.body, "n’est plus valable") {
		t.Errorf("wrong link: %d", r.status)
	}
}

func TestLoginLogoutAndSessionRotation(t *testing.T) {
	ts := newTestSite(t)
	u := ts.mustCreateMember("Karim", content.RoleMember)

	cl := ts.client()
	cl.cookies[sessionCookie] = "planted-by-an-attacker"
	runScenarios(t, ts, []scenario{
		{name: "wrong password", as: cl, method: "POST", path: "/connexion",
			form: url.Values{"login": {"karim@exemple.fr"}, "password": {"pas le bon mot de passe"}}, wantStatus: 401,
			wantContains: []string{"E-mail, pseudo ou mot de passe incorrect", `value="karim@exemple.fr"`}},
		{name: "blank fields", method: "POST", path: "/connexion",
			form: url.Values{"login": {"  "}, "password": {""}}, wantStatus: 422,
			wantContains: []string{"Indiquez votre adresse e-mail ou votre pseudo.", "Indiquez votre mot de passe.", `href="#f-login"`}},
		{name: "unknown account, same answer", method: "POST", path: "/connexion",
			form: url.Values{"login": {"personne@exemple.fr"}, "password": {"pas le bon mot de passe"}}, wantStatus: 401,
			wantContains: []string{"E-mail, pseudo ou mot de passe incorrect"}},
		{name: "by pseudo, any case, back to where the member was", as: cl, method: "POST", path: "/connexion",
			form: url.Values{"login": {"KARIM"}, "password": {testPassword}, "retour": {"/membres/Karim"}}, wantStatus: 303,
			wantLocation: "/membres/Karim"},
		{name: "no open redirect", method: "POST", path: "/connexion",
			form: url.Values{"login": {"karim"}, "password": {testPassword}, "retour": {"//evil.example/"}}, wantStatus: 303,
			wantLocation: "/"},
	})
	session := cl.cookies[sessionCookie]
	if session == "" || session == "planted-by-an-attacker" {
		t.Fatalf("session not rotated at login: %q", session)
	}
	if r := cl.get("/compte"); r.status != 200 || !strings.Contains(r.body, "Connecté·e en tant que <strong>Karim</strong>") {
		t.Fatalf("account page: %d", r.status)
	}

	// Logging in again issues another ID; the previous one stops working.
	cl.postForm("/connexion", url.Values{"login": {u.Email}, "password": {testPassword}})
	if cl.cookies[sessionCookie] == session {
		t.Error("session ID not rotated on a second login")
	}
	stale := ts.client()
	stale.cookies[sessionCookie] = session
	if r := stale.get("/compte"); r.status != 303 {
		t.Errorf("replaced session still works: %d", r.status)
	}

	// Logout ends the session on the server, not only in the browser.
	kept := cl.cookies[sessionCookie]
	if r := cl.postForm("/deconnexion", nil); r.status != 303 {
		t.Fatalf("logout: %d", r.status)
	}
	replay := ts.client()
	replay.cookies[sessionCookie] = kept
	if r := replay.get("/compte"); r.status != 303 || !strings.HasPrefix(r.location, "/connexion") {
		t.Errorf("session works after logout: %d %s", r.status, r.location)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		base       string
		wantSecure bool
	}{{"http://ligue.test", false}, {"https://ligue.example", true}} {
		ts := newTestSite(t, func(c *Config) { c.BaseURL = tc.base })
		u := ts.mustCreateMember("Karim", content.RoleMember)
		cl := ts.client()
		cl.get("/connexion")
		cl.headers["Origin"] = tc.base
		r := cl.postForm("/connexion", url.Values{"login": {u.Email}, "password": {testPassword}})
		cookie := ""
		for _, c := range r.header.Values("Set-Cookie") {
			if strings.HasPrefix(c, sessionCookie+"=") {
				cookie = c
			}
		}
		if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") ||
			strings.Contains(cookie, "secure") != tc.wantSecure {
			t.Errorf("%s: session cookie %q", tc.base, cookie)
		}
	}
}

func TestCSRFRefusalKeepsTheText(t *testing.T) {
	ts := newTestSite(t)
	u := ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.loggedIn(u)

	form := url.Values{"structure": {"Centre social « Les Tilleuls »"}, "departement": {"Rhône"}, "_csrf": {"faux-jeton"}}
	r := cl.postForm("/compte/profil", form)
	if r.status != http.StatusForbidden {
		t.Fatalf("wrong token: %d", r.status)
	}
	for _, want := range []string{"Formulaire à renvoyer", "Rien n’est perdu", "Centre social « Les Tilleuls »", `action="/compte/profil"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("refusal page lacks %q\n%s", want, r.body)
		}
	}
	// The page carries a fresh token: sending it again works.
	resend := url.Values{"structure": {"Centre social « Les Tilleuls »"}, "departement": {"Rhône"}}
	if r := cl.postForm("/compte/profil", resend); r.status != 303 {
		t.Fatalf("resubmission: %d %s", r.status, r.body)
	}
	if got, _ := ts.srv.store.UserByID(context.Background(), u.ID); got.Departement != "69" {
		t.Errorf("profile not saved: %+v", got)
	}

	// No cookie at all (first visit straight to a POST), and a foreign Origin.
	fresh := ts.client()
	fresh.csrf = "x"
	if r := fresh.postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}}); r.status != 403 {
		t.Errorf("POST without cookie: %d", r.status)
	}
	cl.headers["Origin"] = "http://evil.example"
	if r := cl.postForm("/compte/profil", resend); r.status != 403 {
		t.Errorf("foreign origin: %d", r.status)
	}
}

func TestExpiredSessionKeepsTheText(t *testing.T) {
	ts := newTestSite(t)
	u := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(u, "Une discussion ouverte", "Texte")
	cl := ts.loggedIn(u)
	cl.get(topic.Path())
	// The session ends on the server (expiry, logout elsewhere) while the member types.
	if err := ts.srv.store.DeleteSession(ts.ctx(), cl.cookies[sessionCookie]); err != nil {
		t.Fatal(err)
	}
	r := cl.postForm("/discussions/"+itoa(int(topic.ID))+"/reponses", url.Values{"body": {"Une longue réponse écrite avec soin"}})
	if r.status != 401 || !strings.Contains(r.body, "Votre session a expiré") || !strings.Contains(r.body, "Une longue réponse écrite avec soin</textarea>") ||
		!strings.Contains(r.body, `action="/discussions/`+itoa(int(topic.ID))+`/reponses"`) {
		t.Fatalf("expired session: %d\n%s", r.status, r.body)
	}
	// After logging in again (another tab), the same page sends it.
	cl.postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}})
	if r := cl.postForm("/discussions/"+itoa(int(topic.ID))+"/reponses", url.Values{"body": {"Une longue réponse écrite avec soin"}}); r.status != 303 {
		t.Fatalf("resent: %d", r.status)
	}
}

func TestLoginRateLimit(t *testing.T) {
	ts := newTestSite(t)
	ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.client()
	bad := url.Values{"login": {"karim"}, "password": {"pas le bon mot de passe"}}
	for i := 0; i < 10; i++ {
		if r := cl.postForm("/connexion", bad); r.status != 401 {
			t.Fatalf("attempt %d: %d", i+1, r.status)
		}
	}
	r := cl.postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Trop de tentatives") || r.header.Get("Retry-After") == "" {
		t.Fatalf("11th attempt: %d %q", r.status, r.header.Get("Retry-After"))
	}
	if !strings.Contains(r.body, `value="karim"`) {
		t.Error("the refused form lost the login")
	}
	// Another account from the same IP is not blocked by Karim's counter.
	ts.mustCreateMember("Lucie", content.RoleMember)
	if r := cl.postForm("/connexion", url.Values{"login": {"lucie"}, "password": {testPassword}}); r.status != 303 {
		t.Errorf("other account: %d", r.status)
	}
}

func TestPasswordReset(t *testing.T) {
	ts := newTestSite(t)
	u := ts.mustCreateMember("Karim", content.RoleMember)
	other := ts.loggedIn(u) // a session elsewhere, to be closed by the reset

	cl := ts.client()
	known := cl.postForm("/mot-de-passe-oublie", url.Values{"login": {"karim@exemple.fr"}})
	unknown := ts.client().postForm("/mot-de-passe-oublie", url.Values{"login": {"inconnu@exemple.fr"}})
	if known.status != 303 || unknown.status != 303 || known.location != unknown.location {
		t.Fatalf("answers differ: %d %s / %d %s", known.status, known.location, unknown.status, unknown.location)
	}
	if r := cl.get(known.location); !strings.Contains(r.body, "Si un compte correspond") {
		t.Error("no neutral confirmation shown")
	}
	link := linkPath(t, ts.lastMail(u.Email))
	token := tokenOf(t, link)

	if r := cl.get(link); r.status != 200 || !strings.Contains(r.body, "Nouveau mot de passe") {
		t.Fatalf("reset form: %d", r.status)
	}
	if r := cl.postForm("/mot-de-passe/nouveau", url.Values{"jeton": {token}, "password": {"motdepasse"}}); r.status != 422 {
		t.Fatalf("weak new password: %d", r.status)
	}
	if r := cl.postForm("/mot-de-passe/nouveau", url.Values{"jeton": {token}, "password": {"un tout nouveau secret"}}); r.status != 303 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if r := other.get("/compte"); r.status != 303 {
		t.Error("the other session survived the reset")
	}
	if r := ts.client().postForm("/connexion", url.Values{"login": {"karim"}, "password": {"un tout nouveau secret"}}); r.status != 303 {
		t.Errorf("login with the new password: %d", r.status)
	}
	if r := cl.postForm("/mot-de-passe/nouveau", url.Values{"jeton": {token}, "password": {"encore un autre secret"}}); r.status != http.StatusGone {
		t.Errorf("reused link: %d, want 410", r.status)
	}

	// A link older than an hour is refused.
	ts.client().postForm("/mot-de-passe-oublie", url.Values{"login": {"karim"}})
	late := tokenOf(t, linkPath(t, ts.lastMail(u.Email)))
	ts.srv.store.SetClock(func() time.Time { return time.Now().Add(61 * time.Minute) })
	if r := cl.get("/mot-de-passe/nouveau?jeton=" + late); r.status != http.StatusGone || !strings.Contains(r.body, "plus d’une heure") {
		t.Errorf("expired link: %d", r.status)
	}
}

func TestResetRequestsAreRateLimited(t *testing.T) {
	ts := newTestSite(t)
	ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.client()
	for i := 0; i < 3; i++ {
		if r := cl.postForm("/mot-de-passe-oublie", url.Values{"login": {"karim"}}); r.status != 303 {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	if r := cl.postForm("/mot-de-passe-oublie", url.Values{"login": {"karim"}}); r.status != 429 {
		t.Errorf("4th request: %d", r.status)
	}
}

func TestAccountEdits(t *testing.T) {
	ts := newTestSite(t)
	u := ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.loggedIn(u)

	runScenarios(t, ts, []scenario{
		{name: "profile", as: cl, method: "POST", path: "/compte/profil",
			form: url.Values{"structure": {"EPN de Lille"}, "departement": {"nord"}, "metier": {"conseiller"}}, wantStatus: 303},
		{name: "public profile shows it", path: "/membres/karim", wantStatus: 301, wantLocation: "/membres/Karim"},
		{name: "public profile", path: "/membres/Karim", wantStatus: 200,
			wantContains:    []string{"EPN de Lille", "59 – Nord", "Conseiller·ère numérique"},
			wantNotContains: []string{u.Email}},
		{name: "bad département keeps the form", as: cl, method: "POST", path: "/compte/profil",
			form: url.Values{"structure": {"EPN de Roubaix"}, "departement": {"Atlantide"}}, wantStatus: 422,
			wantContains: []string{`value="EPN de Roubaix"`, `value="Atlantide"`}},
		{name: "wrong current password", as: cl, method: "POST", path: "/compte/mot-de-passe",
			form: url.Values{"current_password": {"pas le bon"}, "password": {"un tout nouveau secret"}}, wantStatus: 422,
			wantContains: []string{"Le mot de passe actuel n’est pas le bon"}},
		{name: "password change", as: cl, method: "POST", path: "/compte/mot-de-passe",
			form: url.Values{"current_password": {testPassword}, "password": {"un tout nouveau secret"}}, wantStatus: 303},
		{name: "still logged in after own change", as: cl, path: "/compte", wantStatus: 200},
		{name: "e-mail already used", as: cl, method: "POST", path: "/compte/courriel",
			form: url.Values{"email": {"karim@exemple.fr"}, "email_password": {"un tout nouveau secret"}}, wantStatus: 422, wantContains: []string{"déjà votre adresse"}},
		{name: "e-mail change without the password", as: cl, method: "POST", path: "/compte/courriel",
			form: url.Values{"email": {"karim@nouveau.fr"}}, wantStatus: 422, wantContains: []string{"mot de passe actuel", `value="karim@nouveau.fr"`}},
		{name: "e-mail change with a wrong password", as: cl, method: "POST", path: "/compte/courriel",
			form: url.Values{"email": {"karim@nouveau.fr"}, "email_password": {testPassword}}, wantStatus: 422, wantContains: []string{"n’est pas le bon"}},
		{name: "e-mail change requested", as: cl, method: "POST", path: "/compte/courriel",
			form: url.Values{"email": {"karim@nouveau.fr"}, "email_password": {"un tout nouveau secret"}}, wantStatus: 303},
	})

	if got, _ := ts.srv.store.UserByID(context.Background(), u.ID); got.Email != "karim@exemple.fr" {
		t.Fatalf("address changed before confirmation: %s", got.Email)
	}
	link := linkPath(t, ts.lastMail("karim@nouveau.fr"))
	if r := cl.postForm("/compte/courriel/confirmer", url.Values{"jeton": {tokenOf(t, link)}}); r.status != 303 {
		t.Fatalf("confirm new address: %d", r.status)
	}
	if got, _ := ts.srv.store.UserByID(context.Background(), u.ID); got.Email != "karim@nouveau.fr" {
		t.Errorf("address not changed: %s", got.Email)
	}
}

func TestRoles(t *testing.T) {
	ts := newTestSite(t)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	member := ts.mustCreateMember("Karim", content.RoleMember)
	asAdmin, asMember := ts.loggedIn(admin), ts.loggedIn(member)
	id := func(u *content.User) string { return itoa(int(u.ID)) }

	runScenarios(t, ts, []scenario{
		{name: "visitor sent to login", path: "/admin/membres", wantStatus: 303, wantLocation: "/connexion?retour=/admin/membres"},
		{name: "member refused", as: asMember, path: "/admin/membres", wantStatus: 403, wantContains: []string{"Accès refusé"}},
		{name: "member cannot change roles", as: asMember, method: "POST", path: "/admin/membres/" + id(member) + "/role",
			form: url.Values{"role": {"admin"}}, wantStatus: 403},
		{name: "member refused mails", as: asMember, path: "/admin/courriels", wantStatus: 403},
		{name: "admin list", as: asAdmin, path: "/admin/membres", wantStatus: 200, wantContains: []string{"karim@exemple.fr", "2 comptes"}},
		{name: "admin search", as: asAdmin, path: "/admin/membres?q=kar", wantStatus: 200, wantContains: []string{"1 compte."}},
		{name: "promote", as: asAdmin, method: "POST", path: "/admin/membres/" + id(member) + "/role",
			form: url.Values{"role": {"moderator"}}, wantStatus: 303},
		{name: "last admin cannot step down", as: asAdmin, method: "POST", path: "/admin/membres/" + id(admin) + "/role",
			form: url.Values{"role": {"member"}}, wantStatus: 303},
		{name: "and is told why", as: asAdmin, path: "/admin/membres", wantStatus: 200, wantContains: []string{"dernier compte administrateur"}},
		{name: "suspend", as: asAdmin, method: "POST", path: "/admin/membres/" + id(member) + "/suspension",
			form: url.Values{"suspendre": {"1"}}, wantStatus: 303},
		{name: "suspended member is logged out", as: asMember, path: "/compte", wantStatus: 303},
		{name: "suspended member cannot log in", method: "POST", path: "/connexion",
			form: url.Values{"login": {"karim"}, "password": {testPassword}}, wantStatus: 403, wantContains: []string{"Ce compte est suspendu"}},
	})
	got, _ := ts.srv.store.UserByID(context.Background(), member.ID)
	if got.Role != content.RoleModerator || !got.Suspended() {
		t.Errorf("member after admin actions: %+v", got)
	}
	if a, _ := ts.srv.store.UserByID(context.Background(), admin.ID); a.Role != content.RoleAdmin {
		t.Error("the last administrator lost the role")
	}
}

func TestFirstAdministratorSetup(t *testing.T) {
	ts := newTestSite(t)
	if err := ts.srv.AnnounceSetup(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := ts.logs.String()
	i := strings.Index(logs, "/installation?jeton=")
	if i < 0 {
		t.Fatalf("no setup link in the log:\n%s", logs)
	}
	token := strings.Trim(strings.Fields(logs[i+len("/installation?jeton="):])[0], `"`)
	cl := ts.client()
	if r := cl.get("/installation?jeton=" + token); r.status != 200 {
		t.Fatalf("setup form: %d", r.status)
	}
	form := url.Values{"jeton": {token}, "pseudo": {"Fondatrice"}, "email": {"fondatrice@exemple.fr"}, "password": {"la ligue des mednum"}}
	if r := cl.postForm("/installation", form); r.status != 303 || r.location != enrolPath {
		t.Fatalf("setup: %d %s", r.status, r.body)
	}
	// The role demands a second factor before anything else.
	if r := cl.get("/admin/membres"); r.status != 303 || r.location != enrolPath {
		t.Errorf("new admin administers without a second factor: %d %s", r.status, r.location)
	}
	cl.postForm(enrolPath+"/commencer", nil)
	secret := strings.ReplaceAll(secretOnPage.FindStringSubmatch(cl.get(enrolPath).raw)[1], " ", "")
	if r := cl.postForm(enrolPath+"/activer", url.Values{"code": {content.TOTPCode(secret, ts.srv.store.Now())}}); r.status != 201 {
		t.Fatalf("enrolment: %d", r.status)
	}
	if r := cl.get("/admin/membres"); r.status != 200 {
		t.Errorf("new admin cannot administer: %d", r.status)
	}
	if r := ts.client().postForm("/installation", form); r.status != http.StatusGone {
		t.Errorf("setup link reused: %d", r.status)
	}
	if err := ts.srv.AnnounceSetup(context.Background()); err != nil || strings.Count(ts.logs.String(), "/installation?jeton=") != 1 {
		t.Error("a setup link was issued although an administrator exists")
	}
}

// A password change or reset ends the API tokens; an address change is told
// to the former address, which can undo it and lock the intruder out.
func TestAccountChangesProtectTheAccount(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	api := func(token string) int {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := ts.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	newToken := func() string {
		value, _, err := ts.srv.store.CreateAPIToken(ts.ctx(), karim, "script")
		if err != nil {
			t.Fatal(err)
		}
		return value
	}

	// Password change: the token made before stops working.
	token := newToken()
	cl := ts.loggedIn(karim)
	cl.get("/compte")
	if r := cl.postForm("/compte/mot-de-passe", url.Values{"current_password": {testPassword}, "password": {"un tout nouveau secret"}}); r.status != 303 {
		t.Fatalf("password change: %d", r.status)
	}
	if status := api(token); status != 401 {
		t.Errorf("API token after a password change: %d, want 401", status)
	}

	// Reset: the same.
	token = newToken()
	if status := api(token); status != 200 {
		t.Fatalf("fresh token: %d", status)
	}
	ts.client().postForm("/mot-de-passe-oublie", url.Values{"login": {karim.Email}})
	reset := tokenOf(t, linkPath(t, ts.lastMail(karim.Email)))
	if r := ts.client().postForm("/mot-de-passe/nouveau", url.Values{"jeton": {reset}, "password": {"encore un autre secret"}}); r.status != 303 {
		t.Fatalf("reset: %d", r.status)
	}
	if status := api(token); status != 401 {
		t.Errorf("API token after a reset: %d, want 401", status)
	}

	// Address change, by someone who has the session and the password.
	intruder := ts.client()
	intruder.get("/connexion")
	intruder.postForm("/connexion", url.Values{"login": {karim.Email}, "password": {"encore un autre secret"}})
	intruder.get("/compte")
	if r := intruder.postForm("/compte/courriel", url.Values{"email": {"pirate@exemple.fr"}, "email_password": {"encore un autre secret"}}); r.status != 303 {
		t.Fatalf("e-mail change: %d", r.status)
	}
	confirm := tokenOf(t, linkPath(t, ts.lastMail("pirate@exemple.fr")))
	intruder.get("/compte")
	if r := intruder.postForm("/compte/courriel/confirmer", url.Values{"jeton": {confirm}}); r.status != 303 {
		t.Fatalf("confirm: %d", r.status)
	}
	token = newToken()
	told := ts.lastMail(karim.Email)
	if !strings.Contains(told.Body, "pirate@exemple.fr") || !strings.Contains(told.Subject, "a changé") {
		t.Fatalf("the former address is told: %q %q", told.Subject, told.Body)
	}
	undo := linkPath(t, told)
	if r := ts.client().get(undo); r.status != 200 || !strings.Contains(r.body, "Rétablir mon ancienne adresse") {
		t.Fatalf("undo page: %d", r.status)
	}
	owner := ts.client()
	owner.get(undo)
	if r := owner.postForm("/courriel/annuler", url.Values{"jeton": {tokenOf(t, undo)}}); r.status != 303 || r.location != "/mot-de-passe-oublie" {
		t.Fatalf("undo: %d %s", r.status, r.location)
	}
	if got, _ := ts.srv.store.UserByID(ts.ctx(), karim.ID); got.Email != karim.Email {
		t.Errorf("address after undo: %s", got.Email)
	}
	if r := intruder.get("/compte"); r.status != 303 {
		t.Errorf("the intruder's session survives the undo: %d", r.status)
	}
	if status := api(token); status != 401 {
		t.Errorf("the intruder's API token survives the undo: %d", status)
	}
	if r := owner.postForm("/courriel/annuler", url.Values{"jeton": {tokenOf(t, undo)}}); r.status == 303 {
		t.Error("the undo link works twice")
	}
}

// Once sent, a mail's one-time link is masked in the database.
func TestSentMailsKeepNoWorkingLink(t *testing.T) {
	ts := newTestSite(t)
	if r := ts.client().postForm("/inscription", registration("Lucie", "lucie@exemple.fr", "des mots pour entrer")); r.status != 303 {
		t.Fatalf("register: %d", r.status)
	}
	link := linkPath(t, ts.lastMail("lucie@exemple.fr"))
	if err := ts.srv.FlushMail(ts.ctx()); err != nil {
		t.Fatal(err)
	}
	kept := ts.lastMail("lucie@exemple.fr")
	if strings.Contains(kept.Body, tokenOf(t, link)) || !strings.Contains(kept.Body, "jeton=(masqué)") {
		t.Errorf("stored after sending: %q", kept.Body)
	}
	if !strings.Contains(ts.logs.String(), tokenOf(t, link)) {
		t.Error("without SMTP, the link is in the server log")
	}
}
