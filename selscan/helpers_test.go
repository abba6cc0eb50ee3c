package selscan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// inputOpts shapes the random inputs: the range of the raw Δ and of log(−A).
type inputOpts struct {
	deltaLo, deltaHi float64
	logALo, logAHi   float64
}

var normalOpts = inputOpts{-3, 1, -1, 2.8}

func randInputs(rng *rand.Rand, d Dims, o inputOpts) Inputs {
	uni := func(n int, lo, hi float64) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(lo + (hi-lo)*rng.Float64())
		}
		return s
	}
	norm := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	a := uni(d.chans()*d.N, o.logALo, o.logAHi)
	for i := range a {
		a[i] = -float32(math.Exp(float64(a[i])))
	}
	return Inputs{U: norm(d.seqLen()), Delta: uni(d.seqLen(), o.deltaLo, o.deltaHi), A: a,
		B: norm(d.bcLen()), C: norm(d.bcLen()), Dskip: norm(d.chans()), DeltaBias: uni(d.chans(), -1, 0.5)}
}

func randVec(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func nanVec(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

// closeTo fails unless got matches want within tol relative to the largest
// |want| (plus tol·|want| elementwise); NaN anywhere fails.
func closeTo(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if err := compare(got, want, tol); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func compare(got []float32, want []float64, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("length %d, want %d", len(got), len(want))
	}
	scale := 1e-30
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i, g := range got {
		diff := math.Abs(float64(g) - want[i])
		if !(diff <= tol*(scale+math.Abs(want[i]))) {
			return fmt.Errorf("element %d = %g, want %g (diff %.3g, scale %.3g)", i, g, want[i], diff, scale)
		}
	}
	return nil
}

// testDims covers L ∈ {1, 3, 7, 64, 65, 257} (chunk boundaries hit exactly,
// crossed and not), N ∈ {1, 3, 16}, odd D, and groups of one and several
// channels.
func testDims() []Dims {
	var ds []Dims
	for _, l := range []int{1, 3, 7, 64, 65, 257} {
		for _, n := range []int{1, 3, 16} {
			ds = append(ds, Dims{Batch: 2, K: 2, D: 3, L: l, N: n})
		}
	}
	return append(ds, Dims{1, 1, 65, 7, 16}, Dims{1, 3, 33, 129, 16}, Dims{3, 1, 5, 31, 5}, Dims{1, 2, 1, 200, 16})
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
