package server

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ligue-mednum/ligue/content"
)

// Notification journeys in headless Chromium: Léa is mentioned while she
// browses; the bell of the header counts it (live with JavaScript, on the
// next page without), /notifications lists it under its discussion, and
// opening it lands on the post and marks it read.

// byBell is the bell of the header, whatever its count says.
const byBell = chromedp.Search(`//header//a[contains(concat(" ",normalize-space(@class)," ")," bell ")]`)

// bellText is what the bell says, visually hidden words included, as a
// screen reader reads it: "Notifications (1 non lue)".
func bellText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return plain(browserEval[string](t, ctx, "read the bell",
		`(document.querySelector("header a.bell") || {textContent: "no bell"}).textContent.replace(/\s+/g, " ").trim()`))
}

// bellOnNextPages loads url until the bell says want, as a member going on
// to another page would, for at most a few seconds (the notifier and the
// read marks work in the background, within a second).
func bellOnNextPages(t *testing.T, ctx context.Context, url, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		browse(t, ctx, "load "+url, chromedp.Navigate(url), chromedp.WaitVisible(byBell))
		got := bellText(t, ctx)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("on %s the bell says %q, want %q", url, got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// byNotification is the link of the notification saying text in the group
// of the discussion title on /notifications.
func byNotification(title, text string) chromedp.Search {
	return chromedp.Search(notificationItem(title, text) + `/a`)
}

// notificationItem is the XPath of the item of the notification saying
// text in the group of the discussion title.
func notificationItem(title, text string) string {
	return `//main//li[contains(concat(" ",normalize-space(@class)," ")," notification-group ")][h2/a[` + textOf + `="` + title + `"]]` +
		`//li[contains(concat(" ",normalize-space(@class)," ")," notification ")][a[` + textOf + `="` + text + `"]]`
}

// mentionTopic creates a discussion of Lucie and Karim with a first page
// full (PostsPerPage posts), so that the post that comes next is on page 2.
func mentionTopic(ts *testSite, lucie, karim *content.User, title string) *content.Topic {
	ts.t.Helper()
	topic := ts.mustCreateTopic(lucie, title, "Une personne doit signer un document PDF en ligne : quel outil lui conseiller ?")
	for n := 2; n <= content.PostsPerPage; n++ {
		who := karim
		if n%2 == 1 {
			who = lucie
		}
		ts.mustReply(who, topic, "Réponse n°"+strconv.Itoa(n)+" sur la signature de documents.", 0)
	}
	return topic
}

// checkAtPost checks that the page shows the topic at post n, by pseudo:
// the address, the post as the target of the fragment, and on screen.
func checkAtPost(t *testing.T, ctx context.Context, topic *content.Topic, n int, pseudo string) {
	t.Helper()
	id := "post-" + strconv.Itoa(n)
	want := topic.Path() + "?page=2#" + id
	if loc := browserEval[string](t, ctx, "read the URL", `location.pathname + location.search + location.hash`); loc != want {
		t.Errorf("the notification led to %q, want %s", loc, want)
	}
	browse(t, ctx, "see the post", chromedp.WaitVisible(chromedp.Search(postOf(pseudo)+`[@id="`+id+`"]`)))
	if target := browserEval[string](t, ctx, "read the target", `(document.querySelector(":target") || {id: ""}).id`); target != id {
		t.Errorf("the page's target is %q, want #%s", target, id)
	}
	if !browserEval[bool](t, ctx, "see where the post is", `(() => {
		const r = document.getElementById(`+jsString(id)+`).getBoundingClientRect();
		return r.top > -1 && r.top < innerHeight; // sub-pixel layout may land a fraction above
	})()`) {
		t.Errorf("the page is not scrolled to #%s", id)
	}
}

// TestBrowserNotificationLive: Léa browses the discussions when Karim
// mentions her; without reloading, her bell counts it. She follows the bell
// to /notifications, where the mention is listed under its discussion,
// opens it and lands on Karim's post (page 2); on the next page her bell
// counts nothing.
func TestBrowserNotificationLive(t *testing.T) {
	ts, base := browserSite(t)
	const title = "Signer un PDF sans imprimante"
	ts.mustCreateMember("Léa", content.RoleMember)
	karim, lucie := ts.mustCreateMember("Karim", content.RoleMember), ts.mustCreateMember("Lucie", content.RoleMember)
	topic := mentionTopic(ts, lucie, karim, title)

	ctx := browserContext(t)
	began := time.Now()
	ctx, cancel := context.WithDeadline(ctx, began.Add(30*time.Second))
	defer cancel()

	browse(t, ctx, "Léa logs in", logInFrom(base, "Léa")...)
	browse(t, ctx, "Léa opens Discussions",
		chromedp.Click(bySiteNav("Discussions")),
		chromedp.WaitVisible(byHeading("Discussions")),
	)
	if got := bellText(t, ctx); got != "Notifications" {
		t.Errorf("before any mention, the bell says %q, want no count", got)
	}
	// The page's event stream is open before Karim writes (the count then
	// comes as news, not as the stream's first state).
	waitUntil(t, ctx, "the page's event stream opens", `!!liveStream.source && liveStream.source.readyState === EventSource.OPEN`)
	browse(t, ctx, "mark the page", chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.stayed = "1"`))

	// 1. Karim mentions her: the bell counts it while she stays on the page.
	post, err := ts.srv.store.Reply(context.Background(), karim, topic.ID, content.NewReply{Body: "@Léa regarde ce fil : la signature se fait avec l’outil de l’ANTS."})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "Léa's bell counts the mention without a reload",
		`document.querySelector("header a.bell").textContent.replace(/\s+/g, " ").trim() === "Notifications (1 non lue)"`)
	if !browserEval[bool](t, ctx, "check the page stayed", `document.documentElement.dataset.stayed === "1"`) {
		t.Error("the page reloaded to show the count")
	}
	if got := browserText(t, ctx, chromedp.Search(`//header//a[contains(@class,"bell")]/span[@class="count"]`)); !strings.HasPrefix(got, "(1") {
		t.Errorf("the bell's count reads %q on screen, want (1", got)
	}

	// 2. She follows the bell: the mention is listed, unread, under its
	// discussion.
	browse(t, ctx, "Léa follows the bell", chromedp.Click(byBell), chromedp.WaitVisible(byHeading("Notifications")))
	item := notificationItem(title, "Karim vous a mentionné·e")
	if n := xpathCount(t, ctx, item+`[contains(@class,"unread")]`); n != 1 {
		t.Errorf("/notifications reads %q, want « Karim vous a mentionné·e », unread, under « %s »", browserText(t, ctx, chromedp.CSS("main")), title)
	}
	if got := browserText(t, ctx, chromedp.Search(`//main//li[contains(@class,"notification-group")][h2/a[`+textOf+`="`+title+`"]]/h2`)); got != title+" 1 nouveau" {
		t.Errorf("the group's heading reads %q, want « %s 1 nouveau »", got, title)
	}

	// 3. She opens it and lands on Karim's post, on page 2.
	leavePage(t, ctx, "Léa opens the notification", `//main//h1[`+textOf+`="`+title+`"]`,
		chromedp.Click(byNotification(title, "Karim vous a mentionné·e")))
	checkAtPost(t, ctx, topic, post.Number, "Karim")
	// The page that shows the mention does not count it any more.
	if got := bellText(t, ctx); got != "Notifications" {
		t.Errorf("on the post, the bell says %q, want no count", got)
	}

	// 4. Reading the post marked it read: the next page's bell counts nothing.
	bellOnNextPages(t, ctx, base+"/discussions", "Notifications")
	browse(t, ctx, "Léa looks at her unread notifications",
		chromedp.Navigate(base+"/notifications?filtre=non-lues"),
		chromedp.WaitVisible(chromedp.Search(`//main//p[`+textOf+`="Aucune notification non lue : vous êtes à jour."]`)),
	)
	t.Logf("the journey took %s", time.Since(began).Round(time.Millisecond))
}

// TestBrowserNotificationWithoutJavaScript: the same with script execution
// disabled. Karim and Lucie mention Léa in two discussions; the next page
// she loads counts both. She opens Karim's from /notifications and lands
// on his post; the next page counts one. « Tout marquer comme lu » then
// marks the other read.
func TestBrowserNotificationWithoutJavaScript(t *testing.T) {
	ts, base := browserSite(t)
	const (
		title      = "Signer un PDF sans imprimante"
		otherTitle = "Prendre rendez-vous en préfecture"
	)
	ts.mustCreateMember("Léa", content.RoleMember)
	karim, lucie := ts.mustCreateMember("Karim", content.RoleMember), ts.mustCreateMember("Lucie", content.RoleMember)
	topic := mentionTopic(ts, lucie, karim, title)
	other := ts.mustCreateTopic(karim, otherTitle, "Les créneaux sont pris des semaines à l’avance.")

	ctx := browserContext(t)
	noScripts(t, ctx)
	began := time.Now()
	ctx, cancel := context.WithDeadline(ctx, began.Add(30*time.Second))
	defer cancel()

	browse(t, ctx, "Léa logs in", logInFrom(base, "Léa")...)
	browse(t, ctx, "Léa opens Discussions",
		chromedp.Click(bySiteNav("Discussions")),
		chromedp.WaitVisible(byHeading("Discussions")),
	)
	if got := bellText(t, ctx); got != "Notifications" {
		t.Errorf("before any mention, the bell says %q, want no count", got)
	}

	// 1. Two mentions: the bell counts them on the next page.
	post, err := ts.srv.store.Reply(context.Background(), karim, topic.ID, content.NewReply{Body: "@Léa regarde ce fil : la signature se fait avec l’outil de l’ANTS."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.Reply(context.Background(), lucie, other.ID, content.NewReply{Body: "@Léa tu avais une astuce pour les créneaux, non ?"}); err != nil {
		t.Fatal(err)
	}
	bellOnNextPages(t, ctx, base+"/discussions", "Notifications (2 non lues)")

	// 2. The bell leads to both, each under its discussion, newest first.
	browse(t, ctx, "Léa follows the bell", chromedp.Click(byBell), chromedp.WaitVisible(byHeading("Notifications")))
	groups := browserEval[[]string](t, ctx, "read the groups",
		`[...document.querySelectorAll("main li.notification-group > h2 > a")].map(a => a.textContent.trim())`)
	if strings.Join(groups, " | ") != otherTitle+" | "+title {
		t.Errorf("/notifications groups %q, want « %s » then « %s »", groups, otherTitle, title)
	}
	for _, n := range []struct{ title, text string }{{title, "Karim vous a mentionné·e"}, {otherTitle, "Lucie vous a mentionné·e"}} {
		if xpathCount(t, ctx, notificationItem(n.title, n.text)+`[contains(@class,"unread")]`) != 1 {
			t.Errorf("/notifications lacks « %s », unread, under « %s »:\n%s", n.text, n.title, browserText(t, ctx, chromedp.CSS("main")))
		}
	}

	// 3. She opens Karim's and lands on his post; the next page counts one.
	leavePage(t, ctx, "Léa opens Karim's mention", `//main//h1[`+textOf+`="`+title+`"]`,
		chromedp.Click(byNotification(title, "Karim vous a mentionné·e")))
	checkAtPost(t, ctx, topic, post.Number, "Karim")
	if got := bellText(t, ctx); got != "Notifications (1 non lue)" {
		t.Errorf("on Karim's post, the bell says %q, want Lucie's mention alone", got)
	}
	bellOnNextPages(t, ctx, base+"/notifications", "Notifications (1 non lue)")
	if xpathCount(t, ctx, notificationItem(title, "Karim vous a mentionné·e")+`[not(contains(@class,"unread"))]`) != 1 ||
		xpathCount(t, ctx, notificationItem(otherTitle, "Lucie vous a mentionné·e")+`[contains(@class,"unread")]`) != 1 {
		t.Errorf("after reading Karim's post, /notifications reads:\n%s", browserText(t, ctx, chromedp.CSS("main")))
	}

	// 4. « Tout marquer comme lu »: a flash, and nothing unread any more.
	browse(t, ctx, "Léa presses Tout marquer comme lu",
		chromedp.Click(byButton("Tout marquer comme lu")),
		chromedp.WaitVisible(byFlash("Toutes vos notifications sont marquées comme lues.")),
		chromedp.WaitVisible(byHeading("Notifications")),
	)
	if got := bellText(t, ctx); got != "Notifications" {
		t.Errorf("after « Tout marquer comme lu », the bell says %q, want no count", got)
	}
	if n := xpathCount(t, ctx, `//main//li[contains(concat(" ",normalize-space(@class)," ")," unread ")]`); n != 0 {
		t.Errorf("after « Tout marquer comme lu », %d notifications are still unread:\n%s", n, browserText(t, ctx, chromedp.CSS("main")))
	}
	if n := xpathCount(t, ctx, `//main//button[starts-with(`+textOf+`,"Marquer comme lue")]`); n != 0 {
		t.Errorf("after « Tout marquer comme lu », %d « Marquer comme lue » buttons remain", n)
	}
	bellOnNextPages(t, ctx, base+"/discussions", "Notifications")
	t.Logf("the journey took %s without JavaScript", time.Since(began).Round(time.Millisecond))
}
