package selscan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/scanorder"
)

// inputOpts shapes the random inputs: the range of DtBias (which sets the
// raw Δ) and of log(−A).
type inputOpts struct {
	biasLo, biasHi float64
	logALo, logAHi float64
}

// normalOpts gives δ between ~0.02 and ~2 and decays over the model's range.
var normalOpts = inputOpts{-4, 0.5, -1, 2.8}

// directions returns K scan permutations of L pixels: the model's
// directions (Hilbert order) when L is a square of a power of two, random
// permutations otherwise.
func directions(rng *rand.Rand, L, K int) [][]int32 {
	side := int(math.Sqrt(float64(L)))
	if side*side == L && side&(side-1) == 0 && (K == 2 || K == 4 || K == 8) {
		ds, err := scanorder.NewDirections(scanorder.Hilbert, side, K)
		if err != nil {
			panic(err)
		}
		return ds.Idx
	}
	idx := make([][]int32, K)
	for k := range idx {
		idx[k] = make([]int32, L)
		for j, p := range rng.Perm(L) {
			idx[k][j] = int32(p)
		}
	}
	return idx
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

// randInputs draws inputs of the model's scales: dt_low and DtW of
// ±1/√R-ish size, so that raw ≈ DtBias ± 1.
func randInputs(rng *rand.Rand, d Dims, o inputOpts) Inputs {
	a := testutil.UniformVec(rng, d.K*d.D*d.N, o.logALo, o.logAHi)
	for i := range a {
		a[i] = -float32(math.Exp(float64(a[i])))
	}
	xdbl := testutil.NormVec(rng, d.dblLen())
	w := 1 / math.Sqrt(float64(d.R))
	return Inputs{X: testutil.NormVec(rng, d.tokLen()), XDbl: xdbl, Idx: directions(rng, d.L, d.K),
		DtW: testutil.UniformVec(rng, d.K*d.D*d.R, -w, w), DtBias: testutil.UniformVec(rng, d.K*d.D, o.biasLo, o.biasHi),
		A: a, Dskip: testutil.NormVec(rng, d.K*d.D)}
}

// poisonedGrads returns gradients whose overwritten parts are NaN and
// whose accumulated parts hold prior values.
func poisonedGrads(d Dims, prior Grads) Grads {
	return Grads{X: testutil.NaNs(d.tokLen()), XDbl: testutil.NaNs(d.dblLen()), DtW: clone(prior.DtW),
		DtBias: clone(prior.DtBias), A: clone(prior.A), Dskip: clone(prior.Dskip)}
}

func zeroGrads(d Dims) Grads {
	return poisonedGrads(d, Grads{DtW: make([]float32, d.K*d.D*d.R), DtBias: make([]float32, d.K*d.D),
		A: make([]float32, d.K*d.D*d.N), Dskip: make([]float32, d.K*d.D)})
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

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
