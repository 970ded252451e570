package content

import (
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ligue-mednum/ligue/internal/cputime"
)

const (
	mergePara1 = "Avant de créer quoi que ce soit, prenez le temps d'écouter.\n"
	mergePara2 = "L'adresse appartient à la personne, jamais à la structure.\n"
	mergePara3 = "Le courrier papier et le rendez-vous au guichet restent possibles.\n"
)

// mergeParas joins paragraphs the way fiches separate them, with a blank line.
func mergeParas(ps ...string) string { return strings.Join(ps, "\n") }

type wantConflict struct{ base, ours, theirs string }

// mergeCases are merged by TestMerge3 and seed FuzzMerge3.
var mergeCases = []struct {
	name, base, ours, theirs string
	want                     string
	conflicts                []wantConflict
}{
	{
		name:   "edits in different paragraphs",
		base:   mergeParas(mergePara1, mergePara2, mergePara3),
		ours:   mergeParas("Avant tout, prenez le temps d'écouter.\n", mergePara2, mergePara3),
		theirs: mergeParas(mergePara1, mergePara2, "Le courrier papier reste possible.\n"),
		want:   mergeParas("Avant tout, prenez le temps d'écouter.\n", mergePara2, "Le courrier papier reste possible.\n"),
	},
	{
		name:   "edits to different sentences of one paragraph",
		base:   "Écoutez d'abord. Créez ensuite une adresse. Notez le mot de passe.\n",
		ours:   "Écoutez d'abord la personne. Créez ensuite une adresse. Notez le mot de passe.\n",
		theirs: "Écoutez d'abord. Créez ensuite une adresse. Faites noter le mot de passe par la personne.\n",
		want:   "Écoutez d'abord la personne. Créez ensuite une adresse. Faites noter le mot de passe par la personne.\n",
	},
	{
		name:   "edits to neighbouring lines",
		base:   "- Qui ?\n- Quoi ?\n- Pour quand ?\n",
		ours:   "- Qui ? (la personne seule)\n- Quoi ?\n- Pour quand ?\n",
		theirs: "- Qui ?\n- Quoi ? (une déclaration)\n- Pour quand ?\n",
		want:   "- Qui ? (la personne seule)\n- Quoi ? (une déclaration)\n- Pour quand ?\n",
	},
	{
		name:   "overlapping edits",
		base:   mergeParas(mergePara1, mergePara2, mergePara3),
		ours:   mergeParas(mergePara1, "L'adresse appartient toujours à la personne, jamais à la structure.\n", mergePara3),
		theirs: mergeParas(mergePara1, "L'adresse appartient uniquement à la personne, jamais à la structure.\n", mergePara3),
		want: mergeParas(mergePara1, ConflictOursMarker+"\nL'adresse appartient toujours à la personne, jamais à la structure.\n"+
			"=======\nL'adresse appartient uniquement à la personne, jamais à la structure.\n>>>>>>> Version de Camille\n", mergePara3),
		conflicts: []wantConflict{{mergePara2,
			"L'adresse appartient toujours à la personne, jamais à la structure.\n",
			"L'adresse appartient uniquement à la personne, jamais à la structure.\n"}},
	},
	{
		name:   "same change on both sides",
		base:   mergeParas(mergePara1, mergePara2, mergePara3),
		ours:   mergeParas("Écoutez.\n", mergePara2, "Le guichet reste possible.\n"),
		theirs: mergeParas(mergePara1, mergePara2, "Le guichet reste possible.\n"),
		want:   mergeParas("Écoutez.\n", mergePara2, "Le guichet reste possible.\n"),
	},
	{
		name:   "only ours changed",
		base:   mergeParas(mergePara1, mergePara2),
		ours:   mergeParas(mergePara1, "Tout autre texte", ""),
		theirs: mergeParas(mergePara1, mergePara2),
		want:   mergeParas(mergePara1, "Tout autre texte", ""),
	},
	{
		name:   "only theirs changed",
		base:   mergeParas(mergePara1, mergePara2),
		ours:   mergeParas(mergePara1, mergePara2),
		theirs: "",
		want:   "",
	},
	{
		name:      "both append different paragraphs",
		base:      mergeParas(mergePara1, mergePara2),
		ours:      mergeParas(mergePara1, mergePara2, "Notre ajout.\n"),
		theirs:    mergeParas(mergePara1, mergePara2, "Leur ajout.\n"),
		want:      mergeParas(mergePara1, mergePara2) + ConflictOursMarker + "\n\nNotre ajout.\n=======\n\nLeur ajout.\n>>>>>>> Version de Camille\n",
		conflicts: []wantConflict{{"", "\nNotre ajout.\n", "\nLeur ajout.\n"}},
	},
	{
		name:   "both append, one also edits above",
		base:   mergeParas(mergePara1, mergePara2, mergePara3),
		ours:   mergeParas("Écoutez.\n", mergePara2, mergePara3, "Le même ajout.\n"),
		theirs: mergeParas(mergePara1, mergePara2, mergePara3, "Le même ajout.\n"),
		want:   mergeParas("Écoutez.\n", mergePara2, mergePara3, "Le même ajout.\n"),
	},
	{
		name:      "deleted on one side, edited on the other",
		base:      mergeParas(mergePara1, mergePara2, mergePara3),
		ours:      mergeParas(mergePara1, mergePara3),
		theirs:    mergeParas(mergePara1, "L'adresse appartient à la personne.\n", mergePara3),
		want:      mergeParas(mergePara1, ConflictOursMarker+"\n=======\nL'adresse appartient à la personne.\n\n>>>>>>> Version de Camille\n"+mergePara3),
		conflicts: []wantConflict{{mergePara2 + "\n", "", "L'adresse appartient à la personne.\n\n"}},
	},
	{
		name:   "deleted on both sides",
		base:   mergeParas(mergePara1, mergePara2, mergePara3),
		ours:   mergeParas(mergePara1, mergePara3),
		theirs: mergeParas(mergePara1, "Le guichet reste possible.\n"),
		want:   mergeParas(mergePara1, "Le guichet reste possible.\n"),
	},
	{
		name:   "emoji and French typography",
		base:   "## 1️⃣ Préparer l’accueil\n\n👉 « Je n’ai pas d’e-mail » : écoutez, œuvrez ensemble.\n",
		ours:   "## 1️⃣ Bien préparer l’accueil\n\n👉 « Je n’ai pas d’e-mail » : écoutez, œuvrez ensemble.\n",
		theirs: "## 1️⃣ Préparer l’accueil\n\n👉 « Je n’ai pas d’e-mail » : écoutez, œuvrez ensemble 🤝.\n",
		want:   "## 1️⃣ Bien préparer l’accueil\n\n👉 « Je n’ai pas d’e-mail » : écoutez, œuvrez ensemble 🤝.\n",
	},
	{
		name:   "emoji changed on both sides of one line",
		base:   "1️⃣ Préparer l’accueil 👩‍💻 avec 🇫🇷 et 👍🏽\n",
		ours:   "2️⃣ Préparer l’accueil 👩‍💻 avec 🇫🇷 et 👍🏿\n",
		theirs: "1️⃣ Préparer l’accueil 👨‍💻 avec 🇧🇪 et 👍🏽\n",
		want:   "2️⃣ Préparer l’accueil 👨‍💻 avec 🇧🇪 et 👍🏿\n",
	},
	{
		name:      "accents changed differently in one word",
		base:      "Les donnees personnelles.\n",
		ours:      "Les données personnelles.\n",
		theirs:    "Les donnèes personnelles.\n",
		want:      ConflictOursMarker + "\nLes données personnelles.\n=======\nLes donnèes personnelles.\n>>>>>>> Version de Camille\n",
		conflicts: []wantConflict{{"Les donnees personnelles.\n", "Les données personnelles.\n", "Les donnèes personnelles.\n"}},
	},
	{
		name:   "CRLF line endings",
		base:   "Titre\r\n\r\nPremier paragraphe.\r\n\r\nSecond paragraphe.\r\n",
		ours:   "Titre modifié\r\n\r\nPremier paragraphe.\r\n\r\nSecond paragraphe.\r\n",
		theirs: "Titre\n\nPremier paragraphe.\n\nSecond paragraphe, relu.\n",
		want:   "Titre modifié\n\nPremier paragraphe.\n\nSecond paragraphe, relu.\n",
	},
	{
		name:   "CRLF text unchanged on one side",
		base:   "a\r\nb\r\n",
		ours:   "a\r\nb\r\n",
		theirs: "a\r\nc\r\n",
		want:   "a\nc\n",
	},
	{
		name:   "no trailing newline",
		base:   "Premier.\nDernier.",
		ours:   "Premier, modifié.\nDernier.",
		theirs: "Premier.\nDernier, modifié.",
		want:   "Premier, modifié.\nDernier, modifié.",
	},
	{
		name:      "both append to a text without trailing newline",
		base:      "Dernier.",
		ours:      "Dernier.\nNous.",
		theirs:    "Dernier.\nEux.",
		want:      ConflictOursMarker + "\nDernier.\nNous.\n=======\nDernier.\nEux.\n>>>>>>> Version de Camille\n",
		conflicts: []wantConflict{{"Dernier.", "Dernier.\nNous.", "Dernier.\nEux."}},
	},
	{
		name:      "empty base, different texts",
		base:      "",
		ours:      "Nous",
		theirs:    "Eux\n",
		want:      ConflictOursMarker + "\nNous\n=======\nEux\n>>>>>>> Version de Camille\n",
		conflicts: []wantConflict{{"", "Nous", "Eux\n"}},
	},
	{
		name:   "all empty",
		base:   "",
		ours:   "",
		theirs: "",
		want:   "",
	},
	{
		name:   "insertions at different places of one paragraph",
		base:   "Prenez le temps. Écoutez la personne.\n",
		ours:   "Prenez vraiment le temps. Écoutez la personne.\n",
		theirs: "Prenez le temps. Écoutez attentivement la personne.\n",
		want:   "Prenez vraiment le temps. Écoutez attentivement la personne.\n",
	},
	{
		name:      "insertions at the same place of one paragraph",
		base:      "Prenez le temps.\n",
		ours:      "Prenez bien le temps.\n",
		theirs:    "Prenez tout le temps.\n",
		want:      ConflictOursMarker + "\nPrenez bien le temps.\n=======\nPrenez tout le temps.\n>>>>>>> Version de Camille\n",
		conflicts: []wantConflict{{"Prenez le temps.\n", "Prenez bien le temps.\n", "Prenez tout le temps.\n"}},
	},
	{
		name:   "two conflicts and a clean edit between",
		base:   mergeParas("Un.\n", "Deux.\n", "Trois.\n"),
		ours:   mergeParas("Un, nous.\n", "Deux.\n", "Trois, nous.\n"),
		theirs: mergeParas("Un, eux.\n", "Deux, eux.\n", "Trois, eux.\n"),
		want: mergeParas(ConflictOursMarker+"\nUn, nous.\n=======\nUn, eux.\n>>>>>>> Version de Camille\n", "Deux, eux.\n",
			ConflictOursMarker+"\nTrois, nous.\n=======\nTrois, eux.\n>>>>>>> Version de Camille\n"),
		conflicts: []wantConflict{{"Un.\n", "Un, nous.\n", "Un, eux.\n"}, {"Trois.\n", "Trois, nous.\n", "Trois, eux.\n"}},
	},
}

