package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

// benchConvs are the 3×3 stride-1 shapes the brief targets (B = 8) plus
// the strided and stem shapes of the model.
var benchConvs = []Shape{
	{N: 8, C: 64, H: 64, W: 64, K: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 8, C: 128, H: 32, W: 32, K: 128, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	{N: 8, C: 256, H: 16, W: 16, K: 256, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
}

var benchOther = []Shape{
	{N: 8, C: 64, H: 64, W: 64, K: 128, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{N: 8, C: 3, H: 256, W: 256, K: 64, KH: 7, KW: 7, StrideH: 2, StrideW: 2, PadH: 3, PadW: 3},
	{N: 8, C: 256, H: 16, W: 16, K: 256, KH: 1, KW: 1, StrideH: 1, StrideW: 1},
}

func convName(s Shape) string {
	return fmt.Sprintf("N%d_C%d_%dx%d_K%d_k%dx%d_s%d", s.N, s.C, s.H, s.W, s.K, s.KH, s.KW, s.StrideH)
}

func convFlops(s Shape) float64 {
	return 2 * float64(s.N*s.K*s.C*s.KH*s.KW*s.OutH()*s.OutW())
}

func benchConv(b *testing.B, shapes []Shape, run func(s Shape, x, w, y []float32)) {
	for _, s := range shapes {
		rng := rand.New(rand.NewPCG(1, 1))
		x, w, y := testutil.UniformVec(rng, s.xLen(), -1, 1), testutil.UniformVec(rng, s.wLen(), -1, 1), testutil.UniformVec(rng, s.yLen(), -1, 1)
		b.Run(convName(s), func(b *testing.B) {
			for b.Loop() {
				run(s, x, w, y)
			}
			b.ReportMetric(convFlops(s)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkConv3x3Forward(b *testing.B) {
	benchConv(b, benchConvs, func(s Shape, x, w, y []float32) { Forward(s, x, w, nil, y) })
}

func BenchmarkConvOtherForward(b *testing.B) {
	benchConv(b, benchOther, func(s Shape, x, w, y []float32) { Forward(s, x, w, nil, y) })
}

func BenchmarkConv3x3BackwardInput(b *testing.B) {
	shapes := append(append([]Shape(nil), benchConvs...), benchOther[0])
	benchConv(b, shapes, func(s Shape, x, w, y []float32) { BackwardInput(s, y, w, x) })
}

func BenchmarkConv3x3BackwardWeight(b *testing.B) {
	shapes := append(append([]Shape(nil), benchConvs...), benchOther[0])
	benchConv(b, shapes, func(s Shape, x, w, y []float32) { BackwardWeight(s, x, y, w, nil) })
}
