package selscan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// TestResultsIndependentOfWorkers requires bit-identical outputs and
// gradients for any worker count (TestDeterministic covers the order of
// the work items; this also covers the parallel reductions after them).
func TestResultsIndependentOfWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, d := range []Dims{{1, 256, 80, 8, 4, 16}, {3, 70, 33, 2, 2, 4}, {5, 64, 40, 4, 3, 16}} {
		in := randInputs(rng, d, normalOpts)
		dy := testutil.NormVec(rng, d.tokLen())
		for _, lv := range isa.Available() {
			testutil.SameForAnyWorkers(t, fmt.Sprintf("%v %v", d, lv), func() [][]float32 {
				y, g := testutil.NaNs(d.tokLen()), zeroGrads(d)
				var s Saved
				forward(lv, d, in, y, &s)
				backward(lv, d, in, dy, &s, g)
				return [][]float32{y, g.X, g.XDbl, g.DtW, g.DtBias, g.A, g.Dskip}
			})
		}
	}
}
