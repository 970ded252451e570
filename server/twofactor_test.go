package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// testFactor is the authenticator app of a test account.
type testFactor struct {
	secret string
	codes  []string // recovery codes not used by the harness yet
}

// mustEnableTwoFactor enrols u with a new authenticator, its first code
// taken from the step before now (so that logins in this step may follow).
func (ts *testSite) mustEnableTwoFactor(u *content.User) *testFactor {
	ts.t.Helper()
	ctx := context.Background()
	secret, err := ts.srv.store.StartTwoFactor(ctx, u)
	if err != nil {
		ts.t.Fatal(err)
	}
	codes, err := ts.srv.store.ConfirmTwoFactor(ctx, u, content.TOTPCode(secret, ts.srv.store.Now().Add(-30*time.Second)))
	if err != nil {
		ts.t.Fatal(err)
	}
	f := &testFactor{secret: secret, codes: codes}
	ts.factors.Store(u.ID, f)
	return f
}

// nextCode is a code that u's next second step accepts: the app's code of
// a step not used yet within the drift, else a recovery code.
func (ts *testSite) nextCode(u *content.User) string {
	ts.t.Helper()
	v, ok := ts.factors.Load(u.ID)
	if !ok {
		ts.t.Fatalf("%s has no test authenticator", u.Pseudo)
	}
	f := v.(*testFactor)
	tf, err := ts.srv.store.TwoFactorOf(context.Background(), u.ID)
	if err != nil {
		ts.t.Fatal(err)
	}
	now := ts.srv.store.Now()
	step := max(now.Unix()/30-1, tf.LastStep+1)
	if step <= now.Unix()/30+1 {
		return content.TOTPCode(f.secret, time.Unix(step*30, 0))
	}
	code := f.codes[0]
	f.codes = f.codes[1:]
	return code
}

var (
	secretOnPage = regexp.MustCompile(`<p class="secret"><code>([A-Z2-7 ]+)</code>`)
	codesOnPage  = regexp.MustCompile(`<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>`)
)

