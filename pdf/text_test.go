package pdf

import "testing"

// Each cluster is drawn from the font that has it, never as an empty box.
func TestGlyph(t *testing.T) {
	m, err := fontMetrics()
	if err != nil {
		t.Fatal(err)
	}
	r := &renderer{metrics: m}
	for _, tc := range []struct {
		in     string
		glyph  rune
		face   face
		actual bool // stands for other text
		bytes  int  // covered, if not all of in: U+FE0F is dropped on its own
	}{
		{"é", 'é', regular, false, 0},
		{"œ", 'œ', regular, false, 0},
		{"€", '€', regular, false, 0},
		{"\u00a0", '\u00a0', regular, false, 0},
		{"\u202f", nnbsp, regular, true, 0},
		{"♥", '♥', regular, false, 0},                    // the Go fonts have it: text presentation
		{"❤️", '❤', emoji, false, 3},                     // an emoji the Go fonts lack
		{"✔️", '✔', emoji, false, 3},                     // the Basic Multilingual Plane's emoji keep their code
		{"⚠", '⚠', emoji, false, 0},                      // no U+FE0F, but only the emoji font has it
		{"👉", 0x1F449 + emojiPlaneShift, emoji, true, 0}, // moved to the private use area
		{"1️⃣", keycapBase + '1', emoji, true, 0},
		{"#\u20e3", keycapBase + '#', emoji, true, 0},
		{"🇫", 0x1F1EB + emojiPlaneShift, emoji, true, 0}, // a flag's letters, side by side
		{"漢", '?', regular, true, 0},
		{"\ue000", '?', regular, true, 0},
		{"\U0010FFFF", '?', regular, true, 0},
		{"🏽", -1, regular, false, 0}, // a skin tone alone
		{"\u200d", -1, regular, false, 0},
		{"\ufe0f", -1, regular, false, 0},
	} {
		if tc.bytes == 0 {
			tc.bytes = len(tc.in)
		}
		g, f, n, actual := r.glyph(tc.in, regular)
		if g != tc.glyph || f != tc.face || actual != tc.actual || n != tc.bytes {
			t.Errorf("glyph(%q) = %U in face %d, %d bytes, actual %v; want %U in face %d, %d bytes, actual %v",
				tc.in, g, f, n, actual, tc.glyph, tc.face, tc.bytes, tc.actual)
		}
		if _, ok := m[f][g]; g >= 0 && !ok {
			t.Errorf("glyph(%q) = %U, which face %d lacks", tc.in, g, f)
		}
	}
}
