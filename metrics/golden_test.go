package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"

	"github.com/mambaad/mambaad/internal/golden"
)

// goldenSet is metrics.npz: n maps of h×w (float64, sizes from the file's
// shapes), uint8 masks and labels, with every metric the reference toolkit
// computed on them.
type goldenSet struct {
	f       *golden.File
	maps    []float64
	masks   []uint8
	labels  []int64
	n, h, w int
}

func loadGolden(t *testing.T) *goldenSet {
	t.Helper()
	f := golden.Open(t, "metrics.npz")
	g := &goldenSet{f: f}
	m := f.Get(t, "anomaly_maps")
	l := f.Get(t, "labels")
	if m.Dtype != "<f8" || len(m.Shape) != 3 {
		t.Fatalf("unexpected golden layout: maps %s %v", m.Dtype, m.Shape)
	}
	g.n, g.h, g.w = m.Shape[0], m.Shape[1], m.Shape[2]
	g.maps, g.masks, g.labels = m.F64, readUint8(t, f.Path, "masks"), l.Ints
	if len(g.masks) != len(g.maps) || len(g.labels) != g.n {
		t.Fatalf("golden sizes: %d map values, %d mask values, %d labels", len(g.maps), len(g.masks), len(g.labels))
	}
	return g
}

// readUint8 reads a uint8 array directly: internal/golden converts integer
// arrays to int64, which npyio refuses for uint8 data.
func readUint8(t *testing.T, path, name string) []uint8 {
	t.Helper()
	r, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []uint8
	if err := r.Read(name+".npy", &out); err != nil {
		t.Fatalf("%s: %s: %v", path, name, err)
	}
	return out
}

func (g *goldenSet) scalar(t *testing.T, name string) float64 {
	t.Helper()
	a := g.f.Get(t, "metric."+name)
	if len(a.F64) != 1 {
		t.Fatalf("metric.%s: %d values", name, len(a.F64))
	}
	return a.F64[0]
}

func (g *goldenSet) class(t *testing.T, opt Options) *Class {
	t.Helper()
	c, err := NewClass("golden", opt)
	if err != nil {
		t.Fatal(err)
	}
	hw := g.h * g.w
	for i := 0; i < g.n; i++ {
		img := Image{H: g.h, W: g.w, Map64: g.maps[i*hw : (i+1)*hw], Mask: g.masks[i*hw : (i+1)*hw]}
		if err := c.Add(img); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// proSteps lists the N of the file's arrays prefix+"<N>" (the ADer PRO
// step counts the generator evaluated: 100 and 200 in the shared set).
func (g *goldenSet) proSteps(t *testing.T, prefix string) []int {
	t.Helper()
	var steps []int
	for _, k := range g.f.Keys() {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, prefix)); err == nil && strings.HasPrefix(k, prefix) {
			steps = append(steps, n)
		}
	}
	if len(steps) == 0 {
		t.Fatalf("golden has no %s<N> arrays", prefix)
	}
	return steps
}

// aderRunSteps is the PRO step count of the ader_run.* metrics: the
// MambaAD configuration's max_step_aupro (README); the file does not
// record it.
const aderRunSteps = 100

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.12f, want %.12f (diff %.3g)", name, got, want, got-want)
	}
}

func TestGoldenMasksAndLabels(t *testing.T) {
	g := loadGolden(t)
	hw := g.h * g.w
	anomalous := 0
	for i := 0; i < g.n; i++ {
		var mx int64
		for _, v := range g.masks[i*hw : (i+1)*hw] {
			if v > 1 {
				t.Fatalf("image %d: mask value %d, want 0 or 1", i, v)
			}
			mx = max(mx, int64(v))
		}
		if mx != g.labels[i] {
			t.Errorf("image %d: label %d but mask max %d", i, g.labels[i], mx)
		}
		anomalous += int(mx)
	}
	if want := int(g.scalar(t, "_n_anomalous_images")); anomalous != want {
		t.Errorf("%d anomalous images, want %d", anomalous, want)
	}
}