func recoveryCodesOf(t *testing.T, r *response) []string {
	t.Helper()
	var codes []string
	for _, m := range codesOnPage.FindAllStringSubmatch(r.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != content.RecoveryCodeCount {
		t.Fatalf("%d recovery codes on the page\n%s", len(codes), r.body)
	}
	return codes
}

// A member turns two-factor authentication on from the page, and the next
// logins ask for the code: wrong, replayed and reused codes are refused in
// French; a recovery code works once.
func TestTwoFactorEnrolmentLoginAndRecoveryCodes(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	cl := ts.loggedIn(karim)

	if r := cl.get(enrolPath); r.status != 200 || !strings.Contains(r.body, "Activer la double authentification") ||
		strings.Contains(r.body, "Votre rôle") {
		t.Fatalf("page before: %d\n%s", r.status, r.body)
	}
	if r := cl.postForm(enrolPath+"/commencer", nil); r.status != 303 || r.location != enrolPath+"#etape-scan" {
		t.Fatalf("start: %d %s", r.status, r.location)
	}
	r := cl.get(enrolPath)
	m := secretOnPage.FindStringSubmatch(r.raw)
	if r.status != 200 || m == nil || !strings.Contains(r.raw, `<svg class="qr"`) || !strings.Contains(r.raw, `href="otpauth://totp/Ligue%20des%20mednum:Karim?`) {
		t.Fatalf("enrolment page: %d\n%s", r.status, r.raw)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if on, _ := ts.srv.store.HasTwoFactor(ts.ctx(), karim.ID); on {
		t.Fatal("on before the first code")
	}
	now := ts.srv.store.Now()
	runScenarios(t, ts, []scenario{
		{name: "blank first code", as: cl, method: "POST", path: enrolPath + "/activer", wantStatus: 422,
			wantContains: []string{"Tapez le code à 6 chiffres", `<svg class="qr"`}},
		{name: "wrong first code", as: cl, method: "POST", path: enrolPath + "/activer", form: url.Values{"code": {wrongCode(secret, now)}},
			wantStatus: 422, wantContains: []string{"Ce code ne correspond pas à la clé affichée", m[1]}},
	})
	r = cl.postForm(enrolPath+"/activer", url.Values{"code": {content.TOTPCode(secret, now)}})
	if r.status != http.StatusCreated || !strings.Contains(r.body, "ils ne seront plus jamais affichés") {
		t.Fatalf("confirm: %d\n%s", r.status, r.body)
	}
	codes := recoveryCodesOf(t, r)
	if r := cl.get(enrolPath); !strings.Contains(r.body, "Activée") || !strings.Contains(r.body, "<strong>10</strong> sur 10") || strings.Contains(r.raw, codes[0]) {
		t.Errorf("page once on:\n%s", r.body)
	}

	// The password alone opens no session: only the page asking for the code.
	visitor := ts.client()
	r = visitor.postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}, "retour": {"/brouillons"}})
	if r.status != 303 || r.location != secondStepPath || visitor.cookies[sessionCookie] != "" || visitor.cookies[challengeCookie] == "" {
		t.Fatalf("password step: %d %s %v", r.status, r.location, visitor.cookies)
	}
	if r := visitor.get("/compte"); r.status != 303 || !strings.HasPrefix(r.location, "/connexion") {
		t.Errorf("half logged in, /compte answers %d %s", r.status, r.location)
	}
	if r := visitor.get(secondStepPath); r.status != 200 || !strings.Contains(r.body, "Bonjour Karim") || !strings.Contains(r.raw, `autocomplete="one-time-code"`) {
		t.Fatalf("second step page: %d\n%s", r.status, r.body)
	}
	runScenarios(t, ts, []scenario{
		{name: "blank code", as: visitor, method: "POST", path: secondStepPath, wantStatus: 422, wantContains: []string{"Tapez le code à 6 chiffres"}},
		{name: "wrong code", as: visitor, method: "POST", path: secondStepPath, form: url.Values{"code": {wrongCode(secret, now)}},
			wantStatus: 401, wantContains: []string{"Ce code n’est pas le bon"}},
		{name: "the enrolment's code, replayed", as: visitor, method: "POST", path: secondStepPath,
			form: url.Values{"code": {content.TOTPCode(secret, now)}}, wantStatus: 409, wantContains: []string{"Ce code a déjà servi"}},
		{name: "still half logged in", as: visitor, path: "/brouillons", wantStatus: 303},
		{name: "a recovery code, typed in capitals", as: visitor, method: "POST", path: secondStepPath,
			form: url.Values{"code": {strings.ToUpper(codes[0])}}, wantStatus: 303, wantLocation: "/brouillons"},
		{name: "logged in, told how many codes are left", as: visitor, path: "/brouillons", wantStatus: 200,
			wantContains: []string{"Vous avez utilisé un code de secours : il vous en reste 9."}},
	})

	again := ts.client()
	again.postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}})
	runScenarios(t, ts, []scenario{
		{name: "a recovery code used twice", as: again, method: "POST", path: secondStepPath, form: url.Values{"code": {codes[0]}},
			wantStatus: 409, wantContains: []string{"Ce code de secours a déjà servi"}},
		{name: "the app's next code", as: again, method: "POST", path: secondStepPath,
			form: url.Values{"code": {content.TOTPCode(secret, now.Add(30*time.Second))}}, wantStatus: 303, wantLocation: "/"},
		{name: "the challenge is spent", as: again, path: secondStepPath, wantStatus: 303, wantLocation: "/"},
	})
	logs := ts.logs.String()
	for _, want := range []string{"reason=\"wrong code\"", "reason=\"code of a step already used\"", "reason=\"recovery code already used\"",
		"logged in with a second factor"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	if strings.Contains(logs, codes[0]) || strings.Contains(logs, secret) {
		t.Error("a code or the secret reached the log")
	}
	var actions []string
	ts.srv.db.R.Select(&actions, `SELECT action FROM audit_log WHERE target_type = 'user' AND target_id = ? ORDER BY id`, karim.ID)
	if strings.Join(actions, " ") != "two_factor_on recovery_code_used" {
		t.Errorf("audit log: %v", actions)
	}
}

