package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

var handleReportAction = regexp.MustCompile(`action="(/fiches/[^"]+/signalements/\d+/traite)"`)

func TestFicheReportsThroughThePages(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	claire := ts.loggedIn(ts.mustCreateMember("claire", content.RoleMember))
	visitor := ts.client()
	path := mustPublishFiche(t, alice, "Accompagner une démarche CAF sans adresse e-mail", ficheBody)

	page := bruno.get(path)
	for _, want := range []string{`action="` + path + `/signaler"`, "Signaler une information obsolète", `<option value="" selected>Toute la fiche</option>`,
		`<option value="2-creer-l-adresse">`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("report form lacks %q", want)
		}
	}
	if strings.Contains(page.body, "Des lecteurs signalent") {
		t.Error("a notice without reports")
	}
	// A visitor is offered to log in; a form sent anyway is not stored.
	if page := visitor.get(path); strings.Contains(page.body, path+`/signaler"`) || !strings.Contains(page.body, "pour signaler une information obsolète") {
		t.Error("a visitor sees the report form or no way to log in")
	}
	if r := visitor.postForm(path+"/signaler", url.Values{"comment": {"Le lien ne marche plus."}}); r.status != http.StatusUnauthorized {
		t.Errorf("a visitor reports: %d", r.status)
	}

	r := bruno.postForm(path+"/signaler", url.Values{"section": {"2-creer-l-adresse"}, "comment": {"Le site de la CAF demande maintenant un numéro de téléphone."}})
	if r.status != http.StatusSeeOther || r.location != path {
		t.Fatalf("report: %d %q\n%s", r.status, r.location, r.body)
	}
	for name, cl := range map[string]*client{"visitor": visitor, "claire": claire, "bruno": bruno} {
		page := cl.get(path)
		for _, want := range []string{"Des lecteurs signalent que certaines informations sont peut-être obsolètes :",
			`<a href="#2-creer-l-adresse">2️⃣ Créer l’adresse</a>`, "« Le site de la CAF demande maintenant un numéro de téléphone. »", `href="/membres/bruno"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("%s: the notice lacks %q", name, want)
			}
		}
	}

	// Refusals come back filled, the form open; five open reports at most.
	r = bruno.postForm(path+"/signaler", url.Values{"section": {"3-faire-la-demarche"}, "comment": {"vieux"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "trop court") || !strings.Contains(r.body, ">vieux</textarea>") ||
		!strings.Contains(r.body, `id="signaler" open`) || !strings.Contains(r.body, `<option value="3-faire-la-demarche" selected>`) {
		t.Errorf("short comment: %d\n%s", r.status, r.body)
	}
	for i := 0; i < 4; i++ {
		if r := bruno.postForm(path+"/signaler", url.Values{"comment": {"Toute la fiche date de 2021, numéro " + itoa64(int64(i))}}); r.status != http.StatusSeeOther {
			t.Fatalf("report %d: %d", i, r.status)
		}
	}
	r = bruno.postForm(path+"/signaler", url.Values{"comment": {"Un sixième signalement."}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "déjà 5 signalements") || !strings.Contains(r.body, "Un sixième signalement.") {
		t.Errorf("sixth report: %d", r.status)
	}

	// Marking handled: any editor of an open fiche; on a protected one, its
	// authors and moderators only.
	page = claire.get(path)
	actions := handleReportAction.FindAllStringSubmatch(page.body, -1)
	if len(actions) != 5 {
		t.Fatalf("claire may edit, so handle: %d buttons", len(actions))
	}
	if page := visitor.get(path); strings.Contains(page.body, "Marquer comme traité") {
		t.Error("a visitor is offered to mark reports handled")
	}
	if r := claire.postForm(actions[4][1], url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("claire handles a report: %d", r.status)
	}
	if _, err := ts.srv.db.W.Exec(`UPDATE fiches SET protected = 1 WHERE slug = ?`, strings.TrimPrefix(path, "/fiches/")); err != nil {
		t.Fatal(err)
	}
	if page := claire.get(path); strings.Contains(page.body, "Marquer comme traité") {
		t.Error("a member who may not edit the protected fiche is offered to mark reports handled")
	}
	if r := claire.postForm(actions[0][1], url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("a non-editor handles a report on a protected fiche: %d", r.status)
	}
	if r := alice.postForm(actions[0][1], url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("its author handles: %d", r.status)
	} else if page := alice.get(r.location); !strings.Contains(page.body, "marqué comme traité") {
		t.Error("no message after handling")
	}
	for _, a := range actions[1:4] {
		alice.postForm(a[1], url.Values{})
	}
	if page := visitor.get(path); strings.Contains(page.body, "Des lecteurs signalent") {
		t.Error("the notice stays once every report is handled")
	}
	if r := alice.postForm(path+"/signalements/9999/traite", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("unknown report: %d", r.status)
	}
}

func TestFicheReportsOnABrouillon(t *testing.T) {
	ts := newTestSite(t)
	alice := ts.loggedIn(ts.mustCreateMember("alice", content.RoleMember))
	bruno := ts.loggedIn(ts.mustCreateMember("bruno", content.RoleMember))
	r := alice.postForm("/fiches/nouvelle", ficheForm("Un brouillon à signaler", ficheBody, ""))
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d", r.status)
	}
	if page := alice.get(r.location); strings.Contains(page.body, "Signaler une information obsolète") {
		t.Error("a brouillon offers to report it")
	}
	if got := bruno.postForm(r.location+"/signaler", url.Values{"comment": {"Le lien ne marche plus."}}); got.status != http.StatusNotFound {
		t.Errorf("brouillon reported by another member: %d", got.status)
	}
	if got := alice.postForm(r.location+"/signaler", url.Values{"comment": {"Le lien ne marche plus."}}); got.status != http.StatusForbidden {
		t.Errorf("brouillon reported by its author: %d", got.status)
	}
}
