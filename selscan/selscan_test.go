package selscan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/isa"
)

// impl is one way of running the scan: a level of the fast path, or the
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
				forward(lv, d, in, nanVec(d.seqLen()), &s)
				backward(lv, d, in, dy, &s, g)
			}})
	}
	return is
}

// checkAll runs every implementation on one input set against float64.
func checkAll(t *testing.T, d Dims, in Inputs, rng *rand.Rand, tol float64) {
	t.Helper()
	in64 := inputs64(in)
	wantY := forward64(d, in64)
	dy := randVec(rng, d.seqLen())
	want := backward64(d, in64, to64(dy))
	// Accumulated gradients start from nonzero values of the gradient's own
	// magnitude, so that subtracting them back loses no precision.
	prior := Grads{A: priorLike(rng, want.A), Dskip: priorLike(rng, want.Dskip), DeltaBias: priorLike(rng, want.Bias)}
	for _, im := range impls() {
		y := nanVec(d.seqLen())
		im.fwd(d, in, y)
		closeTo(t, fmt.Sprintf("%v %s y", d, im.name), y, wantY, tol/5)
		g := Grads{U: nanVec(d.seqLen()), Delta: nanVec(d.seqLen()), B: nanVec(d.bcLen()), C: nanVec(d.bcLen()),
			A: clone(prior.A), Dskip: clone(prior.Dskip), DeltaBias: clone(prior.DeltaBias)}
		im.bwd(d, in, dy, g)
		for _, c := range []struct {
			name  string
			got   []float32
			want  []float64
			prior []float32
		}{{"dU", g.U, want.U, nil}, {"dDelta", g.Delta, want.Delta, nil}, {"dB", g.B, want.B, nil},
			{"dC", g.C, want.C, nil}, {"dA", g.A, want.A, prior.A}, {"dDskip", g.Dskip, want.Dskip, prior.Dskip},
			{"dDeltaBias", g.DeltaBias, want.Bias, prior.DeltaBias}} {
			closeTo(t, fmt.Sprintf("%v %s %s", d, im.name, c.name), minus(c.got, c.prior), c.want, tol)
		}
	}
}

func priorLike(rng *rand.Rand, want []float64) []float32 {
	var m float64
	for _, w := range want {
		m = max(m, math.Abs(w))
	}
	p := randVec(rng, len(want))
	for i := range p {
		p[i] *= float32(m)
	}
	return p
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

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

// TestExtremeInputs drives δ past the softplus threshold and δ·A far below
// the exp underflow, and A close to 0 (no decay).
func TestExtremeInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []inputOpts{{15, 30, -1, 2.8}, {-3, 1, 5, 9.5}, {-3, 25, -7, -5}, {-30, -10, -1, 2.8}}
	for _, o := range cases {
		for _, d := range []Dims{{2, 2, 3, 70, 16}, {1, 2, 3, 9, 3}} {
			checkAll(t, d, randInputs(rng, d, o), rng, 1e-4)
		}
	}
}
