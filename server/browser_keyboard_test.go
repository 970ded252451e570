package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ligue-mednum/ligue/content"
)

// TestBrowserKeyboard walks the main pages with the Tab key only, as a
// person without a mouse does (RGAA 12.7, 12.8, 10.7; WCAG 2.1.1, 2.4.1,
// 2.4.3, 2.4.7). On each page:
//  1. the first Tab lands on the skip link « Aller au contenu », visible
//     while focused, and Enter on it moves focus to the main content;
//  2. Tab reaches every interactive element, once each, in the order of the
//     page (a radio group is one stop), and then leaves the page: no positive
//     tabindex, no trap;
//  3. each element shows a focus indicator: an outline or a box shadow that
//     it does not have unfocused.
//
// Problems are collected and reported per page, all at once.
func TestBrowserKeyboard(t *testing.T) {
	ts, base := browserSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	agnes := ts.mustCreateMember("Agnès", content.RoleAdmin)

	// A topic with a few replies (one of them answers another), and topics in
	// other categories, so that a search finds several and offers facets.
	topic := ts.mustCreateTopic(karim, "Attestation CAF introuvable", "Où trouver l’attestation de paiement pour une personne accompagnée ?",
		func(n *content.NewTopic) { n.Tags = "caf" })
	first := ts.mustReply(lucie, topic, "Dans l’espace **Mon Compte** de la CAF, rubrique Mes attestations.", 0)
	ts.mustReply(karim, topic, "Merci, je la trouve bien : faut-il la tamponner ?", first.Number)
	ts.mustReply(lucie, topic, "Non, l’attestation téléchargée suffit.", 0)
	ts.mustCreateTopic(lucie, "Imprimer une attestation sans imprimante", "Celle de l’accueil ne marche plus.",
		func(n *content.NewTopic) { n.Category, n.Tags = "outils-et-materiel", "impression" })
	ts.mustCreateTopic(karim, "Atelier attestation pour les seniors", "Comment leur montrer où télécharger leurs attestations ?",
		func(n *content.NewTopic) { n.Category, n.Kind = "accompagnement-des-publics", content.KindDiscussion })
	ts.syncIndex()

	ctx := browserContext(t)
	began := time.Now()
	ctx, cancel := context.WithDeadline(ctx, began.Add(45*time.Second))
	defer cancel()

	pages := func(who string, paths ...string) {
		t.Helper()
		for _, path := range paths {
			t.Run(who+" "+path, func(t *testing.T) { checkKeyboardPage(t, ctx, base, path) })
		}
	}

	// As a visitor. The search keeps its options open (tri=recent), so the
	// walk also goes through the controls they hold.
	pages("visitor", "/", "/discussions", topic.Path(), "/recherche?q=attestation&tri=recent", "/connexion")

	// As a member: the topic page adds the reply form and the post actions.
	browse(t, ctx, "Karim logs in", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/")},
		logInSteps("Karim", testPassword, "Karim")...)...)
	pages("member", topic.Path(), "/discussions/nouvelle", "/compte/")

	// As an administrator.
	browse(t, ctx, "Karim logs out, Agnès logs in",
		chromedp.Navigate(base+"/"),
		chromedp.Click(byLogoutButton),
		chromedp.WaitVisible(byFlash("Vous êtes déconnecté·e")),
		chromedp.Steps(logInWithCodeSteps("Agnès", testPassword, "Agnès", ts.nextCode(agnes))...),
	)
	pages("admin", "/admin/membres", topic.Path()) // the topic page adds the moderation forms

	t.Logf("keyboard walk took %s in the browser", time.Since(began).Round(time.Millisecond))
}

// kbdElement describes an element of the page for a report.
type kbdElement struct {
	Tag   string `json:"tag"`
	Label string `json:"label"`
	ID    string `json:"id"`
}

