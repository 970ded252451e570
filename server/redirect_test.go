package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// hostAfterRedirect is where a browser goes with Location: target, read as
// browsers read it (tabs and newlines dropped, "\" taken as "/").
func hostAfterRedirect(target string) string {
	cleaned := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, target)
	base, _ := url.Parse("http://ligue.test/connexion")
	ref, err := url.Parse(cleaned)
	if err != nil {
		return "unparsable"
	}
	return base.ResolveReference(ref).Host
}

var hostileTargets = []string{
	"//evil.example/", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example/", "/\n/evil.example",
	"/\r\n/evil.example", "/\t/127.0.0.2:9/", " //evil.example", "/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example",
	"/%5c%5cevil.example", "/%09/evil.example", "https://evil.example", "http:evil.example", "javascript:alert(1)",
	"data:text/html,x", "evil.example", "", "/\x00/evil", "/\x7f/evil", "/\u0085/evil", "/%zz", "\x01//evil.example",
	"/" + strings.Repeat("a", 3000),
}

func TestSafeReturnRefusesEveryWayOut(t *testing.T) {
	for _, target := range hostileTargets {
		got := safeReturn(target)
		if got != "/" {
			t.Errorf("safeReturn(%q) = %q, want the home page", target, got)
		}
	}
	for _, target := range []string{"/", "/discussions", "/discussions/4/carte-vitale?page=2#post-31", "/recherche?q=caf%20%C3%A9t%C3%A9",
		"/membres/Ma%C3%ABlle", "/etiquettes/caf?x=//y"} {
		if got := safeReturn(target); got != target {
			t.Errorf("safeReturn(%q) = %q, want it kept", target, got)
		}
	}
}

func FuzzSafeReturn(f *testing.F) {
	for _, s := range hostileTargets {
		f.Add(s)
	}
	f.Add("/discussions?page=2")
	f.Fuzz(func(t *testing.T, target string) {
		got := safeReturn(target)
		if host := hostAfterRedirect(got); host != "ligue.test" {
			t.Fatalf("safeReturn(%q) = %q leads to host %q", target, got, host)
		}
		if got != "/" && got != target {
			t.Fatalf("safeReturn(%q) = %q: a target is kept whole or replaced", target, got)
		}
	})
}

func TestRedirectTargetsStayOnTheSite(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", "member")
	for _, target := range hostileTargets {
		cl := ts.client()
		cl.get("/connexion")
		r := cl.postForm("/connexion", url.Values{"login": {karim.Email}, "password": {testPassword}, "retour": {target}})
		if r.status != http.StatusSeeOther || hostAfterRedirect(r.location) != "ligue.test" || r.location != "/" {
			t.Errorf("login with retour=%q: %d → %q", target, r.status, r.location)
		}
		r = cl.postForm("/discussions/tout-lu", url.Values{"retour": {target}})
		if r.status != http.StatusSeeOther || r.location != "/" {
			t.Errorf("tout lu with retour=%q: %d → %q", target, r.status, r.location)
		}
	}
	// A visitor sent to log in comes back to the page, query string kept.
	r := ts.client().get("/discussions/nouvelle?categorie=demarches-en-ligne&x=1")
	if r.status != http.StatusSeeOther || r.location != "/connexion?retour=/discussions/nouvelle%3Fcategorie%3Ddemarches-en-ligne%26x%3D1" {
		t.Errorf("login redirect of a visitor: %d → %q", r.status, r.location)
	}
}
