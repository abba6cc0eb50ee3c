package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// TestResultsIndependentOfWorkers requires bit-identical products for any
// worker count: products are split over rows or columns of C only, on tile
// boundaries, so every element sums the same terms in the same order
// however many pieces there are. Sizes are large enough to be split and
// not multiples of any tile; beta = 1 accumulates as the gradients do.
func TestResultsIndependentOfWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, l := range isa.Available() {
		for _, s := range []struct {
			m, n, k        int
			transA, transB bool
		}{
			{301, 97, 130, false, false}, {45, 700, 77, true, false}, {129, 515, 33, false, true},
			{600, 600, 9, true, true}, {1000, 17, 300, false, false},
		} {
			ar, ac := s.m, s.k
			if s.transA {
				ar, ac = ac, ar
			}
			br, bc := s.k, s.n
			if s.transB {
				br, bc = bc, br
			}
			a, b := testutil.NormVec(rng, ar*ac), testutil.NormVec(rng, br*bc)
			c0 := testutil.NormVec(rng, s.m*s.n)
			testutil.SameForAnyWorkers(t, fmt.Sprintf("%v %+v", l, s), func() [][]float32 {
				c := append([]float32(nil), c0...)
				sgemmLevel(l, s.transA, s.transB, s.m, s.n, s.k, 1, a, ac, b, bc, 1, c, s.n)
				c2 := make([]float32, len(c0))
				sgemmLevel(l, s.transA, s.transB, s.m, s.n, s.k, 0.5, a, ac, b, bc, 0, c2, s.n)
				return [][]float32{c, c2}
			})
		}
	}
}
