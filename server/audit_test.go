package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// TestAuditEveryPage crawls the site as a visitor, a member, a moderator and
// an administrator, on fixtures covering every page that exists, and checks
// every page reached (see audit_check_test.go): zero axe-core violations,
// zero HTML errors, no sideways scrolling at 320 px, a first visit within
// 60 KB, and no internal link answering 404 or 500. Each POST form found is
// also sent with its fields blank, and the error page it answers is checked.
//
// LIGUE_AUDIT_REPORT=1 (make audit) prints the table of every page.
func TestAuditEveryPage(t *testing.T) {
	var site *testSite // set once made; the routes are added before
	ts, base := browserSite(t, func(app *fiber.App) {
		app.Get(brokenPage, func(*fiber.Ctx) error { return errors.New("a fault on purpose, to check the 500 page") })
		app.Get(conflictPage, func(c *fiber.Ctx) error { return auditConflict(c, site) })
		app.Get(proposalConflictPage, func(c *fiber.Ctx) error { return auditProposalConflict(c, site) })
		app.Get(secondStepAudit, func(c *fiber.Ctx) error { return auditSecondStep(c, site) })
		app.Get(recoveryCodesAudit, func(c *fiber.Ctx) error { return auditRecoveryCodes(c, site) })
		app.Get(charterPendingPage, func(c *fiber.Ctx) error { return auditCharterPending(c, site, "/discussions/1/reponses") })
	})
	site = ts
	fx := seedAuditFixtures(t, ts)
	a := newAuditor(t, base)

	var pages []*auditPage
	var broken []string
	links := 0
	// Half the roles browse in dark mode, so both palettes are checked.
	for _, role := range []struct {
		name   string
		user   *content.User
		scheme string
	}{{"visiteur", nil, "light"}, {"membre", fx.member, "dark"}, {"modération", fx.moderator, "light"}, {"admin", fx.admin, "dark"}} {
		session := ""
		if role.user != nil {
			var err error
			if session, err = ts.srv.store.CreateSession(ts.ctx(), role.user.ID, "audit"); err != nil {
				t.Fatal(err)
			}
		}
		a.actAs(session, role.scheme)
		c := &crawl{a: a, role: role.name + " (" + role.scheme + ")", scheme: role.scheme, seen: map[string]bool{}, shapes: map[string]int{}, forms: map[string]pageForm{}}
		c.run(fx.seeds)
		c.sendBlankForms()
		if role.user == fx.member {
			c.refusedForms(session)
		}
		pages = append(pages, c.pages...)
		broken = append(broken, c.broken...)
		links += len(c.seen)
	}
	validate(t, a.exceptions, pages)

	failed := len(broken) > 0
	for _, p := range pages {
		failed = failed || len(p.Problems) > 0
	}
	if failed || os.Getenv("LIGUE_AUDIT_REPORT") == "1" {
		fmt.Printf("\n%d links followed, %d pages checked (axe-core WCAG 2.1 A/AA, Nu HTML Checker, reflow at 320 px, first visit ≤ %s):\n%s",
			links, len(pages), kbytes(firstVisitBudget), auditTable(pages))
	}
	for _, b := range broken {
		t.Errorf("broken link: %s", b)
	}
	for _, p := range pages {
		for _, pr := range p.Problems {
			t.Errorf("%s %s: %s", p.Role, p.Path, pr)
		}
	}
	if len(pages) < 40 {
		t.Errorf("only %d pages checked: the crawl lost its way", len(pages))
	}
}

// brokenPage answers 500 on purpose, so that the page of a server fault is
// checked too.
const brokenPage = "/audit/panne"

// conflictPage shows a member the conflict page of a fiche edit, as the
// edit form's POST answers it: the audit only follows links.
const conflictPage = "/audit/conflit"

// auditConflict answers what the edit form would for a save whose change
// crosses Karim's on the audit's fiche: the merge is made in memory, so
// the crawl (which sends forms) cannot change the outcome.
func auditConflict(c *fiber.Ctx, ts *testSite) error {
	const slug = "creer-une-adresse-e-mail-avec-une-personne"
	u := currentUser(c)
	l, err := ts.srv.store.FicheBySlug(c.UserContext(), u, slug)
	if err != nil || u == nil || l.Fiche == nil {
		return content.ErrNotFound
	}
	const base, theirs = "Ensemble, en expliquant pourquoi.\n", "Ensemble, en expliquant pourquoi ; voir aussi [[Choisir un mot de passe]].\n"
	ours := "Ensemble, pas à pas, en nommant chaque étape.\n"
	merged := content.Merge3(base, ours, theirs, "Karim")
	f := emptyForm()
	f.Values["title"], f.Values["summary"], f.Values["body"], f.Values["base_revision"] = l.Fiche.Title, l.Fiche.Summary, ours, "1"
	conflict := &content.FicheConflict{Current: l.Fiche, By: []string{"Karim"}, Conflicts: merged.Conflicts,
		Merged: content.FicheInput{Title: l.Fiche.Title, Summary: l.Fiche.Summary, Body: merged.Text, BaseRevision: l.Fiche.Revision}}
	return ts.srv.renderFicheConflict(c, l.Fiche, f, conflict)
}

