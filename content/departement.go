package content

import (
	"strconv"
	"strings"
)

// Departement is a French département: its official code ("01", "2A", "971")
// and its official name.
type Departement struct {
	Code, Name string
}

// departements is the official list, in code order. Departements hands out
// copies so callers cannot alter it.
var departements = []Departement{
	{"01", "Ain"},
	{"02", "Aisne"},
	{"03", "Allier"},
	{"04", "Alpes-de-Haute-Provence"},
	{"05", "Hautes-Alpes"},
	{"06", "Alpes-Maritimes"},
	{"07", "Ardèche"},
	{"08", "Ardennes"},
	{"09", "Ariège"},
	{"10", "Aube"},
	{"11", "Aude"},
	{"12", "Aveyron"},
	{"13", "Bouches-du-Rhône"},
	{"14", "Calvados"},
	{"15", "Cantal"},
	{"16", "Charente"},
	{"17", "Charente-Maritime"},
	{"18", "Cher"},
	{"19", "Corrèze"},
	{"2A", "Corse-du-Sud"},
	{"2B", "Haute-Corse"},
	{"21", "Côte-d'Or"},
	{"22", "Côtes-d'Armor"},
	{"23", "Creuse"},
	{"24", "Dordogne"},
	{"25", "Doubs"},
	{"26", "Drôme"},
	{"27", "Eure"},
	{"28", "Eure-et-Loir"},
	{"29", "Finistère"},
	{"30", "Gard"},
	{"31", "Haute-Garonne"},
	{"32", "Gers"},
	{"33", "Gironde"},
	{"34", "Hérault"},
	{"35", "Ille-et-Vilaine"},
	{"36", "Indre"},
	{"37", "Indre-et-Loire"},
	{"38", "Isère"},
	{"39", "Jura"},
	{"40", "Landes"},
	{"41", "Loir-et-Cher"},
	{"42", "Loire"},
	{"43", "Haute-Loire"},
	{"44", "Loire-Atlantique"},
	{"45", "Loiret"},
	{"46", "Lot"},
	{"47", "Lot-et-Garonne"},
	{"48", "Lozère"},
	{"49", "Maine-et-Loire"},
	{"50", "Manche"},
	{"51", "Marne"},
	{"52", "Haute-Marne"},
	{"53", "Mayenne"},
	{"54", "Meurthe-et-Moselle"},
	{"55", "Meuse"},
	{"56", "Morbihan"},
	{"57", "Moselle"},
	{"58", "Nièvre"},
	{"59", "Nord"},
	{"60", "Oise"},
	{"61", "Orne"},
	{"62", "Pas-de-Calais"},
	{"63", "Puy-de-Dôme"},
	{"64", "Pyrénées-Atlantiques"},
	{"65", "Hautes-Pyrénées"},
	{"66", "Pyrénées-Orientales"},
	{"67", "Bas-Rhin"},
	{"68", "Haut-Rhin"},
	{"69", "Rhône"},
	{"70", "Haute-Saône"},
	{"71", "Saône-et-Loire"},
	{"72", "Sarthe"},
	{"73", "Savoie"},
	{"74", "Haute-Savoie"},
	{"75", "Paris"},
	{"76", "Seine-Maritime"},
	{"77", "Seine-et-Marne"},
	{"78", "Yvelines"},
	{"79", "Deux-Sèvres"},
	{"80", "Somme"},
	{"81", "Tarn"},
	{"82", "Tarn-et-Garonne"},
	{"83", "Var"},
	{"84", "Vaucluse"},
	{"85", "Vendée"},
	{"86", "Vienne"},
	{"87", "Haute-Vienne"},
	{"88", "Vosges"},
	{"89", "Yonne"},
	{"90", "Territoire de Belfort"},
	{"91", "Essonne"},
	{"92", "Hauts-de-Seine"},
	{"93", "Seine-Saint-Denis"},
	{"94", "Val-de-Marne"},
	{"95", "Val-d'Oise"},
	{"971", "Guadeloupe"},
	{"972", "Martinique"},
	{"973", "Guyane"},
	{"974", "La Réunion"},
	{"976", "Mayotte"},
}

