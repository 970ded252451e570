package content

import (
	"errors"
	"strings"
	"time"
)

// Permissions are decided here and only here: pages ask for the actions a
// viewer has (PostActions, TopicActions), the API and the stores call the
// same Can… functions, the stores inside the write transaction on the row
// they are about to change. A decision whose reason matters to the member
// returns an error (nil means yes): ErrForbidden, ErrUnverified, or a
// *ValidationError with a French message.

// ErrUnverified refuses writing to members who have not confirmed their address.
var ErrUnverified = errors.New("account not verified")

// CanWrite tells whether u may write at all: a verified, active member.
func CanWrite(u *User) error {
	switch {
	case u == nil:
		return ErrForbidden
	case u.Suspended():
		return ErrSuspended
	case !u.Verified():
		return ErrUnverified
	}
	return nil
}

// CanModerate tells whether u moderates discussions.
func CanModerate(u *User) bool { return u.IsModerator() && !u.Suspended() }

// CanReadPost tells whether u may read the text of p: a post withdrawn by
// its author is read only by moderators; a hidden one by moderators and its
// author; any other by everybody.
func CanReadPost(u *User, p *Post) bool {
	switch {
	case p.DeletedAt != nil:
		return CanModerate(u)
	case p.HiddenAt != nil:
		return CanModerate(u) || (u != nil && u.ID == p.AuthorID)
	}
	return true
}

// CanReadTopic tells whether u reads discussion t where discussions are
// listed, searched and shown: everyone reads most; members only those kept
// to members; nobody those read only through their page (that page says
// who reads them). readersSQL is the same rule for the queries.
func CanReadTopic(u *User, t *Topic) bool {
	switch t.Readers {
	case ReadByEveryone, "":
		return true
	case ReadByMembers:
		return u != nil && !u.Suspended()
	}
	return false
}

// CanReply tells whether u may answer in t: a writer who reads it, in a
// topic that is neither closed nor merged away.
func CanReply(u *User, t *Topic) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	if !CanReadTopic(u, t) {
		return ErrNotFound
	}
	if t.MergedInto != nil {
		return Invalid("body", "Cette discussion a été fusionnée avec une autre : répondez plutôt dans celle-ci.")
	}
	if t.Locked {
		return Invalid("body", "Cette discussion est fermée : on ne peut plus y répondre. Votre texte est conservé ci-dessous.")
	}
	return nil
}

// CanReplyTo tells whether u may answer post p of t: as CanReply, and the
// post must still be there for u to read (not withdrawn, not hidden from u).
func CanReplyTo(u *User, t *Topic, p *Post) error {
	if err := CanReply(u, t); err != nil {
		return err
	}
	if p.TopicID != t.ID || p.DeletedAt != nil || !CanReadPost(u, p) {
		return Invalid("reply_to", "Le message auquel vous répondez n’est plus visible : répondez plutôt à toute la discussion.")
	}
	return nil
}

// CanEditPost tells whether u may change the text of p: nobody once its
// author withdrew it; otherwise a moderator, or its author while it is not
// hidden.
func CanEditPost(u *User, p *Post) bool {
	if CanWrite(u) != nil || p.DeletedAt != nil {
		return false
	}
	return CanModerate(u) || (p.AuthorID == u.ID && p.HiddenAt == nil)
}

// CanEditTopic tells whether u may change the title, category and tags of
// t (first is its opening post): a moderator, or its author while they may
// edit the opening post; never once merged away.
func CanEditTopic(u *User, t *Topic, first *Post) bool {
	if t.MergedInto != nil || !CanEditPost(u, first) {
		return false
	}
	return CanModerate(u) || u.ID == t.AuthorID
}

// CanDeletePost tells whether u may withdraw p: its author, once.
func CanDeletePost(u *User, p *Post) bool {
	return u != nil && !u.Suspended() && p.AuthorID == u.ID && p.DeletedAt == nil
}

// UndoWithin is how long an author may take back the withdrawal of a post.
const UndoWithin = 24 * time.Hour

// CanRestorePost tells whether u may take back, at now, the withdrawal of
// p: its author, within UndoWithin.
func CanRestorePost(u *User, p *Post, now time.Time) bool {
	return u != nil && !u.Suspended() && p.AuthorID == u.ID && p.DeletedAt != nil && now.Sub(*p.DeletedAt) < UndoWithin
}

// CanHidePost tells whether u may hide or restore p: a moderator, while its
// author has not withdrawn it.
func CanHidePost(u *User, p *Post) bool { return CanModerate(u) && p.DeletedAt == nil }

