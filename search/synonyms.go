package search

import (
	_ "embed"
	"strings"
)

//go:embed synonyms.txt
var synonymsText string

// synonyms maps each folded expression to its group's expressions.
var synonyms, longestSynonym = loadSynonyms(synonymsText)

func loadSynonyms(text string) (map[string][]string, int) {
	out := map[string][]string{}
	longest := 1
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var group []string
		for _, alt := range strings.Split(line, ",") {
			if alt = strings.TrimSpace(alt); alt != "" {
				group = append(group, alt)
			}
		}
		for _, alt := range group {
			key := fold(alt)
			out[key] = appendUnique(out[key], group...)
			longest = max(longest, len(strings.Fields(key)))
		}
	}
	return out, longest
}

func appendUnique(list []string, more ...string) []string {
	for _, m := range more {
		found := false
		for _, l := range list {
			found = found || fold(l) == fold(m)
		}
		if !found {
			list = append(list, m)
		}
	}
	return list
}

// fold lower-cases, removes accents and ligatures as the analysers do
// ("Œuvre" is "oeuvre", as indexed), and normalises apostrophes and spaces.
func fold(s string) string {
	s = strings.ReplaceAll(foldSlow(strings.ToLower(s)), "’", "'")
	return strings.Join(strings.Fields(s), " ")
}
