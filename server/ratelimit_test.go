package server

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// Every spelling of one account counts against the same limit, and the
// limits hold across a restart.
func TestLoginLimitCountsPerAccountWhateverIsTyped(t *testing.T) {
	dir := t.TempDir()
	ts := newTestSite(t, func(c *Config) { c.DataDir = dir })
	maelle := ts.mustCreateMember("Maëlle", "member")
	spellings := []string{"Maëlle", "maelle", "MAËLLE", " maëlle ", "Maelle", maelle.Email, "MAËLLE@EXEMPLE.FR", " maëlle@exemple.fr"}
	fail := func(site *testSite, login string) int {
		t.Helper()
		cl := site.client()
		cl.get("/connexion")
		return cl.postForm("/connexion", url.Values{"login": {login}, "password": {"pas le bon mot de passe"}}).status
	}
	for i := 0; i < 10; i++ {
		if status := fail(ts, spellings[i%len(spellings)]); status != http.StatusUnauthorized {
			t.Fatalf("failure %d with %q: status %d", i+1, spellings[i%len(spellings)], status)
		}
	}
	for _, login := range spellings {
		if status := fail(ts, login); status != http.StatusTooManyRequests {
			t.Errorf("after 10 failures, %q answers %d, want 429", login, status)
		}
	}
	// Even the right password waits: the limit is on the account.
	cl := ts.client()
	cl.get("/connexion")
	if r := cl.postForm("/connexion", url.Values{"login": {maelle.Email}, "password": {testPassword}}); r.status != http.StatusTooManyRequests {
		t.Errorf("right password during the lock: %d", r.status)
	}

	// A restart does not hand out fresh tries.
	ts.srv.Close()
	again := newTestSite(t, func(c *Config) { c.DataDir = dir })
	for _, login := range []string{"maelle", maelle.Email} {
		if status := fail(again, login); status != http.StatusTooManyRequests {
			t.Errorf("after a restart, %q answers %d, want 429", login, status)
		}
	}
	// Another account is not locked out by Maëlle's.
	karim := again.mustCreateMember("Karim", "member")
	if r := again.loggedIn(karim); r == nil {
		t.Fatal("Karim cannot log in")
	}
}

func TestLoginLimitCountsPerAddress(t *testing.T) {
	ts := newTestSite(t)
	// 30 failures from one address, on 30 different (unknown) logins.
	for i := 0; i < 30; i++ {
		cl := ts.client()
		cl.get("/connexion")
		if r := cl.postForm("/connexion", url.Values{"login": {"inconnu" + strconv.Itoa(i)}, "password": {"x"}}); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.status)
		}
	}
	cl := ts.client()
	cl.get("/connexion")
	if r := cl.postForm("/connexion", url.Values{"login": {"encore-un-autre"}, "password": {"x"}}); r.status != http.StatusTooManyRequests {
		t.Errorf("31st failure from one address: %d, want 429", r.status)
	}
}
