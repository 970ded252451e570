package server

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// open follows a notification's link to the page it lands on.
func open(t *testing.T, cl *client, path string) *response {
	t.Helper()
	r := cl.get(path)
	if r.status == 303 || r.status == 302 {
		r = cl.get(r.location)
	}
	return r
}

// told is what u's notifications page says, as one string.
func told(t *testing.T, ts *testSite, u *content.User) string {
	t.Helper()
	return strings.Join(notices(t, ts, u), " | ")
}

func TestWatchLevelsDecideWhoIsTold(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	store := ts.srv.store
	lea, karim, lucie := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember),
		ts.mustCreateMember("Lucie", content.RoleMember)
	asKarim, asLucie := ts.loggedIn(karim), ts.loggedIn(lucie)
	cat, err := store.CategoryBySlug(ctx, "demarches-en-ligne")
	if err != nil {
		t.Fatal(err)
	}

	// Lucie watches the category but silenced the tag « caf »: a new topic
	// tagged caf is not announced to her; one without the tag is.
	if r := asLucie.postForm("/categories/demarches-en-ligne/suivre", url.Values{"niveau": {"suivre"}}); r.status != 303 {
		t.Fatalf("watch category: %d", r.status)
	}
	ts.mustCreateTopic(lea, "Attestation de paiement", "Où ?")
	ts.mustCreateTopic(karim, "Application ameli", "Elle plante.", func(n *content.NewTopic) { n.Tags, n.Category = "ameli", "outils-et-materiel" })
	told(t, ts, lucie)
	if r := asLucie.postForm("/etiquettes/ameli/suivre", url.Values{"niveau": {"silencieux"}}); r.status != 303 ||
		!strings.Contains(plain(asLucie.get("/etiquettes/ameli").body), "L’étiquette « ameli » est en silencieux") {
		t.Fatalf("mute tag: %d", r.status)
	}
	tagged := ts.mustCreateTopic(lea, "Attestation CAF", "Où la trouver ?", func(n *content.NewTopic) { n.Tags = "ameli" })
	if got := told(t, ts, lucie); got != "Attestation de paiement: Nouvelle discussion de Lea" {
		t.Errorf("Lucie (category watched, tag muted) is told %q", got)
	}
	if l, _ := store.WatchLevelOf(ctx, lucie, content.FollowCategory, cat.ID); l != content.Watching {
		t.Errorf("category level %q", l)
	}

	// Watching the topic itself beats the muted tag.
	if r := asLucie.postForm("/discussions/"+itoa64(tagged.ID)+"/suivre", url.Values{"niveau": {"suivre"}}); r.status != 303 {
		t.Fatalf("watch topic: %d", r.status)
	}
	page := asLucie.get(tagged.Path()).body
	if !strings.Contains(page, `value="suivre" class="secondary" aria-pressed="true"`) ||
		!strings.Contains(page, `value="silencieux" class="secondary" aria-pressed="false"`) {
		t.Error("the topic page does not show the chosen level as pressed")
	}
	answer, err := store.Reply(ctx, karim, tagged.ID, content.NewReply{Body: "Dans « Mon Compte »."})
	if err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, lucie); !strings.HasPrefix(got, "Attestation CAF: Nouvelle réponse de Karim") {
		t.Errorf("Lucie watching the topic is told %q", got)
	}

	// Normal: Léa (author, watching by default) steps down to normal: a
	// reply to someone else is not told, a mention is.
	if r := ts.loggedIn(lea).postForm("/discussions/"+itoa64(tagged.ID)+"/suivre", url.Values{"niveau": {"normal"}}); r.status != 303 {
		t.Fatalf("normal: %d", r.status)
	}
	before := told(t, ts, lea)
	if _, err := store.Reply(ctx, lucie, tagged.ID, content.NewReply{Body: "Merci Karim.", ReplyTo: answer.Number}); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, lea); got != before {
		t.Errorf("Léa at normal is told of a reply to someone else: %q", got)
	}
	if _, err := store.Reply(ctx, lucie, tagged.ID, content.NewReply{Body: "@Lea tu confirmes ?"}); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, lea); !strings.HasPrefix(got, "Attestation CAF: Lucie vous a mentionné·e") {
		t.Errorf("Léa at normal is not told of a mention: %q", got)
	}

	// Silencieux: Karim hears nothing of the topic, not even a reply to his
	// post with a mention.
	if r := asKarim.postForm("/discussions/"+itoa64(tagged.ID)+"/suivre", url.Values{"niveau": {"silencieux"}}); r.status != 303 {
		t.Fatalf("mute: %d", r.status)
	}
	before = told(t, ts, karim)
	if _, err := store.Reply(ctx, lucie, tagged.ID, content.NewReply{Body: "@Karim encore une question.", ReplyTo: answer.Number}); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, karim); got != before {
		t.Errorf("Karim muted the topic and is told %q", got)
	}

	// Fiches: their authors follow them; anyone may watch or mute one.
	f, err := store.CreateFiche(ctx, lea, content.FicheInput{Title: "Retrouver une attestation", Body: "Version 1."}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishFiche(ctx, lea, f.ID); err != nil {
		t.Fatal(err)
	}
	if r := asLucie.postForm(f.Path()+"/suivre", url.Values{"niveau": {"suivre"}}); r.status != 303 {
		t.Fatalf("watch fiche: %d", r.status)
	}
	if r := ts.loggedIn(lea).postForm(f.Path()+"/suivre", url.Values{"niveau": {"silencieux"}}); r.status != 303 {
		t.Fatalf("mute fiche: %d", r.status)
	}
	before = told(t, ts, lea)
	if _, err := store.SaveFiche(ctx, karim, f.ID, content.FicheInput{Title: f.Title, Body: "Version 2.", BaseRevision: 1}); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, lucie); !strings.HasPrefix(got, "Retrouver une attestation: Nouvelle révision par Karim") {
		t.Errorf("Lucie watching the fiche is told %q", got)
	}
	if got := told(t, ts, lea); got != before {
		t.Errorf("Léa muted her fiche and is told %q", got)
	}
	// Karim wrote a revision: he follows it now, and is told of the next.
	if _, err := store.SaveFiche(ctx, lucie, f.ID, content.FicheInput{Title: f.Title, Body: "Version 3.", BaseRevision: 2}); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, karim); !strings.HasPrefix(got, "Retrouver une attestation: Nouvelle révision par Lucie") {
		t.Errorf("Karim, who edited the fiche, is told %q", got)
	}

	// A level that does not exist is refused in French; a stranger's
	// brouillon cannot be followed.
	if r := asLucie.postForm(f.Path()+"/suivre", url.Values{"niveau": {"tout"}}); r.status != 400 ||
		!strings.Contains(plain(r.body), "Ce niveau de suivi n’existe pas") {
		t.Errorf("unknown level: %d", r.status)
	}
	draft, err := store.CreateFiche(ctx, lea, content.FicheInput{Title: "Brouillon de Léa", Body: "Pas encore."}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r := asLucie.postForm(draft.Path()+"/suivre", url.Values{"niveau": {"suivre"}}); r.status != 404 {
		t.Errorf("following someone else's brouillon: %d", r.status)
	}
	if r := ts.client().postForm(f.Path()+"/suivre", url.Values{"niveau": {"suivre"}}); r.status == 303 {
		t.Error("a visitor could follow a fiche")
	}
}

