package content

import "testing"

func TestInitials(t *testing.T) {
	for pseudo, want := range map[string]string{
		"Karim":        "KA",
		"marie-dupont": "MD",
		"Marie_Dupont": "MD",
		"MarieDupont":  "MD",
		"Maëlle_29":    "MA",
		"élodie":       "ÉL",
		"jean_luc_2":   "JL",
		"1984":         "19",
		"Ab":           "AB",
		"CAF29":        "CA",
		"__x":          "X",
	} {
		if got := Initials(pseudo); got != want {
			t.Errorf("Initials(%q) = %q, want %q", pseudo, got, want)
		}
	}
}

func TestAvatarColourIgnoresCaseAndAccentsAndSpreads(t *testing.T) {
	if AvatarColour("Maëlle_29") != AvatarColour("maelle_29") {
		t.Error("two spellings of one pseudo get two colours")
	}
	used := map[int]int{}
	for _, p := range []string{"Karim", "Lucie", "Kamel", "Nadia", "Modo", "Admin", "Maëlle_29", "Hélène", "Suspendu", "Julien",
		"Sophie", "Thomas", "Camille", "Léa", "Hugo", "Chloé", "Louis", "Inès", "Mehdi", "Fatou"} {
		c := AvatarColour(p)
		if c < 0 || c >= AvatarColours {
			t.Fatalf("AvatarColour(%q) = %d, outside the palette", p, c)
		}
		used[c]++
	}
	if len(used) < 6 {
		t.Errorf("20 pseudos use only %d of the %d colours: %v", len(used), AvatarColours, used)
	}
}
