package server

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

var nextPageLink = regexp.MustCompile(`<a[^>]+href="([^"]+)"[^>]*rel="next"|<a[^>]+rel="next"[^>]*href="([^"]+)"`)

// TestListPagesFollowEachOther: the next page of a list starts right after
// the last topic of the page before (keyset), shows what numbered pages
// show, and a cursor that means nothing falls back to the page number.
func TestListPagesFollowEachOther(t *testing.T) {
	ts := newTestSite(t)
	lea := ts.mustCreateMember("Lea", content.RoleMember)
	for i := range 2*content.TopicsPerPage + 5 {
		ts.mustCreateTopic(lea, fmt.Sprintf("Discussion numéro %03d", i), "Le texte.")
	}
	pinned := ts.mustCreateTopic(lea, "Discussion épinglée", "Le texte.")
	if _, err := ts.srv.db.W.Exec(`UPDATE topics SET pinned = 1 WHERE id = ?`, pinned.ID); err != nil {
		t.Fatal(err)
	}
	visitor := ts.client()
	titles := func(body string) []string {
		return regexp.MustCompile(`Discussion (numéro \d+|épinglée)`).FindAllString(body, -1)
	}
	seen := map[string]bool{}
	path, pages := "/discussions", 0
	for path != "" {
		r := visitor.get(path)
		if r.status != 200 {
			t.Fatalf("%s: %d", path, r.status)
		}
		pages++
		for _, title := range titles(r.body) {
			if seen[title] {
				t.Errorf("%s shows %q again", path, title)
			}
			seen[title] = true
		}
		if pages > 1 {
			numbered := visitor.get(fmt.Sprintf("/discussions?page=%d", pages))
			if a, b := titles(r.body), titles(numbered.body); strings.Join(a, ",") != strings.Join(b, ",") {
				t.Errorf("page %d by cursor %v, by number %v", pages, a, b)
			}
			if !strings.Contains(path, "apres=") {
				t.Errorf("page %d is linked by number: %s", pages, path)
			}
		}
		path = ""
		if m := nextPageLink.FindStringSubmatch(r.raw); m != nil {
			path = html.UnescapeString(m[1] + m[2])
		}
	}
	if pages != 3 || len(seen) != 2*content.TopicsPerPage+6 {
		t.Errorf("%d pages, %d topics seen", pages, len(seen))
	}
	for _, bad := range []string{"zzz", "1-", "-1", "0-0", "ab-cd-ef", strings.Repeat("9", 40) + "-1"} {
		if r := visitor.get("/discussions?page=2&apres=" + bad); r.status != 200 || len(titles(r.body)) != content.TopicsPerPage {
			t.Errorf("apres=%s: %d, %d topics", bad, r.status, len(titles(r.body)))
		}
	}
}
