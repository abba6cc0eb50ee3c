package optim

import (
	"math"
	"testing"

	"github.com/mambaad/mambaad/nn"
)

// Hand-computed AdamW: lr 0.1 then 0.01 (a StepLR with its milestone after
// the first of two iterations), weight decay 0.01, betas (0.9, 0.999), eps
// 1e-8. "w" (rank 2) decays, "w.bias" does not. With g1 the first gradient,
// step 1 gives m̂ = g1, v̂ = g1², so p ← p·(1 − lr·wd) − lr·g1/(|g1| + eps):
//
//	w[0] = 1·0.999 − 0.1·0.5/0.50000001 = 0.899000002
//	w[1] = −2·0.999 + 0.1·0.1/0.10000001 = −1.89800001
//	w[2] = 0.5·0.999 − 0 = 0.4995 (zero gradient: decay only)
//	w[3] = 0·0.999 − 0.1·2/2.00000001 = −0.0999999995
//	b[0] = 0.3 + 0.1·4/4.00000001 = 0.39999999975 (no decay)
//
// Step 2, gradients g2, lr 0.01: m = 0.9·m + 0.1·g2, v = 0.999·v + 0.001·g2²,
// m̂ = m/(1 − 0.9²), v̂ = v/(1 − 0.999²), p ← p·(1 − 0.01·0.01) −
// 0.01·m̂/(√v̂ + eps); e.g. w[2]: m = −0.1, v = 0.001, m̂ = −0.526316,
// v̂ = 0.500250, so 0.4995·0.9999 + 0.01·0.526316/0.707284 = 0.506891418.
func TestAdamWHandComputed(t *testing.T) {
	w := nn.NewParam("w", 2, 2)
	b := nn.NewParam("w.bias", 1)
	buf := nn.NewBuffer("running_mean", 3) // not trained: no gradient
	copy(w.W, []float32{1, -2, 0.5, 0})
	b.W[0] = 0.3
	if !w.Decay || b.Decay {
		t.Fatalf("decay flags: w %v, w.bias %v; want true, false (ADer's rule)", w.Decay, b.Decay)
	}
	sched := StepLR{Base: 0.1, Total: 2, Milestone: 0.5, Gamma: 0.1}
	if err := sched.Validate(); err != nil {
		t.Fatal(err)
	}
	o := NewAdamW([]*nn.Param{w, buf, b}, sched.Base, 0.01)
	if ps := o.Params(); len(ps) != 2 || ps[0] != w || ps[1] != b {
		t.Fatalf("optimiser params %v, want [w w.bias]", ps)
	}
	steps := []struct {
		gw      []float32
		gb      float32
		wantW   []float64
		wantB   float64
		wantM0  float64 // first moment of w[0] after the step
		wantV0  float64 // second moment of w[0]
		wantLR  float64
		iterate int
	}{
		{[]float32{0.5, -0.1, 0, 2}, -4,
			[]float64{0.899000002, -1.89800001, 0.4995, -0.0999999995}, 0.39999999975,
			0.05, 0.00025, 0.1, 0},
		{[]float32{0.1, 0.3, -1, 2}, 1,
			[]float64{0.8908796924382651, -1.9027521081110057, 0.5068914181304592, -0.10998999945004995}, 0.4046946814459727,
			0.055, 0.00025975, 0.01, 1},
	}
	for i, s := range steps {
		copy(w.G, s.gw)
		b.G[0] = s.gb
		o.LR = sched.At(s.iterate)
		if math.Abs(o.LR-s.wantLR) > 1e-15 {
			t.Fatalf("step %d: lr %g, want %g", i+1, o.LR, s.wantLR)
		}
		o.Update()
		for j, want := range s.wantW {
			near(t, "w", i+1, float64(w.W[j]), want)
		}
		near(t, "w.bias", i+1, float64(b.W[0]), s.wantB)
		m, v := o.Moments(0)
		near(t, "m(w[0])", i+1, float64(m[0]), s.wantM0)
		near(t, "v(w[0])", i+1, float64(v[0]), s.wantV0)
	}
	if o.Step != 2 {
		t.Errorf("Step = %d after two updates", o.Step)
	}
	for _, v := range buf.W {
		if v != 0 {
			t.Fatal("a buffer was updated")
		}
	}
}

