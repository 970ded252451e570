package pdf

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// A table keeps its layout as long as it can, in smaller type if need be,
// and becomes a list when its columns would be too narrow to read.
func TestTableLayout(t *testing.T) {
	row := func(cols int, cell string) string {
		return strings.Repeat("| "+cell+" ", cols) + "|\n"
	}
	table := func(cols int, cell string) string {
		return row(cols, "titre") + strings.Repeat("|---", cols) + "|\n" + row(cols, cell)
	}
	for _, tc := range []struct {
		name     string
		markdown string
		size     float64 // 0: printed as a list
	}{
		{"narrow", table(3, "court"), 9},
		{"words too long at 9 points", table(9, "partenariats"), 8},
		{"words too long at 8 points", table(9, "accompagnés"), 7},
		{"too many columns", table(11, "x"), 0},
		{"a row taller than a page", table(2, strings.Repeat("mot ", 3000)), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := fontMetrics()
			if err != nil {
				t.Fatal(err)
			}
			r := &renderer{metrics: m, src: []byte(tc.markdown), left: marginLeft, right: contentRight}
			var tbl *east.Table
			_ = ast.Walk(parse(r.src), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
				if t, ok := n.(*east.Table); ok && entering {
					tbl = t
				}
				return ast.WalkContinue, nil
			})
			if tbl == nil {
				t.Fatal("no table parsed")
			}
			nodes, cols := tableNodes(tbl)
			rows, widths, ok := r.layoutTable(tbl, nodes, cols, r.right-r.left)
			switch {
			case tc.size == 0 && ok:
				t.Errorf("laid out as a table (%v), want a list", widths)
			case tc.size != 0 && !ok:
				t.Errorf("printed as a list, want a table at %v points", tc.size)
			case ok && rows[1].cells[0].ps[0].st.size != tc.size:
				t.Errorf("laid out at %v points, want %v", rows[1].cells[0].ps[0].st.size, tc.size)
			}
			total := 0.0
			for _, w := range widths {
				total += w
			}
			if ok && (total > r.right-r.left+0.01 || total < r.right-r.left-0.01) {
				t.Errorf("columns add up to %v mm, want the text's width %v", total, r.right-r.left)
			}
		})
	}
}
