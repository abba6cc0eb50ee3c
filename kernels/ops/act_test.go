package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

func silu64(x float64) float64 { return x / (1 + math.Exp(-x)) }

func dsilu64(x float64) float64 {
	s := 1 / (1 + math.Exp(-x))
	return s * (1 + x*(1-s))
}

// actInput mixes normal values with the extremes where exp over- or
// underflows.
func actInput(rng *rand.Rand, n int) []float32 {
	x := testutil.NormVec(rng, n)
	special := []float32{0, -0, 20, -20, 87, -87, 88.5, -88.5, 100, -100, 1e-30, -1e-30}
	for i := range x {
		if i%5 == 4 {
			x[i] = special[(i/5)%len(special)]
		} else {
			x[i] *= 4
		}
	}
	return x
}

func TestExpf32Accuracy(t *testing.T) {
	worst := 0.0
	for x := float32(-87); x <= 88; x += 0.0137 {
		got, want := float64(expf32(x)), math.Exp(float64(x))
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-7 {
		t.Fatalf("expf32 worst relative error %g", worst)
	}
	if expf32(-1000) <= 0 || math.IsInf(float64(expf32(1000)), 0) {
		t.Fatalf("expf32 clamping: e^-1000 → %g, e^1000 → %g", expf32(-1000), expf32(1000))
	}
}

func TestSiLUFamilyMatchesFloat64(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(9, 10))
		for _, n := range append(awkward, 100003) {
			x, z, dy := actInput(rng, n), actInput(rng, n), testutil.NormVec(rng, n)
			want, wantB := make([]float64, n), make([]float64, n)
			wantM, wantDy, wantDz := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range x {
				a, b, g := float64(x[i]), float64(z[i]), float64(dy[i])
				want[i], wantB[i] = silu64(a), g*dsilu64(a)
				wantM[i], wantDy[i], wantDz[i] = a*silu64(b), g*silu64(b), g*a*dsilu64(b)
			}
			y := testutil.NaNs(n)
			siLU(l, x, y)
			testutil.Close64(t, "silu", y, want, 1e-6, 2e-6)
			dx := testutil.NaNs(n)
			siLUBackward(l, x, dy, dx)
			testutil.Close64(t, "silu backward", dx, wantB, 1e-6, 2e-6)
			out := testutil.NaNs(n)
			siLUMul(l, x, z, out)
			testutil.Close64(t, "silumul", out, wantM, 1e-6, 2e-6)
			d1, d2 := testutil.NaNs(n), testutil.NaNs(n)
			siLUMulBackward(l, x, z, dy, d1, d2)
			testutil.Close64(t, "silumul dy", d1, wantDy, 1e-6, 2e-6)
			testutil.Close64(t, "silumul dz", d2, wantDz, 1e-6, 2e-6)
			// One output only, and in place.
			d2 = testutil.NaNs(n)
			siLUMulBackward(l, x, z, dy, nil, d2)
			testutil.Close64(t, "silumul dz only", d2, wantDz, 1e-6, 2e-6)
			d1 = append([]float32(nil), dy...)
			siLUMulBackward(l, x, z, d1, d1, nil)
			testutil.Close64(t, "silumul dy in place", d1, wantDy, 1e-6, 2e-6)
			siLU(l, x, x)
			testutil.Close64(t, "silu in place", x, want, 1e-6, 2e-6)
		}
	})
}

func TestSiLUBackwardFiniteDifferences(t *testing.T) {
	x := []float32{-3, -0.5, 0, 0.25, 2, 7}
	dy := []float32{1, -2, 0.5, 3, 1, -1}
	dx := make([]float32, len(x))
	SiLUBackward(x, dy, dx)
	want := testutil.NumGrad(testutil.To64(x), func(v []float64) float64 {
		s := 0.0
		for i, a := range v {
			s += silu64(a) * float64(dy[i])
		}
		return s
	})
	testutil.Close64(t, "dx", dx, want, 1e-5, 1e-4)
}

func TestReLU(t *testing.T) {
	x := []float32{-1, 0, 2, float32(math.Inf(-1)), 0.5}
	y := testutil.NaNs(len(x))
	ReLU(x, y)
	testutil.Close(t, "relu", y, []float32{0, 0, 2, 0, 0.5}, 0, 0)
	dx := testutil.NaNs(len(x))
	ReLUBackward(x, []float32{1, 2, 3, 4, 5}, dx)
	testutil.Close(t, "relu backward", dx, []float32{0, 0, 3, 0, 5}, 0, 0)
}