// CanAcceptPost tells whether u may mark p as the accepted answer of t (or
// remove the mark): the asker or a moderator, on a question, for a reply
// that is visible.
func CanAcceptPost(u *User, t *Topic, p *Post) error {
	if CanWrite(u) != nil || t.Kind != KindQuestion || t.MergedInto != nil || (u.ID != t.AuthorID && !CanModerate(u)) {
		return ErrForbidden
	}
	if p.TopicID != t.ID || p.Number == 1 || p.DeletedAt != nil || p.HiddenAt != nil {
		return Invalid("post", "Ce message ne peut pas être la réponse acceptée.")
	}
	return nil
}

// CanThankPost tells whether u may give a "Merci" to p: a writer, to
// somebody else's visible post. Taking one's own merci back is always
// allowed to a writer.
func CanThankPost(u *User, p *Post) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	if p.AuthorID == u.ID {
		return Invalid("merci", "On ne peut pas se remercier soi-même.")
	}
	if p.DeletedAt != nil || p.HiddenAt != nil {
		return ErrNotFound
	}
	return nil
}

// CanBookmark tells whether u may save post p for later: a member who may
// read it.
func CanBookmark(u *User, p *Post) bool { return u != nil && !u.Suspended() && CanReadPost(u, p) }

// PostActions is what a viewer may do with one post, for the page.
type PostActions struct {
	Read   bool // its text is shown
	Reply  bool // "Citer" and "Répondre"
	Edit   bool
	Delete bool
	Hide   bool // hide, or restore when hidden
	Accept bool // mark as accepted answer, or remove the mark
	Thank  bool // give a "Merci", or take it back
	Save   bool // add to the viewer's bookmarks, or take it off
	Flag   bool // « Signaler »
}

// PostActionsFor lists what u may do with post p of topic t.
func PostActionsFor(u *User, t *Topic, p *Post) PostActions {
	a := PostActions{Read: CanReadPost(u, p), Edit: CanEditPost(u, p), Delete: CanDeletePost(u, p), Hide: CanHidePost(u, p),
		Accept: CanAcceptPost(u, t, p) == nil, Thank: CanThankPost(u, p) == nil, Save: CanBookmark(u, p),
		Flag: p.DeletedAt == nil && CanReadPost(u, p) && CanFlag(u, p.AuthorID) == nil}
	a.Reply = CanReplyTo(u, t, p) == nil
	return a
}

// TopicActions is what a viewer may do with a topic, for the page.
type TopicActions struct {
	Reply     bool // may publish an answer now
	Moderate  bool // pin, close, move, merge
	Follow    bool
	MakeFiche bool // "Créer une fiche à partir de cette discussion"
}

// TopicActionsFor lists what u may do with topic t.
func TopicActionsFor(u *User, t *Topic) TopicActions {
	return TopicActions{Reply: CanReply(u, t) == nil, Moderate: CanModerate(u), Follow: u != nil && t.MergedInto == nil,
		MakeFiche: CanMakeFicheFrom(u, t)}
}

// CanMakeFicheFrom tells whether u may start a fiche from discussion t: a
// writer, from a solved question (its question and accepted answer).
func CanMakeFicheFrom(u *User, t *Topic) bool {
	return CanWrite(u) == nil && t.Resolved() && t.MergedInto == nil
}

// CanAdminister tells whether u manages accounts (roles, suspensions) and
// reads the administration pages.
func CanAdminister(u *User) bool { return u.IsAdmin() && !u.Suspended() }

// CanSuspend tells whether u may suspend or reinstate member m: an
// administrator, for anybody but themselves.
func CanSuspend(u, m *User) bool { return CanAdminister(u) && u.ID != m.ID }

// CanDeleteAccount tells whether u may delete their own account, given how
// many other administrators can still act: the last one may not, or the
// site would have nobody to run it.
func CanDeleteAccount(u *User, otherAdmins int) error {
	if u == nil {
		return ErrForbidden
	}
	if CanAdminister(u) && otherAdmins == 0 {
		return Invalid("mode", "Vous êtes le dernier administrateur ou la dernière administratrice du site : "+
			"nommez quelqu’un d’autre depuis l’administration avant de supprimer votre compte.")
	}
	return nil
}

// CanSeeMember tells whether u may open the profile of member m: a
// suspended member's profile is shown only to moderators.
func CanSeeMember(u, m *User) bool { return !m.Suspended() || CanModerate(u) }

