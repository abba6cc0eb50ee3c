package report

import (
	"fmt"
	"image"
	"math"

	"github.com/mambaad/mambaad/metrics"
)

// Default chart sizes in pixels: a single chart, and the 2×2 panels of a
// class or of all classes (the combined one is wider for its legend).
const (
	ChartW, ChartH       = 640, 480
	PanelsW, PanelsH     = 960, 760
	CombinedW, CombinedH = 1160, 760
)

// Subtitles say how each kind of curve was obtained, since the pixel
// curves are sampled (see PixelHist) while the table values are exact.
const (
	subImage = "exact: one point per distinct image score"
	subPixel = "every pixel counted, thresholds at %d histogram bin edges; exact values in the table"
	subPRO   = "exact PRO curve from metrics, cut at FPR %g"
	// An empty panel must not look like a drawing failure. It is empty
	// when the data cannot define the curve, or when the caller had no
	// pixel data to give (the pixel curves need a PixelHist fed during
	// evaluation).
	subUndefined = "no curve: undefined for this class (see the table notes) or not recorded"
)

// Curves are the four curves of one class: image ROC (ROCPoints), pixel ROC
// and PR (PixelHist), and PRO (PROCurve). A curve left empty is undefined
// for the class (no anomalous or no normal samples) and is not drawn.
type Curves struct {
	Class             string
	ImageROC          Curve
	PixelROC, PixelPR Curve
	PRO               Curve
	MaxFPR            float64 // PRO axis end; 0 means metrics.DefaultMaxFPR
	PixelThresholds   int     // thresholds of the pixel curves, for the subtitle
	Result            *metrics.Result
}

// label names a class's curve in a legend with its exact value from the
// table, e.g. "bottle 98.1"; without a Result (or when NaN) just the name.
func (c *Curves) label(pick func(*metrics.Result) float64) string {
	if c.Result == nil || math.IsNaN(pick(c.Result)) {
		return c.Class
	}
	return fmt.Sprintf("%s %.1f", c.Class, 100*pick(c.Result))
}

func (c *Curves) maxFPR() float64 {
	if c.MaxFPR > 0 {
		return c.MaxFPR
	}
	return metrics.DefaultMaxFPR
}

// panels returns the four chart panels with one series per class; series
// i has Index i, so class i looks the same on every panel.
func panels(cs []Curves, title string, legend LegendPos) []Chart {
	// The subtitle quotes the coarsest pixel curve drawn.
	thr, fpr := 0, metrics.DefaultMaxFPR
	if len(cs) > 0 {
		fpr = cs[0].maxFPR()
	}
	for i := range cs {
		if n := cs[i].PixelThresholds; n > 0 && (thr == 0 || n < thr) {
			thr = n
		}
	}
	charts := []Chart{
		{Title: title + "image ROC (" + metrics.MetricNames[0] + ")", Subtitle: subImage,
			XLabel: "false positive rate", YLabel: "true positive rate", Diagonal: true, Legend: legend},
		{Title: title + "pixel ROC (" + metrics.MetricNames[3] + ")", Subtitle: fmt.Sprintf(subPixel, thr),
			XLabel: "false positive rate", YLabel: "true positive rate", Diagonal: true, Legend: legend},
		{Title: title + "pixel PR (" + metrics.MetricNames[4] + ")", Subtitle: fmt.Sprintf(subPixel, thr),
			XLabel: "recall", YLabel: "precision", Legend: legend},
		{Title: title + "PRO (" + metrics.MetricNames[6] + ")", Subtitle: fmt.Sprintf(subPRO, fpr),
			XLabel: "false positive rate", YLabel: "per-region overlap", XMax: fpr, Legend: legend},
	}
	if legend == LegendBottomRight {
		charts[2].Legend = LegendBottomLeft
	}
	for i := range cs {
		c := &cs[i]
		charts[0].Series = append(charts[0].Series, Series{c.label(func(r *metrics.Result) float64 { return r.IAUROC }), c.ImageROC, i})
		charts[1].Series = append(charts[1].Series, Series{c.label(func(r *metrics.Result) float64 { return r.PAUROC }), c.PixelROC, i})
		charts[2].Series = append(charts[2].Series, Series{c.label(func(r *metrics.Result) float64 { return r.PAP }), c.PixelPR, i})
		charts[3].Series = append(charts[3].Series, Series{c.label(func(r *metrics.Result) float64 { return r.AUPRO }), c.PRO, i})
	}
	for k := range charts {
		empty := true
		for _, s := range charts[k].Series {
			empty = empty && s.Curve.Len() == 0
		}
		if empty {
			charts[k].Subtitle = subUndefined
		}
	}
	return charts
}

// RenderClass draws a class's four curves as 2×2 panels, w×h pixels
// (0 means PanelsW×PanelsH). Legends carry the exact table values.
func RenderClass(c Curves, w, h int) (*image.RGBA, error) {
	if w <= 0 || h <= 0 {
		w, h = PanelsW, PanelsH
	}
	return RenderCharts(panels([]Curves{c}, c.Class+": ", LegendBottomRight), 2, nil, w, h)
}

// RenderCombined draws the four curves of all classes as 2×2 panels with
// one legend on the right, w×h pixels (0 means CombinedW×CombinedH).
func RenderCombined(cs []Curves, w, h int) (*image.RGBA, error) {
	if w <= 0 || h <= 0 {
		w, h = CombinedW, CombinedH
	}
	names := make([]string, len(cs))
	for i := range cs {
		names[i] = cs[i].Class
	}
	return RenderCharts(panels(cs, "", LegendNone), 2, names, w, h)
}