// wrongCode is a 6-digit code that none of the drift's steps around now has.
func wrongCode(secret string, now time.Time) string {
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		ok := true
		for d := -1; d <= 1; d++ {
			ok = ok && content.TOTPCode(secret, now.Add(time.Duration(d)*30*time.Second)) != c
		}
		if ok {
			return c
		}
	}
	panic("unlucky secret")
}

// Five wrong codes end the login (the password again), and ten in a
// quarter of an hour stop the account's codes for a while, the right one
// included.
func TestSecondStepLimits(t *testing.T) {
	ts := newTestSite(t)
	lucie := ts.mustCreateMember("Lucie", content.RoleModerator)
	f, _ := ts.factors.Load(lucie.ID)
	secret := f.(*testFactor).secret
	wrong := url.Values{"code": {wrongCode(secret, ts.srv.store.Now())}}
	cl := ts.client()
	login := func() {
		t.Helper()
		if r := cl.postForm("/connexion", url.Values{"login": {"lucie"}, "password": {testPassword}}); r.location != secondStepPath {
			t.Fatalf("login: %d %s", r.status, r.location)
		}
	}
	login()
	for i := 1; i < content.LoginChallengeAttempts; i++ {
		if r := cl.postForm(secondStepPath, wrong); r.status != 401 {
			t.Fatalf("wrong code %d: %d", i, r.status)
		}
	}
	r := cl.postForm(secondStepPath, wrong)
	if r.status != 303 || r.location != "/connexion" || cl.cookies[challengeCookie] != "" {
		t.Fatalf("fifth wrong code: %d %s", r.status, r.location)
	}
	if r := cl.get("/connexion"); !strings.Contains(r.body, "reprenez la connexion depuis le début") {
		t.Errorf("login page after the fifth wrong code:\n%s", r.body)
	}
	login()
	for i := 1; i <= content.LoginChallengeAttempts; i++ {
		cl.postForm(secondStepPath, wrong)
	}
	login()
	r = cl.postForm(secondStepPath, url.Values{"code": {ts.nextCode(lucie)}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Trop de tentatives") || r.header.Get("Retry-After") == "" {
		t.Fatalf("eleventh code: %d\n%s", r.status, r.body)
	}
	// A quarter of an hour later, the right code works.
	later := time.Now().Add(16 * time.Minute)
	ts.srv.store.SetClock(func() time.Time { return later })
	login()
	if r := cl.postForm(secondStepPath, url.Values{"code": {ts.nextCode(lucie)}}); r.status != 303 || cl.cookies[sessionCookie] == "" {
		t.Errorf("after the wait: %d\n%s", r.status, r.body)
	}
	// The challenge cookie is only good for ten minutes.
	cl = ts.client()
	login()
	muchLater := later.Add(content.LoginChallengeLifetime + time.Minute)
	ts.srv.store.SetClock(func() time.Time { return muchLater })
	if r := cl.get(secondStepPath); r.status != 303 || r.location != "/connexion" {
		t.Errorf("expired challenge: %d %s", r.status, r.location)
	}
}

// Moderators and administrators without a second factor are taken to the
// enrolment before anything else, and cannot turn it off.
func TestModeratorsEnrolBeforeAnythingElse(t *testing.T) {
	ts := newTestSite(t)
	modo, err := ts.srv.store.CreateUser(ts.ctx(), content.NewUser{Pseudo: "Modo", Email: "modo@exemple.fr", Password: testPassword,
		Role: content.RoleModerator, Verified: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl := ts.client()
	r := cl.postForm("/connexion", url.Values{"login": {"modo"}, "password": {testPassword}, "retour": {"/moderation"}})
	if r.status != 303 || r.location != enrolPath {
		t.Fatalf("login: %d %s", r.status, r.location)
	}
	token, _, err := ts.srv.store.CreateAPIToken(ts.ctx(), modo, "script")
	if err != nil {
		t.Fatal(err)
	}
	runScenarios(t, ts, []scenario{
		{name: "told why", as: cl, path: enrolPath, wantStatus: 200,
			wantContains: []string{"Votre rôle (Modérateur·rice) demande la double authentification : activez-la pour continuer."}},
		{name: "pages lead back", as: cl, path: "/moderation", wantStatus: 303, wantLocation: enrolPath},
		{name: "so does the account page", as: cl, path: "/compte", wantStatus: 303, wantLocation: enrolPath},
		{name: "a form comes back kept", as: cl, method: "POST", path: "/discussions/nouvelle",
			form: url.Values{"title": {"Une question gardée"}, "body": {"Le texte tapé."}}, wantStatus: 403,
			wantContains: []string{"Votre rôle demande la double authentification", "Une question gardée"}},
	})
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := ts.srv.App().Test(req, -1)
	if err != nil || res.StatusCode != 403 {
		t.Errorf("API: %v %v", res.StatusCode, err)
	}
	ts.mustEnableTwoFactor(modo)
	runScenarios(t, ts, []scenario{
		{name: "once enrolled, the pages open", as: cl, path: "/moderation", wantStatus: 200},
		{name: "no way to turn it off on the page", as: cl, path: enrolPath, wantStatus: 200,
			wantContains: []string{"elle reste activée"}, wantNotContains: []string{"/desactiver"}},
		{name: "nor by a form", as: cl, method: "POST", path: enrolPath + "/desactiver",
			form: url.Values{"disable_password": {testPassword}, "code": {ts.nextCode(modo)}}, wantStatus: 403,
			wantContains: []string{"ne peut pas être désactivée"}},
	})
	if on, _ := ts.srv.store.HasTwoFactor(ts.ctx(), modo.ID); !on {
		t.Error("a moderator turned the second factor off")
	}

	// A member promoted while logged in enrols at the next page.
	admin := ts.loggedIn(ts.mustCreateMember("Admin", content.RoleAdmin))
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	asKarim := ts.loggedIn(karim)
	admin.postForm("/admin/membres/"+itoa64(karim.ID)+"/role", url.Values{"role": {"moderator"}})
	if r := asKarim.get("/discussions"); r.status != 303 || r.location != enrolPath {
		t.Errorf("promoted member: %d %s", r.status, r.location)
	}
}

// A member turns the second factor off with the password and a code, and
// renews the recovery codes with the password.
func TestTwoFactorRenewAndDisable(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	f := ts.mustEnableTwoFactor(karim)
	cl := ts.loggedIn(karim)
	r := cl.postForm(enrolPath+"/codes", url.Values{"renew_password": {"pas le bon"}})
	if r.status != 422 || !strings.Contains(r.body, "Le mot de passe actuel n’est pas le bon") || !strings.Contains(r.raw, `href="#f-renew_password"`) {
		t.Fatalf("renew, wrong password: %d\n%s", r.status, r.body)
	}
	r = cl.postForm(enrolPath+"/codes", url.Values{"renew_password": {testPassword}})
	if r.status != 200 || !strings.Contains(r.body, "les anciens ne fonctionnent plus") {
		t.Fatalf("renew: %d\n%s", r.status, r.body)
	}
	fresh := recoveryCodesOf(t, r)
	runScenarios(t, ts, []scenario{
		{name: "an old recovery code no longer turns it off", as: cl, method: "POST", path: enrolPath + "/desactiver",
			form: url.Values{"disable_password": {testPassword}, "code": {f.codes[0]}}, wantStatus: 401,
			wantContains: []string{"Ce code n’est pas le bon", `aria-invalid="true"`}},
		{name: "wrong password", as: cl, method: "POST", path: enrolPath + "/desactiver",
			form: url.Values{"disable_password": {"pas le bon"}, "code": {fresh[0]}}, wantStatus: 422,
			wantContains: []string{"Le mot de passe actuel n’est pas le bon"}},
		{name: "blank code", as: cl, method: "POST", path: enrolPath + "/desactiver",
			form: url.Values{"disable_password": {testPassword}}, wantStatus: 422, wantContains: []string{"Tapez le code de votre application"}},
		{name: "password and a new recovery code", as: cl, method: "POST", path: enrolPath + "/desactiver",
			form: url.Values{"disable_password": {testPassword}, "code": {fresh[1]}}, wantStatus: 303, wantLocation: enrolPath},
		{name: "off", as: cl, path: enrolPath, wantStatus: 200, wantContains: []string{"votre mot de passe suffit de nouveau", "Activer la double authentification"}},
		{name: "no codes to renew once off", as: cl, method: "POST", path: enrolPath + "/codes",
			form: url.Values{"renew_password": {testPassword}}, wantStatus: 303, wantLocation: enrolPath},
		{name: "told why", as: cl, path: enrolPath, wantStatus: 200, wantContains: []string{"il n’y a pas de codes de secours à remplacer"}},
		{name: "nothing to turn off", as: cl, method: "POST", path: enrolPath + "/desactiver",
			form: url.Values{"disable_password": {testPassword}, "code": {"123456"}}, wantStatus: 303, wantLocation: enrolPath},
	})
	if r := ts.client().postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}}); r.status != 303 || r.location != "/" {
		t.Errorf("login once off: %d %s", r.status, r.location)
	}
}