func (e kbdElement) String() string {
	s := "<" + e.Tag
	if e.ID != "" {
		s += ` id="` + e.ID + `"`
	}
	s += ">"
	if e.Label != "" {
		s += " « " + e.Label + " »"
	}
	return s
}

// kbdFocus is what has the focus after a key press.
type kbdFocus struct {
	kbdElement
	None      bool   `json:"none"`      // the body has it, or nothing
	Key       string `json:"key"`       // identity of the element within the page
	Stop      int    `json:"stop"`      // index among the expected stops, -1 if unexpected
	Indicator bool   `json:"indicator"` // shows a focus indicator
	Style     string `json:"style"`     // its outline and box shadow, focused and not
	OnScreen  bool   `json:"onScreen"`  // its box has a size and is in the viewport
}

// kbdScript defines window.__kbd on the page: the expected tab stops in the
// order of the page, with the unfocused style of their elements, and focus(),
// which describes the focused element. It returns the stops and the
// elements with a positive tabindex.
const kbdScript = `(() => {
	const describe = el => {
		let label = (el.labels && el.labels.length ? el.labels[0].textContent : "") || el.getAttribute("aria-label") ||
			el.textContent || el.getAttribute("title") || el.getAttribute("name") || el.value || "";
		label = label.replace(/\s+/g, " ").trim();
		if (label.length > 60) label = label.slice(0, 59) + "…";
		let tag = el.tagName.toLowerCase();
		if (tag === "input") tag += "[type=" + el.type + "]";
		return {tag, label, id: el.id};
	};
	const style = el => {
		const cs = getComputedStyle(el);
		return {outlineStyle: cs.outlineStyle, outlineWidth: cs.outlineWidth, outlineColor: cs.outlineColor, boxShadow: cs.boxShadow};
	};
	const k = window.__kbd = {els: [], stopOf: [], styles: [], extras: [], stops: [], positive: []};
	const groups = new Map();
	for (const el of document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")) {
		const ti = el.getAttribute("tabindex");
		if (ti !== null && parseInt(ti, 10) > 0) k.positive.push(describe(el));
		if (ti !== null && parseInt(ti, 10) < 0) continue;
		if (el.matches("input[type=hidden], :disabled") || el.closest("[inert]")) continue;
		if (el.tagName === "SUMMARY" && !(el.parentElement.tagName === "DETAILS" && el.parentElement.querySelector(":scope > summary") === el)) continue;
		if (!el.checkVisibility({visibilityProperty: true}) || el.getClientRects().length === 0) continue;
		let stop = k.stops.length;
		if (el.type === "radio" && el.name) {
			// Tab stops once on a radio group, on its checked button.
			const scope = el.form || document;
			if (!groups.has(scope)) groups.set(scope, new Map());
			const named = groups.get(scope);
			if (named.has(el.name)) {
				stop = named.get(el.name);
			} else {
				named.set(el.name, stop);
				const legend = el.closest("fieldset") && el.closest("fieldset").querySelector("legend");
				k.stops.push({tag: "input[type=radio] group", label: legend ? legend.textContent.trim() : el.name, id: el.id});
			}
		} else {
			k.stops.push(describe(el));
		}
		k.els.push(el);
		k.stopOf.push(stop);
		k.styles.push(style(el));
	}
	const transparent = c => c === "transparent" || /^rgba\(.*,\s*0\)$/.test(c);
	const show = s => "outline: " + s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor + "; box-shadow: " + s.boxShadow;
	k.focus = () => {
		const a = document.activeElement;
		if (!a || a === document.body || a === document.documentElement) return {none: true};
		let i = k.els.indexOf(a), key = "e" + i;
		if (i < 0) {
			if (!k.extras.includes(a)) k.extras.push(a);
			key = "x" + k.extras.indexOf(a);
		}
		const before = i >= 0 ? k.styles[i] : null, now = style(a);
		const outline = now.outlineStyle !== "none" && parseFloat(now.outlineWidth) > 0 && !transparent(now.outlineColor);
		const outlineChanged = !before || ["outlineStyle", "outlineWidth", "outlineColor"].some(p => now[p] !== before[p]);
		const shadow = now.boxShadow !== "none", shadowChanged = !before || now.boxShadow !== before.boxShadow;
		const r = a.getBoundingClientRect();
		return Object.assign(describe(a), {
			key, stop: i >= 0 ? k.stopOf[i] : -1,
			indicator: (outline && outlineChanged) || (shadow && shadowChanged),
			style: "focused " + show(now) + (before ? " / unfocused " + show(before) : ""),
			onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
		});
	};
	return {stops: k.stops, positive: k.positive};
})()`