func TestMerge3(t *testing.T) {
	for _, tt := range mergeCases {
		t.Run(tt.name, func(t *testing.T) {
			r := Merge3(tt.base, tt.ours, tt.theirs, "Camille")
			if r.Text != tt.want {
				t.Errorf("text\n%q\nwant\n%q", r.Text, tt.want)
			}
			var got []wantConflict
			for _, c := range r.Conflicts {
				got = append(got, wantConflict{c.Base, c.Ours, c.Theirs})
			}
			if !slices.Equal(got, tt.conflicts) {
				t.Errorf("conflicts\n%q\nwant\n%q", got, tt.conflicts)
			}
			if r.Clean() != (len(tt.conflicts) == 0) || HasConflictMarkers(r.Text) == r.Clean() {
				t.Errorf("Clean() = %v, HasConflictMarkers = %v with %d conflicts", r.Clean(), HasConflictMarkers(r.Text), len(tt.conflicts))
			}
			checkMerge(t, r, tt.base, tt.ours, tt.theirs)
		})
	}
}

// checkMerge asserts what holds for every merge: valid UTF-8 from valid
// inputs, conflict regions in order, each written with its markers at the
// start of a line, each version a piece of its own input.
func checkMerge(t *testing.T, r MergeResult, base, ours, theirs string) {
	t.Helper()
	if utf8.ValidString(base) && utf8.ValidString(ours) && utf8.ValidString(theirs) && !utf8.ValidString(r.Text) {
		t.Fatalf("invalid UTF-8 in %q", r.Text)
	}
	closing := ConflictTheirsMarker("Camille") + "\n"
	end := 0
	for _, c := range r.Conflicts {
		if c.Start < end || c.End > len(r.Text) || (c.Start > 0 && r.Text[c.Start-1] != '\n') {
			t.Fatalf("conflict at %d:%d after %d in %d bytes", c.Start, c.End, end, len(r.Text))
		}
		want := ConflictOursMarker + "\n" + endLine(c.Ours) + ConflictSeparator + "\n" + endLine(c.Theirs) + closing
		if got := r.Text[c.Start:c.End]; got != want {
			t.Fatalf("conflict region %q, want %q", got, want)
		}
		if !strings.Contains(toLF(base), c.Base) || !strings.Contains(toLF(ours), c.Ours) || !strings.Contains(toLF(theirs), c.Theirs) {
			t.Fatalf("conflict %+v is not made of the inputs", c)
		}
		end = c.End
	}
}