// TwoFactorRequired tells whether u's role demands two-factor
// authentication: moderators and administrators cannot do without it.
func TwoFactorRequired(u *User) bool { return u.IsModerator() }

// CanDisableTwoFactor tells whether u may turn their second factor off:
// members may, roles that require it may not.
func CanDisableTwoFactor(u *User) error {
	if TwoFactorRequired(u) {
		return Invalid("code", "Votre rôle demande la double authentification : elle ne peut pas être désactivée.")
	}
	return nil
}

// CanResetTwoFactor tells whether u may turn off owner's second factor
// without its code (phone and recovery codes lost): an administrator, for
// another account.
func CanResetTwoFactor(u, owner *User) bool { return CanAdminister(u) && u.ID != owner.ID }

// CanManageSessions tells whether u may see and end the sessions of owner:
// their own, or any account's for an administrator.
func CanManageSessions(u, owner *User) bool {
	return u != nil && owner != nil && (u.ID == owner.ID || CanAdminister(u))
}

// Fiche permissions. A brouillon is read and written by its authors only
// (not even moderators: it is a private draft); a published fiche is read
// by everybody and written by every verified member, or by its authors and
// the moderators once protected. A deleted or merged fiche is read by
// nobody (its page says it is gone or redirects).

// CanReadFiche tells whether u may read f anywhere: page, API, search,
// feeds, exports, history.
func CanReadFiche(u *User, f *Fiche) bool {
	switch {
	case f.DeletedAt != nil || f.MergedInto != nil:
		return false
	case !f.Published():
		return f.IsAuthor(u) && !u.Suspended()
	}
	return true
}

// CanEditFiche tells whether u may save a new revision of f.
func CanEditFiche(u *User, f *Fiche) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	switch {
	case !CanReadFiche(u, f):
		return ErrNotFound
	case !f.Published() || f.Protected:
		if f.IsAuthor(u) || (f.Published() && CanModerate(u)) {
			return nil
		}
		return Invalid("body", "Cette fiche est protégée : seuls ses auteurs et les modérateurs la modifient. Proposez plutôt votre modification dans ses commentaires.")
	}
	return nil
}

// CanPublishFiche tells whether u may publish the brouillon f: one of its authors.
func CanPublishFiche(u *User, f *Fiche) bool {
	return CanWrite(u) == nil && !f.Published() && CanReadFiche(u, f) && f.IsAuthor(u)
}

// CanInviteCoauthor tells whether u may add a co-author to f: one of its
// authors, while it is a brouillon or protected.
func CanInviteCoauthor(u *User, f *Fiche) bool {
	return CanWrite(u) == nil && CanReadFiche(u, f) && f.IsAuthor(u) && (!f.Published() || f.Protected)
}

// CanModerateFiche tells whether u may protect, hide revisions of, merge
// or delete f: a moderator, on a published fiche.
func CanModerateFiche(u *User, f *Fiche) bool {
	return CanModerate(u) && f.Published() && CanReadFiche(u, f)
}

// CanSeeRevision tells whether u may read revision r of f: a hidden one
// only moderators.
func CanSeeRevision(u *User, f *Fiche, r *FicheRevision) bool {
	return CanReadFiche(u, f) && (r.HiddenAt == nil || CanModerate(u))
}

// CanRestoreRevision tells whether u may bring back revision r of f (as a
// new revision): an editor of f, for a revision that is not hidden.
func CanRestoreRevision(u *User, f *Fiche, r *FicheRevision) error {
	if err := CanEditFiche(u, f); err != nil {
		return err
	}
	if r.HiddenAt != nil {
		return Invalid("revision", "Cette révision a été masquée par la modération : elle ne peut pas être rétablie.")
	}
	if r.Number == f.Revision {
		return Invalid("revision", "C’est déjà la version actuelle de la fiche.")
	}
	return nil
}

// CanSaveFiche tells whether u may put f in their collections.
func CanSaveFiche(u *User, f *Fiche) bool { return u != nil && !u.Suspended() && CanReadFiche(u, f) }

// CanReportFiche tells whether u may report outdated information in f.
func CanReportFiche(u *User, f *Fiche) bool {
	return u != nil && !u.Suspended() && f.Published() && CanReadFiche(u, f)
}

// CanHandleReport tells whether u may mark reports on f handled: whoever
// may edit the published fiche.
func CanHandleReport(u *User, f *Fiche) bool { return f.Published() && CanEditFiche(u, f) == nil }

