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
