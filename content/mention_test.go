package content

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

func TestPseudosStartingWith(t *testing.T) {
	s := mustOpenStore(t)
	ctx := context.Background()
	admin := mustCreateMember(t, s, "Agnès", RoleAdmin)
	for _, p := range []string{"Karim", "Kamel", "karl_29", "Maëlle", "Maelys", "Mæva", "Lucie", "Luc-Henri", "Kévin"} {
		mustCreateMember(t, s, p, RoleMember)
	}
	gone := mustCreateMember(t, s, "Katia", RoleMember)
	if err := s.SetSuspended(ctx, admin, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		mustCreateMember(t, s, fmt.Sprintf("Zoé%02d", i), RoleMember)
	}

	for _, tc := range []struct {
		prefix string
		limit  int
		want   []string
	}{
		{"ka", 8, []string{"Kamel", "Karim", "karl_29"}}, // Katia is suspended
		{"KAR", 8, []string{"Karim", "karl_29"}},
		{"ké", 8, []string{"Kévin"}},
		{"ke", 8, []string{"Kévin"}},
		{"MAË", 8, []string{"Maëlle", "Maelys"}},
		{"mæ", 8, []string{"Mæva"}}, // ligatures are kept in keys
		{"luc-", 8, []string{"Luc-Henri"}},
		{"zoe", 8, []string{"Zoé00", "Zoé01", "Zoé02", "Zoé03", "Zoé04", "Zoé05", "Zoé06", "Zoé07"}},
		{"zoe1", 8, []string{"Zoé10", "Zoé11"}},
		{"ka", 1, []string{"Kamel"}},
		{"%", 8, []string{}},
		{"k%", 8, []string{}},
		{"_", 8, []string{}},
		{"k_", 8, []string{}},
		{"", 8, []string{}},
		{"  ", 8, []string{}},
		{"ka", 0, []string{}},
		{"x", 8, []string{}},
	} {
		got, err := s.PseudosStartingWith(ctx, tc.prefix, tc.limit)
		if err != nil {
			t.Fatalf("PseudosStartingWith(%q): %v", tc.prefix, err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("PseudosStartingWith(%q, %d) = %q, want %q", tc.prefix, tc.limit, got, tc.want)
		}
	}
}