func endLine(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}

func TestMergeMarkers(t *testing.T) {
	if got := ConflictTheirsMarker("  Marie\nDupont "); got != ">>>>>>> Version de Marie Dupont" {
		t.Errorf("label with spaces: %q", got)
	}
	if got := ConflictTheirsMarker(""); got != ">>>>>>> Version de l’autre membre" {
		t.Errorf("empty label: %q", got)
	}
	for text, want := range map[string]bool{
		"Titre\n=======\n\nTexte.\n":                                                     false, // a setext heading
		"a\n" + ConflictOursMarker + "\nb\n":                                             true,
		"a\r\n" + ConflictOursMarker + " \r\nb\r\n":                                      true,
		"a\n>>>>>>> Version de Camille\n":                                                true,
		"Je cite <<<<<<< Votre version dans une phrase.\n":                               false,
		"> citation\n>> réponse\n":                                                       false,
		strings.Repeat("Un texte sans marqueurs.\n", 10):                                 false,
		ConflictOursMarker + "\n=======\n" + "b" + "\n>>>>>>> Version de l’autre membre": true,
	} {
		if got := HasConflictMarkers(text); got != want {
			t.Errorf("HasConflictMarkers(%q) = %v", text, got)
		}
	}
}

func TestMergeTokens(t *testing.T) {
	s := "1️⃣ Préparer l’accueil 👩‍💻, 🇫🇷🇧🇪 e\u0301te\u0301 👍🏽\t\n\xff!"
	want := []string{"1️⃣", " ", "Préparer", " ", "l", "’", "accueil", " ", "👩‍💻", ",", " ",
		"🇫🇷", "🇧🇪", " ", "e\u0301te\u0301", " ", "👍🏽", "\t\n", "\xff", "!"}
	cuts := wordCuts(s)
	var got []string
	for i := range len(cuts) - 1 {
		got = append(got, s[cuts[i]:cuts[i+1]])
	}
	if !slices.Equal(got, want) {
		t.Errorf("tokens\n%q\nwant\n%q", got, want)
	}
	if strings.Join(got, "") != s {
		t.Error("tokens do not make the text again")
	}
}

