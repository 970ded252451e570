package server

import "strings"

// barChart is a horizontal bar chart drawn by the server as SVG: each
// bar under its label, its count at its end. Pages draw it with the
// "bar-chart" partial, beside a table of the same figures.
type barChart struct {
	Height int
	Bars   []chartBar
	Alt    string // the same figures in words: the chart's text alternative
}

type chartBar struct {
	Label, Text          string // « 29 – Finistère », « 3 signatures »
	LabelY, BarY, CountY int
	Width, CountX        int
}

// Chart layout, in the units of the SVG's viewBox (600 wide).
const (
	chartRow   = 46  // the height of one bar with its label
	chartWidth = 480 // the longest bar, leaving room for its count
)

// newBarChart draws one bar per label, the longest for the highest count;
// count says a figure in words (« 3 signatures »), and intro starts the
// text alternative, which then gives every figure.
func newBarChart(intro string, labels []string, counts []int, count func(int) string) barChart {
	most := 1
	for _, n := range counts {
		most = max(most, n)
	}
	ch := barChart{Height: len(labels) * chartRow}
	alt := make([]string, len(labels))
	for i, label := range labels {
		y, w := i*chartRow, counts[i]*chartWidth/most
		if counts[i] > 0 {
			w = max(2, w)
		}
		ch.Bars = append(ch.Bars, chartBar{Label: label, Text: count(counts[i]),
			LabelY: y + 16, BarY: y + 22, CountY: y + 35, Width: w, CountX: w + 8})
		alt[i] = label + " : " + count(counts[i])
	}
	ch.Alt = intro + strings.Join(alt, " ; ") + "."
	return ch
}
