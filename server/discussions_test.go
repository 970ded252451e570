package server

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

func (ts *testSite) mustCreateTopic(author *content.User, title, body string, opts ...func(*content.NewTopic)) *content.Topic {
	ts.t.Helper()
	in := content.NewTopic{Title: title, Body: body, Category: "demarches-en-ligne", Kind: content.KindQuestion}
	for _, o := range opts {
		o(&in)
	}
	t, err := ts.srv.store.CreateTopic(context.Background(), author, in)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.forgetLimits()
	return t
}

func (ts *testSite) mustReply(author *content.User, t *content.Topic, body string, replyTo int) *content.Post {
	ts.t.Helper()
	p, err := ts.srv.store.Reply(context.Background(), author, t.ID, content.NewReply{Body: body, ReplyTo: replyTo})
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.forgetLimits()
	return p
}

func topicForm(title, body, category, tags, kind string) url.Values {
	return url.Values{"title": {title}, "body": {body}, "category": {category}, "tags": {tags}, "kind": {kind}, "action": {"publier"}}
}

func TestStartATopic(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.loggedIn(ts.mustCreateMember("Karim", content.RoleMember))
	long := strings.Repeat("é", 151)

	runScenarios(t, ts, []scenario{
		{name: "visitor sent to login", path: "/discussions/nouvelle", wantStatus: 303, wantLocation: "/connexion?retour=/discussions/nouvelle"},
		{name: "form", as: karim, path: "/discussions/nouvelle", wantStatus: 200,
			wantContains: []string{`name="title"`, `<option value="demarches-en-ligne">Démarches en ligne</option>`, `value="question" checked`}},
		{name: "empty title and blank body", as: karim, method: "POST", path: "/discussions/nouvelle",
			form: topicForm("  ", " \n ", "demarches-en-ligne", "", "question"), wantStatus: 422,
			wantContains: []string{"Donnez un titre", "Le message est vide"}},
		{name: "title too long", as: karim, method: "POST", path: "/discussions/nouvelle",
			form: topicForm(long, "Mon texte", "demarches-en-ligne", "", "question"), wantStatus: 422,
			wantContains: []string{"ne doit pas dépasser 150 caractères (il en compte 151)", "Mon texte"}},
		{name: "body too long", as: karim, method: "POST", path: "/discussions/nouvelle",
			form: topicForm("Un titre correct", strings.Repeat("a", 50001), "demarches-en-ligne", "", "question"), wantStatus: 422,
			wantContains: []string{"ne doit pas dépasser 50 000 caractères", `value="Un titre correct"`}},
		{name: "unknown category", as: karim, method: "POST", path: "/discussions/nouvelle",
			form: topicForm("Un titre correct", "Mon texte", "cuisine", "", "question"), wantStatus: 422,
			wantContains: []string{"Cette catégorie n’existe pas"}},
		{name: "too many tags", as: karim, method: "POST", path: "/discussions/nouvelle",
			form: topicForm("Un titre correct", "Mon texte", "demarches-en-ligne", "a1,b2,c3,d4,e5,f6", "question"), wantStatus: 422,
			wantContains: []string{"Cinq étiquettes au plus", `value="a1,b2,c3,d4,e5,f6"`}},
		{name: "odd tag", as: karim, method: "POST", path: "/discussions/nouvelle",
			form: topicForm("Un titre correct", "Mon texte", "demarches-en-ligne", "caf, <b>rsa</b>", "question"), wantStatus: 422,
			wantContains: []string{"Les étiquettes ne peuvent contenir que"}},
		{name: "markdown with a script is kept as typed", as: karim, method: "POST", path: "/discussions/nouvelle",
			form: topicForm("", "<script>alert(1)</script> mon texte", "demarches-en-ligne", "", "question"), wantStatus: 422,
			wantContains: []string{"&lt;script&gt;alert(1)&lt;/script&gt; mon texte"}, wantNotContains: []string{"<script>alert(1)"}},
		{name: "valid", as: karim, method: "POST", path: "/discussions/nouvelle",
			form: topicForm("Aider une personne sans adresse e-mail à faire sa demande de RSA", "Bonjour, comment faites-vous ?\n\n<script>alert(1)</script>",
				"demarches-en-ligne", "RSA, caf", "question"),
			wantStatus: 303, wantLocation: "/discussions/1/aider-une-personne-sans-adresse-e-mail-a-faire-sa-demande-de-rsa"},
		{name: "topic page", path: "/discussions/1/aider-une-personne-sans-adresse-e-mail-a-faire-sa-demande-de-rsa", wantStatus: 200,
			wantContains:    []string{"<h1>Aider une personne sans adresse e-mail", "Bonjour, comment faites-vous ?", `href="/etiquettes/caf"`, `href="/etiquettes/rsa"`, "Démarches en ligne"},
			wantNotContains: []string{"<script>alert(1)"}},
		{name: "old slug redirects", path: "/discussions/1/ancien-titre?page=1", wantStatus: 301,
			wantLocation: "/discussions/1/aider-une-personne-sans-adresse-e-mail-a-faire-sa-demande-de-rsa?page=1"},
		{name: "bare id redirects", path: "/discussions/1", wantStatus: 301,
			wantLocation: "/discussions/1/aider-une-personne-sans-adresse-e-mail-a-faire-sa-demande-de-rsa"},
		{name: "unknown topic", path: "/discussions/99/x", wantStatus: 404},
	})
}