// TestMergeMatchingIsLongest compares the Myers matching with a dynamic
// programming LCS on small random sequences, and checks that a spent
// budget still gives a common subsequence.
func TestMergeMatchingIsLongest(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	seq := func() []int {
		s := make([]int, rnd.Intn(40))
		for i := range s {
			s[i] = rnd.Intn(4)
		}
		return s
	}
	for range 3000 {
		a, b := seq(), seq()
		budget := mergeBudget
		m := matching(a, b, &budget)
		if n := checkMatching(t, a, b, m); n != lcsLength(a, b) {
			t.Fatalf("matching of %v and %v has %d pairs, the LCS %d", a, b, n, lcsLength(a, b))
		}
		budget = rnd.Intn(200)
		checkMatching(t, a, b, matching(a, b, &budget))
	}
}

// checkMatching fails unless m pairs equal tokens in increasing order, and
// returns the number of pairs.
func checkMatching(t *testing.T, a, b, m []int) int {
	t.Helper()
	n, last := 0, -1
	for i, j := range m {
		if j < 0 {
			continue
		}
		if j <= last || j >= len(b) || a[i] != b[j] {
			t.Fatalf("matching %v of %v and %v: bad pair %d-%d", m, a, b, i, j)
		}
		n, last = n+1, j
	}
	return n
}

