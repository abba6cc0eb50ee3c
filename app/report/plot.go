package report

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	imgdraw "image/draw"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one named curve of a chart. Index picks its colour and dash
// pattern (see seriesStyle), so a class keeps the same look on every panel
// of a combined chart even when one of its curves is missing; a Series
// with an empty Curve is not drawn.
type Series struct {
	Name  string
	Curve Curve
	Index int
}

// LegendPos says where a panel draws its own legend.
type LegendPos int

const (
	LegendBottomRight LegendPos = iota // ROC and PRO curves leave it free
	LegendBottomLeft                   // PR curves leave it free
	LegendNone                         // no legend (a shared one, say)
)

// Chart is one panel: curves on the unit square (X up to XMax).
type Chart struct {
	Title    string
	Subtitle string // smaller grey line under the title: how the curve was made
	XLabel   string
	YLabel   string
	XMax     float64 // right end of the X axis; 0 means 1
	Diagonal bool    // draw the chance line of a ROC chart
	Legend   LegendPos
	Series   []Series
}

// dpi is the resolution charts are drawn at; with it one vg point is 4/3
// pixel, the usual screen scale, so fonts read well at 640×480.
const dpi = 96

// tab10 is matplotlib's default colour cycle, chosen to stay apart from
// each other and readable on white.
var tab10 = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xd6, 0x27, 0x28, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff}, {0xbc, 0xbd, 0x22, 0xff},
	{0x17, 0xbe, 0xcf, 0xff},
}

// seriesStyle gives series i a colour from tab10 and, past the first ten,
// a dash pattern, so the 15 MVTec AD classes stay distinguishable.
func seriesStyle(i int) draw.LineStyle {
	if i < 0 {
		i = -i
	}
	dashes := [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}}
	return draw.LineStyle{
		Color:  tab10[i%len(tab10)],
		Width:  vg.Points(1.5),
		Dashes: dashes[(i/len(tab10))%len(dashes)],
	}
}

// newCanvas returns a white w×h pixel image canvas.
func newCanvas(w, h int) (*vgimg.Canvas, error) {
	if w < 100 || h < 100 || w > 8000 || h > 8000 {
		return nil, fmt.Errorf("report: chart size %d×%d out of range (100–8000 pixels a side)", w, h)
	}
	return vgimg.NewWith(
		vgimg.UseWH(vg.Length(w)*vg.Inch/dpi, vg.Length(h)*vg.Inch/dpi),
		vgimg.UseDPI(dpi),
	), nil
}

// toRGBA returns the canvas image, which vgimg keeps as *image.RGBA; any
// other type is converted.
func toRGBA(c *vgimg.Canvas) *image.RGBA {
	if m, ok := c.Image().(*image.RGBA); ok {
		return m
	}
	src := c.Image()
	out := image.NewRGBA(src.Bounds())
	imgdraw.Draw(out, out.Bounds(), src, src.Bounds().Min, imgdraw.Src)
	return out
}

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(plot.DefaultFont, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
}

// drawChart draws one panel into dc: title and subtitle by hand (gonum's
// title has one style, the subtitle should be smaller and grey), then the
// plot below them.
func drawChart(dc draw.Canvas, c Chart) error {
	top := dc.Max.Y - vg.Points(4)
	for _, line := range []struct {
		s   string
		sty text.Style
	}{
		{c.Title, textStyle(12, color.Black)},
		{c.Subtitle, textStyle(8, color.Gray{Y: 0x60})},
	} {
		if line.s == "" {
			continue
		}
		dc.FillText(line.sty, vg.Point{X: dc.Center().X, Y: top}, line.s)
		top -= line.sty.Height(line.s) + vg.Points(2)
	}
	dc = draw.Crop(dc, 0, 0, 0, top-dc.Max.Y)

	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = c.XLabel, c.YLabel
	p.Add(plotter.NewGrid())
	xmax := c.XMax
	if !(xmax > 0) {
		xmax = 1
	}
	if c.Diagonal {
		chance, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: xmax, Y: xmax}})
		if err != nil {
			return err
		}
		chance.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0xa0}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(4)}}
		p.Add(chance)
	}
	for _, s := range c.Series {
		if s.Curve.Len() == 0 {
			continue
		}
		line, err := plotter.NewLine(s.Curve)
		if err != nil {
			return fmt.Errorf("report: chart %q, series %q: %w", c.Title, s.Name, err)
		}
		line.LineStyle = seriesStyle(s.Index)
		p.Add(line)
		if c.Legend != LegendNone && s.Name != "" {
			p.Legend.Add(s.Name, line)
		}
	}
	// Fixed axes: every chart of the report reads on the same scale.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, xmax, 0, 1
	p.Legend.Left = c.Legend == LegendBottomLeft
	p.Legend.Top = false
	p.Legend.TextStyle.Font.Size = 9
	p.Legend.XOffs = -vg.Points(6)
	if p.Legend.Left {
		p.Legend.XOffs = vg.Points(6)
	}
	p.Legend.YOffs = vg.Points(6)
	p.Draw(dc)
	return nil
}

// RenderCharts draws panels in a grid of cols columns on a w×h pixel
// image. When legend is not empty, a legend shared by all panels is drawn
// in a strip on the right: entry i has the style of Series.Index i (used
// for combined charts, where a legend in each panel would hide the curves).
func RenderCharts(panels []Chart, cols int, legend []string, w, h int) (*image.RGBA, error) {
	if len(panels) == 0 {
		return nil, errors.New("report: no charts to draw")
	}
	cols = max(1, min(cols, len(panels)))
	rows := (len(panels) + cols - 1) / cols
	cv, err := newCanvas(w, h)
	if err != nil {
		return nil, err
	}
	dc := draw.New(cv)
	if len(legend) > 0 {
		lw := drawSharedLegend(dc, legend)
		dc = draw.Crop(dc, 0, -lw, 0, 0)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(12), PadY: vg.Points(10),
		PadTop: vg.Points(2), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	for i, c := range panels {
		if err := drawChart(tiles.At(dc, i%cols, i/cols), c); err != nil {
			return nil, err
		}
	}
	return toRGBA(cv), nil
}

// drawSharedLegend draws the legend at the top right of dc and returns the
// width it took. The font shrinks (down to 6 pt) when there are too many
// entries for the height.
func drawSharedLegend(dc draw.Canvas, names []string) vg.Length {
	l := plot.NewLegend()
	size := vg.Length(10)
	if room := (dc.Max.Y - dc.Min.Y - vg.Points(20)) / vg.Length(float64(len(names))*1.25); room < size {
		size = vg.Length(math.Max(6, float64(room)))
	}
	l.TextStyle.Font.Size = size
	l.Top, l.Left = true, true
	l.Padding = size / 4
	var width vg.Length
	for i, n := range names {
		l.Add(n, &plotter.Line{LineStyle: seriesStyle(i)})
		width = max(width, l.TextStyle.Width(n))
	}
	width += l.ThumbnailWidth + l.TextStyle.Width(" ") + vg.Points(12)
	l.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-width, -vg.Points(4), 0, -vg.Points(24)))
	return width
}
