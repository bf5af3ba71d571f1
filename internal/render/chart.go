package render

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Bars is one bar chart: a title and a count per label.
type Bars struct {
	Title  string
	Labels []string
	Counts []int
}

// ChartFont is the face every chart is drawn in: Liberation Sans, which
// gonum/plot embeds and which covers Cyrillic.
var ChartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Chart sizes, per chart and per bar.
const (
	chartWidth = 16 * vg.Centimeter
	chartBase  = 3 * vg.Centimeter   // title and axis
	chartBar   = 0.9 * vg.Centimeter // one bar with its gap
	chartPad   = 0.4 * vg.Centimeter
)

var errNoBars = errors.New("render: no chart")

// BarCharts draws charts of horizontal bars one under the other in one PNG
// picture. Labels are cleaned as every text is (see the package
// documentation); long ones are shortened to keep the bars readable.
func BarCharts(charts ...Bars) ([]byte, error) {
	if len(charts) == 0 {
		return nil, errNoBars
	}
	height := vg.Length(0)
	var rows [][]*plot.Plot
	for i, c := range charts {
		if len(c.Labels) == 0 || len(c.Labels) != len(c.Counts) {
			return nil, fmt.Errorf("render: chart %d: %d labels for %d counts", i, len(c.Labels), len(c.Counts))
		}
		p, err := barPlot(c)
		if err != nil {
			return nil, fmt.Errorf("render: chart %d: %w", i, err)
		}
		rows = append(rows, []*plot.Plot{p})
		height += chartBase + chartBar*vg.Length(len(c.Labels))
	}
	img := vgimg.NewWith(vgimg.UseWH(chartWidth, height), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	// Charts get heights by their bars: split the canvas by hand, since
	// plot.Align gives every tile the same height.
	top := dc.Max.Y
	for i, c := range charts {
		h := (chartBase + chartBar*vg.Length(len(c.Labels)))
		sub := dc
		sub.Max.Y = top
		sub.Min.Y = top - h
		rows[i][0].Draw(draw.Crop(sub, chartPad, -chartPad, chartPad/2, -chartPad))
		top -= h
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render: write png: %w", err)
	}
	return buf.Bytes(), nil
}

func barPlot(c Bars) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = shorten(clean(c.Title), 70)
	p.Title.TextStyle.Font = font.From(ChartFont, 11)
	p.X.Tick.Label.Font = font.From(ChartFont, 9)
	p.Y.Tick.Label.Font = font.From(ChartFont, 9)
	p.X.Min = 0
	values := make(plotter.Values, len(c.Counts))
	top := 0
	for i, n := range c.Counts {
		values[i] = float64(n)
		top = max(top, n)
	}
	p.X.Max = float64(max(top, 1)) * 1.1
	p.X.Tick.Marker = intTicks{}
	// NominalY puts the first label at the bottom; a reader expects the
	// first option on top.
	slices.Reverse(values)
	bars, err := plotter.NewBarChart(values, chartBar*0.7)
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.LineStyle.Width = 0
	bars.Color = color.RGBA{R: 0x44, G: 0x72, B: 0xC4, A: 0xFF}
	p.Add(bars)
	labels := make([]string, len(c.Labels))
	for i, l := range c.Labels {
		labels[i] = shorten(clean(l), 40)
	}
	slices.Reverse(labels)
	p.NominalY(labels...)
	return p, nil
}

// intTicks marks whole counts only.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1
	for int(hi-lo)/step > 10 {
		step *= 2
	}
	var out []plot.Tick
	for v := int(lo); float64(v) <= hi; v += step {
		out = append(out, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	return out
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
