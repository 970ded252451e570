package content

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestCommentFicheStartsOneDiscussionThenReplies(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	f := mustPublishFicheBody(t, s, alice, "Accompagner une démarche CAF", "## Préparer\n\nTexte.")
	if c, err := s.FicheCommentsOf(ctx, nil, f); err != nil || c.Topic != nil {
		t.Fatalf("comments before the first: %+v, %v", c, err)
	}

	head := mustHead(t, s)
	first, err := s.CommentFiche(ctx, bruno, f.ID, "Le lien vers la CAF a changé, @alice.")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.FicheByID(ctx, f.ID)
	if got.TopicID == nil || *got.TopicID != first.TopicID || first.Number != 1 {
		t.Fatalf("fiche topic %v, first post %+v", got.TopicID, first)
	}
	topic := mustTopic(t, s, first.TopicID)
	if topic.Title != "Commentaires : Accompagner une démarche CAF" || topic.CategorySlug != FicheCommentsCategory || topic.Kind != KindDiscussion {
		t.Errorf("topic %q in %q, %s", topic.Title, topic.CategorySlug, topic.Kind)
	}
	es := eventsAfter(t, s, head)
	if len(findEvents(es, EventCreated, EntityTopic, topic.ID)) != 1 || len(findEvents(es, EventCreated, EntityPost, first.ID)) != 1 ||
		len(findEvents(es, EventMentioned, EntityPost, first.ID)) != 1 {
		t.Errorf("events of the first comment: %+v", es)
	}
	if ref, err := s.FicheOfTopic(ctx, topic.ID); err != nil || ref.Slug != f.Slug {
		t.Errorf("FicheOfTopic: %+v, %v", ref, err)
	}
	other := mustCreateTopic(t, s, alice, "Une discussion ordinaire", "Texte.")
	if _, err := s.FicheOfTopic(ctx, other.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("FicheOfTopic of an ordinary discussion: %v", err)
	}

	second, err := s.CommentFiche(ctx, alice, f.ID, "Merci, je corrige.")
	if err != nil || second.TopicID != topic.ID || second.Number != 2 {
		t.Fatalf("second comment: %+v, %v", second, err)
	}
	for i := 3; i <= FicheCommentsShown+2; i++ {
		mustReply(t, s, bruno, topic.ID, "Réponse "+itoa64(int64(i)), 0)
	}
	c, err := s.FicheCommentsOf(ctx, nil, got)
	if err != nil || c.Topic == nil || len(c.Posts) != FicheCommentsShown {
		t.Fatalf("comments: %d, %v", len(c.Posts), err)
	}
	if c.Posts[0].Number != 3 || c.Posts[len(c.Posts)-1].Number != FicheCommentsShown+2 {
		t.Errorf("the latest comments, oldest first: %d…%d", c.Posts[0].Number, c.Posts[len(c.Posts)-1].Number)
	}

	// Refusals: empty, too long, a brouillon, an unverified member.
	_, err = s.CommentFiche(ctx, bruno, f.ID, "  \n")
	wantValidation(t, err, "body")
	_, err = s.CommentFiche(ctx, bruno, f.ID, strings.Repeat("a", MaxBodyLength+1))
	wantValidation(t, err, "body")
	draft := mustCreateFiche(t, s, alice, "Un brouillon à commenter", "Texte.")
	if _, err := s.CommentFiche(ctx, bruno, draft.ID, "Un commentaire."); !errors.Is(err, ErrNotFound) {
		t.Errorf("brouillon commented by another member: %v", err)
	}
	_, err = s.CommentFiche(ctx, alice, draft.ID, "Un commentaire.")
	wantValidation(t, err, "body")
	unverified, err := s.CreateUser(ctx, NewUser{Pseudo: "claire", Email: "claire@exemple.fr", Password: testPassword}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommentFiche(ctx, unverified, f.ID, "Un commentaire."); !errors.Is(err, ErrUnverified) {
		t.Errorf("unverified member comments: %v", err)
	}
}

func TestTwoFirstCommentsAtOnceMakeOneDiscussion(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	bruno := mustCreateMember(t, s, "bruno", RoleMember)
	f := mustPublishFicheBody(t, s, alice, "Une fiche très commentée", "Texte.")
	var wg sync.WaitGroup
	posts := make([]*Post, 8)
	errs := make([]error, len(posts))
	for i := range posts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			posts[i], errs[i] = s.CommentFiche(ctx, []*User{alice, bruno}[i%2], f.ID, "Commentaire "+itoa64(int64(i)))
		}()
	}
	wg.Wait()
	numbers := map[int]bool{}
	for i, p := range posts {
		if errs[i] != nil {
			t.Fatalf("comment %d: %v", i, errs[i])
		}
		if p.TopicID != posts[0].TopicID {
			t.Errorf("comment %d went to topic %d, not %d", i, p.TopicID, posts[0].TopicID)
		}
		numbers[p.Number] = true
	}
	var topics int
	s.db.R.Get(&topics, `SELECT count(*) FROM topics t JOIN categories c ON c.id = t.category_id WHERE c.slug = ?`, FicheCommentsCategory)
	if topics != 1 || len(numbers) != len(posts) {
		t.Errorf("%d topics, %d distinct post numbers", topics, len(numbers))
	}
}

func TestCommentsFollowAMergedDiscussion(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	alice := mustCreateMember(t, s, "alice", RoleMember)
	mod := mustCreateMember(t, s, "modo", RoleModerator)
	f := mustPublishFicheBody(t, s, alice, "Une fiche dont on fusionne la discussion", "Texte.")
	first, err := s.CommentFiche(ctx, alice, f.ID, "Premier commentaire.")
	if err != nil {
		t.Fatal(err)
	}
	into := mustCreateTopic(t, s, alice, "La discussion qui reçoit", "Texte.")
	if err := s.MergeTopic(ctx, mod, first.TopicID, into.ID); err != nil {
		t.Fatal(err)
	}
	p, err := s.CommentFiche(ctx, alice, f.ID, "Après la fusion.")
	if err != nil || p.TopicID != into.ID {
		t.Fatalf("comment after the merge: %+v, %v", p, err)
	}
	got, _ := s.FicheByID(ctx, f.ID)
	if c, err := s.FicheCommentsOf(ctx, alice, got); err != nil || c.Topic == nil || c.Topic.ID != into.ID {
		t.Errorf("comments after the merge: %+v, %v", c.Topic, err)
	}
}