// CanCommentFiche tells whether u may comment on f: a member who may write,
// on a published fiche.
func CanCommentFiche(u *User, f *Fiche) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	switch {
	case !CanReadFiche(u, f):
		return ErrNotFound
	case !f.Published():
		return Invalid("body", "Un brouillon ne se commente pas : publiez d’abord la fiche.")
	}
	return nil
}

// FicheActions is what a viewer may do with a fiche, for the page.
type FicheActions struct {
	Edit     bool // save a revision
	Propose  bool // a protected fiche: propose a change in its comments
	Publish  bool
	Invite   bool
	Moderate bool
	Save     bool
	Report   bool
	Handle   bool // mark reports handled
	Comment  bool
	Follow   bool // choose how closely to follow it
}

// FicheActionsFor lists what u may do with f.
func FicheActionsFor(u *User, f *Fiche) FicheActions {
	edit := CanEditFiche(u, f)
	return FicheActions{Edit: edit == nil, Propose: f.Published() && f.Protected && edit != nil && CanWrite(u) == nil,
		Publish: CanPublishFiche(u, f), Invite: CanInviteCoauthor(u, f), Moderate: CanModerateFiche(u, f),
		Save: CanSaveFiche(u, f), Report: CanReportFiche(u, f), Handle: CanHandleReport(u, f), Comment: CanCommentFiche(u, f) == nil,
		Follow: u != nil && CanReadFiche(u, f)}
}

// Private messages are read only by the members still in their
// conversation: not by moderators, not by administrators, anywhere (pages,
// API, search, feeds, notifications). The one exception is a message a
// participant reported: while the report is open, moderators read that
// message alone.

// CanReadConversation tells whether u may read the conversation in which
// m is u's membership (nil: u was never in it): a member who has not left.
func CanReadConversation(u *User, m *ConversationMember) bool {
	return u != nil && !u.Suspended() && m != nil && m.UserID == u.ID && m.LeftAt == nil
}

// CanWriteInConversation tells whether u may add a message (or members) to
// the conversation of membership m: a writer still in it.
func CanWriteInConversation(u *User, m *ConversationMember) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	if m == nil || m.UserID != u.ID {
		return ErrNotFound
	}
	if m.LeftAt != nil {
		return ErrLeftConversation
	}
	return nil
}

// CanReadMessage tells whether u may read message msg of a conversation
// where u's membership is m: a participant, or a moderator while a report
// on that message is open.
func CanReadMessage(u *User, m *ConversationMember, msg *Message) bool {
	return CanReadConversation(u, m) || (CanModerate(u) && msg.OpenReports > 0)
}

// Textes de propositions.

// CanReadProposal tells whether u — or a visitor holding a share link that
// grants link — may read p: a brouillon by its owner, co-authors, readers
// and link holders only; an open text by everyone, or by members only when
// its owner chose so; a published or archived one by everyone.
func CanReadProposal(u *User, p *Proposal, link ShareAccess) bool {
	if u != nil && u.Suspended() {
		return false
	}
	switch p.State {
	case ProposalDraft:
		return p.RoleOf(u) != "" || link != ShareNone
	case ProposalOpen:
		return !p.MembersOnly || u != nil || p.RoleOf(u) != "" || link != ShareNone
	}
	return true
}

// ProposalCommentReaders is who reads p's comments: those who read p. Its
// discussion is read by everyone, or the members, like p; a brouillon's
// only on its page, by its owner, co-authors and readers.
func ProposalCommentReaders(p *Proposal) Readers {
	switch {
	case p.State == ProposalDraft:
		return ReadOnPage
	case CanReadProposal(nil, p, ShareNone):
		return ReadByEveryone
	}
	return ReadByMembers
}

// CanCommentProposal tells whether u may comment p: a writer who reads it,
// while it is open to contributions or published.
func CanCommentProposal(u *User, p *Proposal) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	switch {
	case !CanReadProposal(u, p, ShareNone):
		return ErrNotFound
	case p.State == ProposalDraft:
		return Invalid("body", "Ce texte est un brouillon : ses commentaires s’ouvrent quand il est ouvert aux contributions ou publié. "+
			"Écrivez plutôt à ses auteur·rices.")
	case p.State == ProposalArchived:
		return Invalid("body", "Ce texte est archivé : il ne reçoit plus de commentaires.")
	}
	return nil
}