// kbdSkipScript describes the focused element as a skip link: its box, what
// could hide it, and the target of its fragment.
const kbdSkipScript = `(() => {
	const a = document.activeElement, r = a.getBoundingClientRect(), cs = getComputedStyle(a);
	const id = a.hash ? decodeURIComponent(a.hash.slice(1)) : "";
	const target = id ? document.getElementById(id) : null, main = document.querySelector("main");
	return {
		tag: a.tagName.toLowerCase(), text: a.textContent.replace(/\s+/g, " ").trim(), href: a.getAttribute("href") || "", target: id,
		box: [r.left, r.top, r.width, r.height].map(Math.round).join(","), viewport: innerWidth + "x" + innerHeight,
		inViewport: r.width > 1 && r.height > 1 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight,
		hidden: [cs.clipPath !== "none" && "clip-path: " + cs.clipPath, cs.clip !== "auto" && "clip: " + cs.clip,
			cs.visibility !== "visible" && "visibility: " + cs.visibility, cs.opacity === "0" && "opacity: 0"].filter(Boolean).join(", "),
		targetFound: !!target, targetInMain: !!(target && main && (target === main || main.contains(target))),
	};
})()`

// kbdAfterSkip tells where the focus and the target are after following the
// skip link.
const kbdAfterSkip = `(() => {
	const t = document.getElementById(decodeURIComponent(location.hash.slice(1))), a = document.activeElement;
	if (!t) return {hash: location.hash};
	const r = t.getBoundingClientRect();
	return {hash: location.hash, focusInTarget: !!a && (a === t || t.contains(a)), targetOnScreen: r.top < innerHeight && r.bottom > 0};
})()`