func TestUnverifiedMemberCannotPostButKeepsText(t *testing.T) {
	ts := newTestSite(t)
	cl := ts.client()
	cl.postForm("/inscription", registration("Lucie", "lucie@exemple.fr", "des mots pour entrer"))
	r := cl.postForm("/discussions/nouvelle", topicForm("Ma toute première question", "Un long texte que je ne veux pas perdre", "demarches-en-ligne", "", "question"))
	if r.status != 422 || !strings.Contains(r.body, "Confirmez d’abord votre adresse") || !strings.Contains(r.body, "Un long texte que je ne veux pas perdre") {
		t.Fatalf("unverified post: %d\n%s", r.status, r.body)
	}
}

func TestListsFiltersAndPagination(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	for i := 1; i <= 31; i++ {
		ts.mustCreateTopic(karim, fmt.Sprintf("Question numéro %02d sur la CAF", i), "Texte", func(n *content.NewTopic) {
			if i%2 == 0 {
				n.Category, n.Tags, n.Kind = "outils-et-materiel", "smartphone", content.KindDiscussion
			}
		})
	}
	answered := ts.mustCreateTopic(lucie, "Question résolue sur France Travail", "Texte")
	reply := ts.mustReply(karim, answered, "Voici la réponse", 0)
	if _, err := ts.srv.store.AcceptAnswer(context.Background(), lucie, answered.ID, reply.Number); err != nil {
		t.Fatal(err)
	}
	asLucie := ts.loggedIn(lucie)

	runScenarios(t, ts, []scenario{
		{name: "first page, latest activity first", path: "/discussions", wantStatus: 200,
			wantContains:    []string{"32 discussions", "Question résolue sur France Travail", `rel="next" href="/discussions?page=2&amp;apres=`, "Page 1 sur 2", "Résolue"},
			wantNotContains: []string{"Question numéro 02 sur", `rel="prev"`}},
		{name: "second page", path: "/discussions?page=2", wantStatus: 200,
			wantContains: []string{"Question numéro 02 sur", "Question numéro 01 sur", `rel="prev" href="/discussions"`}, wantNotContains: []string{`rel="next"`}},
		{name: "page zero is the first", path: "/discussions?page=0", wantStatus: 200, wantContains: []string{"Page 1 sur 2"}},
		{name: "page past the end", path: "/discussions?page=3", wantStatus: 404},
		{name: "huge page number", path: "/discussions?page=1000000000", wantStatus: 404},
		{name: "category", path: "/categories/outils-et-materiel", wantStatus: 200,
			wantContains: []string{"15 discussions", "Question numéro 30"}, wantNotContains: []string{"Question numéro 31", "Page 1 sur"}},
		{name: "tag", path: "/etiquettes/smartphone", wantStatus: 200, wantContains: []string{"15 discussions"}},
		{name: "unknown tag", path: "/etiquettes/inconnue", wantStatus: 404},
		{name: "unknown category", path: "/categories/inconnue", wantStatus: 404},
		{name: "unanswered questions", path: "/discussions?filtre=sans-reponse", wantStatus: 200,
			wantContains: []string{"16 discussions", "Question numéro 31"}, wantNotContains: []string{"France Travail", "Question numéro 30"}},
		{name: "resolved", path: "/discussions?filtre=resolues", wantStatus: 200,
			wantContains: []string{"1 discussion.", "France Travail"}},
		{name: "following needs an account", path: "/discussions?filtre=suivies", wantStatus: 303},
		{name: "following", as: asLucie, path: "/discussions?filtre=suivies", wantStatus: 200,
			wantContains: []string{"1 discussion.", "France Travail"}},
		{name: "category and filter together", path: "/categories/demarches-en-ligne?filtre=sans-reponse", wantStatus: 200,
			wantContains: []string{"16 discussions"}},
	})
}