// CanEditProposal tells whether u may change p's working text: its owner or
// a co-author, while it is not archived. A published text's working text
// prepares the next version; what was published stays frozen.
func CanEditProposal(u *User, p *Proposal) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	switch {
	case !CanReadProposal(u, p, ShareNone):
		return ErrNotFound
	case !p.Writes(u):
		return ErrForbidden
	case p.State == ProposalArchived:
		return Invalid("state", "Ce texte est archivé : il ne se modifie plus.")
	}
	return nil
}

// CanManageProposal tells whether u may change p's state, invite
// co-authors and manage its share links: its owner, or a moderator once
// the text is no longer a brouillon (a brouillon stays its authors' own).
func CanManageProposal(u *User, p *Proposal) bool {
	if CanWrite(u) != nil {
		return false
	}
	return p.RoleOf(u) == "owner" || (p.State != ProposalDraft && CanModerate(u))
}

// CanAmendProposal tells whether u may propose an amendment to p: a
// writer who reads it, while it is open to contributions and its owner
// has not closed amendments.
func CanAmendProposal(u *User, p *Proposal) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	switch {
	case !CanReadProposal(u, p, ShareNone):
		return ErrNotFound
	case p.State != ProposalOpen:
		return Invalid("state", "Ce texte n’est pas ouvert aux contributions : "+
			"ses amendements se proposent pendant la phase « Ouvert aux contributions », pas sur une version publiée.")
	case p.AmendmentsClosed:
		return Invalid("state", "Les amendements de ce texte sont clos : ceux déjà proposés restent visibles.")
	}
	return nil
}

// CanSupportAmendment tells whether u may support amendment a of p, or
// take their support back: a writer who reads the text, while a is open.
func CanSupportAmendment(u *User, p *Proposal, a *Amendment) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	switch {
	case !CanReadProposal(u, p, ShareNone):
		return ErrNotFound
	case a.State != AmendmentOpen:
		return Invalid("support", "Cet amendement est déjà tranché : il ne se soutient plus.")
	}
	return nil
}

// CanDecideAmendment tells whether u may accept amendment a of p, refuse
// it or mark it merged by hand: whoever may change the working text,
// while a is open.
func CanDecideAmendment(u *User, p *Proposal, a *Amendment) error {
	if err := CanEditProposal(u, p); err != nil {
		return err
	}
	if a.State != AmendmentOpen {
		return Invalid("state", "Cet amendement a déjà été tranché ("+strings.ToLower(a.State.Label())+") : rien à refaire.")
	}
	return nil
}

// AmendmentActions is what a viewer may do on an amendment's page.
type AmendmentActions struct {
	Support bool // support it, or take one's support back
	Decide  bool // accept, refuse, or mark merged by hand
}

// AmendmentActionsFor tells what u may do on amendment a of p, from the
// same rules as the store's writes.
func AmendmentActionsFor(u *User, p *Proposal, a *Amendment) AmendmentActions {
	return AmendmentActions{Support: CanSupportAmendment(u, p, a) == nil, Decide: CanDecideAmendment(u, p, a) == nil}
}

// CanReadSignatures tells whether u may read p's list of signatories:
// whoever reads p, once it has been published (before, it has none).
func CanReadSignatures(u *User, p *Proposal) bool {
	return CanReadProposal(u, p, ShareNone) && (p.State == ProposalPublished || p.State == ProposalArchived)
}

// CanSignProposal tells whether u may sign p — u nil: a visitor, who signs
// with an e-mail address confirmed by a link. Only a published text is
// signed; archiving it closes its signatures. Withdrawing one's own
// signature is always allowed.
func CanSignProposal(u *User, p *Proposal) error {
	if u != nil {
		if err := CanWrite(u); err != nil {
			return err
		}
	}
	switch {
	case !CanReadProposal(u, p, ShareNone):
		return ErrNotFound
	case p.State == ProposalDraft || p.State == ProposalOpen:
		return Invalid("signature", "Ce texte n’est pas encore publié : il se signera quand ses auteur·rices en publieront une version.")
	case p.State == ProposalArchived:
		return Invalid("signature", "Ce texte est archivé : les signatures sont closes.")
	}
	return nil
}

// CanExportSignatures tells whether u may download p's signatures: its
// owner and the moderators, once it has been published (before, it has
// none: a 404, as for any page of a brouillon).
func CanExportSignatures(u *User, p *Proposal) error {
	switch {
	case !CanReadProposal(u, p, ShareNone) || p.State == ProposalDraft || p.State == ProposalOpen:
		return ErrNotFound
	case CanWrite(u) != nil || (p.RoleOf(u) != "owner" && !CanModerate(u)):
		return ErrForbidden
	}
	return nil
}

