package selscan

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/isa"
)

// elemInputs spans the softplus regimes: far below 0 (softplus ≈ e^x),
// around 0, just below and above the threshold 20, and very large.
func elemInputs(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch i % 4 {
		case 0:
			x[i] = float32(-100 + 200*rng.Float64())
		case 1:
			x[i] = float32(-5 + 10*rng.Float64())
		case 2:
			x[i] = float32(19 + 2*rng.Float64())
		default:
			x[i] = float32(-25 + 10*rng.Float64())
		}
	}
	return x
}

// TestElementwiseKernels checks softplus, dsoftplus, dot and exp of every
// level against float64 on lengths covering every vector tail.
func TestElementwiseKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, lv := range isa.Available() {
		ks := kernelsFor(lv)
		for _, n := range []int{1, 3, 7, 8, 31, 32, 63, 64, 65, 257, 1000} {
			x, bias := elemInputs(rng, n), float32(rng.NormFloat64())
			d := nanVec(n)
			ks.softplus(x, bias, d)
			g := randVec(rng, n)
			g0 := clone(g)
			sum := ks.dsoftplus(x, bias, d, g)
			var wantSum, absSum float64
			for i := range x {
				v := float64(x[i] + bias)
				if err := relErr(d[i], softplus64(v), 3e-7); err != nil {
					t.Fatalf("%v n=%d softplus(%g): %v", lv, n, v, err)
				}
				if v > 20 && d[i] != x[i]+bias {
					t.Fatalf("%v softplus(%g) = %g, want the identity", lv, v, d[i])
				}
				w := float64(g0[i]) * sigmoid64(v)
				if math.Abs(float64(g[i])-w) > 2e-6*math.Abs(w)+0x1p-120 { // sigmoid below ~1e-38 may flush to 0
					t.Fatalf("%v n=%d dsoftplus(%g): %g, want %g", lv, n, v, g[i], w)
				}
				wantSum += w
				absSum += math.Abs(w)
			}
			if math.Abs(float64(sum)-wantSum) > 1e-6*absSum {
				t.Fatalf("%v n=%d dsoftplus sum %g, want %g", lv, n, sum, wantSum)
			}
			checkFinish(t, lv, ks, rng, n)
		}
	}
}

// relErr allows a relative error tol, and any result below the smallest
// normal float32 where the true value is (exp may flush those to 0).
func relErr(got float32, want, tol float64) error {
	if math.Abs(float64(got)-want) > tol*math.Abs(want)+0x1p-126 {
		return errorf("got %g, want %g (rel %.3g)", got, want, math.Abs(float64(got)-want)/math.Abs(want))
	}
	return nil
}

func checkFinish(t *testing.T, lv isa.Level, ks *kernels, rng *rand.Rand, n int) {
	t.Helper()
	delta, u, dy, s1, s2 := randVec(rng, n), randVec(rng, n), randVec(rng, n), randVec(rng, n), randVec(rng, n)
	dskip := float32(rng.NormFloat64())
	g1, g2 := clone(s1), clone(s2)
	got := ks.finish(delta, u, dy, dskip, g1, g2)
	var want, abs float64
	for i := range delta {
		want += float64(dy[i]) * float64(u[i])
		abs += math.Abs(float64(dy[i]) * float64(u[i]))
		w1 := float64(delta[i])*float64(s1[i]) + float64(dskip)*float64(dy[i])
		w2 := float64(s2[i]) + float64(u[i])*float64(s1[i])
		if math.Abs(float64(g1[i])-w1) > 1e-6*(1+math.Abs(w1)) || math.Abs(float64(g2[i])-w2) > 1e-6*(1+math.Abs(w2)) {
			t.Fatalf("%v n=%d finish[%d] = %g, %g, want %g, %g", lv, n, i, g1[i], g2[i], w1, w2)
		}
	}
	if math.Abs(float64(got)-want) > 1e-6*abs {
		t.Fatalf("%v n=%d finish sum = %g, want %g", lv, n, got, want)
	}
}

// TestVectorExp checks each level's vector exp like TestExpf checks expf,
// plus the special values in every lane position.
func TestVectorExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	special := []float32{0, -0, 1e-30, expMin, expMax, -87.4, -88, -100, -1e4, -1e30, 88.8, 89, 1e30,
		float32(math.Inf(-1)), float32(math.Inf(1))}
	for _, lv := range isa.Available() {
		x := make([]float32, 100000)
		for i := range x {
			x[i] = float32(-90 + 180*rng.Float64())
		}
		for i := 0; i < 64; i++ {
			x[i] = special[i%len(special)]
		}
		y := nanVec(len(x))
		expArray(lv, x, y)
		for i := range x {
			checkExp(t, x[i], y[i])
		}
		nan := []float32{1, 2, float32(math.NaN()), 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
		out := make([]float32, 16)
		expArray(lv, nan, out)
		if out[2] == out[2] {
			t.Fatalf("%v: exp(NaN) = %g", lv, out[2])
		}
	}
}
