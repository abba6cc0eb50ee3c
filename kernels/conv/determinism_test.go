package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

// TestResultsIndependentOfWorkers requires bit-identical outputs and
// gradients for any worker count and schedule. The weight gradient sums
// over the batch, so batches of 1…9 images (fewer and more than the image
// groups, not multiples of them) go through it, accumulating into a
// non-zero dw as the layers do.
func TestResultsIndependentOfWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, s := range []Shape{
		{N: 5, C: 24, H: 9, W: 9, K: 40, KH: 1, KW: 1, StrideH: 1, StrideW: 1},
		{N: 7, C: 16, H: 12, W: 11, K: 20, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 3, C: 32, H: 16, W: 16, K: 48, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
		{N: 9, C: 8, H: 8, W: 8, K: 16, KH: 1, KW: 1, StrideH: 2, StrideW: 2},
		{N: 1, C: 64, H: 20, W: 20, K: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	} {
		x := testutil.NormVec(rng, s.xLen())
		w := testutil.NormVec(rng, s.wLen())
		b := testutil.NormVec(rng, s.K)
		dy := testutil.NormVec(rng, s.yLen())
		dw0 := testutil.NormVec(rng, s.wLen())
		db0 := testutil.NormVec(rng, s.K)
		testutil.SameForAnyWorkers(t, fmt.Sprintf("%+v", s), func() [][]float32 {
			y := make([]float32, s.yLen())
			Forward(s, x, w, b, y)
			dx := make([]float32, s.xLen())
			BackwardInput(s, dy, w, dx)
			dw, db := append([]float32(nil), dw0...), append([]float32(nil), db0...)
			BackwardWeight(s, x, dy, dw, db)
			return [][]float32{y, dx, dw, db}
		})
	}
}