// proposalConflictPage is the conflict page of a proposition's edit, made
// in memory as conflictPage is.
const proposalConflictPage = "/audit/conflit-proposition"

// auditProposal is the audit's published text, Maëlle's, written with Karim.
const auditProposal = "/propositions/10-propositions-pour-un-numerique-a-echelle-humaine"

// auditProposalConflict answers what the proposition form would for a
// change crossing Maëlle's on the first proposition of the audit's text.
func auditProposalConflict(c *fiber.Ctx, ts *testSite) error {
	u := currentUser(c)
	p, err := ts.srv.store.ProposalBySlug(c.UserContext(), u, strings.TrimPrefix(auditProposal, "/propositions/"), "")
	if err != nil || !p.Writes(u) || len(p.Items) == 0 {
		return content.ErrNotFound
	}
	it := p.Items[0]
	const base, theirs = "Un accueil physique dans chaque commune.\n", "Un accueil physique dans chaque commune, ouvert le samedi.\n"
	ours := "Un accueil humain dans chaque quartier.\n"
	merged := content.Merge3(base, ours, theirs, "Maëlle_29")
	f := emptyForm()
	f.Values["title"], f.Values["body"], f.Values["base_revision"] = it.Title, ours, "1"
	conflict := &content.ProposalConflict{Part: content.PartItem, ItemID: it.ID, By: []string{"Maëlle_29"}, Conflicts: merged.Conflicts,
		Current: content.PartEdit{Part: content.PartItem, ItemID: it.ID, Title: it.Title, Body: theirs, BaseRevision: it.Revision},
		Merged:  content.PartEdit{Part: content.PartItem, ItemID: it.ID, Title: it.Title, Body: merged.Text, BaseRevision: it.Revision}}
	return ts.srv.renderProposalConflict(c, p, f, p.Path()+"/propositions/"+fmt.Sprint(it.ID)+"/modifier", conflict)
}

// crawl visits the site as one role, from seeds, following internal links.
type crawl struct {
	a      *auditor
	role   string
	scheme string
	queue  []string
	seen   map[string]bool // absolute URLs already looked at
	shapes map[string]int  // pages checked by shape
	forms  map[string]pageForm
	pages  []*auditPage
	broken []string
}

// pageForm is a POST form found on a page, with one of its submit buttons.
type pageForm struct {
	Form   int    `json:"form"`   // its place in document.forms
	Index  int    `json:"button"` // the button's place among the form's buttons
	Action string `json:"action"`
	Button string `json:"label"`
	page   string // where it was found
}

// perShape caps how many pages of the same shape (same route, same query
// parameters) are checked: the eleventh topic page teaches nothing new.
const perShape = 2

// Links that are followed over HTTP for their status only: files, feeds,
// the event stream (it never ends) and the API.
var notAPage = regexp.MustCompile(`^/(static|fichiers|api)/|\.(atom|md|pdf)$|/evenements$`)

func (c *crawl) run(seeds []string) {
	for _, s := range seeds {
		c.enqueue(c.a.base + s)
	}
	for len(c.queue) > 0 {
		u := c.queue[0]
		c.queue = c.queue[1:]
		path := strings.TrimPrefix(u, c.a.base)
		seed := slices.Contains(seeds, path)
		shape := pageShape(path)
		// Every link is checked; only perShape pages of a shape are opened.
		status, ctype, location := c.a.status(u)
		switch {
		case status >= 400 && !seed:
			c.broken = append(c.broken, fmt.Sprintf("%s: %s answers %d", c.role, path, status))
			continue
		case location != "":
			if next, err := url.Parse(u); err == nil {
				if loc, err := next.Parse(location); err == nil {
					c.enqueue(loc.String())
				}
			}
			continue
		case !strings.HasPrefix(ctype, "text/html") || !seed && c.shapes[shape] >= perShape:
			continue
		}
		c.shapes[shape]++
		began := time.Now()
		p := c.a.open(c.role, path)
		if testing.Verbose() {
			c.a.t.Logf("%s %s: %d problems, %v", c.role, path, len(p.Problems), time.Since(began).Round(time.Millisecond))
		}
		if p.Status >= 500 && path != brokenPage {
			p.problemf("the page answers %d", p.Status)
		}
		c.pages = append(c.pages, p)
		c.collect(path)
	}
}

