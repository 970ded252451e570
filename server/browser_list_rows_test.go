package server

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/ligue-mednum/ligue/content"
)

// TestBrowserListRowsAt1280: on a 1280 px screen a topic takes two lines,
// its title on one line with its participants beside it.
func TestBrowserListRowsAt1280(t *testing.T) {
	ts, base := browserSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	const title = "Aider une personne sans adresse courriel à faire sa demande de RSA" // 66 characters
	topic := ts.mustCreateTopic(karim, title, "Elle n’a pas d’adresse.", func(n *content.NewTopic) { n.Tags = "rsa, courriel, caf" })
	for i := range 6 {
		ts.mustReply(ts.mustCreateMember(fmt.Sprintf("Membre%d", i), content.RoleMember), topic, "Nous créons l’adresse avec elle.", 0)
	}
	ts.mustCreateTopic(karim, "Carte Vitale perdue", "Que faire ?")
	ctx := browserContext(t)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 1280, Height: 900, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, "open the list", chromedp.Navigate(base+"/discussions"), chromedp.WaitVisible(byHeading("Discussions")))
	var rows []struct {
		Title        string
		TitleLines   int
		Height, Line float64
		Beside       bool
	}
	if err := json.Unmarshal(browserEval[[]byte](t, ctx, "measure the rows", `[...document.querySelectorAll(".topic-row")].map(row => {
		const a = row.querySelector(".topic-title a"), h = row.querySelector(".topic-title").getBoundingClientRect();
		const p = row.querySelector(".participants").getBoundingClientRect();
		return {title: a.textContent, titleLines: a.getClientRects().length, height: row.getBoundingClientRect().height,
			line: parseFloat(getComputedStyle(row.querySelector(".topic-meta")).lineHeight), beside: p.left >= h.right && p.top < h.bottom};
	})`), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.TitleLines != 1 {
			t.Errorf("« %s » wraps over %d lines at 1280 px", r.Title, r.TitleLines)
		}
		if !r.Beside {
			t.Errorf("« %s »: the participants are not beside the title", r.Title)
		}
		if r.Height > 4*r.Line {
			t.Errorf("« %s »: a row %.0f px high, want two lines (at most %.0f px)", r.Title, r.Height, 4*r.Line)
		}
	}
}
