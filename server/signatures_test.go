package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// moveTo takes the owner's text at path to state, through its manage page.
func (ps *proposalSite) moveTo(t *testing.T, path string, state content.ProposalState) {
	t.Helper()
	r := ps.owner.postForm(path+"/etat", url.Values{"etat": {string(state)}, "confirmer": {"oui"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("moving %s to %s: %d\n%s", path, state, r.status, r.body)
	}
}

// published is a text of Léa's, published once.
func (ps *proposalSite) published(t *testing.T) string {
	t.Helper()
	path := ps.create(t, "Pour un numérique à échelle humaine", "Un accueil physique partout")
	ps.moveTo(t, path, content.ProposalPublished)
	return path
}

// proposalOf loads the text at path as its owner sees it.
func (ps *proposalSite) proposalOf(t *testing.T, path string) *content.Proposal {
	t.Helper()
	p, err := ps.srv.store.ProposalBySlug(ps.ctx(), ps.lea, strings.TrimPrefix(path, "/propositions/"), "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var aurelie = url.Values{"name": {"Aurélie Le Goff"}, "email": {"Aurelie.LeGoff@Exemple.fr"}, "structure": {"Centre social de Kerourien"},
	"departement": {"finistère"}, "metier": {"conseiller"}}

const aurelieAddress = "aurelie.legoff@exemple.fr"

// mailLinks are the site's links in a mail's text, in order.
func mailLinks(t *testing.T, m content.Mail) []string {
	t.Helper()
	var out []string
	for _, match := range linkInMail.FindAllStringSubmatch(m.Body, -1) {
		out = append(out, match[1])
	}
	if len(out) == 0 {
		t.Fatalf("no link in %q", m.Body)
	}
	return out
}

func TestMemberSignsInOneClickAndWithdraws(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.published(t)
	if err := ps.srv.store.UpdateProfile(ps.ctx(), ps.karim.ID, content.Profile{Structure: "Médiathèque de Brest", Departement: "29", Metier: "mediateur"}); err != nil {
		t.Fatal(err)
	}
	must(t, ps.coauthor.get(path), 200, "Aucune signature", "Signer ce texte",
		"Vous signez sous le nom <strong>Karim</strong>, Médiateur·rice numérique, Médiathèque de Brest, 29 – Finistère", `action="`+path+`/signer"`)

	page := follow(t, ps.coauthor, ps.coauthor.postForm(path+"/signer", nil))
	must(t, page, 200, "Merci, votre signature est enregistrée", "1 signature", "Vous avez signé ce texte le", "(version 1)", "Retirer ma signature")
	if strings.Contains(page.body, `action="`+path+`/signer"`) {
		t.Error("a member who signed is offered to sign again")
	}
	again := follow(t, ps.coauthor, ps.coauthor.postForm(path+"/signer", nil))
	must(t, again, 200, "Vous avez déjà signé ce texte, le", "une signature par personne", "1 signature")

	list := ps.visitor.get(path + "/signatures")
	must(t, list, 200, "Signataires de « Pour un numérique à échelle humaine »", "1 signature.", "Karim", "membre",
		"Médiateur·rice numérique", "Médiathèque de Brest", "29 – Finistère", "(version 1)")

	page = follow(t, ps.coauthor, ps.coauthor.postForm(path+"/signatures/retirer", nil))
	must(t, page, 200, "Votre signature est retirée.", "Aucune signature", `action="`+path+`/signer"`)
	if r := ps.visitor.get(path + "/signatures"); strings.Contains(r.body, "Médiathèque de Brest") {
		t.Error("a withdrawn signature is still listed")
	}
}

func TestVisitorSignsConfirmsByMailAndWithdraws(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.published(t)
	must(t, ps.visitor.get(path), 200, "Signer ce texte", `name="email"`, `name="departement"`, "Connectez-vous</a> pour signer en un clic")

	page := follow(t, ps.visitor, ps.visitor.postForm(path+"/signatures", aurelie))
	must(t, page, 200, "Un e-mail vient d’être envoyé à l’adresse indiquée", "Aucune signature", "(et 1 en attente de confirmation)")
	m := ps.lastMail(aurelieAddress)
	if !strings.Contains(plain(m.Subject), "Confirmez votre signature de « Pour un numérique à échelle humaine »") ||
		!strings.Contains(m.Body, "Bonjour Aurélie Le Goff") || !strings.Contains(m.HTML, "/signatures/confirmer?jeton=") {
		t.Errorf("the mail:\n%s\n%s\n%s", m.Subject, m.Body, m.HTML)
	}
	links := mailLinks(t, m)
	if len(links) != 2 || !strings.Contains(links[0], "/signatures/confirmer?jeton=") || !strings.Contains(links[1], "/signatures/retrait?jeton=") {
		t.Fatalf("links: %v", links)
	}
	if r := ps.visitor.get(path + "/signatures"); strings.Contains(r.body, "Aurélie") {
		t.Error("an unconfirmed signature is listed")
	}

	// The link asks for a click (mail scanners open links), then counts.
	confirm := ps.client()
	must(t, confirm.get(links[0]), 200, "Confirmer ma signature")
	page = follow(t, confirm, confirm.postForm(path+"/signatures/confirmer", url.Values{"jeton": {tokenOf(t, links[0])}}))
	must(t, page, 200, "Merci, votre signature est confirmée", "1 signature")
	must(t, ps.visitor.get(path+"/signatures"), 200, "Aurélie Le Goff", "Conseiller·ère numérique", "Centre social de Kerourien", "29 – Finistère")
	if r := confirm.postForm(path+"/signatures/confirmer", url.Values{"jeton": {tokenOf(t, links[0])}}); r.status != http.StatusGone {
		t.Errorf("a confirmation link used twice: %d", r.status)
	}
	must(t, confirm.get(links[0]), http.StatusGone, "Ce lien de confirmation ne fonctionne plus")

	// The same address again: the page answers the same, nothing more
	// counts, the mail says so with a new withdrawal link.
	page = follow(t, ps.visitor, ps.visitor.postForm(path+"/signatures", aurelie))
	must(t, page, 200, "Un e-mail vient d’être envoyé à l’adresse indiquée", "1 signature")
	again := ps.lastMail(aurelieAddress)
	if !strings.Contains(plain(again.Subject), "Vous avez déjà signé") {
		t.Errorf("second mail: %s\n%s", again.Subject, again.Body)
	}
	withdraw := mailLinks(t, again)[0]
	if r := ps.visitor.get(links[1]); r.status != http.StatusGone {
		t.Errorf("the replaced withdrawal link: %d", r.status)
	}

	// A member's address: the mail asks to log in, nothing is signed.
	must(t, follow(t, ps.visitor, ps.visitor.postForm(path+"/signatures", url.Values{"name": {"Léa"}, "email": {"lea@exemple.fr"},
		"departement": {"69"}})), 200, "Un e-mail vient d’être envoyé à l’adresse indiquée", "1 signature")
	if m := ps.lastMail("lea@exemple.fr"); !strings.Contains(m.Subject, "depuis votre compte") {
		t.Errorf("mail to a member's address: %s", m.Subject)
	}

	// The address shows nowhere: the text, the list, the export.
	csv := ps.owner.get(path + "/signatures.csv")
	for _, r := range []*response{ps.visitor.get(path), ps.member.get(path), ps.visitor.get(path + "/signatures"),
		ps.owner.get(path + "/signatures"), csv} {
		if r.status != 200 || strings.Contains(strings.ToLower(r.body), "aurelie.legoff") || strings.Contains(r.body, "@exemple") {
			t.Errorf("status %d, or the address shows:\n%s", r.status, r.body)
		}
	}
	if !strings.Contains(csv.body, "Aurélie Le Goff") {
		t.Errorf("the export lacks the signature:\n%s", csv.body)
	}

	must(t, ps.visitor.get(withdraw), 200, "Retirer ma signature", "au nom de « Aurélie Le Goff »")
	page = follow(t, ps.visitor, ps.visitor.postForm(path+"/signatures/retrait", url.Values{"jeton": {tokenOf(t, withdraw)}}))
	must(t, page, 200, "Votre signature est retirée.", "Aucune signature")
	if r := ps.visitor.postForm(path+"/signatures/retrait", url.Values{"jeton": {tokenOf(t, withdraw)}}); r.status != http.StatusGone {
		t.Errorf("a withdrawal link used twice: %d", r.status)
	}
}

func TestVisitorFormRefusalsComeBackFilled(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.published(t)
	r := ps.visitor.postForm(path+"/signatures", url.Values{"name": {"Aurélie Le Goff"}, "email": {"pas-une-adresse"}, "structure": {"Centre social"}})
	must(t, r, http.StatusUnprocessableEntity, "Le formulaire n’a pas été enregistré", "Cette adresse e-mail n’est pas valide",
		"Indiquez votre département", `value="Aurélie Le Goff"`, `value="Centre social"`, `value="pas-une-adresse"`)
}

func TestUnconfirmedSignatureStopsCountingAfterSevenDays(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.published(t)
	follow(t, ps.visitor, ps.visitor.postForm(path+"/signatures", aurelie))
	link := linkPath(t, ps.lastMail(aurelieAddress))
	must(t, ps.visitor.get(path), 200, "(et 1 en attente de confirmation)")

	later := time.Now().Add(content.SignatureConfirmWithin + time.Minute)
	ps.srv.store.SetClock(func() time.Time { return later })
	page := ps.visitor.get(path)
	must(t, page, 200, "Aucune signature")
	if strings.Contains(page.body, "en attente") {
		t.Error("a signature unconfirmed for 7 days still counts")
	}
	must(t, ps.visitor.get(link), http.StatusGone, "plus de 7 jours ont passé")
	if n, err := ps.srv.store.PruneUnconfirmedSignatures(ps.ctx()); err != nil || n != 1 {
		t.Errorf("pruned %d, %v; want 1", n, err)
	}
}

var countRow = regexp.MustCompile(`<tr><th scope="row"><a href="[^"]*">([^<]+)</a></th><td>(\d+)</td></tr>`)

func TestSignatoriesFilteredAndCountedPerDepartement(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.published(t)
	p := ps.proposalOf(t, path)
	sign := func(name, departement, metier string) {
		t.Helper()
		in := content.SignatureInput{Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@exemple.fr",
			Departement: departement, Metier: metier}
		var token string
		if err := ps.srv.store.SignProposalAsVisitor(ps.ctx(), p.ID, in, func(m content.SignatureMail) content.Mail {
			token = m.ConfirmToken
			return ps.srv.signatureMail(m)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := ps.srv.store.ConfirmSignature(ps.ctx(), p.ID, token); err != nil {
			t.Fatal(err)
		}
	}
	sign("Anne Quéré", "29", "mediateur")
	sign("Bruno Le Du", "29", "conseiller")
	sign("Chloé Martin", "75", "mediateur")
	sign("Driss Amrani", "29", "mediateur")
	sign("Émilie Roux", "13", "formateur")

	list := ps.visitor.get(path + "/signatures")
	must(t, list, 200, "5 signatures.", "<figure>", `role="img"`, "Diagramme en barres des départements qui comptent le plus de signatures. 29 – Finistère : 3 signatures ; 13 – Bouches-du-Rhône : 1 signature",
		"<caption>Signatures par département</caption>",
		// Every région of France, those not reached yet too.
		"Diagramme en barres des signatures dans chaque région de France. Auvergne-Rhône-Alpes : 0 signature ; ",
		"Bretagne : 3 signatures ; ", "Île-de-France : 1 signature ; ", "Provence-Alpes-Côte d’Azur : 1 signature ; ", "Mayotte : 0 signature.",
		`<tr><th scope="row">Bretagne</th><td>3</td></tr>`)
	var got []string
	for _, m := range countRow.FindAllStringSubmatch(list.body, -1) {
		got = append(got, m[1]+"="+m[2])
	}
	if strings.Join(got, ", ") != "29 – Finistère=3, 13 – Bouches-du-Rhône=1, 75 – Paris=1" {
		t.Errorf("counts per département: %v", got)
	}

	finistere := ps.visitor.get(path + "/signatures?departement=29")
	must(t, finistere, 200, "3 signataires pour ce choix : 29 – Finistère", "Anne Quéré", "Bruno Le Du", "Driss Amrani")
	if strings.Contains(finistere.body, "Chloé Martin") || strings.Contains(finistere.body, "Émilie Roux") {
		t.Error("the filter by département keeps others")
	}
	mediateurs := ps.visitor.get(path + "/signatures?departement=29&role=mediateur")
	must(t, mediateurs, 200, "2 signataires pour ce choix : 29 – Finistère, Médiateur·rice numérique", "Anne Quéré", "Driss Amrani",
		"Signatures par département (Médiateur·rice numérique)")
	if strings.Contains(mediateurs.body, "Bruno Le Du") {
		t.Error("the filter by role keeps others")
	}
	must(t, ps.visitor.get(path+"/signatures?departement=2A"), 200, "Personne n’a encore signé parmi ce choix")

	// Fifty a page, newest first.
	for i := 0; i < 46; i++ {
		sign("Signataire "+strconv.Itoa(i), "35", "")
	}
	first := ps.visitor.get(path + "/signatures")
	must(t, first, 200, "51 signatures.", "Page 1 sur 2", "Signataire 45")
	if strings.Contains(first.body, "Anne Quéré") {
		t.Error("the oldest signature is on the first page")
	}
	must(t, ps.visitor.get(path+"/signatures?page=2"), 200, "Page 2 sur 2", "Anne Quéré")
	if r := ps.visitor.get(path + "/signatures?page=3"); r.status != 404 {
		t.Errorf("page 3: %d", r.status)
	}
}

func TestSignatureExportForTheOwnerAndModerators(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.published(t)
	p := ps.proposalOf(t, path)
	var token string
	if err := ps.srv.store.SignProposalAsVisitor(ps.ctx(), p.ID, content.SignatureInput{Name: "=HYPERLINK(\"http://pirate.example\";\"Maëlle\")",
		Email: "pirate@exemple.fr", Departement: "2A", Structure: "Mairie d’Ajaccio"}, func(m content.SignatureMail) content.Mail {
		token = m.ConfirmToken
		return ps.srv.signatureMail(m)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.srv.store.ConfirmSignature(ps.ctx(), p.ID, token); err != nil {
		t.Fatal(err)
	}
	follow(t, ps.coauthor, ps.coauthor.postForm(path+"/signer", nil))

	must(t, ps.owner.get(path), 200, "Télécharger les signatures (CSV)")
	if r := ps.member.get(path); strings.Contains(r.body, "signatures.csv") {
		t.Error("a member is offered the export")
	}
	for _, who := range []*client{ps.owner, ps.modo} {
		r := who.get(path + "/signatures.csv")
		if r.status != 200 || r.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(r.header.Get("Content-Disposition"), `filename="signatures-pour-un-numerique-a-echelle-humaine.csv"`) {
			t.Fatalf("export: %d %v", r.status, r.header)
		}
		lines := strings.Split(r.raw, "\r\n")
		if !strings.HasPrefix(r.raw, "\uFEFF") || lines[0] != "\uFEFFNom;Rôle;Structure;Département;Version signée;Date" || len(lines) != 4 {
			t.Fatalf("the CSV:\n%q", r.raw)
		}
		if !strings.HasPrefix(lines[1], `"'=HYPERLINK(""http://pirate.example"";""Maëlle"")";;Mairie d’Ajaccio;2A – Corse-du-Sud;1;`) ||
			!strings.HasPrefix(lines[2], "Karim;;;;1;") {
			t.Errorf("the rows:\n%s\n%s", lines[1], lines[2])
		}
		if strings.Contains(r.raw, "@") {
			t.Error("the export holds an address")
		}
	}
	if r := ps.member.get(path + "/signatures.csv"); r.status != http.StatusForbidden {
		t.Errorf("a member's export: %d", r.status)
	}
	if r := ps.visitor.get(path + "/signatures.csv"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/connexion") {
		t.Errorf("a visitor's export: %d %s", r.status, r.location)
	}
	draft := ps.create(t, "Un brouillon", "Une proposition")
	for _, who := range []*client{ps.owner, ps.modo, ps.member} {
		if r := who.get(draft + "/signatures.csv"); r.status != 404 {
			t.Errorf("export of a brouillon: %d", r.status)
		}
	}
}

func TestSigningRefusedUnlessPublished(t *testing.T) {
	ps := newProposalSite(t)
	draft := ps.create(t, "Un brouillon", "Une proposition")
	for _, r := range []*response{ps.member.postForm(draft+"/signer", nil), ps.visitor.postForm(draft+"/signatures", aurelie),
		ps.visitor.get(draft + "/signatures")} {
		if r.status != 404 {
			t.Errorf("signing a brouillon: %d", r.status)
		}
	}
	must(t, follow(t, ps.owner, ps.owner.postForm(draft+"/signer", nil)), 200, "Ce texte n’est pas encore publié")

	open := ps.create(t, "Un texte ouvert", "Une proposition")
	ps.moveTo(t, open, content.ProposalOpen)
	if r := ps.member.get(open); strings.Contains(r.body, "Signer ce texte") {
		t.Error("an open text offers to sign")
	}
	must(t, follow(t, ps.member, ps.member.postForm(open+"/signer", nil)), 200, "Ce texte n’est pas encore publié")
	must(t, follow(t, ps.visitor, ps.visitor.postForm(open+"/signatures", aurelie)), 200, "Ce texte n’est pas encore publié")
	if r := ps.visitor.get(open + "/signatures"); r.status != 404 {
		t.Errorf("the signatories of an open text: %d", r.status)
	}

	path := ps.published(t)
	follow(t, ps.coauthor, ps.coauthor.postForm(path+"/signer", nil))
	ps.moveTo(t, path, content.ProposalArchived)
	page := ps.member.get(path)
	must(t, page, 200, "1 signature", "Ce texte est archivé : les signatures sont closes.")
	if strings.Contains(page.body, `action="`+path+`/signer"`) {
		t.Error("an archived text offers to sign")
	}
	must(t, follow(t, ps.member, ps.member.postForm(path+"/signer", nil)), 200, "les signatures sont closes", "1 signature")
	must(t, follow(t, ps.visitor, ps.visitor.postForm(path+"/signatures", aurelie)), 200, "les signatures sont closes")
	must(t, ps.visitor.get(path+"/signatures"), 200, "Karim", "Ce texte est archivé : les signatures sont closes.")
	// Withdrawing stays possible.
	must(t, follow(t, ps.coauthor, ps.coauthor.postForm(path+"/signatures/retirer", nil)), 200, "Votre signature est retirée.", "Aucune signature")
}

func TestSignatureFormsAreRateLimited(t *testing.T) {
	ps := newProposalSite(t)
	path := ps.published(t)
	for i := 0; i < 5; i++ {
		if r := ps.visitor.postForm(path+"/signatures", aurelie); r.status != http.StatusSeeOther {
			t.Fatalf("signature %d: %d\n%s", i+1, r.status, r.body)
		}
	}
	r := ps.visitor.postForm(path+"/signatures", aurelie)
	must(t, r, http.StatusTooManyRequests, "Trop de tentatives", `value="Aurélie Le Goff"`, `value="Aurelie.LeGoff@Exemple.fr"`,
		`value="Centre social de Kerourien"`, `value="finistère"`)
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}

	// Per IP: another address, past 30 forms in 15 minutes from one network.
	for i := 5; i < 30; i++ {
		ps.visitor.postForm(path+"/signatures", url.Values{"name": {"Personne " + strconv.Itoa(i)}, "email": {"p" + strconv.Itoa(i) + "@exemple.fr"}, "departement": {"35"}})
	}
	other := url.Values{"name": {"Yann Kervella"}, "email": {"yann@exemple.fr"}, "departement": {"29"}}
	must(t, ps.visitor.postForm(path+"/signatures", other), http.StatusTooManyRequests, "Trop de tentatives", `value="Yann Kervella"`)
}