func TestFollowCategoryAndTag(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.loggedIn(ts.mustCreateMember("Lucie", content.RoleMember))
	ts.mustCreateTopic(karim, "Réparer un smartphone", "Texte", func(n *content.NewTopic) { n.Category, n.Tags = "outils-et-materiel", "smartphone" })
	ts.mustCreateTopic(karim, "Une question sur les impôts", "Texte")
	if r := lucie.postForm("/etiquettes/smartphone/suivre", url.Values{"niveau": {"suivre"}}); r.status != 303 {
		t.Fatalf("follow tag: %d", r.status)
	}
	r := lucie.get("/discussions?filtre=suivies")
	if !strings.Contains(r.body, "Réparer un smartphone") || strings.Contains(r.body, "impôts") {
		t.Errorf("followed tag list:\n%s", r.body)
	}
	lucie.postForm("/categories/demarches-en-ligne/suivre", url.Values{"niveau": {"suivre"}})
	if r := lucie.get("/discussions?filtre=suivies"); !strings.Contains(r.body, "impôts") {
		t.Error("a followed category's topic is missing")
	}
	lucie.postForm("/etiquettes/smartphone/suivre", url.Values{"niveau": {"normal"}})
	if r := lucie.get("/discussions?filtre=suivies"); strings.Contains(r.body, "Réparer un smartphone") {
		t.Error("an unfollowed tag still shows")
	}
}

func TestRepliesPermalinksTreeAndQuote(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Créer une adresse e-mail pour une personne âgée", "Quelle messagerie conseillez-vous ?")
	other := ts.mustCreateTopic(karim, "Un autre sujet sans rapport", "Texte")
	asLucie := ts.loggedIn(lucie)

	r := asLucie.postForm("/discussions/"+itoa(int(topic.ID))+"/reponses", url.Values{"body": {"Je conseille une adresse simple. @karim, tu en penses quoi ?"}, "reply_to": {"1"}})
	if r.status != 303 || r.location != topic.Path()+"#post-2" {
		t.Fatalf("reply: %d %q", r.status, r.location)
	}
	page := asLucie.get(topic.Path())
	for _, want := range []string{`id="post-2"`, `<a href="/membres/Karim" class="mention">@Karim</a>`, "en réponse à <a href=\"" + topic.Path() + "?post=1\">@Karim</a>",
		"1 réponse à ce message", "Votre réponse est publiée"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("topic page lacks %q", want)
		}
	}

	// A reply to a post of another topic is refused, text kept.
	r = asLucie.postForm("/discussions/"+itoa(int(other.ID))+"/reponses", url.Values{"body": {"Mon texte précieux"}, "reply_to": {"7"}})
	if r.status != 422 || !strings.Contains(r.body, "n’existe pas dans cette discussion") || !strings.Contains(r.body, "Mon texte précieux") {
		t.Errorf("reply_to elsewhere: %d", r.status)
	}

	// Quote pre-fills the reply box with the author and a link.
	r = asLucie.get(topic.Path() + "?citer=1")
	if !strings.Contains(r.body, "&gt; **@Karim** [a écrit]("+topic.Path()+"?post=1#post-1) :\n&gt; Quelle messagerie conseillez-vous ?") ||
		!strings.Contains(r.body, `name="reply_to" value="1"`) {
		t.Errorf("quote not pre-filled:\n%s", r.body)
	}

	// Many replies: permalinks land on the right page.
	for i := 3; i <= 45; i++ {
		ts.mustReply(karim, topic, fmt.Sprintf("Réponse numéro %d", i), 2)
	}
	r = ts.client().get(topic.Path() + "?post=30")
	if r.status != 303 || r.location != topic.Path()+"?page=2#post-30" {
		t.Errorf("permalink to post 30: %d %q", r.status, r.location)
	}
	r = ts.client().get(topic.Path() + "?page=2")
	if !strings.Contains(r.body, `id="post-30"`) || strings.Contains(r.body, `id="post-20"`) || !strings.Contains(r.body, "Page 2 sur 3") {
		t.Error("page 2 does not hold posts 21 to 40")
	}
	r = ts.client().get(topic.Path() + "?post=1")
	if r.location != topic.Path()+"#post-1" {
		t.Errorf("permalink to post 1: %q", r.location)
	}

	// The tree view nests replies under the post they answer.
	r = ts.client().get(topic.Path() + "?vue=arbre")
	if !strings.Contains(r.body, `class="post depth-1" id="post-2"`) || !strings.Contains(r.body, `class="post depth-2" id="post-45"`) {
		t.Errorf("tree view:\n%s", r.body)
	}
	if !strings.Contains(ts.client().get(topic.Path()+"?page=1").body, "43 réponses à ce message") {
		t.Error("reply count of post 2 not shown")
	}
}

