package selscan

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func zeroGrads(d Dims) Grads {
	return Grads{U: nanVec(d.seqLen()), Delta: nanVec(d.seqLen()), B: nanVec(d.bcLen()), C: nanVec(d.bcLen()),
		A: make([]float32, d.chans()*d.N), Dskip: make([]float32, d.chans()), DeltaBias: make([]float32, d.chans())}
}

func sameBits(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestSavedReuse runs one Saved through calls of different sizes and checks
// each Backward against a fresh Saved and against Backward(nil).
func TestSavedReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var s Saved
	for _, d := range []Dims{{1, 2, 5, 200, 16}, {2, 1, 3, 65, 16}, {1, 2, 5, 300, 4}} {
		in := randInputs(rng, d, normalOpts)
		dy := randVec(rng, d.seqLen())
		y := nanVec(d.seqLen())
		Forward(d, in, y, &s)
		g1, g2 := zeroGrads(d), zeroGrads(d)
		Backward(d, in, dy, &s, g1)
		Backward(d, in, dy, nil, g2)
		for i, p := range [][2][]float32{{g1.U, g2.U}, {g1.Delta, g2.Delta}, {g1.A, g2.A}, {g1.B, g2.B},
			{g1.C, g2.C}, {g1.Dskip, g2.Dskip}, {g1.DeltaBias, g2.DeltaBias}} {
			if !sameBits(p[0], p[1]) {
				t.Fatalf("%v: gradient %d differs between reused Saved and Backward(nil)", d, i)
			}
		}
		y2 := nanVec(d.seqLen())
		Forward(d, in, y2, nil)
		if !sameBits(y, y2) {
			t.Fatalf("%v: y differs with and without Saved", d)
		}
	}
}

// TestBackwardAccumulates checks that a second Backward adds exactly the
// same parameter gradients again and overwrites the others.
func TestBackwardAccumulates(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	d := Dims{2, 2, 7, 100, 16}
	in := randInputs(rng, d, normalOpts)
	dy := randVec(rng, d.seqLen())
	var s Saved
	Forward(d, in, make([]float32, d.seqLen()), &s)
	g := zeroGrads(d)
	Backward(d, in, dy, &s, g)
	once := Grads{U: clone(g.U), A: clone(g.A), Dskip: clone(g.Dskip)}
	Backward(d, in, dy, &s, g)
	if !sameBits(g.U, once.U) {
		t.Fatal("second Backward changed the overwritten dU")
	}
	for i := range g.A {
		if g.A[i] != 2*once.A[i] {
			t.Fatalf("dA[%d] = %g after two calls, want %g", i, g.A[i], 2*once.A[i])
		}
	}
}

func TestValidate(t *testing.T) {
	d := Dims{1, 2, 3, 4, 5}
	in := randInputs(rand.New(rand.NewPCG(1, 1)), d, normalOpts)
	if err := d.Validate(in); err != nil {
		t.Fatal(err)
	}
	bad := in
	bad.B = bad.B[1:]
	if err := d.Validate(bad); err == nil || !strings.Contains(err.Error(), "B has length") {
		t.Fatalf("short B: err = %v", err)
	}
	if err := (Dims{1, 0, 3, 4, 5}).Validate(in); err == nil {
		t.Fatal("K = 0 accepted")
	}
}

func TestPanics(t *testing.T) {
	d := Dims{1, 2, 3, 4, 5}
	in := randInputs(rand.New(rand.NewPCG(1, 1)), d, normalOpts)
	expectPanic(t, "short y", func() { Forward(d, in, make([]float32, 3), nil) })
	expectPanic(t, "short dA", func() {
		g := zeroGrads(d)
		g.A = g.A[:2]
		Backward(d, in, make([]float32, d.seqLen()), nil, g)
	})
	expectPanic(t, "Saved of other sizes", func() {
		var s Saved
		Forward(d, in, make([]float32, d.seqLen()), &s)
		d2 := Dims{1, 2, 3, 2, 10}
		Backward(d2, in, make([]float32, d.seqLen()), &s, zeroGrads(d2))
	})
}

func expectPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s: no panic", what)
		}
	}()
	f()
}

// TestExpf checks the scalar exp shared by the kernels against math.Exp.
func TestExpf(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 200000; i++ {
		x := float32(-90 + 180*rng.Float64())
		checkExp(t, x, expf(x))
	}
	for _, x := range []float32{0, -0, 1e-30, -1e-30, expMin, expMax, -87.4, -100, -1e30, 88.8, 1e30} {
		checkExp(t, x, expf(x))
	}
	if v := expf(float32(math.NaN())); v == v {
		t.Fatalf("expf(NaN) = %g", v)
	}
}

// checkExp allows 2 ulp; results below the smallest normal may be 0, and
// results above 2.3e38 (x > 88.37) may overflow to +Inf (the AVX2
// exp builds 2^n with n = 128 there; no caller gets near it).
func checkExp(t *testing.T, x, got float32) {
	t.Helper()
	want := math.Exp(float64(x))
	if want > 2.3e38 && math.IsInf(float64(got), 1) {
		return
	}
	if want < 0x1p-126 {
		if got < 0 || float64(got) > 0x1p-126 {
			t.Fatalf("exp(%g) = %g, want ~%g", x, got, want)
		}
		return
	}
	w32 := float32(want)
	if math.IsInf(float64(w32), 1) {
		if !math.IsInf(float64(got), 1) {
			t.Fatalf("exp(%g) = %g, want +Inf", x, got)
		}
		return
	}
	ulp := float64(math.Nextafter32(w32, float32(math.Inf(1))) - w32)
	if math.Abs(float64(got)-want) > 2*ulp {
		t.Fatalf("exp(%g) = %g, want %g (%.2f ulp)", x, got, want, math.Abs(float64(got)-want)/ulp)
	}
}

func TestScratchSizeClasses(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 1000, 1 << 20, 1<<20 + 1} {
		p := getScratch(n)
		if len(*p) != n || cap(*p) < n || cap(*p)&(cap(*p)-1) != 0 {
			t.Fatalf("getScratch(%d): len %d cap %d", n, len(*p), cap(*p))
		}
		putScratch(p)
		if q := getScratch(n); cap(*q) < n {
			t.Fatalf("reused scratch too small for %d", n)
		}
	}
}
