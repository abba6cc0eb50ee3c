package report

import (
	"math"
	"testing"

	"github.com/mambaad/mambaad/metrics"
)

// With power-of-two widths and integer scores every bin edge is exact, so
// the histogram's counts can be checked against a brute-force count after
// the range has grown both up and down.
func TestPixelHistGrowthKeepsCountsExact(t *testing.T) {
	h := NewPixelHist(8)
	maps := [][]float32{
		{0, 7, 3, 3, 5},  // sets base 0, width 1
		{20, 1, 6, 2},    // grows up twice: width 4
		{-5, 0, 12, 19},  // grows down: base -32, width 8
		{30, 30, -1, 31}, // fits
	}
	masks := [][]uint8{
		{0, 1, 0, 1, 0},
		{1, 0, 0, 0},
		nil,
		{1, 0, 1, 0},
	}
	for i := range maps {
		if err := h.Add(maps[i], masks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if h.base != -32 || h.width != 8 {
		t.Fatalf("range base %v width %v, want -32 and 8", h.base, h.width)
	}
	c := h.counts()
	if c.p != 5 || c.n != 12 {
		t.Fatalf("totals %v anomalous, %v normal; want 5, 12", c.p, c.n)
	}
	for i, thr := range c.thr {
		var tp, fp float64
		for k, m := range maps {
			for j, v := range m {
				if float64(v) < thr {
					continue
				}
				if masks[k] != nil && masks[k][j] != 0 {
					tp++
				} else {
					fp++
				}
			}
		}
		if tp != c.tp[i] || fp != c.fp[i] {
			t.Errorf("threshold %v: tp %v fp %v, want %v %v", thr, c.tp[i], c.fp[i], tp, fp)
		}
	}
}

func TestPixelHistErrorsLeaveNothing(t *testing.T) {
	h := NewPixelHist(16)
	if err := h.Add([]float32{1, 2}, []uint8{1}); err == nil {
		t.Error("mask of the wrong length accepted")
	}
	if err := h.Add([]float32{1, float32(math.Inf(1))}, nil); err == nil {
		t.Error("infinite score accepted")
	}
	if c := h.counts(); c.n+c.p != 0 || h.started {
		t.Errorf("a failed Add counted %v pixels", c.n+c.p)
	}
	if err := h.Add([]float32{4, 4, 4}, nil); err != nil { // constant first map
		t.Fatal(err)
	}
	if err := h.Add([]float32{4, 5}, []uint8{0, 1}); err != nil {
		t.Fatal(err)
	}
	roc, err := h.counts().roc()
	if err != nil {
		t.Fatal(err)
	}
	if trapezoid(roc) != 1 {
		t.Errorf("perfectly separated pixels: AUC %v", trapezoid(roc))
	}
}

// On realistic maps the pixel curves from the histogram must give areas
// very close to the exact metrics (they differ only in where thresholds
// are placed).
func TestPixelCurvesNearExactMetrics(t *testing.T) {
	const w, h = 64, 64
	b := NewCurveBuilder("synth")
	cls, err := metrics.NewClass("synth", metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range synthClass(3, 16, w, h, 2) {
		if err := b.Add(s.Score, s.Map, s.Mask); err != nil {
			t.Fatal(err)
		}
		if err := cls.Add(metrics.Image{H: h, W: w, Map: s.Map, Mask: s.Mask}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := b.Curves()
	if err != nil {
		t.Fatal(err)
	}
	r, err := cls.Compute()
	if err != nil {
		t.Fatal(err)
	}
	if got := trapezoid(c.ImageROC); math.Abs(got-r.IAUROC) > 1e-12 {
		t.Errorf("image AUROC %v, metrics %v", got, r.IAUROC)
	}
	t.Logf("pixel AUROC %v vs %v, AP %v vs %v", trapezoid(c.PixelROC), r.PAUROC, stepArea(c.PixelPR), r.PAP)
	if got := trapezoid(c.PixelROC); math.Abs(got-r.PAUROC) > 2e-3 {
		t.Errorf("pixel AUROC from the histogram %v, exact %v", got, r.PAUROC)
	}
	if got := stepArea(c.PixelPR); math.Abs(got-r.PAP) > 1e-2 {
		t.Errorf("pixel AP from the histogram %v, exact %v", got, r.PAP)
	}
	if c.PixelThresholds < DefaultPixelBins/8 { // the range spans ≥ 1/4 of the bins, most of them filled
		t.Errorf("only %d pixel thresholds", c.PixelThresholds)
	}
}

func TestCurveBuilderUndefinedCurves(t *testing.T) {
	b := NewCurveBuilder("good_only")
	if _, err := b.Curves(); err == nil {
		t.Error("empty class accepted")
	}
	for _, s := range synthClass(1, 4, 16, 16, 0) {
		if err := b.Add(s.Score, s.Map, nil); err != nil {
			t.Fatal(err)
		}
	}
	c, err := b.Curves()
	if err != nil {
		t.Fatal(err)
	}
	if c.ImageROC.Len() != 0 || c.PixelROC.Len() != 0 || c.PixelPR.Len() != 0 {
		t.Errorf("curves of a class without defects should be empty: %d %d %d",
			c.ImageROC.Len(), c.PixelROC.Len(), c.PixelPR.Len())
	}
	if err := b.Add(math.NaN(), []float32{1}, nil); err == nil {
		t.Error("NaN image score accepted")
	}
	if len(b.scores) != 4 {
		t.Errorf("%d scores recorded, want 4", len(b.scores))
	}
}