func TestEditHistoryDeleteAndHide(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	mod := ts.mustCreateMember("Modo", content.RoleModerator)
	topic := ts.mustCreateTopic(karim, "Ouvrir un compte Ameli", "Texte")
	post := ts.mustReply(lucie, topic, "Il faut la carte vitale et un RIB.", 0)
	ts.mustReply(karim, topic, "Merci, et sans RIB ?", 2)
	asLucie, asKarim, asMod := ts.loggedIn(lucie), ts.loggedIn(karim), ts.loggedIn(mod)
	edit := "/messages/" + itoa(int(post.ID)) + "/modifier"

	runScenarios(t, ts, []scenario{
		{name: "others cannot edit", as: asKarim, path: edit, wantStatus: 403},
		{name: "edit form", as: asLucie, path: edit, wantStatus: 200, wantContains: []string{"Il faut la carte vitale et un RIB."}},
		{name: "empty edit refused", as: asLucie, method: "POST", path: edit, form: url.Values{"body": {"  "}}, wantStatus: 422},
		{name: "edit", as: asLucie, method: "POST", path: edit, form: url.Values{"body": {"Il faut la carte Vitale et un relevé d’identité bancaire."}}, wantStatus: 303},
		{name: "edited mark", path: topic.Path(), wantStatus: 200, wantContains: []string{"modifié", "relevé d’identité bancaire"}},
		{name: "history and diff", path: topic.Path() + "/posts/2/versions", wantStatus: 200,
			wantContains: []string{"Version 2", "Version 1", "[suppression : </span>vitale", "[ajout : </span>Vitale", "[suppression : </span>RIB"}},
		{name: "delete by someone else", as: asKarim, method: "POST", path: "/messages/" + itoa(int(post.ID)) + "/supprimer", wantStatus: 403},
		{name: "delete own", as: asLucie, method: "POST", path: "/messages/" + itoa(int(post.ID)) + "/supprimer", wantStatus: 303},
		{name: "soft deleted, replies stay", path: topic.Path(), wantStatus: 200,
			wantContains: []string{"Message supprimé par son auteur.", "Merci, et sans RIB ?"}, wantNotContains: []string{"relevé d’identité bancaire"}},
		{name: "no history for a deleted post", path: topic.Path() + "/posts/2/versions", wantStatus: 403},
		{name: "member cannot hide", as: asLucie, method: "POST", path: "/messages/" + itoa(int(post.ID)+1) + "/masquer", form: url.Values{"masquer": {"1"}}, wantStatus: 403},
		{name: "moderator hides", as: asMod, method: "POST", path: "/messages/" + itoa(int(post.ID)+1) + "/masquer", form: url.Values{"masquer": {"1"}}, wantStatus: 303},
		{name: "visitors see the hidden mark", path: topic.Path(), wantStatus: 200,
			wantContains: []string{"Message masqué par la modération."}, wantNotContains: []string{"Merci, et sans RIB ?"}},
		{name: "the author still reads it", as: asKarim, path: topic.Path(), wantStatus: 200,
			wantContains: []string{"Merci, et sans RIB ?", "Ce message est masqué"}},
		{name: "hidden from the markdown export", path: topic.Path() + ".md", wantStatus: 200,
			wantContains: []string{"*Message masqué par la modération.*", "*Message supprimé par son auteur.*"}, wantNotContains: []string{"sans RIB"}},
		{name: "moderator restores", as: asMod, method: "POST", path: "/messages/" + itoa(int(post.ID)+1) + "/masquer", form: url.Values{"masquer": {"0"}}, wantStatus: 303},
		{name: "visible again", path: topic.Path(), wantStatus: 200, wantContains: []string{"Merci, et sans RIB ?"}},
	})
}

