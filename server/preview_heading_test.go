package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

var headingTag = regexp.MustCompile(`<h([1-6])[ >]`)

// The « Aperçu » of every composer takes the heading level that follows
// the page's outline: h2 on the new topic and edit pages, right after their
// h1; h3 in the reply form, under its h2. No level is skipped.
func TestPreviewHeadingFollowsTheOutline(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Imprimer une attestation CAF", "Comment ?")
	first, err := ts.srv.store.PostsPage(ts.ctx(), karim, topic.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	cl := ts.loggedIn(karim)
	body := url.Values{"body": {"Du **gras** ici"}, "action": {"apercu"}}
	for _, tc := range []struct {
		name, page, action string
		form               url.Values
		level              string
	}{
		{"new topic", "/discussions/nouvelle", "/discussions/nouvelle",
			url.Values{"title": {"Un titre assez long"}, "category": {"demarches-en-ligne"}}, "2"},
		{"edit", "/messages/" + itoa64(first[0].ID) + "/modifier", "/messages/" + itoa64(first[0].ID) + "/modifier",
			url.Values{"title": {topic.Title}, "category": {"demarches-en-ligne"}}, "2"},
		{"reply", topic.Path(), "/discussions/" + itoa64(topic.ID) + "/reponses", url.Values{}, "3"},
	} {
		cl.get(tc.page)
		for k, v := range body {
			tc.form[k] = v
		}
		r := cl.postForm(tc.action, tc.form)
		if r.status != 200 || !strings.Contains(r.body, "<strong>gras</strong>") {
			t.Errorf("%s: preview %d", tc.name, r.status)
			continue
		}
		if want := `<h` + tc.level + ` id="apercu">Aperçu</h` + tc.level + `>`; !strings.Contains(r.body, want) {
			t.Errorf("%s: no %s", tc.name, want)
		}
		main := r.body[strings.Index(r.body, "<main"):]
		last := 0
		for _, m := range headingTag.FindAllStringSubmatch(main, -1) {
			level := int(m[1][0] - '0')
			if last > 0 && level > last+1 {
				t.Errorf("%s: an h%d follows an h%d", tc.name, level, last)
			}
			last = level
		}
	}
}