// A password reset by mail does not skip the second factor.
func TestPasswordResetStillAsksForTheCode(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustEnableTwoFactor(karim)
	cl := ts.client()
	cl.postForm("/mot-de-passe-oublie", url.Values{"login": {"karim"}})
	link := linkPath(t, ts.lastMail(karim.Email))
	cl.get(link)
	r := cl.postForm("/mot-de-passe/nouveau", url.Values{"jeton": {tokenOf(t, link)}, "password": {"un tout nouveau secret"}})
	if r.status != 303 || r.location != secondStepPath || cl.cookies[sessionCookie] != "" {
		t.Fatalf("reset: %d %s %v", r.status, r.location, cl.cookies)
	}
	r = cl.get(secondStepPath)
	if !strings.Contains(r.body, "Votre mot de passe est changé") {
		t.Errorf("second step after a reset:\n%s", r.body)
	}
	if r := cl.postForm(secondStepPath, url.Values{"code": {ts.nextCode(karim)}}); r.status != 303 || r.location != "/compte" {
		t.Errorf("code after the reset: %d %s", r.status, r.location)
	}
}

// Members see their sessions and end them; administrators see and end any
// account's, and the audit log keeps it.
func TestSessionsPages(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	phone, err := ts.srv.store.OpenSession(ts.ctx(), karim.ID, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36", "203.0.113.54")
	if err != nil {
		t.Fatal(err)
	}
	tablet, _ := ts.srv.store.OpenSession(ts.ctx(), karim.ID, "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1", "198.51.100.7")
	cl := ts.loggedIn(karim)
	asAdmin := ts.loggedIn(admin)
	phoneRef, tabletRef, own := content.SessionRefOf(phone), content.SessionRefOf(tablet), content.SessionRefOf(cl.cookies[sessionCookie])
	sessions := "/admin/membres/" + itoa64(karim.ID) + "/sessions"
	runScenarios(t, ts, []scenario{
		{name: "own list", as: cl, path: "/compte/sessions", wantStatus: 200, wantContains: []string{"Chrome sur Android", "203.0.113.x",
			"Safari sur iPad", "cette session", "Mettre fin aux autres sessions", "/compte/sessions/" + phoneRef + "/supprimer"},
			wantNotContains: []string{"/compte/sessions/" + own + "/supprimer", "203.0.113.54"}},
		{name: "not the one in use", as: cl, method: "POST", path: "/compte/sessions/" + own + "/supprimer", wantStatus: 303, wantLocation: "/compte/sessions"},
		{name: "told why", as: cl, path: "/compte/sessions", wantStatus: 200, wantContains: []string{"utilisez « Se déconnecter »"}},
		{name: "end the phone", as: cl, method: "POST", path: "/compte/sessions/" + phoneRef + "/supprimer", wantStatus: 303},
		{name: "phone gone", as: cl, path: "/compte/sessions", wantStatus: 200, wantContains: []string{"La session est terminée", "Safari sur iPad"},
			wantNotContains: []string{"Chrome sur Android"}},
		{name: "twice", as: cl, method: "POST", path: "/compte/sessions/" + phoneRef + "/supprimer", wantStatus: 303},
		{name: "told it was over", as: cl, path: "/compte/sessions", wantStatus: 200, wantContains: []string{"Cette session était déjà terminée."}},
		{name: "members cannot see others' sessions", as: cl, path: "/admin/membres/" + itoa64(admin.ID) + "/sessions", wantStatus: 403},
		{name: "admin list", as: asAdmin, path: "/admin/membres", wantStatus: 200, wantContains: []string{`href="` + sessions + `"`}},
		{name: "admin sees Karim's", as: asAdmin, path: sessions, wantStatus: 200, wantContains: []string{"Sessions de Karim", "Safari sur iPad",
			"Non activée", "Mettre fin à toutes les sessions de Karim"}},
		{name: "admin ends the tablet", as: asAdmin, method: "POST", path: sessions + "/" + tabletRef + "/supprimer", wantStatus: 303, wantLocation: sessions},
		{name: "admin ends them all", as: asAdmin, method: "POST", path: sessions + "/toutes/supprimer", wantStatus: 303},
		{name: "told how many", as: asAdmin, path: sessions, wantStatus: 200, wantContains: []string{"Une session est terminée", "Aucune session ouverte."}},
		{name: "Karim is logged out", as: cl, path: "/compte", wantStatus: 303},
	})
	var log []string
	ts.srv.db.R.Select(&log, `SELECT a.action || ' by ' || u.pseudo || ': ' || a.detail FROM audit_log a JOIN users u ON u.id = a.actor_id
		WHERE a.target_type = 'user' AND a.target_id = ? ORDER BY a.id`, karim.ID)
	if got := strings.Join(log, "; "); got != "end_session by Karim: Chrome sur Android; end_session by Admin: Safari sur iPad; end_sessions by Admin: 1" {
		t.Errorf("audit log: %s", got)
	}
}

// An administrator turns off the second factor of a member who lost phone
// and codes: the member logs in with the password again.
func TestAdministratorResetsASecondFactor(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustEnableTwoFactor(karim)
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	asKarim, asAdmin := ts.loggedIn(karim), ts.loggedIn(admin)
	sessions := "/admin/membres/" + itoa64(karim.ID) + "/sessions"
	runScenarios(t, ts, []scenario{
		{name: "shown on", as: asAdmin, path: sessions, wantStatus: 200, wantContains: []string{"Activée", "Désactiver la double authentification de Karim"}},
		{name: "not their own from here", as: asAdmin, path: "/admin/membres/" + itoa64(admin.ID) + "/sessions", wantStatus: 200,
			wantNotContains: []string{"Désactiver la double authentification"}},
		{name: "refused for their own", as: asAdmin, method: "POST", path: "/admin/membres/" + itoa64(admin.ID) + "/double-authentification/supprimer", wantStatus: 303},
		{name: "members cannot", as: asKarim, method: "POST", path: "/admin/membres/" + itoa64(admin.ID) + "/double-authentification/supprimer", wantStatus: 403},
		{name: "reset", as: asAdmin, method: "POST", path: "/admin/membres/" + itoa64(karim.ID) + "/double-authentification/supprimer", wantStatus: 303},
		{name: "told", as: asAdmin, path: sessions, wantStatus: 200, wantContains: []string{"son mot de passe suffit de nouveau", "Non activée"}},
		{name: "Karim's sessions ended", as: asKarim, path: "/compte", wantStatus: 303},
	})
	if on, _ := ts.srv.store.HasTwoFactor(ts.ctx(), admin.ID); !on {
		t.Error("the administrator's own second factor was reset")
	}
	if r := ts.client().postForm("/connexion", url.Values{"login": {"karim"}, "password": {testPassword}}); r.location != "/" {
		t.Errorf("login after the reset: %d %s", r.status, r.location)
	}
	var n int
	ts.srv.db.R.Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'two_factor_reset' AND actor_id = ? AND target_id = ?`, admin.ID, karim.ID)
	if n != 1 {
		t.Errorf("%d audit rows for the reset", n)
	}
}

func TestQRCodeIsInlineSVG(t *testing.T) {
	svg, err := qrSVG(content.TOTPURI(totpIssuer, "Maëlle_29", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), "Code QR")
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, `<svg class="qr"`) || !strings.Contains(s, `role="img" aria-label="Code QR"`) || strings.Count(s, "<path") != 1 ||
		len(s) > 12_000 {
		t.Errorf("%d bytes: %.300s", len(s), s)
	}
}

// logInWithCodeSteps are logInSteps for an account with a second factor:
// the password, then code on the second step's page.
func logInWithCodeSteps(login, password, pseudo, code string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(byHeaderLink("Se connecter")),
		chromedp.WaitVisible(byHeading("Se connecter")),
		chromedp.SendKeys(chromedp.ID("f-login"), login),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.Click(byButton("Se connecter")),
		chromedp.WaitVisible(byHeading("Code de connexion")),
		chromedp.SendKeys(chromedp.ID("f-code"), code),
		chromedp.Click(byButton("Me connecter")),
		chromedp.WaitVisible(byFlash("vous êtes connecté·e")),
		chromedp.WaitVisible(byHeaderLink(pseudo)),
	}
}

// Pages of the second factor that the audit's crawl reaches by no link:
// the login's second step (it needs a password just typed) and the
// recovery codes (shown once, in the answer to a form). They are rendered
// in memory, as auditConflict does.
const (
	secondStepAudit    = "/audit/code"
	recoveryCodesAudit = "/audit/codes-de-secours"
)

// auditSecondStep is the second step's page as a wrong code brings it back.
func auditSecondStep(c *fiber.Ctx, ts *testSite) error {
	f := emptyForm()
	_, msg, _, _ := codeRefusal(content.ErrCodeWrong)
	f.Errors.Add("code", msg)
	return ts.srv.render(c, fiber.StatusUnauthorized, "accounts/second_step", &secondStepPage{Page: ts.srv.page(c, "Code de connexion"),
		Form: f, Pseudo: "Karim"})
}

// auditRecoveryCodes is the page of the codes right after enrolment.
func auditRecoveryCodes(c *fiber.Ctx, ts *testSite) error {
	codes := []string{"7k2m9-x4p0q", "a8c1d-0ftr3", "m3n4p-q5r6s", "0z9y8-x7w6v", "h2j3k-4m5n6", "p7q8r-9s0t1",
		"b2c3d-4e5f6", "g7h8j-9k0m1", "n2p3q-4r5s6", "t7v8w-9x0y1"}
	return ts.srv.renderRecoveryCodes(c, fiber.StatusCreated, codes, true)
}

// seedAuditTwoFactor gives Karim an enrolment under way (his page shows
// the QR code and the key) and a second session, on his phone, to end.
func seedAuditTwoFactor(t *testing.T, ts *testSite, karim *content.User) {
	t.Helper()
	if _, err := ts.srv.store.StartTwoFactor(ts.ctx(), karim); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.OpenSession(ts.ctx(), karim.ID, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
		"203.0.113.54"); err != nil {
		t.Fatal(err)
	}
}