// near compares with a float32-sized relative tolerance.
func near(t *testing.T, what string, step int, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-6*max(1, math.Abs(want)) {
		t.Errorf("step %d: %s = %.9g, want %.9g", step, what, got, want)
	}
}

// TestAdamWDecayOnlyWhereMarked: with zero gradients the update is the
// decay alone, p·(1 − lr·wd), applied only to parameters with Decay set,
// whatever their rank, and not at all when the weight decay is 0.
func TestAdamWDecayOnlyWhereMarked(t *testing.T) {
	marked := nn.NewParam("a.weight", 2, 2)
	unmarked := nn.NewParam("b.weight", 2, 2)
	unmarked.Decay = false
	for _, p := range []*nn.Param{marked, unmarked} {
		copy(p.W, []float32{1, 2, 3, 4})
	}
	o := NewAdamW([]*nn.Param{marked, unmarked}, 0.5, 0.1)
	o.Update()
	for j, v := range marked.W {
		if want := float32(j+1) * 0.95; math.Abs(float64(v-want)) > 1e-6 {
			t.Errorf("marked[%d] = %g, want %g", j, v, want)
		}
	}
	for j, v := range unmarked.W {
		if v != float32(j+1) {
			t.Errorf("unmarked[%d] = %g, want %d", j, v, j+1)
		}
	}
	o2 := NewAdamW([]*nn.Param{marked}, 0.5, 0)
	before := append([]float32(nil), marked.W...)
	o2.Update()
	for j := range before {
		if marked.W[j] != before[j] {
			t.Fatalf("weight decay 0 changed a parameter with zero gradient")
		}
	}
}

// TestClipGradNorm: the global L2 norm over every gradient (3, 0 and 4 → 5)
// is returned; gradients are scaled by maxNorm/(norm + 1e-6) only when that
// is below 1, and buffers without gradients are ignored.
func TestClipGradNorm(t *testing.T) {
	mk := func() []*nn.Param {
		a, b := nn.NewParam("a", 2), nn.NewParam("b", 1)
		copy(a.G, []float32{3, 0})
		b.G[0] = 4
		return []*nn.Param{a, nn.NewBuffer("buf", 2), b}
	}
	for _, c := range []struct {
		max   float64
		scale float64
	}{{1, 1 / (5 + 1e-6)}, {5, 5 / (5 + 1e-6)}, {10, 1}} {
		ps := mk()
		if n := ClipGradNorm(ps, c.max); math.Abs(n-5) > 1e-12 {
			t.Errorf("max %g: norm %g, want 5", c.max, n)
		}
		got := []float32{ps[0].G[0], ps[0].G[1], ps[2].G[0]}
		for j, w := range []float64{3, 0, 4} {
			if want := w * c.scale; math.Abs(float64(got[j])-want) > 1e-6 {
				t.Errorf("max %g: gradient %d = %.9g, want %.9g", c.max, j, got[j], want)
			}
		}
	}
}

// TestStepLR: the base rate before Milestone·Total iterations, base·Gamma
// from there on; Validate rejects impossible schedules.
func TestStepLR(t *testing.T) {
	s := StepLR{Base: 0.01, Total: 10, Milestone: 0.8, Gamma: 0.1}
	for it := 0; it < 12; it++ {
		want := 0.01
		if it >= 8 {
			want = 0.001
		}
		if got := s.At(it); math.Abs(got-want) > 1e-15 {
			t.Errorf("At(%d) = %g, want %g", it, got, want)
		}
	}
	if err := s.Validate(); err != nil {
		t.Errorf("valid schedule rejected: %v", err)
	}
	for _, bad := range []StepLR{
		{Base: 0, Total: 10, Milestone: 0.8, Gamma: 0.1},
		{Base: 0.1, Total: 0, Milestone: 0.8, Gamma: 0.1},
		{Base: 0.1, Total: 10, Milestone: 1.5, Gamma: 0.1},
		{Base: 0.1, Total: 10, Milestone: -0.1, Gamma: 0.1},
		{Base: 0.1, Total: 10, Milestone: 0.8, Gamma: 0},
	} {
		if bad.Validate() == nil {
			t.Errorf("invalid schedule %+v accepted", bad)
		}
	}
}