// departementAliases are extra accepted spellings, already folded by
// departementKey.
var departementAliases = map[string]string{
	"reunion":         "974",
	"iledelareunion":  "974",
	"guyanefrancaise": "973",
	"belfort":         "90",
	"corsesud":        "2A",
}

// Look-up tables, built once at package initialisation.
var (
	departementNames  = map[string]string{} // code → official name
	departementByName = map[string]string{} // departementKey(name) → code
)

func init() {
	for _, d := range departements {
		departementNames[d.Code] = d.Name
		departementByName[departementKey(d.Name)] = d.Code
	}
	for k, code := range departementAliases {
		departementByName[k] = code
	}
}

// Departements returns every département in code order (01–19, 2A, 2B,
// 21–95, then the overseas ones).
func Departements() []Departement {
	out := make([]Departement, len(departements))
	copy(out, departements)
	return out
}

// DepartementLabel returns "75 – Paris" for a canonical code, or "" when the
// code is empty or unknown.
func DepartementLabel(code string) string {
	name, ok := departementNames[code]
	if !ok {
		return ""
	}
	return code + " – " + name
}

// NormalizeDepartement turns what a person typed into a canonical code. It
// accepts a code ("1", "01", "2a", "971"), a name in any case, with or
// without accents, spaces or hyphens, straight or curly apostrophes ("cote
// d'or", "seine saint denis", "la réunion"), and "code name" forms such as
// "75 - Paris", "75 Paris" or "Paris (75)" when both parts agree. Empty input
// gives ("", true), meaning "not given"; anything else gives ("", false).
func NormalizeDepartement(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if len(s) > 100 {
		return "", false
	}
	if c, ok := departementCode(s); ok {
		return c, true
	}
	if c, ok := departementByName[departementKey(s)]; ok {
		return c, true
	}
	// "75 - Paris", "2A Corse-du-Sud": a code, separators, then the name.
	if i := strings.IndexFunc(s, departementSeparator); i > 0 {
		if c, ok := departementCode(s[:i]); ok {
			if n, ok := departementByName[departementKey(s[i:])]; ok && n == c {
				return c, true
			}
		}
	}
	// "Paris (75)", "Paris - 75": the name, separators, then the code.
	t := strings.TrimRight(s, ")] ")
	if i := strings.LastIndexFunc(t, departementSeparator); i >= 0 && i < len(t)-1 {
		if c, ok := departementCode(t[i+1:]); ok {
			if n, ok := departementByName[departementKey(t[:i])]; ok && n == c {
				return c, true
			}
		}
	}
	return "", false
}

// departementCode recognises a bare code: one to three digits (leading zeros
// optional) or 2A/2B in any case.
func departementCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "2A", "02A":
		return "2A", true
	case "2B", "02B":
		return "2B", true
	}
	if s == "" || len(s) > 3 {
		return "", false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return "", false
	}
	c := strconv.Itoa(n)
	if n < 10 {
		c = "0" + c
	}
	if _, ok := departementNames[c]; !ok {
		return "", false
	}
	return c, true
}

// departementSeparator reports whether r may separate a code from a name.
func departementSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '\u00a0', '\u202f', '-', '\u2010', '\u2011', '\u2013', '\u2014',
		':', ',', '.', '/', '(', ')', '[', ']':
		return true
	}
	return false
}

// departementKey folds case and accents and keeps only letters and digits,
// so "Côte-d’Or", "cote d'or" and "COTE DOR" share the key "cotedor". A
// leading article ("la réunion") is kept; aliases cover the article-less forms.
func departementKey(s string) string {
	var b strings.Builder
	for _, r := range FoldAccents(strings.ToLower(s)) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