// proposalTransitions are the state changes allowed, from each state.
var proposalTransitions = map[ProposalState][]ProposalState{
	ProposalDraft:     {ProposalOpen, ProposalPublished},
	ProposalOpen:      {ProposalDraft, ProposalPublished},
	ProposalPublished: {ProposalPublished, ProposalArchived}, // published again: a new version
	ProposalArchived:  {},
}

// CanMoveProposal tells whether u may take p to state to.
func CanMoveProposal(u *User, p *Proposal, to ProposalState) error {
	if !CanManageProposal(u, p) {
		if CanReadProposal(u, p, ShareNone) {
			return ErrForbidden
		}
		return ErrNotFound
	}
	for _, st := range proposalTransitions[p.State] {
		if st == to {
			return nil
		}
	}
	return Invalid("state", "Ce texte ne peut pas passer de « "+p.State.Label()+" » à « "+to.Label()+" ».")
}

// ProposalActions is what a viewer may do on a proposal's pages.
type ProposalActions struct {
	Edit   bool // change the working text: its owner and co-authors, until archived
	Manage bool // change its state, members and share links
	Moves  []ProposalState
}

// ProposalActionsFor tells what u may do on p, from the same rules as the
// store's writes.
func ProposalActionsFor(u *User, p *Proposal) ProposalActions {
	a := ProposalActions{Edit: CanEditProposal(u, p) == nil, Manage: CanManageProposal(u, p)}
	if a.Manage {
		for _, to := range proposalTransitions[p.State] {
			if CanMoveProposal(u, p, to) == nil {
				a.Moves = append(a.Moves, to)
			}
		}
	}
	return a
}

// Trust and review (see trust.go, held.go).

// CanReviewHeld tells whether u may read, approve and refuse the posts
// waiting for review: a moderator.
func CanReviewHeld(u *User) bool { return CanModerate(u) }

// CanVouch tells whether u (at level ul) may vouch for member m (at level
// ml): a moderator or a member de confiance, for a new member other than
// themselves who is not suspended.
func CanVouch(u *User, ul TrustLevel, m *User, ml TrustLevel) bool {
	return CanWrite(u) == nil && ul >= TrustTrusted && u.ID != m.ID && !m.Suspended() && ml == TrustNew
}

// Flags and moderation decisions (flag.go, moderation_queue.go).

// FlagFullWeight is the weight of a moderator's flag: it reaches any threshold.
const FlagFullWeight = 1000

// FlagWeight is how much u's flag counts towards hiding content pending
// review, u being at trust level level: a moderator's the whole
// threshold, a membre de confiance's 2, any other member's 1.
func FlagWeight(u *User, level TrustLevel) int {
	switch {
	case CanModerate(u):
		return FlagFullWeight
	case level >= TrustTrusted:
		return 2
	}
	return 1
}

// CanFlag tells whether u may flag content written by authorID: a writer,
// about somebody else's content.
func CanFlag(u *User, authorID int64) error {
	if err := CanWrite(u); err != nil {
		return err
	}
	if u.ID == authorID {
		return Invalid("reason", "On ne signale pas sa propre contribution : modifiez-la ou supprimez-la plutôt.")
	}
	return nil
}

// CanDecideAlone tells whether moderator mod may act alone on what author
// wrote (or on author): not on a moderator's content, their own included —
// a second moderator confirms it.
func CanDecideAlone(mod, author *User) bool {
	return CanModerate(mod) && !author.IsModerator()
}

// CanSecond tells whether mod may confirm or cancel decision d proposed by
// another moderator: a moderator who neither proposed it nor is its
// subject. Its proposer may cancel it too.
func CanSecond(mod *User, d *Decision, confirm bool) bool {
	if !CanModerate(mod) || d.State != DecisionProposed || d.AuthorID == mod.ID {
		return false
	}
	return !confirm || d.ModeratorID == nil || *d.ModeratorID != mod.ID
}

// CanSeeDecision tells whether u may read decision d: the moderators, the
// member it is about, and those whose flags it closed (flagged).
func CanSeeDecision(u *User, d *Decision, flagged bool) bool {
	switch {
	case u == nil:
		return false
	case CanModerate(u):
		return true
	}
	return d.State == DecisionDone && (d.AuthorID == u.ID || flagged)
}

// CanRunBackup tells whether u may see the backups and start one: an
// administrator (a backup holds every member's data).
func CanRunBackup(u *User) bool { return CanAdminister(u) }
