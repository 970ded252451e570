package server

import (
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// charterPendingPage shows a member the charter page a write answers when
// the charter changed since they accepted it: the crawl only sends forms
// blank, and its members accepted the charter in force.
const charterPendingPage = "/audit/charte"

func auditCharterPending(c *fiber.Ctx, ts *testSite, replyPath string) error {
	if currentUser(c) == nil {
		return content.ErrNotFound
	}
	return ts.srv.askCharter(c, fiber.StatusOK, replyPath, []resubmitField{
		{Name: "body", Label: "Message", Value: "Ma réponse, gardée pendant que je lis la charte.", Long: true}})
}

// seedAuditTrust adds what the trust pages show: a new member whose topic
// and reply wait for review (the moderators' queue, the vouch button on
// her page), and two link-heavy replies of Karim's held once nobody
// vouches for him any more, one of them refused (his own list, with the
// reason, and its notification). It returns the pages to start from.
func seedAuditTrust(t *testing.T, ts *testSite, karim, lucie *content.User, topic *content.Topic) []string {
	t.Helper()
	ctx, st := ts.ctx(), ts.srv.store
	nouvelle := ts.mustCreateNewcomer("Ninon")
	held := func(err error) *content.HeldPost {
		t.Helper()
		h, ok := content.AsHeld(err)
		if !ok {
			t.Fatalf("not held: %v", err)
		}
		return h
	}
	_, err := st.CreateTopic(ctx, nouvelle, content.NewTopic{Title: "Première question : les ateliers du samedi",
		Body: "Bonjour à toutes et à tous ! Comment organisez-vous les **ateliers du samedi** ?", Category: "demarches-en-ligne", Tags: "ateliers"})
	held(err)
	_, err = st.Reply(ctx, nouvelle, topic.ID, content.NewReply{Body: "Nous créons l’adresse avec la personne, puis nous la notons dans son carnet.", ReplyTo: 1})
	held(err)
	if _, err := ts.srv.DB().W.Exec(`DELETE FROM vouches WHERE member_id = ?`, karim.ID); err != nil {
		t.Fatal(err)
	}
	links := "Quelques liens utiles :\n\n- https://www.caf.fr\n- https://www.ameli.fr\n- https://www.impots.gouv.fr\n- https://www.service-public.fr\n"
	_, err = st.Reply(ctx, karim, topic.ID, content.NewReply{Body: links})
	held(err)
	_, err = st.Reply(ctx, karim, topic.ID, content.NewReply{Body: links + "- https://www.francetravail.fr\n"})
	refused := held(err)
	if err := st.RefuseHeld(ctx, lucie, refused.ID, "Ces liens sont déjà dans la fiche « Les sites des démarches »."); err != nil {
		t.Fatal(err)
	}
	ts.forgetLimits()
	return []string{"/moderation/attente", content.MyHeldPath, "/membres/Ninon", "/charte", charterPendingPage}
}
