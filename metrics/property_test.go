package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// twoImageClass builds a class of 8×8 images: normal ones, and anomalous
// ones with a 2×3 blob and a diagonal scratch, scored by score(mask value).
func propClass(t *testing.T, opt Options, normal, anomalous int, score func(r, c int, anomalous bool) float32) *Class {
	t.Helper()
	c, err := NewClass("prop", opt)
	if err != nil {
		t.Fatal(err)
	}
	const h, w = 8, 8
	for i := range normal + anomalous {
		m := make([]float32, h*w)
		var mask []uint8
		if i >= normal {
			mask = make([]uint8, h*w)
			for r := 1; r < 3; r++ {
				for k := 1; k < 4; k++ {
					mask[r*w+k] = 255
				}
			}
			for k := 0; k < 4; k++ {
				mask[(4+k)*w+2+k] = 1
			}
		}
		for p := range m {
			m[p] = score(p/w, p%w, mask != nil && mask[p] != 0)
		}
		if err := c.Add(Image{H: h, W: w, Map: m, Mask: mask}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func compute(t *testing.T, c *Class) Result {
	t.Helper()
	r, err := c.Compute()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPerfectSeparation(t *testing.T) {
	for _, mode := range []Mode{Exact, Reference} {
		r := compute(t, propClass(t, Options{Mode: mode}, 3, 2, func(r, c int, a bool) float32 {
			if a {
				return 0.9 + float32(r)/100
			}
			return float32(r*8+c) / 1000
		}))
		for i, v := range r.Values() {
			if math.Abs(v-1) > 1e-8 { // ADer's eps = 1e-8 keeps its F1 just below 1
				t.Errorf("%v %s = %v, want 1", mode, MetricNames[i], v)
			}
		}
		if r.Regions != 4 || r.AnomalousImages != 2 || r.AnomalousPixels != 20 {
			t.Errorf("%v: %d regions, %d anomalous images, %d anomalous pixels; want 4, 2, 20", mode, r.Regions, r.AnomalousImages, r.AnomalousPixels)
		}
	}
}

func TestReversedScores(t *testing.T) {
	r := compute(t, propClass(t, Options{}, 3, 2, func(r, c int, a bool) float32 {
		if a {
			return -1
		}
		return 1
	}))
	// Normal images score 1, anomalous ones also contain normal pixels
	// (score 1): every image scores 1, a single tie.
	near(t, "I-AUROC (all images tie)", r.IAUROC, 0.5, 1e-15)
	near(t, "P-AUROC", r.PAUROC, 0, 1e-15)
	near(t, "AU-PRO", r.AUPRO, 0, 1e-15)
	rate := 20.0 / 320
	near(t, "P-AP", r.PAP, rate, 1e-15)
	near(t, "P-F1max", r.PF1Max, 2*rate/(rate+1), 1e-15)
}

func TestConstantScores(t *testing.T) {
	r := compute(t, propClass(t, Options{}, 3, 2, func(int, int, bool) float32 { return 0.5 }))
	rate := 20.0 / 320
	near(t, "I-AUROC", r.IAUROC, 0.5, 1e-15)
	near(t, "I-AP", r.IAP, 0.4, 1e-15)
	near(t, "P-AUROC", r.PAUROC, 0.5, 1e-15)
	near(t, "P-AP", r.PAP, rate, 1e-15)
	// One curve point (1, 1): PRO interpolates to 0.3 at FPR 0.3, so the
	// area is 0.3²/2 and the normalised AU-PRO 0.15.
	near(t, "AU-PRO", r.AUPRO, 0.15, 1e-15)

	ref := compute(t, propClass(t, Options{Mode: Reference}, 3, 2, func(int, int, bool) float32 { return 0.5 }))
	if !math.IsNaN(ref.AUPRO) || ref.PF1Max != 0 || len(ref.Notes) == 0 {
		t.Errorf("reference mode on constant maps: AU-PRO %v (want NaN), P-F1max %v (want ADer's 0), notes %q", ref.AUPRO, ref.PF1Max, ref.Notes)
	}
}

func TestAllNormalClass(t *testing.T) {
	for _, mode := range []Mode{Exact, Reference} {
		r := compute(t, propClass(t, Options{Mode: mode}, 4, 0, func(r, c int, _ bool) float32 { return float32(r + c) }))
		for i, v := range r.Values() {
			if !math.IsNaN(v) {
				t.Errorf("%v %s = %v, want NaN", mode, MetricNames[i], v)
			}
		}
		if len(r.Notes) < 2 || !strings.Contains(strings.Join(r.Notes, ";"), "no anomalous images") {
			t.Errorf("%v: notes %q do not explain the NaNs", mode, r.Notes)
		}
	}
}

func TestAllAnomalousImages(t *testing.T) {
	r := compute(t, propClass(t, Options{}, 0, 3, func(r, c int, a bool) float32 {
		if a {
			return 2 + float32(c)
		}
		return float32(r) / 8
	}))
	if !math.IsNaN(r.IAUROC) || r.IAP != 1 || r.IF1Max != 1 {
		t.Errorf("all-anomalous class: I-AUROC %v (want NaN), I-AP %v, I-F1max %v (want 1)", r.IAUROC, r.IAP, r.IF1Max)
	}
	if r.PAUROC != 1 || !math.IsNaN(r.MAD) {
		t.Errorf("P-AUROC %v (want 1), mAD %v (want NaN)", r.PAUROC, r.MAD)
	}
}

// TestScratchIsOneRegion: a diagonal scratch is one region under
// 8-connectivity. Covering half of it must give PRO 0.5, not a mix of
// fully covered and missed 4-connected pieces.
func TestScratchIsOneRegion(t *testing.T) {
	c, _ := NewClass("scratch", Options{})
	const n = 16
	mask := make([]uint8, n*n)
	m := make([]float32, n*n)
	for k := range n {
		mask[k*n+k] = 1
		if k < n/2 {
			m[k*n+k] = 1
		}
	}
	if err := c.Add(Image{H: n, W: n, Map: m, Mask: mask}); err != nil {
		t.Fatal(err)
	}
	fpr, pro, err := c.ProCurve()
	if err != nil {
		t.Fatal(err)
	}
	if c.regionCount() != 1 || len(pro) != 3 || pro[1] != 0.5 || fpr[1] != 0 {
		t.Errorf("regions %d, curve fpr %v pro %v; want 1 region and (0,0),(0,0.5),(1,1)", c.regionCount(), fpr, pro)
	}
}

func TestSinglePixelRegions(t *testing.T) {
	c, _ := NewClass("dots", Options{})
	const n = 9
	mask := make([]uint8, n*n)
	m := make([]float32, n*n)
	hit := 0
	for r := 0; r < n; r += 2 {
		for k := 0; k < n; k += 2 {
			mask[r*n+k] = 1
			if (r+k)%4 == 0 {
				m[r*n+k], hit = 1, hit+1
			}
		}
	}
	if err := c.Add(Image{H: n, W: n, Map: m, Mask: mask}); err != nil {
		t.Fatal(err)
	}
	r := compute(t, c)
	if r.Regions != 25 {
		t.Fatalf("%d regions, want 25 isolated pixels", r.Regions)
	}
	// PRO jumps to hit/25 at FPR 0 and stays until the last threshold.
	p := float64(hit) / 25
	want := (p*0.3 + 0.5*0.3*0.3*(1-p)) / 0.3
	near(t, "AU-PRO", r.AUPRO, want, 1e-15)
}

func TestFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	imgs := randomImages(rng, 12, 48, 40, 1000)
	for _, mode := range []Mode{Exact, Reference} {
		c32, _ := NewClass("f32", Options{Mode: mode})
		c64, _ := NewClass("f64", Options{Mode: mode})
		for _, im := range imgs {
			m32 := make([]float32, len(im.score))
			m64 := make([]float64, len(im.score))
			for i, v := range im.score {
				m32[i] = float32(v) + float32(rng.IntN(3))*1e-3
				m64[i] = float64(m32[i])
			}
			if err := c32.Add(Image{H: im.h, W: im.w, Map: m32, Mask: im.mask}); err != nil {
				t.Fatal(err)
			}
			if err := c64.Add(Image{H: im.h, W: im.w, Map64: m64, Mask: im.mask}); err != nil {
				t.Fatal(err)
			}
		}
		a, b := compute(t, c32), compute(t, c64)
		if a.Values() != b.Values() {
			t.Errorf("%v: float32 path %v, float64 path %v", mode, a.Values(), b.Values())
		}
	}
}

func TestComputeTwiceAndAddMore(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	imgs := randomImages(rng, 10, 20, 20, 50)
	all := classOf(t, imgs, Options{})
	part := classOf(t, imgs[:5], Options{})
	compute(t, part)
	for _, im := range imgs[5:] {
		if err := part.Add(Image{H: im.h, W: im.w, Map64: im.score, Mask: im.mask}); err != nil {
			t.Fatal(err)
		}
	}
	a, b, c := compute(t, all), compute(t, part), compute(t, part)
	if a.Values() != b.Values() || b.Values() != c.Values() {
		t.Errorf("incremental %v, again %v, all at once %v", b.Values(), c.Values(), a.Values())
	}
}

func TestImageScoreOverride(t *testing.T) {
	c, _ := NewClass("override", Options{})
	for i, s := range []float64{0.2, 0.9, 0.1} {
		var mask []uint8
		if i == 1 {
			mask = []uint8{0, 1, 0, 0}
		}
		if err := c.Add(Image{H: 2, W: 2, Map: []float32{5, 1, 1, 1}, Mask: mask, Score: &s}); err != nil {
			t.Fatal(err)
		}
	}
	if r := compute(t, c); r.IAUROC != 1 {
		t.Errorf("I-AUROC %v with given scores, want 1 (the maps alone would tie)", r.IAUROC)
	}
}

func TestScoresDirect(t *testing.T) {
	d, err := Scores([]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true})
	if err != nil {
		t.Fatal(err)
	}
	// sklearn: roc_auc_score = 0.75, average_precision_score = 0.8333…
	near(t, "AUROC", d.AUROC, 0.75, 1e-15)
	near(t, "AP", d.AP, 5.0/6, 1e-15)
	near(t, "F1max", d.F1Max, 0.8, 1e-15)
	if _, err := Scores([]float64{math.NaN()}, []bool{true}); err == nil {
		t.Error("NaN score accepted")
	}
	if _, err := Scores([]float64{1, 2}, []bool{true}); err == nil {
		t.Error("length mismatch accepted")
	}
}
