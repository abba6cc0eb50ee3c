package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/isa"
)

// bf16Round returns x rounded to bfloat16 and widened back.
func bf16Round(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(gemm.FromBF16(gemm.ToBF16(v)))
	}
	return out
}

// TestForwardBF16 compares the bf16 convolution with the float64
// reference on bfloat16-rounded inputs and weights: within float32
// accumulation error of the sum of the products' magnitudes, for the
// pointwise and shifted paths, odd and even channel counts (the stem has
// three), strides 1 and 2, with bias and the epilogue; and requires the
// same bits for any worker count.
func TestForwardBF16(t *testing.T) {
	if !isa.BF16() {
		t.Skip("no AVX512_BF16 at this level: bf16 runs as float32 (see gemm's fallback test)")
	}
	rng := rand.New(rand.NewPCG(16, 16))
	for _, s := range []Shape{
		{N: 2, C: 3, H: 20, W: 18, K: 16, KH: 7, KW: 7, StrideH: 2, StrideW: 2, PadH: 3, PadW: 3},
		{N: 1, C: 16, H: 9, W: 9, K: 20, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 3, C: 7, H: 10, W: 7, K: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
		{N: 2, C: 32, H: 6, W: 6, K: 48, KH: 1, KW: 1, StrideH: 1, StrideW: 1},
		{N: 2, C: 33, H: 5, W: 5, K: 8, KH: 1, KW: 1, StrideH: 2, StrideW: 2},
	} {
		name := fmt.Sprintf("%+v", s)
		x, w, bias := testutil.NormVec(rng, s.xLen()), testutil.NormVec(rng, s.wLen()), testutil.NormVec(rng, s.K)
		res := testutil.NormVec(rng, s.yLen())
		e := Epilogue{Res: res, ReLU: true}
		x64, w64 := bf16Round(x), bf16Round(w)
		want64, abs := make([]float64, s.yLen()), make([]float64, s.yLen())
		forwardRef(s, x64, w64, nil, want64)
		for i := range x64 {
			x64[i] = math.Abs(x64[i])
		}
		for i := range w64 {
			w64[i] = math.Abs(w64[i])
		}
		forwardRef(s, x64, w64, nil, abs)
		testutil.SameForAnyWorkers(t, name, func() [][]float32 {
			y := make([]float32, s.yLen())
			ForwardPrec(gemm.BF16, s, x, w, bias, e, y)
			return [][]float32{y}
		})
		got := make([]float32, s.yLen())
		ForwardPrec(gemm.BF16, s, x, w, bias, e, got)
		plane := s.OutH() * s.OutW()
		for i, v := range got {
			want := want64[i] + float64(bias[i/plane%s.K]) + float64(res[i])
			if want < 0 {
				want = 0
			}
			if math.Abs(float64(v)-want) > 2e-6*(abs[i]+math.Abs(want))+1e-6 {
				t.Fatalf("%s: y[%d] = %v, want %v", name, i, v, want)
			}
		}
	}
}