func lcsLength(a, b []int) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// rewrites are texts of 200 KB rewritten on both sides, the costliest to
// merge: in one line (compared word by word), in many lines, and made of
// few distinct tokens.
func rewrites() map[string][3]string {
	line := func(seed int64) string { return shuffledWords(seed, 25000) + "\n" }
	manyLines := func(seed int64) string { return strings.ReplaceAll(shuffledWords(seed, 25000), " ", "\n") }
	return map[string][3]string{
		"one line":    {line(1), line(2), line(3)},
		"many lines":  {manyLines(1), manyLines(2), manyLines(3)},
		"repetitions": {strings.Repeat("a b\n", 50000), strings.Repeat("b a\n", 50000), strings.Repeat("a a\n", 50000)},
		"signs":       {strings.Repeat("a,b.", 50000), strings.Repeat("b.a,", 50000), strings.Repeat("a.a,", 50000)},
	}
}

// TestMergeBounded: rewrites merge as a conflict, and cheaply. Each costs
// tens of milliseconds of CPU; the limit leaves room for -race, and without
// the budget they would take minutes. CPU time, not the wall clock: a busy
// machine does not make the work larger.
func TestMergeBounded(t *testing.T) {
	for name, texts := range rewrites() {
		start := cputime.Used()
		r := Merge3(texts[0], texts[1], texts[2], "Camille")
		if d := cputime.Used() - start; d > 5*time.Second {
			t.Errorf("%s: merge of %d bytes took %v of CPU", name, len(texts[0]), d)
		}
		if r.Clean() {
			t.Errorf("%s: rewrites on both sides merged clean", name)
		}
		checkMerge(t, r, texts[0], texts[1], texts[2])
	}
}