func TestMerciAndAcceptedAnswer(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	nadia := ts.mustCreateMember("Nadia", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Scanner un document avec un smartphone", "Quelle application ?")
	answer := ts.mustReply(lucie, topic, "L’appareil photo suffit, ou l’appli de la CAF.", 0)
	asKarim, asLucie, asNadia := ts.loggedIn(karim), ts.loggedIn(lucie), ts.loggedIn(nadia)
	merci := "/messages/" + itoa(int(answer.ID)) + "/merci"
	accept := "/messages/" + itoa(int(answer.ID)) + "/accepter"

	runScenarios(t, ts, []scenario{
		{name: "merci", as: asKarim, method: "POST", path: merci, wantStatus: 303},
		{name: "merci from another", as: asNadia, method: "POST", path: merci, wantStatus: 303},
		{name: "count shown", path: topic.Path(), wantStatus: 200, wantContains: []string{"2 mercis"}},
		{name: "toggle off", as: asNadia, method: "POST", path: merci, wantStatus: 303},
		{name: "count updated", path: topic.Path(), wantStatus: 200, wantContains: []string{"1 merci<"}},
		{name: "no merci to oneself", as: asLucie, method: "POST", path: merci, wantStatus: 303},
		{name: "told why", as: asLucie, path: topic.Path(), wantStatus: 200, wantContains: []string{"On ne peut pas se remercier soi-même."}},
		{name: "profile shows mercis received", path: "/membres/Lucie", wantStatus: 200, wantContains: []string{"1 merci reçu"}},
		{name: "only the asker accepts", as: asNadia, method: "POST", path: accept, wantStatus: 403},
		{name: "asker accepts", as: asKarim, method: "POST", path: accept, wantStatus: 303},
		{name: "shown under the question", path: topic.Path(), wantStatus: 200,
			wantContains: []string{"<h2 id=\"acceptee\">Réponse acceptée</h2>", "✔ Réponse acceptée", "<span class=\"badge ok\">Résolue</span>"}},
		{name: "list shows resolved", path: "/discussions", wantStatus: 200, wantContains: []string{"Résolue"}},
	})
	mod := ts.loggedIn(ts.mustCreateMember("Modo", content.RoleModerator))
	if r := mod.postForm(accept, nil); r.status != 303 {
		t.Errorf("moderator toggles the accepted answer: %d", r.status)
	}
	if got, _ := ts.srv.store.TopicByID(context.Background(), nil, topic.ID); got.Resolved() {
		t.Error("toggling did not remove the accepted answer")
	}
}

func TestFollowAndUnread(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	lucie := ts.mustCreateMember("Lucie", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Les ateliers collectifs pour seniors", "Vos retours ?")
	asKarim := ts.loggedIn(karim)
	ts.mustReply(lucie, topic, "Réponse une", 0)
	ts.mustReply(lucie, topic, "Réponse deux", 0)

	if r := asKarim.get("/discussions"); !strings.Contains(r.body, "2 nouveaux") {
		t.Fatalf("unread count missing:\n%s", r.body)
	}
	r := asKarim.get(topic.Path())
	if !strings.Contains(r.body, `href="#post-2">Aller au premier message non lu`) {
		t.Error("the topic does not open at the first unread post")
	}
	if r := asKarim.get("/discussions"); strings.Contains(r.body, "nouveau") {
		t.Error("unread count not cleared after reading")
	}
	ts.mustReply(lucie, topic, "Réponse trois", 0)
	if r := asKarim.get("/discussions"); !strings.Contains(r.body, "1 nouveau") {
		t.Error("new reply not counted")
	}
	asKarim.postForm("/discussions/tout-lu", url.Values{"retour": {"/discussions"}})
	if r := asKarim.get("/discussions"); strings.Contains(r.body, "nouveau") {
		t.Error("mark all read did not clear")
	}
	// Stop following: no more counts, even after new replies.
	asKarim.postForm("/discussions/"+itoa(int(topic.ID))+"/suivre", url.Values{"niveau": {"normal"}})
	ts.mustReply(lucie, topic, "Réponse quatre", 0)
	if r := asKarim.get("/discussions"); strings.Contains(r.body, "nouveau") {
		t.Error("unfollowed topic still counted")
	}
	// Replying does not follow again a topic one chose to stop following.
	ts.mustReply(karim, topic, "Je réponds quand même", 0)
	if l, _ := ts.srv.store.WatchLevelOf(context.Background(), karim, content.FollowTopic, topic.ID); l == content.Watching {
		t.Error("replying overrode the explicit unfollow")
	}
}

func TestLockedPinnedMovedMerged(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	asKarim := ts.loggedIn(karim)
	asMod := ts.loggedIn(ts.mustCreateMember("Modo", content.RoleModerator))
	topic := ts.mustCreateTopic(karim, "Le pass numérique est-il encore utilisé", "Texte")
	dup := ts.mustCreateTopic(karim, "Pass numérique encore valable", "Doublon")
	ts.mustReply(karim, dup, "Une réponse du doublon", 0)
	mod := "/discussions/" + itoa(int(topic.ID)) + "/moderation"

	runScenarios(t, ts, []scenario{
		{name: "member cannot moderate", as: asKarim, method: "POST", path: mod, form: url.Values{"action": {"fermer"}}, wantStatus: 403},
		{name: "lock", as: asMod, method: "POST", path: mod, form: url.Values{"action": {"fermer"}}, wantStatus: 303},
		{name: "locked topic refuses replies, text kept", as: asKarim, method: "POST", path: "/discussions/" + itoa(int(topic.ID)) + "/reponses",
			form: url.Values{"body": {"Ma réponse tardive"}}, wantStatus: 422,
			wantContains: []string{"Cette discussion est fermée", "Ma réponse tardive"}},
		{name: "pin", as: asMod, method: "POST", path: mod, form: url.Values{"action": {"epingler"}}, wantStatus: 303},
		{name: "pinned first", path: "/discussions", wantStatus: 200, wantContains: []string{"Épinglée"}},
		{name: "move", as: asMod, method: "POST", path: mod, form: url.Values{"action": {"deplacer"}, "category": {"territoires-et-reseaux"}}, wantStatus: 303},
		{name: "moved", path: "/categories/territoires-et-reseaux", wantStatus: 200, wantContains: []string{"Le pass numérique"}},
		{name: "merge", as: asMod, method: "POST", path: "/discussions/" + itoa(int(dup.ID)) + "/moderation",
			form: url.Values{"action": {"fusionner"}, "into": {itoa(int(topic.ID))}}, wantStatus: 303},
		{name: "merged topic redirects", path: dup.Path(), wantStatus: 301, wantLocation: "/discussions/" + itoa(int(topic.ID))},
		{name: "posts moved after the target's", path: topic.Path(), wantStatus: 200,
			wantContains: []string{`id="post-2"`, "Doublon", `id="post-3"`, "Une réponse du doublon"}},
	})
	var actions []string
	ts.srv.db.R.Select(&actions, `SELECT action FROM audit_log WHERE target_type = 'topic' ORDER BY id`)
	if strings.Join(actions, ",") != "lock,pin,move,merge" {
		t.Errorf("moderation log: %v", actions)
	}
}

func TestDraftsAreKeptAndResumed(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	asKarim := ts.loggedIn(karim)
	form := topicForm("Un brouillon de question", "Texte commencé dans le bus", "outils-et-materiel", "wifi", "discussion")
	form.Set("action", "brouillon")
	if r := asKarim.postForm("/discussions/nouvelle", form); r.status != 303 {
		t.Fatalf("save draft: %d", r.status)
	}
	// Resumed on another device: a second session of the same member.
	other := ts.loggedIn(karim)
	if r := other.get("/brouillons"); !strings.Contains(r.body, "Un brouillon de question") {
		t.Error("draft not listed")
	}
	r := other.get("/discussions/nouvelle")
	for _, want := range []string{`value="Un brouillon de question"`, "Texte commencé dans le bus", `value="wifi"`, `<option value="outils-et-materiel" selected>`, `value="discussion" checked`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("resumed form lacks %q", want)
		}
	}
	form.Set("action", "publier")
	if r := other.postForm("/discussions/nouvelle", form); r.status != 303 {
		t.Fatal(r.status)
	}
	if r := other.get("/brouillons"); strings.Contains(r.body, "Un brouillon de question") {
		t.Error("publishing did not delete the draft")
	}

	// Reply drafts, also saved by the page's script (204).
	topic := ts.mustCreateTopic(karim, "Un sujet pour répondre", "Texte")
	asKarim.headers["X-CSRF-Token"] = asKarim.csrf
	r = asKarim.do("POST", "/brouillons", strings.NewReader(url.Values{"place": {content.DraftReply(topic.ID).String()}, "body": {"Réponse en cours"}}.Encode()), "application/x-www-form-urlencoded")
	if r.status != 204 {
		t.Fatalf("autosave: %d %s", r.status, r.body)
	}
	if r := other.get(topic.Path()); !strings.Contains(r.body, "Réponse en cours</textarea>") {
		t.Error("the reply draft is not in the reply box")
	}
	if r := other.get("/brouillons"); !strings.Contains(r.body, "Réponse à « Un sujet pour répondre »") {
		t.Error("reply draft not listed")
	}
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	Entries []struct {
		Title string `xml:"title"`
		Link  struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

func TestAtomFeedsAndMarkdownExport(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Prendre rendez-vous à la préfecture", "Comment faire **sans** ordinateur ?", func(n *content.NewTopic) { n.Tags = "ants" })
	ts.mustReply(ts.mustCreateMember("Lucie", content.RoleMember), topic, "Avec un *smartphone* & de la patience.", 1)

	for _, path := range []string{"/discussions.atom", "/categories/demarches-en-ligne.atom", "/etiquettes/ants.atom", topic.Path() + ".atom"} {
		r := ts.client().get(path)
		var feed atomFeed
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/atom+xml") {
			t.Errorf("%s: %d %s", path, r.status, r.header.Get("Content-Type"))
			continue
		}
		if err := xml.Unmarshal([]byte(r.body), &feed); err != nil || len(feed.Entries) == 0 {
			t.Errorf("%s does not parse as Atom: %v\n%s", path, err, r.body)
			continue
		}
		if !strings.Contains(feed.Entries[0].Link.Href, "http://ligue.test/discussions/") {
			t.Errorf("%s: entry link %q", path, feed.Entries[0].Link.Href)
		}
	}
	var feed atomFeed
	xml.Unmarshal([]byte(ts.client().get(topic.Path()+".atom").body), &feed)
	if len(feed.Entries) != 2 || !strings.Contains(feed.Entries[1].Content, "<em>smartphone</em> &amp; de la patience") {
		t.Errorf("topic feed entries: %+v", feed.Entries)
	}

	r := ts.client().get(topic.Path() + ".md")
	for _, want := range []string{"# Prendre rendez-vous à la préfecture", "## 1. Karim, le", "Comment faire **sans** ordinateur ?",
		"## 2. Lucie", "En réponse à @Karim (message 1)", "Étiquettes : ants"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("markdown export lacks %q\n%s", want, r.body)
		}
	}
}

func TestSimilarTopicsAndLiveEvents(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	ts.mustCreateTopic(karim, "Créer une adresse e-mail sans téléphone", "Texte")
	ts.mustCreateTopic(karim, "Imprimer une attestation CAF", "Texte")
	ts.syncIndex()
	asKarim := ts.loggedIn(karim)
	form := topicForm("Adresse e-mail pour une personne sans téléphone", "", "", "", "question")
	form.Set("action", "verifier")
	r := asKarim.postForm("/discussions/nouvelle", form)
	if r.status != 200 || !strings.Contains(r.body, "Créer une adresse e-mail sans téléphone") || strings.Contains(r.body, "attestation CAF") ||
		!strings.Contains(r.body, `value="Adresse e-mail pour une personne sans téléphone"`) {
		t.Errorf("no-JS similar check: %d\n%s", r.status, r.body)
	}
	r = ts.client().get("/discussions/similaires?titre=" + url.QueryEscape("adresse e-mail téléphone"))
	if !strings.Contains(r.body, `"title":"Créer une adresse e-mail sans téléphone"`) {
		t.Errorf("similar JSON: %s", r.body)
	}
}

var postIDs = regexp.MustCompile(`id="post-(\d+)"`)

func postNumbers(body string) []int {
	var ns []int
	for _, m := range postIDs.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(m[1])
		ns = append(ns, n)
	}
	return ns
}
