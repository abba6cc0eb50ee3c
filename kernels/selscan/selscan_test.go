package selscan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// impl is one way of running the core: a level of the fast path, or the
// float32 reference.
type impl struct {
	name string
	fwd  func(d Dims, in Inputs, y []float32)
	bwd  func(d Dims, in Inputs, dy []float32, g Grads)
}

func impls() []impl {
	is := []impl{{"ref", ForwardRef, BackwardRef}}
	for _, lv := range isa.Available() {
		is = append(is, impl{lv.String(),
			func(d Dims, in Inputs, y []float32) { forward(lv, d, in, y, nil) },
			func(d Dims, in Inputs, dy []float32, g Grads) {
				var s Saved
				forward(lv, d, in, testutil.NaNs(d.tokLen()), &s)
				backward(lv, d, in, dy, &s, g)
			}})
	}
	return is
}

// testDims covers L ∈ {1, 4, 16, 64} with the model's scan directions and
// other L (chunk boundaries crossed or not) with random permutations,
// D ∈ {1, 7, 16, 17, 32, 33} (full and padded groups), N ∈ {1, 4, 16},
// K ∈ {2, 4, 8}, R ∈ {1, 4}, and several channel blocks per item.
func testDims() []Dims {
	return []Dims{
		{Batch: 2, L: 1, D: 7, K: 2, R: 1, N: 4},
		{Batch: 1, L: 4, D: 17, K: 4, R: 4, N: 16},
		{Batch: 2, L: 16, D: 33, K: 8, R: 1, N: 16},
		{Batch: 1, L: 64, D: 32, K: 8, R: 4, N: 4},
		{Batch: 1, L: 64, D: 16, K: 2, R: 4, N: 16},
		{Batch: 2, L: 16, D: 1, K: 4, R: 1, N: 1},
		{Batch: 1, L: 3, D: 16, K: 2, R: 4, N: 16},
		{Batch: 1, L: 65, D: 7, K: 2, R: 1, N: 16},
		{Batch: 2, L: 130, D: 33, K: 2, R: 4, N: 16},
		{Batch: 1, L: 128, D: 17, K: 4, R: 4, N: 4},
		{Batch: 3, L: 16, D: 32, K: 2, R: 4, N: 16},
		{Batch: 1, L: 64, D: 64, K: 2, R: 2, N: 16},
	}
}

// checkAll runs every implementation on one input set against float64,
// with overwritten outputs NaN-poisoned and accumulated ones nonzero.
func checkAll(t *testing.T, d Dims, in Inputs, rng *rand.Rand, tol float64) {
	t.Helper()
	i64 := inputs64(in)
	wantY := forward64(d, i64)
	dy := testutil.NormVec(rng, d.tokLen())
	want := backward64(d, i64, testutil.To64(dy))
	// Accumulated gradients start from values of the gradient's own
	// magnitude, so that subtracting them back loses little precision.
	prior := Grads{DtW: priorLike(rng, want.DtW), DtBias: priorLike(rng, want.DtBias),
		A: priorLike(rng, want.A), Dskip: priorLike(rng, want.Dskip)}
	for _, im := range impls() {
		y := testutil.NaNs(d.tokLen())
		im.fwd(d, in, y)
		closeTo(t, fmt.Sprintf("%v %s Y", d, im.name), y, wantY, tol/5)
		g := poisonedGrads(d, prior)
		im.bwd(d, in, dy, g)
		for _, c := range []struct {
			name  string
			got   []float32
			want  []float64
			prior []float32
		}{{"dX", g.X, want.X, nil}, {"dXDbl", g.XDbl, want.XDbl, nil}, {"dDtW", g.DtW, want.DtW, prior.DtW},
			{"dDtBias", g.DtBias, want.DtBias, prior.DtBias}, {"dA", g.A, want.A, prior.A},
			{"dDskip", g.Dskip, want.Dskip, prior.Dskip}} {
			closeTo(t, fmt.Sprintf("%v %s %s", d, im.name, c.name), minus(c.got, c.prior), c.want, tol)
		}
	}
}

func priorLike(rng *rand.Rand, want []float64) []float32 {
	var m float64
	for _, w := range want {
		m = max(m, math.Abs(w))
	}
	p := testutil.NormVec(rng, len(want))
	for i := range p {
		p[i] *= float32(m)
	}
	return p
}

// minus returns got − prior (the accumulated part), or got when prior is nil.
func minus(got, prior []float32) []float32 {
	if prior == nil {
		return got
	}
	o := make([]float32, len(got))
	for i := range got {
		o[i] = got[i] - prior[i]
	}
	return o
}

func TestAllLevelsMatchFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range testDims() {
		checkAll(t, d, randInputs(rng, d, normalOpts), rng, 1e-4)
	}
}

// TestExtremeInputs drives raw Δ past the softplus threshold, far below
// zero (δ ≈ e^raw), decays far below the exp underflow and A close to 0.
func TestExtremeInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []inputOpts{{19, 30, -1, 2.8}, {-4, 0.5, 5, 9.5}, {-4, 25, -7, -5}, {-30, -12, -1, 2.8}}
	for _, o := range cases {
		for _, d := range []Dims{{Batch: 1, L: 70, D: 17, K: 2, R: 4, N: 16}, {Batch: 2, L: 9, D: 3, K: 2, R: 1, N: 3}} {
			checkAll(t, d, randInputs(rng, d, o), rng, 1e-4)
		}
	}
}
