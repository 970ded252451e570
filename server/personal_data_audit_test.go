package server

import (
	"net/url"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// seedAuditPersonalData adds the pages of personal data to the audit: two
// erased members (one anonymised, whose reply in question shows « Ancien
// membre »; one deleted, whose private message to member is a tombstone),
// member's ready export, and the pages to reach.
func seedAuditPersonalData(t *testing.T, ts *testSite, member *content.User, question *content.Topic) []string {
	t.Helper()
	ctx := ts.ctx()
	kept := ts.mustCreateMember("Partante", content.RoleMember)
	ts.mustReply(kept, question, "Je pars, mais je laisse ce conseil : la CAF reçoit sans rendez-vous le jeudi matin.", 0)
	gone := ts.mustCreateMember("Effacee", content.RoleMember)
	ts.mustConverse(gone, member.Pseudo, "Avant de partir", "Je supprime mon compte, merci pour tout.")
	for u, mode := range map[*content.User]content.EraseMode{kept: content.EraseAnonymize, gone: content.EraseDelete} {
		e, err := ts.srv.store.EraseAccount(ctx, u.ID, mode, "erase_account")
		if err != nil {
			t.Fatal(err)
		}
		ts.srv.removeErased(e)
	}
	if _, err := ts.srv.store.RequestExport(ctx, member); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.RunExports(ctx); err != nil {
		t.Fatal(err)
	}
	return []string{"/compte/donnees", "/compte/supprimer", "/confidentialite", "/membres/" + url.PathEscape(content.FormerMemberPseudo)}
}
