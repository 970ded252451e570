package content

// Region is one of France's eighteen régions, with its départements.
type Region struct {
	Name         string
	Departements []string // codes
}

// regions lists the régions since 2016, mainland first, each with its
// départements (every code of departements is in exactly one).
var regions = []Region{
	{"Auvergne-Rhône-Alpes", []string{"01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"}},
	{"Bourgogne-Franche-Comté", []string{"21", "25", "39", "58", "70", "71", "89", "90"}},
	{"Bretagne", []string{"22", "29", "35", "56"}},
	{"Centre-Val de Loire", []string{"18", "28", "36", "37", "41", "45"}},
	{"Corse", []string{"2A", "2B"}},
	{"Grand Est", []string{"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"}},
	{"Hauts-de-France", []string{"02", "59", "60", "62", "80"}},
	{"Île-de-France", []string{"75", "77", "78", "91", "92", "93", "94", "95"}},
	{"Normandie", []string{"14", "27", "50", "61", "76"}},
	{"Nouvelle-Aquitaine", []string{"16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"}},
	{"Occitanie", []string{"09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"}},
	{"Pays de la Loire", []string{"44", "49", "53", "72", "85"}},
	{"Provence-Alpes-Côte d’Azur", []string{"04", "05", "06", "13", "83", "84"}},
	{"Guadeloupe", []string{"971"}},
	{"Martinique", []string{"972"}},
	{"Guyane", []string{"973"}},
	{"La Réunion", []string{"974"}},
	{"Mayotte", []string{"976"}},
}

// Regions returns the régions in the order above (copies).
func Regions() []Region {
	out := make([]Region, len(regions))
	for i, r := range regions {
		out[i] = Region{Name: r.Name, Departements: append([]string(nil), r.Departements...)}
	}
	return out
}

// RegionCount is a région with a count of what happened in its départements.
type RegionCount struct {
	Name  string
	Count int
}

// CountByRegion adds up per région the counts of départements, in the
// order of Regions; counts without a known département are left out.
func CountByRegion(counts []DepartementCount) []RegionCount {
	byCode := map[string]int{}
	for _, d := range counts {
		byCode[d.Code] += d.Count
	}
	out := make([]RegionCount, len(regions))
	for i, r := range regions {
		out[i].Name = r.Name
		for _, code := range r.Departements {
			out[i].Count += byCode[code]
		}
	}
	return out
}