func FuzzMerge3(f *testing.F) {
	for _, c := range mergeCases {
		f.Add(c.base, c.ours, c.theirs)
	}
	f.Fuzz(func(t *testing.T, base, ours, theirs string) {
		r := Merge3(base, ours, theirs, "Camille")
		checkMerge(t, r, base, ours, theirs)
		for _, same := range []struct{ base, ours, theirs, want string }{
			{base, ours, base, ours}, {base, base, theirs, theirs}, {base, ours, ours, ours},
		} {
			if s := Merge3(same.base, same.ours, same.theirs, "Camille"); !s.Clean() || s.Text != toLF(same.want) {
				t.Fatalf("Merge3(%q, %q, %q) = %+v, want %q clean", same.base, same.ours, same.theirs, s, same.want)
			}
		}
		// The two sides play the same part.
		s := Merge3(base, theirs, ours, "Camille")
		if len(s.Conflicts) != len(r.Conflicts) || (r.Clean() && s.Text != r.Text) {
			t.Fatalf("swapping sides: %+v, then %+v", r, s)
		}
		for i, c := range r.Conflicts {
			if d := s.Conflicts[i]; d.Base != c.Base || d.Ours != c.Theirs || d.Theirs != c.Ours {
				t.Fatalf("swapping sides: conflict %+v, then %+v", c, d)
			}
		}
		if !r.Clean() && !HasConflictMarkers(r.Text) {
			t.Fatalf("conflicts without markers in %q", r.Text)
		}
		// Without '<' and '>' no input can hold a marker nor build one.
		if !strings.ContainsAny(base+ours+theirs, "<>") && HasConflictMarkers(r.Text) == r.Clean() {
			t.Fatalf("HasConflictMarkers = %v, clean = %v: %q", HasConflictMarkers(r.Text), r.Clean(), r.Text)
		}
	})
}

// benchmarkFiche is the sample fiche grown to about 5,000 words: its body
// repeated, each part with its own headings.
func benchmarkFiche(b *testing.B) string {
	src, err := os.ReadFile("testdata/fiche-exemple.md")
	if err != nil {
		b.Fatal(err)
	}
	front, body, _ := strings.Cut(string(src)[4:], "\n---\n")
	var out strings.Builder
	out.WriteString("---\n" + front + "\n---\n")
	for i := range 9 {
		out.WriteString(strings.ReplaceAll(body, "\n## ", "\n## Partie "+strconv.Itoa(i+1)+" — "))
	}
	return out.String()
}

func BenchmarkMerge3Fiche(b *testing.B) {
	base := benchmarkFiche(b)
	ls := strings.SplitAfter(base, "\n")
	ours, theirs := slices.Clone(ls), slices.Clone(ls)
	for i := 10; i < len(ls)-10; i += 20 {
		ours[i] = strings.Replace(ours[i], " la ", " cette ", 1)
		theirs[i+10] = strings.Replace(theirs[i+10], " ", " bien ", 1)
	}
	// Both in one paragraph, at its two ends.
	p := slices.IndexFunc(ls, func(l string) bool { return strings.HasPrefix(l, "❕") })
	ours[p] = strings.Replace(ours[p], "jamais", "en aucun cas", 1)
	theirs[p] = strings.Replace(theirs[p], "leur suivi", "leur suivi administratif", 1)
	o, t := strings.Join(ours, ""), strings.Join(theirs, "")
	if r := Merge3(base, o, t, "Camille"); !r.Clean() || !strings.Contains(r.Text, "en aucun cas") || !strings.Contains(r.Text, "suivi administratif") {
		b.Fatalf("the benchmark's edits do not merge clean: %d conflicts", len(r.Conflicts))
	}
	b.Logf("%d words, %d bytes", len(strings.Fields(base)), len(base))
	b.ReportAllocs()
	for b.Loop() {
		Merge3(base, o, t, "Camille")
	}
}

func BenchmarkMerge3Rewrites(b *testing.B) {
	for name, texts := range rewrites() {
		b.Run(strings.ReplaceAll(name, " ", "-"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Merge3(texts[0], texts[1], texts[2], "Camille")
			}
		})
	}
}