func TestModerationDecisionsTellTheAuthor(t *testing.T) {
	ts := newTestSite(t)
	ctx := context.Background()
	store := ts.srv.store
	lea, karim, modo := ts.mustCreateMember("Lea", content.RoleMember), ts.mustCreateMember("Karim", content.RoleMember),
		ts.mustCreateMember("Modo", content.RoleModerator)
	topic := ts.mustCreateTopic(lea, "Imprimer depuis un téléphone", "Comment faire ?")
	other := ts.mustCreateTopic(karim, "Impression mobile", "Même question.")
	answer, err := store.Reply(ctx, karim, topic.ID, content.NewReply{Body: "Avec l’application du fabricant."})
	if err != nil {
		t.Fatal(err)
	}
	// Even a muted topic tells its author what the moderation did.
	if err := store.SetWatch(ctx, karim, content.FollowTopic, topic.ID, content.Muted); err != nil {
		t.Fatal(err)
	}
	notices(t, ts, karim)
	if err := store.MarkNotificationsRead(ctx, karim, 0); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkNotificationsRead(ctx, lea, 0); err != nil {
		t.Fatal(err)
	}

	if err := store.SetPostHidden(ctx, modo, answer.ID, true); err != nil {
		t.Fatal(err)
	}
	got := notices(t, ts, karim)
	if len(got) == 0 || got[0] != "Imprimer depuis un téléphone: La modération a masqué votre message : vous seul·e le voyez encore" {
		t.Fatalf("Karim after his post was hidden is told %q", got)
	}
	groups, _ := store.Notifications(ctx, karim, true)
	if len(groups) != 1 || groups[0].Items[0].Path != topic.PostPath(answer.Number) {
		t.Errorf("the notice links to %+v", groups)
	} else if r := open(t, ts.loggedIn(karim), groups[0].Items[0].Path); r.status != 200 || !strings.Contains(r.body, "Avec l’application du fabricant.") {
		t.Errorf("the author cannot open his hidden post from the notice: %d", r.status)
	}
	if err := store.SetPostHidden(ctx, modo, answer.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, karim); !strings.HasPrefix(got, "Imprimer depuis un téléphone: La modération a rendu votre message de nouveau visible") ||
		strings.Contains(got, "masqué") {
		t.Errorf("restored: Karim is told %q", got)
	}

	// Closing, moving and merging a topic tell its author, once each.
	locked, slug := true, "outils-et-materiel"
	if err := store.ModerateTopic(ctx, modo, topic.ID, content.TopicUpdate{Locked: &locked}); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, lea); !strings.HasPrefix(got, "Imprimer depuis un téléphone: La modération a fermé votre discussion") {
		t.Errorf("locked: Léa is told %q", got)
	}
	if err := store.ModerateTopic(ctx, modo, topic.ID, content.TopicUpdate{Category: &slug}); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, lea); !strings.HasPrefix(got, "Imprimer depuis un téléphone: La modération a déplacé votre discussion") {
		t.Errorf("moved: Léa is told %q", got)
	}
	if err := store.MergeTopic(ctx, modo, other.ID, topic.ID); err != nil {
		t.Fatal(err)
	}
	got = notices(t, ts, karim)
	if len(got) == 0 || got[0] != "Imprimer depuis un téléphone: La modération a fusionné votre discussion avec celle-ci" {
		t.Errorf("merged: Karim is told %q", got)
	}
	groups, _ = store.Notifications(ctx, karim, true)
	if r := open(t, ts.loggedIn(karim), groups[0].Items[0].Path); r.status != 200 || !strings.Contains(r.body, "Même question.") {
		t.Errorf("the merge notice does not lead to his opening post: %q %d", groups[0].Items[0].Path, r.status)
	}

	// Fiches: protecting tells its authors; hiding a revision its author.
	f, err := store.CreateFiche(ctx, lea, content.FicheInput{Title: "Imprimer un PDF", Body: "Version 1."}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishFiche(ctx, lea, f.ID); err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{"Version 2 (vandalisée).", "Version 3."} {
		if _, err := store.SaveFiche(ctx, karim, f.ID, content.FicheInput{Title: f.Title, Body: body, BaseRevision: i + 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SetFicheProtected(ctx, modo, f.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := store.HideFicheRevision(ctx, modo, f.ID, 2, true); err != nil {
		t.Fatal(err)
	}
	if got := told(t, ts, lea); !strings.HasPrefix(got, "Imprimer un PDF: La modération a protégé votre fiche") {
		t.Errorf("protected: Léa is told %q", got)
	}
	if got := told(t, ts, karim); !strings.HasPrefix(got, "Imprimer un PDF: La modération a masqué votre révision 2 de la fiche") {
		t.Errorf("revision hidden: Karim is told %q", got)
	}
	if got := told(t, ts, modo); got != "" {
		t.Errorf("the moderator is told of their own decisions: %q", got)
	}
}