// checkKeyboardPage walks one page with the keyboard and reports what is
// wrong with it.
func checkKeyboardPage(t *testing.T, ctx context.Context, base, path string) {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	defer func() {
		if len(problems) > 0 {
			t.Errorf("keyboard problems on %s:\n  - %s", path, strings.Join(problems, "\n  - "))
		}
	}()
	// eval reads the JSON value of expr into v.
	eval := func(what, expr string, v any) {
		t.Helper()
		b := browserEval[[]byte](t, ctx, what+" on "+path, expr)
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s on %s: %v", what, path, err)
		}
	}
	press := func(key string) {
		t.Helper()
		browse(t, ctx, "press a key on "+path, chromedp.KeyEvent(key))
	}
	open := func() {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
		defer cancel()
		res, err := chromedp.Run(sctx, chromedp.NavigateResponse(base+path))
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		if res.Status != 200 {
			t.Fatalf("open %s: status %d", path, res.Status)
		}
	}

	// 1. The skip link.
	open()
	press(kb.Tab)
	var skip struct {
		Tag, Text, Href, Target, Box, Viewport, Hidden string
		InViewport, TargetFound, TargetInMain          bool
	}
	eval("read the skip link", kbdSkipScript, &skip)
	switch {
	case skip.Tag != "a" || skip.Text != "Aller au contenu":
		fail("the first Tab lands on <%s> « %s », not on the skip link « Aller au contenu »", skip.Tag, skip.Text)
	default:
		if !skip.InViewport {
			fail("the focused skip link is not inside the viewport (%s): box %s", skip.Viewport, skip.Box)
		}
		if skip.Hidden != "" {
			fail("the focused skip link is hidden by %s", skip.Hidden)
		}
		if !skip.TargetFound {
			fail("the skip link points to %q: no element has that id", skip.Href)
		} else if !skip.TargetInMain {
			fail("the skip link points to #%s, which is not the <main> nor inside it", skip.Target)
		} else {
			press(kb.Enter)
			var after struct {
				Hash                          string
				FocusInTarget, TargetOnScreen bool
			}
			eval("follow the skip link", kbdAfterSkip, &after)
			if after.Hash != "#"+skip.Target {
				fail("Enter on the skip link leaves the address at fragment %q, want #%s", after.Hash, skip.Target)
			}
			if !after.FocusInTarget {
				fail("after Enter on the skip link, the focus is not on #%s (give it tabindex=\"-1\")", skip.Target)
			}
			if !after.TargetOnScreen {
				fail("after Enter on the skip link, #%s is not scrolled into view", skip.Target)
			}
			// The next Tab goes on from the target: into it, or past it
			// when it holds nothing to focus.
			press(kb.Tab)
			var next struct {
				FromTarget bool
				Focused    string
			}
			eval("Tab after the skip link", `(() => {
				const t = document.getElementById(decodeURIComponent(location.hash.slice(1))), a = document.activeElement;
				return {focused: a ? "<" + a.tagName.toLowerCase() + "> « " + a.textContent.replace(/\s+/g, " ").trim().slice(0, 60) + " »" : "nothing",
					fromTarget: !!a && (t.contains(a) || !!(t.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING))};
			})()`, &next)
			if !next.FromTarget {
				fail("after the skip link, Tab goes to %s, before the main content", next.Focused)
			}
		}
	}

	// 2 and 3. The whole page, Tab after Tab, from a fresh load.
	open()
	var page struct {
		Stops    []kbdElement
		Positive []kbdElement
	}
	eval("list the interactive elements", kbdScript, &page)
	for _, e := range page.Positive {
		fail("%s has a positive tabindex: it changes the tab order", e)
	}
	reached := make([]bool, len(page.Stops))
	last, lastKey, firstKey := -1, "", ""
	checked := map[string]bool{}
	left, trapped := false, false
	for presses := 0; presses < len(page.Stops)+5; presses++ {
		press(kb.Tab)
		var f kbdFocus
		eval("read the focus", `window.__kbd.focus()`, &f)
		if f.None || f.Key == firstKey {
			left = true // out of the page, or back to its start
			break
		}
		if f.Key == lastKey {
			fail("Tab does not move the focus away from %s: keyboard trap", f.kbdElement)
			trapped = true
			break
		}
		if firstKey == "" {
			firstKey = f.Key
		}
		lastKey = f.Key
		if !checked[f.Key] {
			checked[f.Key] = true
			if !f.Indicator {
				fail("%s has no visible focus indicator (%s)", f.kbdElement, f.Style)
			}
			if !f.OnScreen {
				fail("%s has the focus but is not on screen", f.kbdElement)
			}
		}
		if f.Stop < 0 {
			t.Logf("%s: Tab also stops on %s, which the test does not count as interactive", path, f.kbdElement)
			continue
		}
		if reached[f.Stop] {
			fail("Tab reaches %s a second time", page.Stops[f.Stop])
		} else if f.Stop < last {
			fail("Tab reaches %s after %s, but it comes before it in the page", page.Stops[f.Stop], page.Stops[last])
		}
		reached[f.Stop] = true
		last = f.Stop
	}
	if !left && !trapped {
		fail("the focus is still in the page after %d Tab presses for %d elements: a loop or a trap", len(page.Stops)+5, len(page.Stops))
	}
	for i, ok := range reached {
		if !ok {
			fail("Tab never reaches %s", page.Stops[i])
		}
	}
	t.Logf("%s: %d tab stops", path, len(page.Stops))
}
