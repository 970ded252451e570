package server

import (
	"fmt"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// seedAuditModeration fills the moderation pages for the audit: a post
// held for a beneficiary's phone number, one flagged once with a comment,
// a moderator's post with a decision waiting for a second moderator, a
// post edited from the queue (its history says why, its flagger Karim is
// told), a warning, flags on a fiche revision and an amendment, and a
// notice of illegal content. It returns the pages to start from.
func seedAuditModeration(t *testing.T, ts *testSite, admin, lucie, karim, maelle *content.User) []string {
	t.Helper()
	ctx, s := ts.ctx(), ts.srv.store
	nadia := ts.mustCreateMember("Nadia", content.RoleMember)
	topic := ts.mustCreateTopic(maelle, "Permanence du jeudi à la médiathèque", "Qui peut tenir la permanence de jeudi prochain ?")
	phone := ts.mustReply(maelle, topic, "Rappelez M. Le Bihan au 06 12 34 56 78, il attend sa carte Vitale.", 0)
	vif := ts.mustReply(nadia, topic, "Encore ce sujet ? On en a déjà parlé dix fois, franchement.", 0)
	modPost := ts.mustReply(lucie, topic, "Je ferme ce sujet demain s’il n’avance pas.", 0)
	edited := ts.mustReply(nadia, topic, "Ceux qui ne viennent jamais pourraient au moins se taire.", 0)
	unflagged := ts.mustReply(nadia, topic, "Je peux venir jeudi de 14 h à 17 h.", 0)
	flag := func(u *content.User, typ string, id int64, r content.FlagReason, comment string) {
		t.Helper()
		if _, err := s.FlagContent(ctx, u, content.FlagInput{Type: typ, ID: id, Reason: r, Comment: comment}); err != nil {
			t.Fatalf("flag %s %d: %v", typ, id, err)
		}
	}
	flag(karim, content.FlagTargetPost, phone.ID, content.FlagPersonalData, "Le téléphone d’un bénéficiaire.")
	flag(karim, content.FlagTargetPost, vif.ID, content.FlagDisrespectful, "Un peu sec.")
	flag(karim, content.FlagTargetPost, modPost.ID, content.FlagOffTopic, "")
	flag(karim, content.FlagTargetPost, edited.ID, content.FlagDisrespectful, "")
	decide := func(mod *content.User, in content.DecisionInput) {
		t.Helper()
		if _, err := s.Decide(ctx, mod, in); err != nil {
			t.Fatalf("decide %+v: %v", in, err)
		}
	}
	decide(admin, content.DecisionInput{TargetType: content.FlagTargetPost, TargetID: modPost.ID, Action: content.ActionHide,
		Reason: "Un ton trop sec pour un message de modération."})
	decide(lucie, content.DecisionInput{TargetType: content.FlagTargetPost, TargetID: edited.ID, Action: content.ActionEdit,
		Reason: "Propos blessants retirés.", Body: "Merci à celles et ceux qui viennent."})
	decide(lucie, content.DecisionInput{TargetType: content.EntityUser, TargetID: nadia.ID, Action: content.ActionWarn,
		Reason: "Restez courtoise avec les autres membres, s’il vous plaît."})

	var rev struct {
		ID       int64 `db:"id"`
		AuthorID int64 `db:"author_id"`
	}
	if err := ts.srv.db.R.Get(&rev, `SELECT r.id, r.author_id FROM fiche_revisions r JOIN fiches f ON f.id = r.fiche_id
		WHERE f.published_at IS NOT NULL AND r.number < f.revision ORDER BY r.id LIMIT 1`); err != nil {
		t.Fatalf("a fiche revision to flag: %v", err)
	}
	flagger := karim
	if rev.AuthorID == karim.ID {
		flagger = maelle
	}
	flag(flagger, content.FlagTargetRevision, rev.ID, content.FlagSpam, "Un lien publicitaire ajouté.")
	var am struct {
		ID       int64 `db:"id"`
		AuthorID int64 `db:"author_id"`
	}
	if err := ts.srv.db.R.Get(&am, `SELECT id, author_id FROM amendments ORDER BY id LIMIT 1`); err != nil {
		t.Fatalf("an amendment to flag: %v", err)
	}
	flagger = karim
	if am.AuthorID == karim.ID {
		flagger = maelle
	}
	flag(flagger, content.FlagTargetAmendment, am.ID, content.FlagOffTopic, "Sans rapport avec la proposition.")

	if _, err := s.SubmitIllegalNotice(ctx, content.IllegalNoticeInput{Name: "Jeanne Martin", Email: "jeanne@exemple.fr",
		URL: ts.srv.cfg.BaseURL + topic.Path(), Explanation: "Ce message donne le numéro de téléphone d’une personne sans son accord.",
		GoodFaith: true}, ts.srv.cfg.BaseURL, ts.srv.noticeMail); err != nil {
		t.Fatal(err)
	}
	var decision int64
	if err := ts.srv.db.R.Get(&decision, `SELECT id FROM moderation_decisions WHERE action = 'edit'`); err != nil {
		t.Fatal(err)
	}
	return []string{
		topic.Path(),
		topic.Path() + "/posts/" + fmt.Sprint(edited.Number) + "/versions",
		"/signaler/post/" + fmt.Sprint(unflagged.ID),
		"/signaler/revision/" + fmt.Sprint(rev.ID),
		"/signaler/amendement/" + fmt.Sprint(am.ID),
		"/moderation",
		"/moderation/journal",
		"/moderation/journal?action=moderation_&moderateur=Lucie&type=post",
		"/decisions/" + fmt.Sprint(decision),
		illegalNoticePath,
		illegalNoticePath + "?envoye=1",
	}
}
