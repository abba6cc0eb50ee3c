package dwconv

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// TestResultsIndependentOfWorkers requires bit-identical outputs and
// gradients for any worker count and schedule, at every level, in both
// layouts: few channels (weight gradients split over row groups), many
// (channel groups) and multiples of 512 (the packed paths, whose channel
// groups depend on the worker count).
func TestResultsIndependentOfWorkers(t *testing.T) {
	for _, l := range isa.Available() {
		t.Run(l.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 5))
			for _, s := range []struct{ n, h, w, c, k int }{
				{3, 17, 13, 24, 3}, {5, 16, 16, 200, 3}, {2, 8, 8, 1024, 3}, {3, 9, 10, 1536, 3}, {1, 12, 11, 40, 7},
			} {
				n, h, w, c, k := s.n, s.h, s.w, s.c, s.k
				x, dy := testutil.NormVec(rng, n*h*w*c), testutil.NormVec(rng, n*h*w*c)
				wt, b := testutil.NormVec(rng, c*k*k), testutil.NormVec(rng, c)
				dw0, db0 := testutil.NormVec(rng, c*k*k), testutil.NormVec(rng, c)
				testutil.SameForAnyWorkers(t, fmt.Sprintf("%+v", s), func() [][]float32 {
					out := make([][]float32, 0, 8)
					for _, nhwc := range []bool{true, false} {
						y, dx := make([]float32, len(x)), make([]float32, len(x))
						dw, db := slices.Clone(dw0), slices.Clone(db0)
						if nhwc {
							forwardNHWC(l, n, h, w, c, k, x, wt, b, y)
							backwardInputNHWC(l, n, h, w, c, k, dy, wt, dx)
							backwardWeightNHWC(l, n, h, w, c, k, x, dy, dw, db)
						} else {
							forward(l, n, c, h, w, k, x, wt, b, y)
							backwardInput(l, n, c, h, w, k, dy, wt, dx)
							backwardWeight(l, n, c, h, w, k, x, dy, dw, db)
						}
						out = append(out, y, dx, dw, db)
					}
					return out
				})
			}
		})
	}
}
