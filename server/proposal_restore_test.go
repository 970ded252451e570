package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var restoreForm = regexp.MustCompile(`action="([^"]+/historique/\d+/retablir)"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+"><input type="hidden" name="revision" value="(\d+)">\s*<button type="submit" class="secondary">Rétablir<span class="visually-hidden"> la proposition « Deux » de la révision \d+`)

func TestProposalRevisionRestoredFromTheHistory(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Texte à rétablir", "Un", "Deux")
	ids := itemIDs(ps.owner.get(path).body)
	r := ps.owner.postForm(path+"/propositions/"+ids[1]+"/retirer", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d\n%s", r.status, r.body)
	}
	if strings.Contains(ps.owner.get(path).body, "Nous proposons : Deux.") {
		t.Fatal("the removed proposition is still shown")
	}
	hist := ps.owner.get(path + "/historique")
	m := restoreForm.FindStringSubmatch(hist.body)
	if m == nil {
		t.Fatalf("no « Rétablir » for « Deux » in the history:\n%s", hist.body)
	}
	must(t, follow(t, ps.owner, ps.owner.postForm(m[1], url.Values{"revision": {m[2]}})), 200, "Cette partie est rétablie")
	must(t, ps.owner.get(path), 200, "Nous proposons : Deux.")
	// A stale history is refused in French; a reader has no button and no way.
	must(t, follow(t, ps.owner, ps.owner.postForm(m[1], url.Values{"revision": {m[2]}})), 200, "Le texte a changé depuis que vous avez ouvert l’historique")
	follow(t, ps.owner, ps.owner.postForm(path+"/membres", url.Values{"pseudo": {"Nadia"}, "role": {"reader"}}))
	if strings.Contains(ps.member.get(path+"/historique").body, "/retablir") {
		t.Error("a reader is offered to restore")
	}
	if r := ps.member.postForm(m[1], url.Values{"revision": {m[2]}}); r.status != http.StatusForbidden {
		t.Errorf("a reader restores: %d", r.status)
	}
	if r := ps.visitor.postForm(m[1], url.Values{"revision": {m[2]}}); r.status == http.StatusSeeOther {
		t.Error("a visitor restores")
	}
}

func TestProposalItemHistory(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.create(t, "Texte suivi", "Un accueil physique")
	ids := itemIDs(ps.owner.get(path).body)
	if r := ps.owner.postForm(path+"/propositions/"+ids[0]+"/modifier", url.Values{"title": {"Un accueil physique"},
		"body": {"Nous proposons : un accueil physique dans chaque commune."}, "base_revision": {"1"}, "comment": {"Plus précis"}}); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.status, r.body)
	}
	page := ps.owner.get(path)
	must(t, page, 200, `href="`+path+`/propositions/`+ids[0]+`/historique"`)
	hist := ps.owner.get(path + "/propositions/" + ids[0] + "/historique")
	must(t, hist, 200, "Historique de la proposition « Un accueil physique »", "« Plus précis »", "dans chaque commune", "<ins", "Rétablir cette version")
	if n := strings.Count(hist.body, "Rétablir cette version"); n != 1 {
		t.Errorf("%d « Rétablir » buttons, want 1 (not on the current wording)", n)
	}
	// Private like its text: a brouillon's history is a 404 to others, and
	// so is an item of nothing or of another text.
	other := ps.create(t, "Un autre texte", "Autre chose")
	otherID := itemIDs(ps.owner.get(other).body)[0]
	for _, tc := range []struct {
		who  *client
		path string
	}{
		{ps.visitor, path + "/propositions/" + ids[0] + "/historique"},
		{ps.member, path + "/propositions/" + ids[0] + "/historique"},
		{ps.owner, path + "/propositions/999999/historique"},
		{ps.owner, path + "/propositions/" + otherID + "/historique"},
	} {
		if r := tc.who.get(tc.path); r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", tc.path, r.status)
		}
	}
}