// collect queues the page's links and notes its POST forms.
func (c *crawl) collect(path string) {
	ctx, cancel := context.WithTimeout(c.a.ctx, browserStepTimeout)
	defer cancel()
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("a[href], img[src]"), e => e.href || e.src)`))
	if err != nil {
		c.a.t.Fatal(err)
	}
	for _, l := range links {
		c.enqueue(l)
	}
	forms, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageForm](formsOfPage))
	if err != nil {
		c.a.t.Fatal(err)
	}
	for _, f := range forms {
		action := strings.TrimPrefix(f.Action, c.a.base)
		if !sameSite(c.a.base, f.Action) || skipBlankForm.MatchString(action) {
			continue
		}
		key := numberSegment.ReplaceAllString(action, "/N") + " " + f.Button
		if _, ok := c.forms[key]; !ok {
			f.page = path
			c.forms[key] = f
		}
	}
}

// formsOfPage lists the POST forms of the page, once for each submit button
// (publish, save a draft, attach a file… each answers in its own way).
const formsOfPage = `Array.from(document.forms).flatMap((f, i) => {
	if ((f.getAttribute("method") || "").toLowerCase() !== "post") return [];
	const action = new URL(f.getAttribute("action") || "", location.href).href;
	return Array.from(f.querySelectorAll("button:not([type]), button[type=submit], input[type=submit]"),
		(b, j) => ({form: i, button: j, action: action, label: b.name ? b.name + "=" + b.value : b.textContent.trim()}));
})`

// enqueue adds an internal URL not yet seen; links that are not pages are
// checked for their status right away.
func (c *crawl) enqueue(u string) {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	if c.seen[u] || !sameSite(c.a.base, u) {
		return
	}
	c.seen[u] = true
	path := strings.TrimPrefix(u, c.a.base)
	if notAPage.MatchString(strings.SplitN(path, "?", 2)[0]) {
		if status, _, _ := c.a.status(u); status >= 400 {
			c.broken = append(c.broken, fmt.Sprintf("%s: %s answers %d", c.role, path, status))
		}
		return
	}
	c.queue = append(c.queue, u)
}

// Forms not sent blank: they change something without asking anything (log
// out, delete, thank, follow…).
var skipBlankForm = regexp.MustCompile(`/(deconnexion|supprimer|masquer|merci|accepter|suivre|tout-lu|revoquer|role|suspension|moderation|renvoyer|traite|lu|quitter|retirer|monter|descendre|signer|signatures/confirmer|signatures/retrait|soutien|repris|cloture|decisions/[0-9]+/confirmer|decisions/[0-9]+/annuler|publier|garant)$`)

// blankForm empties a form's text fields, lifts the browser's own checks so
// that the server's are what answers, and sends it with one of its buttons.
const blankForm = `((i, b) => {
	const f = document.forms[i];
	f.noValidate = true;
	for (const e of f.elements) {
		if (e.matches("textarea, input:not([type]), input[type=text], input[type=email], input[type=password], input[type=search], input[type=url], input[type=number]")) e.value = "";
	}
	f.requestSubmit(f.querySelectorAll("button:not([type]), button[type=submit], input[type=submit]")[b]);
})`

// sendBlankForms sends every form found blank and checks the answer: a clear
// error page, never a 500.
func (c *crawl) sendBlankForms() {
	keys := make([]string, 0, len(c.forms))
	for k := range c.forms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := c.forms[k]
		ctx, cancel := context.WithTimeout(c.a.ctx, browserStepTimeout)
		err := chromedp.Do(ctx, chromedp.Navigate(c.a.base+f.page))
		cancel()
		if err != nil {
			c.a.t.Fatal(err)
		}
		p := c.a.load(c.role, "POST "+strings.TrimPrefix(f.Action, c.a.base)+" vide ("+f.Button+")",
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf("%s(%d, %d)", blankForm, f.Form, f.Index)))
		if p.Status >= 500 {
			p.problemf("a blank form answers %d", p.Status)
		}
		c.pages = append(c.pages, p)
	}
}

// refusedForms checks the pages that answer a form the server must refuse
// while keeping the text typed: a wrong CSRF token (403) and a session that
// ended while the member was writing (401).
func (c *crawl) refusedForms(session string) {
	const typed = "Une question tapée avant le refus"
	send := `(csrf => {
		const f = document.querySelector("form[action='/discussions/nouvelle']");
		f.elements.title.value = "` + typed + `";
		f.elements.body.value = "Le texte est rendu tel quel.";
		if (csrf) f.elements._csrf.value = csrf;
		f.requestSubmit(f.querySelector("button[value=publier]"));
	})`
	for _, refusal := range []struct {
		label      string
		csrf       string
		endSession bool
	}{{label: "jeton CSRF faux", csrf: "faux"}, {label: "session terminée", endSession: true}} {
		if err := chromedp.Do(c.a.ctx, chromedp.Navigate(c.a.base+"/discussions/nouvelle")); err != nil {
			c.a.t.Fatal(err)
		}
		if refusal.endSession {
			if _, err := chromedp.Call(c.a.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: sessionCookie, URL: c.a.base}); err != nil {
				c.a.t.Fatal(err)
			}
		}
		p := c.a.load(c.role, "POST /discussions/nouvelle ("+refusal.label+")",
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf("%s(%q)", send, refusal.csrf)))
		if p.Status != 401 && p.Status != 403 || !strings.Contains(string(p.HTML), typed) {
			p.problemf("a refused form answers %d without the typed text", p.Status)
		}
		c.pages = append(c.pages, p)
		c.a.actAs(session, c.scheme)
	}
}

var (
	numberSegment = regexp.MustCompile(`/\d+`)
	slugSegment   = regexp.MustCompile(`^/discussions/N/[^/?]+`)
	nameSegment   = regexp.MustCompile(`^/(membres|categories|etiquettes)/[^/?]+`)
)

// pageShape is a page's route and query parameter names:
// "/discussions/12/aider?page=2" → "/discussions/N/S?page".
func pageShape(path string) string {
	p, q, _ := strings.Cut(path, "?")
	p = nameSegment.ReplaceAllString(p, "/$1/X")
	p = numberSegment.ReplaceAllString(p, "/N")
	p = slugSegment.ReplaceAllString(p, "/discussions/N/S")
	values, _ := url.ParseQuery(q)
	names := make([]string, 0, len(values))
	filtered := false
	for k := range values {
		if p == "/recherche" && k != "q" && k != "page" {
			filtered = true // one shape for every combination of filters
			continue
		}
		names = append(names, k)
	}
	if filtered {
		names = append(names, "filtres")
	}
	sort.Strings(names)
	if len(names) > 0 {
		p += "?" + strings.Join(names, "&")
	}
	return p
}

// auditFixtures are the accounts and pages the crawl starts from.
type auditFixtures struct {
	member, moderator, admin *content.User
	seeds                    []string
}

// seedAuditFixtures fills the site with a little of everything a page can
// show: a long thread, quotes, mentions, an image, a table, code, an accepted
// answer, an edited and a hidden post, a pinned and a locked topic, drafts,
// an API token, a suspended member, and the search index.
func seedAuditFixtures(t *testing.T, ts *testSite) auditFixtures {
	t.Helper()
	ctx := ts.ctx()
	admin := ts.mustCreateMember("Admin", content.RoleAdmin)
	lucie := ts.mustCreateMember("Lucie", content.RoleModerator)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	maelle := ts.mustCreateMember("Maëlle_29", content.RoleMember)
	gone := ts.mustCreateMember("Suspendu", content.RoleMember)
	if err := ts.srv.store.SetSuspended(ctx, admin, gone.ID, true); err != nil {
		t.Fatal(err)
	}

	img, err := ts.srv.store.SaveUpload(ctx, karim, "accueil-caf.png", pngImage(t, 300, 200), ts.srv.cfg.MaxUpload, ts.srv.uploadDir())
	if err != nil {
		t.Fatal(err)
	}
	question := ts.mustCreateTopic(karim, "Aider une personne sans adresse courriel à faire sa demande CAF",
		"Une dame vient chaque semaine, elle n’a **pas d’adresse courriel**.\n\n"+
			"1. Créer l’adresse ensemble\n2. Noter le mot de passe dans son carnet\n   - au crayon\n   - pas sur le téléphone\n\n"+
			"| Démarche | Site | Courriel obligatoire |\n|---|---|---|\n| Allocation logement | caf.fr | oui |\n| Carte vitale | ameli.fr | non |\n\n"+
			"Le message d’erreur : `adresse invalide`[^1].\n\n"+img.Markdown("capture de l’écran d’accueil de la CAF")+"\n\n"+
			"[^1]: Il s’affiche en rouge sous le champ.\n",
		func(n *content.NewTopic) { n.Tags = "caf, courriel" })
	answer := ts.mustReply(lucie, question, "> elle n’a pas d’adresse courriel\n\nOn peut créer une adresse avec elle, @Karim : "+
		"voir [la fiche de la CNIL](https://www.cnil.fr/).\n\n```\nprenom.nom@exemple.fr\n```", 1)
	ts.mustReply(maelle, question, "Chez nous, on utilise un carnet papier pour les mots de passe. Une bénévole anglaise nous a dit :\n\n"+
		"> [en] Write it down, keep it at home, never in the phone.", 2)
	if _, err := ts.srv.store.AcceptAnswer(ctx, karim, question.ID, answer.Number); err != nil {
		t.Fatal(err)
	}
	edited := ts.mustReply(karim, question, "Merci, je teste demain.", 0)
	if _, err := ts.srv.store.EditPost(ctx, karim, edited.ID, "Merci à toutes les deux, je teste demain matin."); err != nil {
		t.Fatal(err)
	}
	hidden := ts.mustReply(gone, question, "Publicité sans rapport.", 0)
	if err := ts.srv.store.SetPostHidden(ctx, lucie, hidden.ID, true); err != nil {
		t.Fatal(err)
	}

	long := ts.mustCreateTopic(maelle, "Ateliers seniors : retours d’expérience sur une année",
		longPost(0), func(n *content.NewTopic) {
			n.Kind = content.KindDiscussion
			n.Category = "metier-et-reconnaissance"
			n.Tags = "ateliers, seniors"
		})
	for i := 1; i < 30; i++ {
		ts.mustReply([]*content.User{karim, lucie, maelle}[i%3], long, longPost(i), 0)
	}
	pinned := ts.mustCreateTopic(lucie, "Bienvenue : lisez-moi avant de poster", "La charte en trois points.",
		func(n *content.NewTopic) { n.Kind = content.KindDiscussion })
	yes, no := true, false
	if err := ts.srv.store.ModerateTopic(ctx, lucie, pinned.ID, content.TopicUpdate{Pinned: &yes, Locked: &no}); err != nil {
		t.Fatal(err)
	}
	locked := ts.mustCreateTopic(karim, "Imprimante du centre social en panne", "Elle affiche une erreur E-04.",
		func(n *content.NewTopic) { n.Category = "outils-et-materiel"; n.Tags = "imprimante" })
	if err := ts.srv.store.ModerateTopic(ctx, lucie, locked.ID, content.TopicUpdate{Locked: &yes}); err != nil {
		t.Fatal(err)
	}

	if err := ts.srv.store.SaveDraft(ctx, karim, content.Draft{Place: content.DraftNewTopic, Title: "Pass numérique : qui les distribue ?",
		Body: "Je cherche les structures qui…", Fields: content.DraftFields{Category: "demarches-en-ligne"}}); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.store.SaveDraft(ctx, karim, content.Draft{Place: content.DraftReply(long.ID), Body: "Nous aussi, le mardi…"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.srv.store.CreateAPIToken(ctx, karim, "Tableau de bord"); err != nil {
		t.Fatal(err)
	}
	// A fiche in Karim's default collection and in a public collection of Maëlle's.
	// The network's sample fiche (emoji headings, lists, quotes, a table),
	// a second revision by Karim, a [[link]] to a fiche not written yet.
	sample, err := os.ReadFile("../content/testdata/fiche-exemple.md")
	if err != nil {
		t.Fatal(err)
	}
	fiche, err := ts.srv.store.CreateFiche(ctx, maelle, content.FicheInput{Title: "Créer une adresse e-mail avec une personne",
		Summary: "Pas à pas, sans rien faire à sa place.", Body: "## 1️⃣ Choisir le fournisseur\n\nEnsemble, en expliquant pourquoi.\n\n" + string(sample),
		Tags: "courriel", Audiences: []string{"seniors", "allophones"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.PublishFiche(ctx, maelle, fiche.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.SaveFiche(ctx, karim, fiche.ID, content.FicheInput{Title: fiche.Title, Summary: fiche.Summary,
		Body: strings.Replace(fiche.Body, "Ensemble, en expliquant pourquoi.", "Ensemble, en expliquant pourquoi ; voir aussi [[Choisir un mot de passe]].", 1),
		Tags: "courriel", Audiences: []string{"seniors", "allophones"}, Comment: "Lien vers la fiche sur les mots de passe", BaseRevision: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.CreateFiche(ctx, karim, content.FicheInput{Title: "Brouillon : accompagner une démarche CAF",
		Body: "## Avant le rendez-vous\n\n- le numéro d’allocataire\n- un justificatif de domicile\n"}, 0); err != nil {
		t.Fatal(err)
	}
	shelf, err := ts.srv.store.CreateCollection(ctx, maelle, content.CollectionInput{Name: "Pour l’accueil",
		Description: "Les fiches que nous ouvrons le plus souvent avec les personnes.", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, save := range []struct {
		u  *content.User
		to content.SaveTarget
	}{{maelle, content.SaveTarget{Collection: shelf.ID}}, {karim, content.SaveTarget{}}} {
		if _, err := ts.srv.store.SaveToCollection(ctx, save.u, fiche.ID, save.to); err != nil {
			t.Fatal(err)
		}
	}
	// On it, an open report of outdated information and a comment.
	if _, err := ts.srv.store.ReportFiche(ctx, karim, fiche.ID, content.ReportInput{Section: fiche.TOC()[0].ID,
		Comment: "Ce fournisseur demande maintenant un numéro de téléphone."}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.CommentFiche(ctx, karim, fiche.ID, "Merci, nous l’utilisons à **chaque** permanence."); err != nil {
		t.Fatal(err)
	}
	// A title changed after publishing (the opening post's history lists
	// it), a saved post, a withdrawn reply a moderator still reads.
	if err := ts.srv.store.EditTopic(ctx, karim, locked.ID, content.TopicEdit{Title: "Imprimante du centre social en panne (E-04)",
		Category: "outils-et-materiel", Tags: "imprimante"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.ToggleBookmark(ctx, karim, answer.ID); err != nil {
		t.Fatal(err)
	}
	withdrawn := ts.mustReply(maelle, question, "Je retire ce message.", 0)
	if err := ts.srv.store.DeletePost(ctx, maelle, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	// A changed address, and the live link its former address got back.
	moved := ts.mustCreateMember("Demenage", content.RoleMember)
	var confirm, undo string
	if err := ts.srv.store.RequestEmailChange(ctx, moved, testPassword, "nouvelle@exemple.fr", func(u *content.User, to, token string) content.Mail {
		confirm = token
		return ts.srv.mail(to, "email", linkMail{Pseudo: u.Pseudo, URL: ts.srv.cfg.BaseURL + "/compte/courriel/confirmer?jeton=" + token})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.ConfirmEmailChange(ctx, confirm, func(before *content.User, to, token string) content.Mail {
		undo = token
		return ts.srv.mail(before.Email, "email-undo", linkMail{Pseudo: before.Pseudo, Address: to, URL: ts.srv.cfg.BaseURL + "/courriel/annuler?jeton=" + token})
	}); err != nil {
		t.Fatal(err)
	}
	// Private messages: a conversation of Karim's with a reported message
	// (the moderators' queue), a reply draft, a member he blocked.
	conv, err := ts.srv.store.StartConversation(ctx, maelle, content.NewConversation{Participants: "Karim, Lucie",
		Title: "Permanence commune à la médiathèque", Body: "Bonjour à vous deux : on se retrouve **jeudi** ?\n\n- 14 h\n- 16 h"})
	if err != nil {
		t.Fatal(err)
	}
	reported, err := ts.srv.store.ReplyInConversation(ctx, maelle, conv.ID, "Un message déplacé, signalé par Karim.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.ReplyInConversation(ctx, karim, conv.ID, "Jeudi 14 h, c’est parfait."); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.store.FlagContent(ctx, karim, content.FlagInput{Type: content.FlagTargetMessage, ID: reported.ID,
		Reason: content.FlagDisrespectful, Comment: "Ce message n’a rien à faire ici."}); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.store.SaveDraft(ctx, karim, content.Draft{Place: content.DraftMessageReply(conv.ID), Body: "Je viendrai avec…"}); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.store.SetBlocked(ctx, karim, moved, true); err != nil {
		t.Fatal(err)
	}
	seedAuditTwoFactor(t, ts, karim)
	trust := seedAuditTrust(t, ts, karim, lucie, question)
	draft, text, open := seedAuditProposals(t, ts, karim, maelle, lucie)
	confirmSig, withdrawSig := seedAuditSignatures(t, ts, text, karim, lucie)
	personalData := seedAuditPersonalData(t, ts, karim, question)
	moderation := seedAuditModeration(t, ts, admin, lucie, karim, maelle)
	seedAuditBackups(t, ts)
	ts.syncIndex()
	if err := ts.srv.SyncNotifications(ctx); err != nil {
		t.Fatal(err)
	}
	// A notification mail's unsubscribe link, and one cut short.
	unsubscribe := content.NewUnsubscribeLink(ts.srv.secret, karim.ID, string(content.NotifyReply), ts.srv.store.Now())

	return auditFixtures{member: karim, moderator: lucie, admin: admin, seeds: append([]string{
		"/",
		"/discussions/" + fmt.Sprint(long.ID) + "/" + long.Slug, // 30 long posts: the heaviest page
		"/discussions/" + fmt.Sprint(question.ID) + "/" + question.Slug,
		"/recherche",
		"/recherche?q=adresse+courriel",
		"/recherche?q=imprimnte",
		"/recherche?q=zzzyyyxxx",
		"/recherche?q=%22mot+de+passe%22+-carnet&type=message",
		"/compte/",
		"/compte/jetons",
		"/compte/double-authentification",
		"/compte/sessions",
		"/admin",
		"/admin/membres/" + fmt.Sprint(karim.ID) + "/sessions",
		secondStepAudit,
		recoveryCodesAudit,
		"/compte/notifications",
		"/desabonnement?" + unsubscribe.Query(),
		"/desabonnement?membre=1&type=reply&jour=20260101&signature=coupe",
		"/brouillons",
		"/enregistrements",
		"/collections",
		"/notifications",
		"/notifications?filtre=non-lues",
		shelf.Path(),
		"/fiches",
		"/fiches?theme=courriel&public=seniors&tri=alphabetique",
		"/fiches?public=jeunes",
		"/fiches/nouvelle",
		"/fiches/nouvelle?titre=Choisir+un+mot+de+passe",
		fiche.Path(),
		fiche.Path() + "/modifier",
		fiche.Path() + "/historique",
		fiche.Path() + "/revisions/1",
		fiche.Path() + "/comparer?de=1&a=2",
		"/recherche?q=fournisseur&type=fiche",
		"/etiquettes",
		"/discussions?filtre=non-lues",
		"/discussions?filtre=nouvelles",
		"/discussions/" + fmt.Sprint(locked.ID) + "/imprimante-du-centre-social-en-panne-e-04/posts/1/versions",
		"/discussions/nouvelle",
		"/admin/membres",
		"/admin/courriels",
		"/admin/sauvegardes",
		"/inscription",
		"/connexion",
		"/mot-de-passe-oublie",
		"/page-qui-n-existe-pas",
		brokenPage,
		conflictPage,
		"/verification?jeton=faux",
		"/mot-de-passe/nouveau?jeton=faux",
		"/installation?jeton=faux",
		"/compte/courriel/confirmer?jeton=faux",
		"/courriel/annuler?jeton=" + undo,
		"/membres/Suspendu",
		"/messages/" + fmt.Sprint(edited.ID) + "/modifier",
		"/messages",
		"/messages/nouveau",
		"/messages/bloques",
		conv.Path(),
		conv.Path() + "/signaler/2",
		"/moderation/messages",
		"/propositions",
		"/propositions/nouveau",
		draft.Path(),
		draft.Path() + "/gerer",
		draft.Path() + "/modifier?partie=preambule",
		draft.Path() + "/propositions/nouvelle",
		text.Path(),
		text.Path() + "/versions/1",
		text.Path() + "/comparer?de=1&a=2",
		text.Path() + "/modifier?partie=titre",
		text.Path() + "/propositions/" + fmt.Sprint(text.Items[0].ID) + "/modifier",
		text.Path() + "/gerer",
		proposalConflictPage,
		open.Path(),
		open.Path() + "/historique",
		text.Path() + "/historique",
		text.Path() + "/propositions/" + fmt.Sprint(text.Items[0].ID) + "/historique",
		text.Path() + "/signatures",
		text.Path() + "/signatures?departement=29&role=mediateur",
		text.Path() + "/signatures/confirmer?jeton=" + confirmSig,
		text.Path() + "/signatures/confirmer?jeton=faux",
		text.Path() + "/signatures/retrait?jeton=" + withdrawSig,
		open.Path() + "/amendements",
		open.Path() + "/amendements/nouveau?type=ajouter",
		open.Path() + "/amendements/nouveau?type=modifier&proposition=" + fmt.Sprint(open.Items[0].ID),
		open.Path() + "/amendements/nouveau?type=retirer&proposition=" + fmt.Sprint(open.Items[1].ID),
		open.Path() + "/gerer",
		text.Path() + "/amendements",
	}, append(append(personalData, moderation...), trust...)...)}
}

// seedAuditSignatures signs Maëlle's published text: Karim and Lucie as
// members, visitors from several départements, one of them not confirmed
// yet. It returns that one's confirmation link and a confirmed visitor's
// withdrawal link.
func seedAuditSignatures(t *testing.T, ts *testSite, text *content.Proposal, karim, lucie *content.User) (confirm, withdraw string) {
	t.Helper()
	ctx, s := ts.ctx(), ts.srv.store
	if err := s.UpdateProfile(ctx, karim.ID, content.Profile{Structure: "Médiathèque de Brest", Departement: "29", Metier: "mediateur"}); err != nil {
		t.Fatal(err)
	}
	karim, err := s.UserByID(ctx, karim.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*content.User{karim, lucie} {
		if _, err := s.SignProposal(ctx, u, text.ID); err != nil {
			t.Fatal(err)
		}
	}
	visitors := []content.SignatureInput{
		{Name: "Aurélie Le Goff", Email: "aurelie@exemple.fr", Structure: "Centre social de Kerourien", Departement: "29", Metier: "conseiller"},
		{Name: "Jean-Baptiste Ørsted", Email: "jb@exemple.fr", Departement: "69", Metier: "formateur"},
		{Name: "Nadia Benali", Email: "nadia@exemple.fr", Structure: "France Services de Bastia", Departement: "2B", Metier: "mediateur"},
		{Name: "Hélène Payet", Email: "helene@exemple.fr", Departement: "974"},
		{Name: "Sans confirmation", Email: "oubli@exemple.fr", Departement: "75"},
	}
	for i, in := range visitors {
		var m content.SignatureMail
		if err := s.SignProposalAsVisitor(ctx, text.ID, in, func(sm content.SignatureMail) content.Mail {
			m = sm
			return ts.srv.signatureMail(sm)
		}); err != nil {
			t.Fatal(err)
		}
		if i == len(visitors)-1 {
			return m.ConfirmToken, withdraw
		}
		if _, err := s.ConfirmSignature(ctx, text.ID, m.ConfirmToken); err != nil {
			t.Fatal(err)
		}
		withdraw = m.WithdrawToken
	}
	return "", withdraw
}

// seedAuditProposals writes Karim's brouillon (a reader, a share link),
// Maëlle's text published twice with Karim as co-author and changed since,
// and Lucie's text open to everyone.
func seedAuditProposals(t *testing.T, ts *testSite, karim, maelle, lucie *content.User) (draft, text, open *content.Proposal) {
	t.Helper()
	ctx, s := ts.ctx(), ts.srv.store
	start := func(u *content.User, title, preamble string, items ...string) *content.Proposal {
		p, err := s.CreateProposal(ctx, u, content.NewProposal{Title: title, Preamble: preamble})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			res, err := s.EditProposal(ctx, u, p.ID, content.PartEdit{Part: content.PartItem, Title: it,
				Body: "Nous proposons **" + strings.ToLower(it[:1]) + it[1:] + "**, parce que :\n\n- les personnes le demandent\n- les structures le peuvent\n"})
			if err != nil {
				t.Fatal(err)
			}
			p = res.Proposal
		}
		return p
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	draft = start(karim, "Brouillon : une charte de l’accueil numérique", "Ce que nous promettons aux personnes qui poussent la porte.",
		"Accueillir sans rendez-vous", "Ne jamais faire à la place")
	_, err := s.InviteToProposal(ctx, karim, draft.ID, "Maëlle_29", content.RoleReader)
	check(err)
	_, err = s.CreateShareLink(ctx, karim, draft.ID, content.ShareRead)
	check(err)

	text = start(maelle, "10 propositions pour un numérique à échelle humaine", "Nous, médiateurs et médiatrices du réseau…",
		"Un accueil physique dans chaque commune", "Des médiateurs formés et reconnus", "Du matériel reconditionné prêté")
	_, err = s.InviteToProposal(ctx, maelle, text.ID, "Karim", content.RoleCoauthor)
	check(err)
	_, err = s.EditProposal(ctx, maelle, text.ID, content.PartEdit{Part: content.PartConclusion, Body: "Signez ce texte, et faites-le circuler.", BaseRevision: text.Revision})
	check(err)
	_, err = s.MoveProposal(ctx, maelle, text.ID, content.ProposalPublished, false)
	check(err)
	first := text.Items[1]
	_, err = s.EditProposal(ctx, karim, text.ID, content.PartEdit{Part: content.PartItem, ItemID: first.ID, Title: "Des médiateurs formés, reconnus et payés",
		Body: first.Body + "\nUn métier, pas un bénévolat.\n", BaseRevision: first.Revision})
	check(err)
	_, err = s.MoveProposal(ctx, maelle, text.ID, content.ProposalPublished, false)
	check(err)
	res, err := s.EditProposal(ctx, karim, text.ID, content.PartEdit{Part: content.PartItem, Title: "Des permanences le samedi", Body: "Pour celles et ceux qui travaillent."})
	check(err)
	text = res.Proposal

	// Lucie’s text began ten days ago and she wrote its conclusion now: its page
	// draws the contributors' chart.
	s.SetClock(func() time.Time { return time.Now().AddDate(0, 0, -10) })
	open = start(lucie, "Pour des permanences numériques en mairie", "", "Une permanence par semaine", "Un poste informatique en libre accès")
	open, err = s.MoveProposal(ctx, lucie, open.ID, content.ProposalOpen, false)
	check(err)
	s.SetClock(time.Now)
	res, err = s.EditProposal(ctx, lucie, open.ID, content.PartEdit{Part: content.PartConclusion, Body: "Venez en parler à la mairie.", BaseRevision: open.Revision})
	check(err)
	seedAuditAmendments(t, ts, res.Proposal, karim, maelle, lucie)
	open, err = s.ProposalBySlug(ctx, lucie, open.Slug, "")
	check(err)
	return draft, text, open
}

// seedAuditAmendments gives Lucie's open text an amendment in each state —
// one open and stale (its proposition changed since), with supports, one
// accepted, one refused with its reason, one taken in by hand — and a
// comment about a proposition.
func seedAuditAmendments(t *testing.T, ts *testSite, open *content.Proposal, karim, maelle, lucie *content.User) {
	t.Helper()
	ctx, s := ts.ctx(), ts.srv.store
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	first, second := open.Items[0], open.Items[1]
	stale, err := s.ProposeAmendment(ctx, maelle, open.ID, content.AmendmentInput{Kind: content.AmendChange, ItemID: first.ID,
		Body:          first.Body + "\nLe samedi matin aussi, pour celles et ceux qui travaillent.\n",
		Justification: "Les permanences en semaine laissent de côté les personnes qui travaillent.\nLe samedi, les mairies sont souvent ouvertes."})
	check(err)
	for _, u := range []*content.User{karim, lucie} {
		_, err = s.SupportAmendment(ctx, u, open.ID, stale.ID, true)
		check(err)
	}
	accepted, err := s.ProposeAmendment(ctx, karim, open.ID, content.AmendmentInput{Kind: content.AmendChange, ItemID: first.ID,
		Title: "Une permanence par semaine, au moins", Body: first.Body, Justification: "Une par semaine est un minimum, pas un plafond."})
	check(err)
	_, err = s.DecideAmendment(ctx, lucie, open.ID, accepted.ID, content.AmendmentAccepted, "")
	check(err)
	rejected, err := s.ProposeAmendment(ctx, maelle, open.ID, content.AmendmentInput{Kind: content.AmendRemove, ItemID: second.ID,
		Justification: "Les médiathèques le font déjà."})
	check(err)
	_, err = s.DecideAmendment(ctx, lucie, open.ID, rejected.ID, content.AmendmentRejected, "Toutes les communes n’ont pas de médiathèque.")
	check(err)
	merged, err := s.ProposeAmendment(ctx, karim, open.ID, content.AmendmentInput{Kind: content.AmendAdd, Title: "Un annuaire des permanences",
		Body: "Une carte des permanences du département, tenue à jour.", Justification: "Pour que les personnes les trouvent."})
	check(err)
	_, err = s.DecideAmendment(ctx, lucie, open.ID, merged.ID, content.AmendmentMerged, "")
	check(err)
	_, err = s.CommentProposal(ctx, karim, open.ID, 1, "Et dans les communes de moins de 500 habitants, @Lucie ?")
	check(err)
	check(s.SaveDraft(ctx, maelle, content.Draft{Place: content.DraftProposalComment(open.ID), Body: "Une idée à finir…"}))
}

// longPost is a post of about 250 words, as a detailed answer would be;
// its sentences vary, so that it compresses as real text does.
func longPost(i int) string {
	sentences := []string{
		"Nous avons accueilli %d personnes âgées qui n’avaient jamais utilisé de tablette.",
		"La première séance sert à les rassurer, la deuxième à créer une adresse courriel.",
		"Au bout de %d semaines, la moitié faisait seule sa démarche sur ameli.fr avec sa carte vitale.",
		"Le plus difficile reste le mot de passe : nous conseillons un carnet rangé à la maison.",
		"Madame R., %d ans, envoie maintenant des photos à ses petits-enfants chaque dimanche.",
		"Les ateliers du jeudi affichent complet depuis %d mois, il faudrait un deuxième créneau.",
		"France Services nous oriente les personnes qui ont besoin d’un suivi plus long.",
		"Nous prêtons des tablettes reconditionnées pour %d jours, avec un guide imprimé en gros caractères.",
		"Les aidants familiaux viennent parfois aussi : ils apprennent à accompagner sans faire à la place.",
		"Un bénévole de l’association traduit en arabe et en tamoul pour %d familles.",
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Retour n° %d. ", i+1)
	for n := 0; b.Len() < 1600; n++ {
		sentence := sentences[(i*7+n*3)%len(sentences)]
		if strings.Contains(sentence, "%d") {
			sentence = fmt.Sprintf(sentence, 2+(i*13+n*29)%87)
		}
		b.WriteString(sentence + " ")
	}
	return b.String() + "\n\n- apporter ses identifiants\n- venir avec ses lunettes\n"
}
