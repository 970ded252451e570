package pdf

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

const (
	cellPad      = 1.5  // mm
	minColumn    = 16.0 // mm; a table needing narrower columns prints as a list
	maxWordWidth = 40.0 // mm; a longer word breaks rather than widen its column
)

var (
	tableSizes  = [...]float64{9, 8, 7} // points, tried in turn until the table fits
	headerFill  = rgb{232, 236, 242}
	borderColor = rgb{190, 190, 190}
)

type cell struct {
	ps    []piece
	lines []line
	align east.Alignment
}

type tableRow struct {
	cells  []cell
	header bool
	h      float64
}

// table places a table, shrinking its text down to the smallest size when
// it is wide. One that still does not fit (too many columns, or a row
// taller than a page) prints as a list of "heading: value" lines, which
// always flows.
func (r *renderer) table(t *east.Table, st *style) {
	nodes, cols := tableNodes(t)
	if rows, widths, ok := r.layoutTable(t, nodes, cols, r.right-r.left); ok {
		r.drawTable(rows, widths)
		return
	}
	r.tableAsList(nodes, st)
}

// tableNodes returns the cells of t by row, and the number of columns.
func tableNodes(t *east.Table) ([][]ast.Node, int) {
	var nodes [][]ast.Node
	cols := 0
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []ast.Node
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, c)
		}
		cols = max(cols, len(cells))
		nodes = append(nodes, cells)
	}
	return nodes, cols
}

// layoutTable tries the table sizes in turn; ok is false when the table
// must print as a list.
func (r *renderer) layoutTable(t *east.Table, nodes [][]ast.Node, cols int, width float64) ([]tableRow, []float64, bool) {
	if cols == 0 || float64(cols)*minColumn > width {
		return nil, nil, false
	}
	for i, size := range tableSizes {
		rows := r.tableCells(t, nodes, size)
		if widths, ok := r.columns(rows, cols, width, i == len(tableSizes)-1); ok && r.wrapCells(rows, widths) {
			return rows, widths, true
		}
	}
	return nil, nil, false
}

func (r *renderer) tableCells(t *east.Table, nodes [][]ast.Node, size float64) []tableRow {
	rows := make([]tableRow, len(nodes))
	for i, cells := range nodes {
		rows[i].header = i == 0 && t.FirstChild().Kind() == east.KindTableHeader
		st := &style{size: size, color: textColor, bold: rows[i].header}
		for _, c := range cells {
			cl := cell{ps: r.textOnly(r.inline(nil, c, st), st)}
			if tc, ok := c.(*east.TableCell); ok {
				cl.align = tc.Alignment
			}
			rows[i].cells = append(rows[i].cells, cl)
		}
	}
	return rows
}

// columns shares width between columns: each gets what its text needs on
// one line if the table is narrow enough, else at least its longest word
// (up to maxWordWidth), or, as a last resort, minColumn.
func (r *renderer) columns(rows []tableRow, cols int, width float64, last bool) ([]float64, bool) {
	want := make([]float64, cols)
	floor := make([]float64, cols)
	for _, row := range rows {
		for j, c := range row.cells {
			line, word := 0.0, 0.0
			for _, p := range c.ps {
				if p.brk {
					line = 0
				}
				line += p.w
				if p.space || p.brk {
					word = 0
				} else {
					word += p.w
				}
				floor[j] = max(floor[j], min(word+2*cellPad, maxWordWidth))
				want[j] = max(want[j], line+2*cellPad)
			}
		}
	}
	var sumWant, sumFloor float64
	for j := range want {
		floor[j] = max(floor[j], minColumn)
		want[j] = max(want[j], floor[j])
		sumWant += want[j]
		sumFloor += floor[j]
	}
	if sumFloor > width {
		if !last {
			return nil, false
		}
		for j := range floor {
			floor[j] = minColumn
		}
		sumFloor = float64(cols) * minColumn
	}
	widths := make([]float64, cols)
	if sumWant <= width {
		for j := range widths {
			widths[j] = want[j] * width / sumWant
		}
		return widths, true
	}
	for j := range widths {
		widths[j] = floor[j] + (width-sumFloor)*(want[j]-floor[j])/(sumWant-sumFloor)
	}
	return widths, true
}

// wrapCells breaks each cell's text to its column; false when a row would
// not fit on a page with the heading row.
func (r *renderer) wrapCells(rows []tableRow, widths []float64) bool {
	room := bodyBottom - marginTop
	for i := range rows {
		row := &rows[i]
		row.h = 0
		for j := range row.cells {
			c := &row.cells[j]
			c.lines = r.breakLines(c.ps, widths[j]-2*cellPad, tableSizes[len(tableSizes)-1])
			h := 0.0
			for _, l := range c.lines {
				h += l.height()
			}
			row.h = max(row.h, h)
		}
		row.h += 2 * cellPad
		if row.h+rows[0].h > room {
			return false
		}
	}
	return true
}

// drawTable places the rows, repeating the heading row on each new page.
func (r *renderer) drawTable(rows []tableRow, widths []float64) {
	for i := range rows {
		if i > 0 && rows[0].header && r.y+rows[i].h > bodyBottom {
			if !r.newPage() {
				return
			}
			r.drawRow(&rows[0], widths)
		}
		r.drawRow(&rows[i], widths)
	}
}

func (r *renderer) drawRow(row *tableRow, widths []float64) {
	left := r.left
	r.emit(row.h, func(top float64) {
		x := left
		r.pdf.SetLineWidth(0.2)
		r.pdf.SetDrawColor(borderColor.r, borderColor.g, borderColor.b)
		r.pdf.SetFillColor(headerFill.r, headerFill.g, headerFill.b)
		for j, w := range widths {
			if row.header {
				r.pdf.Rect(x, top, w, row.h, "FD")
			} else {
				r.pdf.Rect(x, top, w, row.h, "D")
			}
			if j < len(row.cells) {
				c := row.cells[j]
				y := top + cellPad
				for _, l := range c.lines {
					dx := 0.0
					switch c.align {
					case east.AlignRight:
						dx = w - 2*cellPad - l.w
					case east.AlignCenter:
						dx = (w - 2*cellPad - l.w) / 2
					}
					r.drawLine(l, x+cellPad+max(dx, 0), y, l.height())
					y += l.height()
				}
			}
			x += w
		}
	})
}

// tableAsList prints each row as "heading: value" lines.
func (r *renderer) tableAsList(nodes [][]ast.Node, st *style) {
	if len(nodes) == 0 {
		return
	}
	label := &style{bold: true, size: st.size, color: st.color}
	for i, row := range nodes[1:] {
		if i > 0 {
			r.gap(1.5)
			r.rule()
			r.gap(1.5)
		}
		for j, c := range row {
			var ps []piece
			if j < len(nodes[0]) {
				ps = r.textOnly(r.inline(nil, nodes[0][j], label), label)
			}
			if len(ps) == 0 {
				ps = r.pieces("Colonne "+strconv.Itoa(j+1), label)
			}
			ps = r.appendText(ps, "\u00a0: ", label)
			r.flow(r.textOnly(r.inline(ps, c, st), st), st.size)
		}
	}
}
