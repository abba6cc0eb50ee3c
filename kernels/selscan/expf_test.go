package selscan

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExp2f checks the scalar 2^t shared with the kernels against
// math.Exp2: within 2 ulp, exact 0 below the float32 range and exactly 1
// at 0.
func TestExp2f(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 200000; i++ {
		x := float32(-130 + 140*rng.Float64())
		checkExp2(t, x, exp2f(x))
	}
	for _, x := range []float32{0, -0, 1e-30, -1e-30, -1e-9, -126, -127.5, -149, -150, -1000, -1e30, 127.9, 1e30,
		float32(math.Inf(-1))} {
		checkExp2(t, x, exp2f(x))
	}
	if exp2f(0) != 1 {
		t.Fatalf("exp2f(0) = %g", exp2f(0))
	}
	if v := exp2f(float32(math.NaN())); v == v {
		t.Fatalf("exp2f(NaN) = %g", v)
	}
}

// checkExp2 allows 2 ulp; results below the smallest normal may be
// anything in [0, 2^−126].
func checkExp2(t *testing.T, x, got float32) {
	t.Helper()
	want := math.Exp2(float64(x))
	if want < 0x1p-126 {
		if !(got >= 0 && float64(got) <= 0x1p-126) {
			t.Fatalf("exp2(%g) = %g, want ~%g", x, got, want)
		}
		return
	}
	w32 := float32(want)
	if math.IsInf(float64(w32), 1) {
		if !math.IsInf(float64(got), 1) {
			t.Fatalf("exp2(%g) = %g, want +Inf", x, got)
		}
		return
	}
	ulp := float64(math.Nextafter32(w32, float32(math.Inf(1))) - w32)
	if math.Abs(float64(got)-want) > 2*ulp {
		t.Fatalf("exp2(%g) = %g, want %g (%.2f ulp)", x, got, want, math.Abs(float64(got)-want)/ulp)
	}
}
