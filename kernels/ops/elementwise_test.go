package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

func TestElementwise(t *testing.T) {
	a, b := []float32{1, 2, 3}, []float32{4, -5, 6}
	y := testutil.NaNs(3)
	Add(a, b, y)
	testutil.Close(t, "add", y, []float32{5, -3, 9}, 0, 0)
	AddInPlace(y, a)
	testutil.Close(t, "addinplace", y, []float32{6, -1, 12}, 0, 0)
	testutil.MustPanic(t, "length mismatch", func() { Add(a, b[:2], y) })
}

func TestMSE(t *testing.T) {
	a, b := []float32{1, 2, 3, 4}, []float32{1, 0, 3, 7}
	if got := MSE(a, b); math.Abs(got-13.0/4) > 1e-12 {
		t.Fatalf("MSE = %g, want 3.25", got)
	}
	da := testutil.NaNs(4)
	MSEBackward(a, b, 5, da)
	testutil.Close(t, "da", da, []float32{0, 5, 0, -7.5}, 0, 1e-7)
	want := testutil.NumGrad(testutil.To64(a), func(v []float64) float64 {
		s := 0.0
		for i := range v {
			d := v[i] - float64(b[i])
			s += d * d
		}
		return 5 * s / 4
	})
	testutil.Close64(t, "da vs finite differences", da, want, 1e-6, 1e-6)
}

func TestElementwiseLevels(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(29, 30))
		for _, n := range append(awkward, 100003) {
			a, b := testutil.NormVec(rng, n), testutil.NormVec(rng, n)
			a[0] = float32(math.NaN()) // NaN must stay NaN through ReLU
			want := make([]float32, n)
			check := func(what string, got []float32, f func(i int) float32) {
				t.Helper()
				for i := range want {
					want[i] = f(i)
				}
				for i := range got {
					g, w := got[i], want[i]
					if g != w && !(g != g && w != w) && math.Abs(float64(g-w)) > 1e-6*(1+math.Abs(float64(w))) {
						t.Fatalf("%s n=%d: [%d] = %g, want %g", what, n, i, g, w)
					}
				}
			}
			y := testutil.NaNs(n)
			add(l, a, b, y)
			check("add", y, func(i int) float32 { return a[i] + b[i] })
			acc := append([]float32(nil), b...)
			addInPlace(l, acc, a)
			check("addInPlace", acc, func(i int) float32 { return b[i] + a[i] })
			y = testutil.NaNs(n)
			reLU(l, a, y)
			check("relu", y, func(i int) float32 {
				if a[i] > 0 || a[i] != a[i] {
					return a[i]
				}
				return 0
			})
			y = testutil.NaNs(n)
			reLUBackward(l, a, b, y)
			check("relu backward", y, func(i int) float32 {
				if a[i] > 0 {
					return b[i]
				}
				return 0
			})
		}
	})
}