func TestGoldenExact(t *testing.T) {
	g := loadGolden(t)
	c := g.class(t, Options{})
	r, err := c.Compute()
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-6
	if want := int(g.scalar(t, "_n_components")); r.Regions != want {
		t.Errorf("%d regions, want %d", r.Regions, want)
	}
	near(t, "I-AUROC", r.IAUROC, g.scalar(t, "img_auroc"), tol)
	near(t, "I-AP", r.IAP, g.scalar(t, "img_ap"), tol)
	near(t, "I-F1max", r.IF1Max, g.scalar(t, "img_f1max"), tol)
	near(t, "P-AUROC", r.PAUROC, g.scalar(t, "px_auroc"), tol)
	near(t, "P-AP", r.PAP, g.scalar(t, "px_ap"), tol)
	near(t, "P-F1max", r.PF1Max, g.scalar(t, "px_f1max_prcurve"), tol)
	near(t, "AU-PRO", r.AUPRO, g.scalar(t, "exact_aupro_0.3"), tol)
	if len(r.Notes) != 0 {
		t.Errorf("unexpected notes %q", r.Notes)
	}
}

func TestGoldenProCurve(t *testing.T) {
	g := loadGolden(t)
	c := g.class(t, Options{})
	fpr, pro, err := c.ProCurve()
	if err != nil {
		t.Fatal(err)
	}
	wf, wp := g.f.Get(t, "exact_pro_curve_fpr").F64, g.f.Get(t, "exact_pro_curve_pro").F64
	if len(fpr) != len(wf) || len(pro) != len(wp) {
		t.Fatalf("curve has %d points, want %d", len(fpr), len(wf))
	}
	bad := 0
	for i := range wf {
		if math.Abs(fpr[i]-wf[i]) > 1e-9 || math.Abs(pro[i]-wp[i]) > 1e-9 {
			if bad++; bad <= 5 {
				t.Errorf("point %d: (%.12g, %.12g), want (%.12g, %.12g)", i, fpr[i], pro[i], wf[i], wp[i])
			}
		}
	}
}

func TestGoldenReference(t *testing.T) {
	g := loadGolden(t)
	const tol = 1e-6
	for _, steps := range g.proSteps(t, "metric.ader_pro_step") {
		c := g.class(t, Options{Mode: Reference, ProSteps: steps})
		r, err := c.Compute()
		if err != nil {
			t.Fatal(err)
		}
		near(t, "ader_pro_step", r.AUPRO, g.scalar(t, fmt.Sprint("ader_pro_step", steps)), tol)
		if steps != aderRunSteps {
			continue
		}
		near(t, "mAUROC_sp_max", r.IAUROC, g.scalar(t, "ader_run.mAUROC_sp_max"), tol)
		near(t, "mAP_sp_max", r.IAP, g.scalar(t, "ader_run.mAP_sp_max"), tol)
		near(t, "mF1_max_sp_max", r.IF1Max, g.scalar(t, "ader_run.mF1_max_sp_max"), tol)
		near(t, "mAUROC_px", r.PAUROC, g.scalar(t, "ader_run.mAUROC_px"), tol)
		near(t, "mAP_px", r.PAP, g.scalar(t, "ader_run.mAP_px"), tol)
		near(t, "mF1_max_px", r.PF1Max, g.scalar(t, "ader_run.mF1_max_px"), tol)
		near(t, "mAUPRO_px", r.AUPRO, g.scalar(t, "ader_run.mAUPRO_px"), tol)
		near(t, "mIoU_max_px", r.ADer.IoUMaxPx, g.scalar(t, "ader_run.mIoU_max_px"), tol)
		near(t, "mF1_px_0.2_0.8_0.1", r.ADer.F1Px, g.scalar(t, "ader_run.mF1_px_0.2_0.8_0.1"), tol)
		near(t, "mAcc_px_0.2_0.8_0.1", r.ADer.AccPx, g.scalar(t, "ader_run.mAcc_px_0.2_0.8_0.1"), tol)
		near(t, "mIoU_px_0.2_0.8_0.1", r.ADer.IoUPx, g.scalar(t, "ader_run.mIoU_px_0.2_0.8_0.1"), tol)
	}
}

// TestGoldenThresholds checks the numpy arange reproduction bit for bit.
func TestGoldenThresholds(t *testing.T) {
	g := loadGolden(t)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range g.maps {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	for _, steps := range g.proSteps(t, "ader_pro_thresholds_step") {
		want := g.f.Get(t, fmt.Sprint("ader_pro_thresholds_step", steps)).F64
		got, err := arange(lo, hi, (hi-lo)/float64(steps))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("steps %d: %d thresholds, want %d", steps, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("steps %d: threshold %d = %v, want %v", steps, i, got[i], want[i])
			}
		}
	}
}
