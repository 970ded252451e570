package content

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Pinned topics come first on the first pages, then the others by last
// activity, page after page, each topic once; past ListCountCap the count
// stops.
func TestListTopicsPinnedFirstThenByActivity(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	lea := mustCreateMember(t, s, "Lea", RoleMember)
	modo := mustCreateMember(t, s, "Lucie", RoleModerator)
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	n := ListCountCap + 4
	var ids []int64 // oldest first
	for i := range n {
		s.SetClock(func() time.Time { return start.Add(time.Duration(i) * time.Minute) })
		ids = append(ids, mustCreateTopic(t, s, lea, fmt.Sprintf("Question %d", i), "Texte").ID)
	}
	pin := true
	pinned := []int64{ids[3], ids[40], ids[500]} // shown newest first: 500, 40, 3
	for _, id := range pinned {
		if err := s.ModerateTopic(ctx, modo, id, TopicUpdate{Pinned: &pin}); err != nil {
			t.Fatal(err)
		}
	}
	want := []int64{ids[500], ids[40], ids[3]}
	for i := n - 1; i >= 0; i-- {
		if i != 3 && i != 40 && i != 500 {
			want = append(want, ids[i])
		}
	}
	var got []int64
	for page := 1; ; page++ {
		topics, total, err := s.ListTopics(ctx, nil, TopicFilter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if total != ListCountCap+1 {
			t.Fatalf("page %d: total %d, want the cap %d", page, total, ListCountCap+1)
		}
		if len(topics) == 0 {
			break
		}
		for _, tp := range topics {
			got = append(got, tp.ID)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%d topics listed; first ones %v, want %v", len(got), got[:6], want[:6])
	}
	// Under the cap, the count is exact.
	_, total, err := s.ListTopics(ctx, nil, TopicFilter{Category: "metier-et-reconnaissance"})
	if err != nil || total != 0 {
		t.Errorf("an empty category: %d, %v", total, err)
	}
}

func TestTopicCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 30, 15, 123456789, time.UTC)
	c := TopicCursor{At: at, ID: 4242}
	got, ok := ParseTopicCursor(c.String())
	if !ok || !got.At.Equal(at) || got.ID != 4242 {
		t.Errorf("%q read back as %+v, %v", c.String(), got, ok)
	}
	for _, bad := range []string{"", "-", "abc", "1-", "-1", "0-1", "1-0", "x!-1", "1-1-1"} {
		if _, ok := ParseTopicCursor(bad); ok {
			t.Errorf("ParseTopicCursor(%q) accepted", bad)
		}
	}
}
