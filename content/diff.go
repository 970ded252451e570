package content

import (
	"html/template"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// DiffHTML shows the changes from a to b as escaped text with <del> and
// <ins>, cleaned up to whole words so a reader sees what was meant.
func DiffHTML(a, b string) template.HTML {
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(a, b, false))
	var out strings.Builder
	for _, d := range diffs {
		text := template.HTMLEscapeString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			out.WriteString("<ins>" + text + "</ins>")
		case diffmatchpatch.DiffDelete:
			out.WriteString("<del>" + text + "</del>")
		default:
			out.WriteString(text)
		}
	}
	return template.HTML(out.String())
}
