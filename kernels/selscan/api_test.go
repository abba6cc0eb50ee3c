package selscan

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

func gradsEqual(a, b Grads) bool {
	return sameBits(a.X, b.X) && sameBits(a.XDbl, b.XDbl) && sameBits(a.DtW, b.DtW) &&
		sameBits(a.DtBias, b.DtBias) && sameBits(a.A, b.A) && sameBits(a.Dskip, b.Dskip)
}

// TestSavedReuse runs one Saved through calls of different sizes and checks
// each Backward against Backward(nil) and Forward against Forward(nil).
func TestSavedReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var s Saved
	for _, d := range []Dims{{1, 200, 20, 2, 4, 16}, {2, 65, 3, 4, 1, 16}, {1, 300, 40, 2, 3, 4}, {3, 16, 16, 8, 1, 16}} {
		in := randInputs(rng, d, normalOpts)
		dy := testutil.NormVec(rng, d.tokLen())
		y := testutil.NaNs(d.tokLen())
		Forward(d, in, y, &s)
		g1, g2 := zeroGrads(d), zeroGrads(d)
		Backward(d, in, dy, &s, g1)
		Backward(d, in, dy, nil, g2)
		if !gradsEqual(g1, g2) {
			t.Fatalf("%v: gradients differ between reused Saved and Backward(nil)", d)
		}
		y2 := testutil.NaNs(d.tokLen())
		Forward(d, in, y2, nil)
		if !sameBits(y, y2) {
			t.Fatalf("%v: Y differs with and without Saved", d)
		}
	}
}

// TestBackwardAccumulates checks that a second Backward adds exactly the
// same parameter gradients again and overwrites the others.
func TestBackwardAccumulates(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	d := Dims{2, 100, 21, 2, 4, 16}
	in := randInputs(rng, d, normalOpts)
	dy := testutil.NormVec(rng, d.tokLen())
	var s Saved
	Forward(d, in, make([]float32, d.tokLen()), &s)
	g := zeroGrads(d)
	Backward(d, in, dy, &s, g)
	once := Grads{X: clone(g.X), XDbl: clone(g.XDbl), DtW: clone(g.DtW), DtBias: clone(g.DtBias), A: clone(g.A), Dskip: clone(g.Dskip)}
	Backward(d, in, dy, &s, g)
	if !sameBits(g.X, once.X) || !sameBits(g.XDbl, once.XDbl) {
		t.Fatal("second Backward changed the overwritten dX or dXDbl")
	}
	for _, p := range [][2][]float32{{g.DtW, once.DtW}, {g.DtBias, once.DtBias}, {g.A, once.A}, {g.Dskip, once.Dskip}} {
		for i := range p[0] {
			if p[0][i] != 2*p[1][i] {
				t.Fatalf("parameter gradient %g after two calls, want %g", p[0][i], 2*p[1][i])
			}
		}
	}
}

// TestDeterministic runs the work items serially in reverse order and
// checks every level gives bit-identical results to the parallel run: the
// item decomposition and every summation order depend on the sizes only.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, d := range []Dims{{1, 256, 80, 8, 4, 16}, {3, 70, 33, 2, 2, 4}} {
		in := randInputs(rng, d, normalOpts)
		dy := testutil.NormVec(rng, d.tokLen())
		for _, lv := range isa.Available() {
			run := func() ([]float32, Grads) {
				y, g := testutil.NaNs(d.tokLen()), zeroGrads(d)
				var s Saved
				forward(lv, d, in, y, &s)
				backward(lv, d, in, dy, &s, g)
				return y, g
			}
			y1, g1 := run()
			runItems = func(n int, fn func(int)) {
				for i := n - 1; i >= 0; i-- {
					fn(i)
				}
			}
			y2, g2 := run()
			runItems = parallelRun
			if !sameBits(y1, y2) || !gradsEqual(g1, g2) {
				t.Fatalf("%v %v: results depend on the order of the work items", d, lv)
			}
		}
	}
}

var parallelRun = runItems

func TestValidate(t *testing.T) {
	d := Dims{1, 4, 3, 2, 2, 5}
	in := randInputs(rand.New(rand.NewPCG(1, 1)), d, normalOpts)
	if err := d.Validate(in); err != nil {
		t.Fatal(err)
	}
	bad := in
	bad.XDbl = bad.XDbl[1:]
	if err := d.Validate(bad); err == nil || !strings.Contains(err.Error(), "XDbl has length") {
		t.Fatalf("short XDbl: err = %v", err)
	}
	bad = in
	bad.Idx = [][]int32{{0, 1, 2, 3}, {0, 1, 1, 3}}
	if err := d.Validate(bad); err == nil || !strings.Contains(err.Error(), "permutation") {
		t.Fatalf("repeated index: err = %v", err)
	}
	bad.Idx = [][]int32{{0, 1, 2, 3}, {0, 1, 2, 4}}
	if err := d.Validate(bad); err == nil {
		t.Fatal("index out of range accepted")
	}
	bad.Idx = [][]int32{{0, 1, 2, 3}}
	if err := d.Validate(bad); err == nil {
		t.Fatal("missing direction accepted")
	}
	if err := (Dims{1, 4, 3, 2, 0, 5}).Validate(in); err == nil {
		t.Fatal("R = 0 accepted")
	}
}

func TestPanics(t *testing.T) {
	d := Dims{1, 4, 3, 2, 2, 5}
	in := randInputs(rand.New(rand.NewPCG(1, 1)), d, normalOpts)
	testutil.MustPanic(t, "short y", func() { Forward(d, in, make([]float32, 3), nil) })
	testutil.MustPanic(t, "short dA", func() {
		g := zeroGrads(d)
		g.A = g.A[:2]
		Backward(d, in, make([]float32, d.tokLen()), nil, g)
	})
	testutil.MustPanic(t, "Saved of other sizes", func() {
		var s Saved
		Forward(d, in, make([]float32, d.tokLen()), &s)
		d2 := d
		d2.N = 4
		in2 := randInputs(rand.New(rand.NewPCG(1, 1)), d2, normalOpts)
		Backward(d2, in2, make([]float32, d.tokLen()), &s, zeroGrads(d2))
	})
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
