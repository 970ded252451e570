package content

import (
	"strings"
	"testing"
)

func TestDepartementsList(t *testing.T) {
	list := Departements()
	if len(list) != 101 {
		t.Fatalf("got %d départements, want 101", len(list))
	}
	want := []Departement{
		{"01", "Ain"}, {"02", "Aisne"}, {"03", "Allier"}, {"04", "Alpes-de-Haute-Provence"},
	}
	for i, d := range want {
		if list[i] != d {
			t.Errorf("list[%d] = %v, want %v", i, list[i], d)
		}
	}
	order := []string{"19", "2A", "2B", "21"}
	for i := range order {
		if list[18+i].Code != order[i] {
			t.Errorf("list[%d].Code = %q, want %q", 18+i, list[18+i].Code, order[i])
		}
	}
	if last := list[len(list)-1]; last != (Departement{"976", "Mayotte"}) {
		t.Errorf("last = %v", last)
	}
	seen := map[string]bool{}
	names := map[string]bool{}
	for _, d := range list {
		if seen[d.Code] || names[d.Name] {
			t.Errorf("duplicate %v", d)
		}
		seen[d.Code], names[d.Name] = true, true
		if d.Name == "" || strings.TrimSpace(d.Name) != d.Name {
			t.Errorf("bad name %q", d.Name)
		}
		if c, ok := NormalizeDepartement(d.Name); !ok || c != d.Code {
			t.Errorf("NormalizeDepartement(%q) = %q, %v", d.Name, c, ok)
		}
		if c, ok := NormalizeDepartement(d.Code); !ok || c != d.Code {
			t.Errorf("NormalizeDepartement(%q) = %q, %v", d.Code, c, ok)
		}
	}
	for n := 1; n <= 95; n++ {
		if n == 20 {
			continue
		}
		c := string(rune('0'+n/10)) + string(rune('0'+n%10))
		if !seen[c] {
			t.Errorf("missing %s", c)
		}
	}
	// Name keys must not collide once folded.
	if len(departementByName) != len(list)+len(departementAliases) {
		t.Errorf("name keys collide: %d keys", len(departementByName))
	}
	// The returned slice is a copy.
	list[0].Name = "changed"
	if Departements()[0].Name != "Ain" {
		t.Error("Departements returned the shared slice")
	}
}

func TestNormalizeDepartement(t *testing.T) {
	tests := []struct {
		in   string
		code string
		ok   bool
	}{
		// Not given.
		{"", "", true},
		{"   ", "", true},
		// Codes.
		{"1", "01", true},
		{"01", "01", true},
		{"001", "01", true},
		{" 75 ", "75", true},
		{"2", "02", true},
		{"9", "09", true},
		{"95", "95", true},
		{"2a", "2A", true},
		{"2A", "2A", true},
		{"2b", "2B", true},
		{" 2B ", "2B", true},
		{"971", "971", true},
		{"972", "972", true},
		{"973", "973", true},
		{"974", "974", true},
		{"976", "976", true},
		// Names.
		{"Ain", "01", true},
		{"ain", "01", true},
		{"PARIS", "75", true},
		{"Ardèche", "07", true},
		{"ardeche", "07", true},
		{"cote d'or", "21", true},
		{"Côte-d’Or", "21", true},
		{"COTE D OR", "21", true},
		{"côtes d'armor", "22", true},
		{"seine saint denis", "93", true},
		{"Seine-Saint-Denis", "93", true},
		{"val d'oise", "95", true},
		{"Val-d’Oise", "95", true},
		{"val de marne", "94", true},
		{"bouches du rhone", "13", true},
		{"Puy de Dome", "63", true},
		{"pyrenees orientales", "66", true},
		{"territoire de belfort", "90", true},
		{"Belfort", "90", true},
		{"Corse-du-Sud", "2A", true},
		{"corse du sud", "2A", true},
		{"haute corse", "2B", true},
		{"REUNION", "974", true},
		{"la réunion", "974", true},
		{"La Reunion", "974", true},
		{"guadeloupe", "971", true},
		{"Mayotte", "976", true},
		{"He\u0301rault", "34", true}, // decomposed accent
		// Code and name together.
		{"75 - Paris", "75", true},
		{"75 – Paris", "75", true},
		{"75 Paris", "75", true},
		{"75-Paris", "75", true},
		{"2A Corse-du-Sud", "2A", true},
		{"2b - haute corse", "2B", true},
		{"971 Guadeloupe", "971", true},
		{"1 - Ain", "01", true},
		{"21 - Côte-d'Or", "21", true},
		{"Paris (75)", "75", true},
		{"Seine-Saint-Denis - 93", "93", true},
		{DepartementLabel("974"), "974", true},
		// Garbage.
		{"0", "", false},
		{"00", "", false},
		{"20", "", false},
		{"96", "", false},
		{"99", "", false},
		{"100", "", false},
		{"975", "", false},
		{"977", "", false},
		{"2C", "", false},
		{"-1", "", false},
		{"7 5", "", false},
		{"75000", "", false},
		{"Paris 75000", "", false},
		{"75 - Lyon", "", false},
		{"13 Paris", "", false},
		{"Paris (13)", "", false},
		{"<script>", "", false},
		{"<script>alert(1)</script>", "", false},
		{"Corse", "", false},
		{"Ile-de-France", "", false},
		{"Parisss", "", false},
		{"\u00e9", "", false},
		{strings.Repeat("a", 1000), "", false},
	}
	for _, tt := range tests {
		code, ok := NormalizeDepartement(tt.in)
		if code != tt.code || ok != tt.ok {
			t.Errorf("NormalizeDepartement(%q) = %q, %v; want %q, %v", tt.in, code, ok, tt.code, tt.ok)
		}
	}
}

func TestDepartementLabel(t *testing.T) {
	tests := map[string]string{
		"75":  "75 – Paris",
		"01":  "01 – Ain",
		"2A":  "2A – Corse-du-Sud",
		"974": "974 – La Réunion",
		"95":  "95 – Val-d'Oise",
		"":    "",
		"1":   "",
		"2a":  "",
		"99":  "",
		"20":  "",
	}
	for code, want := range tests {
		if got := DepartementLabel(code); got != want {
			t.Errorf("DepartementLabel(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestEveryDepartementIsInOneRegion(t *testing.T) {
	seen := map[string]string{}
	for _, r := range Regions() {
		for _, code := range r.Departements {
			if DepartementLabel(code) == "" {
				t.Errorf("%s lists %q, which is no département", r.Name, code)
			}
			if other, ok := seen[code]; ok {
				t.Errorf("%s is in %s and %s", code, other, r.Name)
			}
			seen[code] = r.Name
		}
	}
	for _, d := range Departements() {
		if seen[d.Code] == "" {
			t.Errorf("%s – %s is in no région", d.Code, d.Name)
		}
	}
	got := CountByRegion([]DepartementCount{{"29", 3}, {"35", 1}, {"974", 2}, {"", 5}})
	if got[2] != (RegionCount{"Bretagne", 4}) || got[16] != (RegionCount{"La Réunion", 2}) {
		t.Errorf("counts by région: %+v", got)
	}
}
