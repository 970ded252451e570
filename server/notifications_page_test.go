package server

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

var olderLink = regexp.MustCompile(`href="(/notifications\?[^"]*avant=[^"]+)" rel="next"`)

func TestNotificationsArePaginatedNewestFirst(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	lea, karim := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember)
	total := content.NotificationsPerPage + 12
	var titles []string
	for i := 0; i < total; i++ {
		title := "Question numéro " + itoa64(int64(i+1))
		tp := ts.mustCreateTopic(lea, title, "Qui sait ?")
		if _, err := ts.srv.store.Reply(ctx, karim, tp.ID, content.NewReply{Body: "Moi.", ReplyTo: 1}); err != nil {
			t.Fatal(err)
		}
		titles = append(titles, title)
	}
	if err := ts.srv.SyncNotifications(ctx); err != nil {
		t.Fatal(err)
	}
	asLea := ts.loggedIn(lea)
	seen := map[string]bool{}
	var order []string
	page := "/notifications"
	for pages := 0; page != ""; pages++ {
		if pages > 3 {
			t.Fatal("the pages do not end")
		}
		r := asLea.get(page)
		if r.status != 200 {
			t.Fatalf("%s: %d", page, r.status)
		}
		for _, m := range regexp.MustCompile(`<h2><a href="[^"]+">(Question numéro \d+)</a>`).FindAllStringSubmatch(r.body, -1) {
			if seen[m[1]] {
				t.Errorf("%s is listed twice", m[1])
			}
			seen[m[1]] = true
			order = append(order, m[1])
		}
		page = ""
		if m := olderLink.FindStringSubmatch(r.body); m != nil {
			page = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(order) != total || order[0] != titles[total-1] || order[total-1] != titles[0] {
		t.Errorf("listed %d of %d, from %q to %q", len(order), total, order[0], order[len(order)-1])
	}

	// Marking one read on the second page comes back to the second page.
	r := asLea.get("/notifications")
	older := strings.ReplaceAll(olderLink.FindStringSubmatch(r.body)[1], "&amp;", "&")
	second := asLea.get(older)
	id := regexp.MustCompile(`name="id" value="(\d+)"`).FindStringSubmatch(second.body)[1]
	if r := asLea.postForm("/notifications/lu", url.Values{"id": {id}, "retour": {older}}); r.status != 303 || r.location != older {
		t.Errorf("marking read on page 2 goes to %q (%d), want %q", r.location, r.status, older)
	}
	// A cursor that makes no sense shows the latest ones.
	for _, bad := range []string{"x", "1.", ".4", "-5.3", "99999999999999999999.1"} {
		if r := asLea.get("/notifications?avant=" + url.QueryEscape(bad)); r.status != 200 || !strings.Contains(r.body, titles[total-1]) {
			t.Errorf("avant=%q: %d", bad, r.status)
		}
	}
}
