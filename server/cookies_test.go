package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// A visitor's page sets no cookie unless a form on it needs the CSRF
// token: the pages everyone reads can be cached, by us or by a proxy.
func TestVisitorPagesSetNoCookieWithoutAForm(t *testing.T) {
	ts := newTestSite(t)
	lea := ts.mustCreateMember("Lea", content.RoleMember)
	topic := ts.mustCreateTopic(lea, "Créer une adresse e-mail", "Avec une personne qui n’en a jamais eu.")
	ts.syncIndex()
	visitor := ts.client()
	for _, path := range []string{"/", "/discussions", "/categories/demarches-en-ligne", topic.Path(), "/fiches", "/propositions",
		"/recherche?q=adresse", "/etiquettes", "/membres/Lea", "/charte", "/discussions.atom", ts.srv.assets.URL("css/site.css")} {
		r := visitor.get(path)
		if r.status != 200 {
			t.Errorf("%s: %d", path, r.status)
			continue
		}
		if c := r.header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("%s sets a cookie for a visitor: %v", path, c)
		}
	}
	// A page with a form gives its token and the seed cookie, and the form is taken.
	login := visitor.get("/connexion")
	if !strings.Contains(strings.Join(login.header.Values("Set-Cookie"), " "), csrfCookie+"=") {
		t.Fatalf("the login page sets no CSRF cookie: %v", login.header)
	}
	r := visitor.postForm("/connexion", url.Values{"login": {"lea@exemple.fr"}, "password": {testPassword}})
	if r.status != 303 {
		t.Fatalf("login after the login page: %d\n%s", r.status, r.body)
	}
	// A form posted without ever having had a token is refused, its text kept.
	fresh := ts.client()
	fresh.csrf = "forged"
	r = fresh.postForm("/inscription", url.Values{"pseudo": {"Nadia"}, "email": {"nadia@exemple.fr"}})
	must(t, r, 403, "Nadia")
	if !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), " "), csrfCookie+"=") {
		t.Error("the refusal's form comes without a token to send it again")
	}
}
