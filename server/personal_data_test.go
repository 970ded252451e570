package server

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
)

// zoeSite is a site where Zoéline has done a bit of everything: replied in
// Karim's discussion (answered by him), opened her own, attached an image,
// written a fiche, kept a draft and a collection, written to Karim, signed
// Léa's published text, been told of Karim's reply by mail, mistyped her
// password once.
type zoeSite struct {
	*proposalSite
	zoe    *content.User
	zc     *client
	topic  *content.Topic // Karim's, where she replied
	own    *content.Topic // hers
	reply  string         // the text of her reply
	fiche  string         // the fiche's path
	text   string         // Léa's text's path
	upload *content.Upload
	conv   *content.Conversation // hers with Karim
}

const (
	zoePseudo = "Zoéline"
	zoeEmail  = "zoeline.rgpd@exemple.fr"
	zoeWhere  = "Tiers-lieu des Glycines"
)

func newZoeSite(t *testing.T) *zoeSite {
	t.Helper()
	ps := newProposalSite(t)
	ctx := ps.ctx()
	zoe, err := ps.srv.store.CreateUser(ctx, content.NewUser{Pseudo: zoePseudo, Email: zoeEmail, Password: testPassword, Verified: true, Vouched: true, AcceptCharter: true,
		Profile: content.Profile{Structure: zoeWhere, Departement: "35", Metier: "mediateur"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	zs := &zoeSite{proposalSite: ps, zoe: zoe, zc: ps.loggedIn(zoe), reply: "Chez nous, on passe par le point d’accueil de la mairie le mardi."}
	zs.topic = ps.mustCreateTopic(ps.karim, "Prendre rendez-vous à la CAF sans smartphone", "Comment faites-vous ?")
	zs.upload, err = ps.srv.store.SaveUpload(ctx, zoe, "photo-de-zoeline.png", pngImage(t, 40, 30), ps.srv.cfg.MaxUpload, ps.srv.uploadDir())
	if err != nil {
		t.Fatal(err)
	}
	r := zs.zc.postForm("/discussions/"+itoa64(zs.topic.ID)+"/reponses", url.Values{"body": {zs.reply + "\n\n" + zs.upload.Markdown("le guichet")}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("reply: %d\n%s", r.status, r.body)
	}
	ps.mustReply(ps.karim, zs.topic, "Merci, je vais essayer le mardi.", 2)
	zs.own = ps.mustCreateTopic(zoe, "Un atelier tablettes pour les aînés", "Qui a déjà essayé les tablettes prêtées ?")
	zs.fiche = mustPublishFiche(t, zs.zc, "Préparer un rendez-vous CAF", "## Avant\n\nRassembler les papiers.\n")
	if err := ps.srv.store.SaveDraft(ctx, zoe, content.Draft{Place: content.DraftNewTopic, Title: "Brouillon de Zoé", Body: "Encore à écrire."}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.srv.store.CreateCollection(ctx, zoe, content.CollectionInput{Name: "Mes fiches CAF"}); err != nil {
		t.Fatal(err)
	}
	zs.conv = ps.mustConverse(zoe, "Karim", "Atelier de mardi", "Peux-tu m’envoyer la liste des inscrits ?")
	zs.text = ps.published(t)
	if r := zs.zc.postForm(zs.text+"/signer", nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", r.status, r.body)
	}
	if r := ps.client().postForm("/connexion", url.Values{"login": {zoeEmail}, "password": {"pas le bon mot de passe"}}); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong login: %d", r.status)
	}
	ps.deliver() // Zoéline is mailed Karim's reply; Karim, her message
	return zs
}

func TestDataExportIsAZipOfEverythingFileByFile(t *testing.T) {
	zs := newZoeSite(t)
	must(t, zs.zc.get("/compte/donnees"), 200, "Télécharger mes données", "Préparer mes données")

	page := follow(t, zs.zc, zs.zc.postForm("/compte/donnees", nil))
	must(t, page, 200, "vos données sont en préparation", "Préparation de votre fichier", `<progress id="avancement" max="100" value="0">`)
	if err := zs.srv.RunExports(zs.ctx()); err != nil {
		t.Fatal(err)
	}
	must(t, zs.zc.get("/compte/donnees"), 200, "Votre fichier est prêt", `href="/compte/donnees/mes-donnees.zip"`, "puis il est effacé")
	mail := zs.lastMail(zoeEmail)
	if mail.Subject != "Vos données de la Ligue sont prêtes" || !strings.Contains(mail.Body, "http://ligue.test/compte/donnees") {
		t.Errorf("ready mail: %q\n%s", mail.Subject, mail.Body)
	}

	r := zs.zc.get("/compte/donnees/mes-donnees.zip")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Disposition"), `attachment; filename="ligue-mes-donnees-`) {
		t.Fatalf("download: %d %q", r.status, r.header.Get("Content-Disposition"))
	}
	z, err := zip.NewReader(strings.NewReader(r.raw), int64(len(r.raw)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	var names []string
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
		names = append(names, f.Name)
	}
	want := append(content.ExportFiles(), "fichiers/"+zs.upload.Name)
	if !slices.Equal(names, want) {
		t.Errorf("files in the ZIP:\n%v\nwant\n%v", names, want)
	}
	rows := func(name string) []map[string]any {
		t.Helper()
		var v []map[string]any
		if err := json.Unmarshal([]byte(files[name]), &v); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, files[name])
		}
		return v
	}
	var profile map[string]any
	if err := json.Unmarshal([]byte(files["profil.json"]), &profile); err != nil {
		t.Fatal(err)
	}
	if profile["pseudo"] != zoePseudo || profile["email"] != zoeEmail || profile["structure"] != zoeWhere || profile["departement"] != "35" {
		t.Errorf("profil.json: %v", profile)
	}
	for _, c := range []struct {
		file, field, want string
	}{
		{"discussions.json", "titre", "Un atelier tablettes pour les aînés"},
		{"messages-forum.json", "texte", zs.reply},
		{"revisions-fiches.json", "titre", "Préparer un rendez-vous CAF"},
		{"signatures.json", "titre", "Pour un numérique à échelle humaine"},
		{"messages-prives.json", "texte", "Peux-tu m’envoyer la liste des inscrits ?"},
		{"brouillons.json", "titre", "Brouillon de Zoé"},
		{"collections.json", "nom", "Mes fiches CAF"},
		{"notifications.json", "type", "reply"},
		{"fichiers.json", "nom_d_origine", "photo-de-zoeline.png"},
		{"sessions.json", "navigateur", ""},
	} {
		got := rows(c.file)
		found := false
		for _, row := range got {
			if v, _ := row[c.field].(string); strings.HasPrefix(v, c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no row with %s = %q\n%s", c.file, c.field, c.want, files[c.file])
		}
	}
	ips := rows("adresses-ip.json")
	if len(ips) < 3 { // the reply, the fiche, the signature were sent from a browser
		t.Errorf("adresses-ip.json: %s", files["adresses-ip.json"])
	}
	for _, row := range ips {
		if row["ip"] == "" || row["le"] == nil {
			t.Errorf("an IP trace without its address or time: %v", row)
		}
	}
	for _, name := range []string{"amendements.json", "textes.json", "jetons-api.json", "versions-messages.json"} {
		if files[name] != "[]\n" {
			t.Errorf("%s should be an empty list: %q", name, files[name])
		}
	}
	onDisk, err := os.ReadFile(filepath.Join(zs.srv.uploadDir(), zs.upload.Name))
	if err != nil || !bytes.Equal(onDisk, []byte(files["fichiers/"+zs.upload.Name])) {
		t.Errorf("the attached file in the ZIP differs from the one kept (%v)", err)
	}
	if !strings.Contains(files["LISEZMOI.txt"], "adresses-ip.json") {
		t.Error("the read-me does not explain the files")
	}

	// Someone else has no export of their own, and cannot reach hers.
	must(t, zs.coauthor.get("/compte/donnees/mes-donnees.zip"), 404, "Aucun export prêt")
	if r := zs.client().get("/compte/donnees/mes-donnees.zip"); r.status != http.StatusSeeOther {
		t.Errorf("a visitor downloads: %d", r.status)
	}
}

func TestDataExportAskedFiftyTimesMakesOne(t *testing.T) {
	zs := newZoeSite(t)
	if r := zs.zc.postForm("/compte/donnees", nil); r.status != http.StatusSeeOther {
		t.Fatalf("first request: %d", r.status)
	}
	for i := 0; i < 49; i++ {
		r := zs.zc.postForm("/compte/donnees", nil)
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "déjà en préparation") {
			t.Fatalf("request %d: %d\n%s", i+2, r.status, r.body)
		}
	}
	if err := zs.srv.RunExports(zs.ctx()); err != nil {
		t.Fatal(err)
	}
	r := zs.zc.postForm("/compte/donnees", nil)
	must(t, r, http.StatusTooManyRequests, "un export par jour au plus", "Vous pourrez en demander un nouveau à partir du")
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	var n int
	if err := zs.srv.db.R.Get(&n, `SELECT count(*) FROM data_exports`); err != nil || n != 1 {
		t.Errorf("%d exports made, %v", n, err)
	}
	entries, _ := os.ReadDir(zs.srv.exportDir())
	if len(entries) != 1 {
		t.Errorf("%d files in exports/", len(entries))
	}
	if !strings.Contains(zs.logs.String(), "data export refused: one a day") {
		t.Error("refusals are not logged")
	}

	// A day later she may ask again; a week later the file is gone.
	start := zs.srv.store.Now()
	zs.srv.store.SetClock(func() time.Time { return start.Add(content.ExportEvery + time.Minute) })
	must(t, zs.zc.get("/compte/donnees"), 200, "Votre fichier est prêt", "Préparer mes données")
	zs.srv.store.SetClock(func() time.Time { return start.Add(content.ExportRetention + time.Minute) })
	if err := zs.srv.RunRetention(zs.ctx()); err != nil {
		t.Fatal(err)
	}
	entries, _ = os.ReadDir(zs.srv.exportDir())
	if len(entries) != 0 {
		t.Errorf("the expired export is still on disk: %v", entries)
	}
	must(t, zs.zc.get("/compte/donnees"), 200, "a été effacé après 7 jours", "Préparer mes données")
	must(t, zs.zc.get("/compte/donnees/mes-donnees.zip"), 404)
}

// dataFiles reads what the data folder holds that could name a member: the
// SQLite file and its WAL, the attached files, the exports.
func dataFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, sub := range []string{"", "fichiers", "exports"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if e.IsDir() || strings.HasSuffix(e.Name(), ".bleve") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[filepath.Join(sub, e.Name())] = b
		}
	}
	return out
}

// personal are the spellings of Zoéline's data a file must not hold after
// her account is erased.
var personal = []string{"zoéline", "zoeline", zoeEmail, strings.ToLower(zoeWhere)}

func TestAccountDeletionLeavesNothingPersonal(t *testing.T) {
	for _, mode := range []content.EraseMode{content.EraseAnonymize, content.EraseDelete} {
		t.Run(string(mode), func(t *testing.T) {
			zs := newZoeSite(t)
			ctx := zs.ctx()
			if r := zs.zc.postForm("/compte/donnees", nil); r.status != http.StatusSeeOther {
				t.Fatal(r.status)
			}
			if err := zs.srv.RunExports(ctx); err != nil {
				t.Fatal(err)
			}
			zs.syncIndex()
			if res, err := zs.srv.index.Search(ctx, search.Request{Author: "zoeline"}); err != nil || res.Matches == 0 {
				t.Fatalf("before: her writings are not indexed under her name (%v)", err)
			}
			before := dataFiles(t, zs.srv.cfg.DataDir)
			if !bytes.Contains(bytes.ToLower(before["ligue.db"]), []byte("zoeline")) && !bytes.Contains(bytes.ToLower(before["ligue.db-wal"]), []byte("zoeline")) {
				t.Fatal("the check would not see her data")
			}

			page := zs.zc.get("/compte/supprimer")
			must(t, page, 200, "Ce qui est effacé", "Ce qui reste, signé « Ancien membre »", "Les garder, signés « Ancien membre »",
				"Les supprimer", "Supprimer définitivement mon compte")
			r := zs.zc.postForm("/compte/supprimer", url.Values{"mode": {string(mode)}, "password": {testPassword}})
			if r.status != http.StatusSeeOther || r.location != "/" {
				t.Fatalf("deletion: %d %s\n%s", r.status, r.location, r.body)
			}
			must(t, zs.zc.get("/"), 200, "Votre compte est supprimé")
			if r := zs.zc.get("/compte"); r.status != http.StatusSeeOther {
				t.Errorf("the session still works: %d", r.status)
			}

			// What others see.
			thread := zs.visitor.get(zs.topic.Path())
			must(t, thread, 200, "Ancien membre", "Merci, je vais essayer le mardi.")
			if mode == content.EraseAnonymize {
				must(t, thread, 200, zs.reply)
			} else {
				must(t, thread, 200, "supprimé")
				if strings.Contains(thread.body, zs.reply) {
					t.Error("her deleted reply is still shown")
				}
			}
			must(t, zs.visitor.get(zs.fiche), 200, "Ancien membre")
			conv := zs.coauthor.get(zs.conv.Path())
			if mode == content.EraseAnonymize {
				must(t, conv, 200, "Ancien membre", "Peux-tu m’envoyer la liste des inscrits ?")
			} else {
				must(t, conv, 200, "Ancien membre", "Message supprimé avec le compte de son auteur.")
			}
			must(t, zs.visitor.get("/membres/"+url.PathEscape(content.FormerMemberPseudo)), 200, "Ce compte a été supprimé")
			must(t, zs.visitor.get("/membres/"+url.PathEscape(zoePseudo)), 404)
			must(t, zs.visitor.get(zs.text+"/signatures"), 200, "1 signature", "Ancien membre")

			// The search index, read again through the event stream.
			zs.syncIndex()
			for _, req := range []search.Request{{Author: "zoeline"}, {Q: "zoeline"}, {Q: "glycines"}} {
				res, err := zs.srv.index.Search(ctx, req)
				if err != nil || res.Matches != 0 {
					t.Errorf("search %+v after deletion: %v matches, %v", req, res.Matches, err)
				}
			}
			res, err := zs.srv.index.Search(ctx, search.Request{Q: "mairie mardi"})
			if err != nil {
				t.Fatal(err)
			}
			if kept := res.Matches > 0; kept != (mode == content.EraseAnonymize) {
				t.Errorf("her reply found in search: %v", kept)
			}

			// The files: the database and its WAL, uploads, exports.
			for name, b := range dataFiles(t, zs.srv.cfg.DataDir) {
				lower := bytes.ToLower(b)
				for _, p := range personal {
					if i := bytes.Index(lower, []byte(p)); i >= 0 {
						t.Errorf("%s still holds %q: …%q…", name, p, b[max(0, i-40):min(len(b), i+60)])
					}
				}
			}
			entries, _ := os.ReadDir(zs.srv.exportDir())
			if len(entries) != 0 {
				t.Errorf("her export is still on disk")
			}
			_, err = os.Stat(filepath.Join(zs.srv.uploadDir(), zs.upload.Name))
			if gone := os.IsNotExist(err); gone != (mode == content.EraseDelete) {
				t.Errorf("her attached file deleted: %v (mode %s)", gone, mode)
			}
			// Last: a login attempt with her address is itself a (short-lived) trace.
			if r := zs.client().postForm("/connexion", url.Values{"login": {zoeEmail}, "password": {testPassword}}); r.status != http.StatusUnauthorized {
				t.Errorf("logging in again: %d", r.status)
			}
			var audit int
			zs.srv.db.R.Get(&audit, `SELECT count(*) FROM audit_log WHERE action = 'erase_account' AND target_id = ? AND detail = ?`, zs.zoe.ID, string(mode))
			if audit != 1 || !strings.Contains(zs.logs.String(), "account erased at the member's request") {
				t.Error("the deletion is not logged")
			}
		})
	}
}

func TestAccountDeletionRefusals(t *testing.T) {
	zs := newZoeSite(t)
	wrong := zs.zc.postForm("/compte/supprimer", url.Values{"mode": {"anonymiser"}, "password": {"ce n’est pas lui"}})
	must(t, wrong, 422, "Ce mot de passe n’est pas le bon : votre compte n’a pas été supprimé.", `value="anonymiser" checked`)
	blank := zs.zc.postForm("/compte/supprimer", url.Values{})
	must(t, blank, 422, "Choisissez ce que deviennent vos messages", "Indiquez votre mot de passe pour confirmer.")
	if u, err := zs.srv.store.UserByID(zs.ctx(), zs.zoe.ID); err != nil || u.Pseudo != zoePseudo {
		t.Fatalf("the account changed after refusals: %v %v", u, err)
	}
	if !strings.Contains(zs.logs.String(), "account deletion refused") {
		t.Error("refusals are not logged")
	}

	// Eleven minutes after logging in, the login must be confirmed first.
	start := zs.srv.store.Now()
	zs.srv.store.SetClock(func() time.Time { return start.Add(content.ReauthWindow + time.Minute) })
	must(t, zs.zc.get("/compte/supprimer"), 200, "demande une connexion de moins de 10 minutes", "Confirmer mon identité")
	old := zs.zc.postForm("/compte/supprimer", url.Values{"mode": {"supprimer"}, "password": {testPassword}})
	must(t, old, 403, "votre connexion date de plus de 10 minutes. Rien n’a été supprimé.", `name="mode" value="supprimer"`)
	if !strings.Contains(zs.logs.String(), "account deletion refused: login too old") {
		t.Error("the refusal is not logged")
	}
	must(t, zs.zc.postForm("/compte/reconnexion", url.Values{"mode": {"supprimer"}, "reauth_password": {"non"}}), 401, "Ce mot de passe n’est pas le bon.")
	r := zs.zc.postForm("/compte/reconnexion", url.Values{"mode": {"supprimer"}, "reauth_password": {testPassword}})
	if r.status != http.StatusSeeOther || r.location != "/compte/supprimer?mode=supprimer" {
		t.Fatalf("re-authentication: %d %s", r.status, r.location)
	}
	must(t, follow(t, zs.zc, r), 200, "C’est bien vous", `value="supprimer" checked`, "Supprimer définitivement mon compte")
	if u, _ := zs.srv.store.UserByID(zs.ctx(), zs.zoe.ID); u.Pseudo != zoePseudo {
		t.Error("the account went before its deletion was confirmed")
	}
	done := zs.zc.postForm("/compte/supprimer", url.Values{"mode": {"supprimer"}, "password": {testPassword}})
	if done.status != http.StatusSeeOther {
		t.Fatalf("deletion after re-authentication: %d\n%s", done.status, done.body)
	}
}

func TestRetentionPurgesIPsAndInactiveAccounts(t *testing.T) {
	zs := newZoeSite(t)
	ctx := zs.ctx()
	back := zs.mustCreateMember("Revenant", content.RoleMember)
	start := zs.srv.store.Now()
	at := func(d time.Duration) {
		zs.srv.store.SetClock(func() time.Time { return start.Add(d) })
		if err := zs.srv.RunRetention(ctx); err != nil {
			t.Fatal(err)
		}
	}
	traces, err := zs.srv.store.ContributionIPs(ctx, zs.zoe.ID)
	if err != nil || len(traces) < 3 {
		t.Fatalf("IP traces of her contributions: %v %v", traces, err)
	}
	if err := zs.srv.store.AddStrike(ctx, "login-ip", "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	strikes := func() int {
		var n int
		zs.srv.db.R.Get(&n, `SELECT count(*) FROM strikes`)
		return n
	}

	at(29 * 24 * time.Hour)
	if strikes() == 0 {
		t.Error("rate-limit traces went before 30 days")
	}
	at(31 * 24 * time.Hour)
	if n := strikes(); n != 0 {
		t.Errorf("%d rate-limit traces kept past 30 days", n)
	}
	if traces, _ := zs.srv.store.ContributionIPs(ctx, zs.zoe.ID); len(traces) == 0 {
		t.Error("contribution IPs went before a year")
	}
	at(366 * 24 * time.Hour)
	if traces, _ := zs.srv.store.ContributionIPs(ctx, zs.zoe.ID); len(traces) != 0 {
		t.Errorf("contribution IPs kept past a year: %v", traces)
	}

	// Two years without a visit: warned, then anonymised a month later,
	// unless the member came back meanwhile.
	dormant := zs.zoe
	at(content.InactiveAfter + 24*time.Hour)
	for _, u := range []*content.User{dormant, back} {
		m := zs.lastMail(u.Email)
		if !strings.HasPrefix(m.Subject, "Votre compte sur la Ligue sera anonymisé le ") || !strings.Contains(m.Body, "http://ligue.test/connexion") {
			t.Errorf("warning to %s: %q\n%s", u.Pseudo, m.Subject, m.Body)
		}
	}
	var warned int
	zs.srv.db.R.Get(&warned, `SELECT count(*) FROM mails WHERE subject LIKE 'Votre compte sur la Ligue sera anonymisé%'`)
	at(content.InactiveAfter + 2*24*time.Hour) // a second run warns nobody twice
	var again int
	zs.srv.db.R.Get(&again, `SELECT count(*) FROM mails WHERE subject LIKE 'Votre compte sur la Ligue sera anonymisé%'`)
	if again != warned {
		t.Errorf("warned twice: %d then %d mails", warned, again)
	}
	zs.loggedIn(back) // comes back
	at(content.InactiveAfter + content.InactiveGrace + 2*24*time.Hour)
	if u, _ := zs.srv.store.UserByID(ctx, dormant.ID); u.Pseudo != content.FormerMemberPseudo || u.Email == dormant.Email {
		t.Errorf("the inactive account was not anonymised: %s %s", u.Pseudo, u.Email)
	}
	if u, _ := zs.srv.store.UserByID(ctx, back.ID); u.Pseudo != "Revenant" {
		t.Error("an account used again was anonymised")
	}
	must(t, zs.visitor.get(zs.topic.Path()), 200, zs.reply, "Ancien membre") // anonymised: her text stays
	var logged int
	zs.srv.db.R.Get(&logged, `SELECT count(*) FROM audit_log WHERE action = 'erase_inactive' AND target_id = ?`, dormant.ID)
	if logged != 1 {
		t.Error("the anonymisation is not in the audit log")
	}
}

func TestPrivacyPage(t *testing.T) {
	ts := newTestSite(t)
	page := ts.client().get("/confidentialite")
	must(t, page, 200, "Confidentialité", "un an</strong> (365 jours)", "30 jours", "strictement nécessaires", "aucun bandeau",
		"deux ans", "@pseudo", "ligue@ligue.test", `href="/compte/donnees"`, `href="/compte/supprimer"`)
	if home := ts.client().get("/"); !strings.Contains(home.body, `href="/confidentialite"`) {
		t.Error("the footer does not link the privacy page")
	}
}

func TestTheLastAdministratorCannotDeleteTheirAccount(t *testing.T) {
	ts := newTestSite(t)
	admin := ts.mustCreateMember("Seule", content.RoleAdmin)
	cl := ts.loggedIn(admin)
	form := url.Values{"mode": {"anonymiser"}, "password": {testPassword}}
	must(t, cl.postForm("/compte/supprimer", form), 422, "Vous êtes le dernier administrateur ou la dernière administratrice du site")
	ts.mustCreateMember("Relais", content.RoleAdmin)
	if r := cl.postForm("/compte/supprimer", form); r.status != http.StatusSeeOther {
		t.Fatalf("with another administrator: %d\n%s", r.status, r.body)
	}
}
