package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

// TestForwardEpilogue checks conv, residual and ReLU fused against Forward
// followed by the same element-wise steps, bit for bit, for the pointwise
// and the shifted paths, with and without a residual, one image and
// several, and the same for any worker count.
func TestForwardEpilogue(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, s := range []Shape{
		{N: 1, C: 8, H: 9, W: 9, K: 12, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 3, C: 5, H: 10, W: 7, K: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
		{N: 2, C: 16, H: 6, W: 6, K: 32, KH: 1, KW: 1, StrideH: 1, StrideW: 1},
		{N: 2, C: 16, H: 6, W: 6, K: 32, KH: 1, KW: 1, StrideH: 2, StrideW: 2},
	} {
		x, w, bias := testutil.NormVec(rng, s.xLen()), testutil.NormVec(rng, s.wLen()), testutil.NormVec(rng, s.K)
		res := testutil.NormVec(rng, s.yLen())
		res[3] = float32(math.NaN())
		for _, e := range []Epilogue{{ReLU: true}, {Res: res}, {Res: res, ReLU: true}} {
			name := fmt.Sprintf("%+v res=%v relu=%v", s, e.Res != nil, e.ReLU)
			want := make([]float32, s.yLen())
			Forward(s, x, w, bias, want)
			for i, v := range want {
				if e.Res != nil {
					v += e.Res[i]
				}
				if e.ReLU && !(v > 0) && v == v {
					v = 0
				}
				want[i] = v
			}
			testutil.SameForAnyWorkers(t, name, func() [][]float32 {
				y := make([]float32, s.yLen())
				ForwardEpilogue(s, x, w, bias, e, y)
				for i := range y {
					if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: [%d] = %g, want %g", name, i, y[i], want[i])
					}
				}
				return [][]float32{y}
			})
		}
	}
}
