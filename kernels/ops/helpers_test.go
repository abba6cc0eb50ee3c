package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// awkward are sizes that are not multiples of any vector width.
var awkward = []int{1, 3, 7, 31, 65, 257}

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// poisoned returns n NaNs, so any element a kernel fails to write shows up.
func poisoned(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.NaN())
	}
	return v
}

func to64(v []float32) []float64 {
	o := make([]float64, len(v))
	for i, x := range v {
		o[i] = float64(x)
	}
	return o
}

// closeTo fails unless |got−want| ≤ atol + rtol·|want| everywhere (NaN
// fails).
func closeTo(t *testing.T, what string, got, want []float32, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= atol+rtol*math.Abs(w)) {
			t.Fatalf("%s: [%d] = %g, want %g", what, i, g, w)
		}
	}
}

func close64(t *testing.T, what string, got []float32, want []float64, atol, rtol float64) {
	t.Helper()
	w32 := make([]float32, len(want))
	for i, v := range want {
		w32[i] = float32(v)
	}
	closeTo(t, what, got, w32, atol, rtol)
}

// levels runs f once per available instruction-set level.
func levels(t *testing.T, f func(t *testing.T, l isa.Level)) {
	for _, l := range isa.Available() {
		t.Run(l.String(), func(t *testing.T) { f(t, l) })
	}
}

// numGrad returns the central-difference gradient of the float64 scalar
// function loss at x (perturbing a copy).
func numGrad(x []float64, loss func(x []float64) float64) []float64 {
	const h = 1e-6
	g := make([]float64, len(x))
	xp := append([]float64(nil), x...)
	for i := range x {
		xp[i] = x[i] + h
		lp := loss(xp)
		xp[i] = x[i] - h
		lm := loss(xp)
		xp[i] = x[i]
		g[i] = (lp - lm) / (2 * h)
	}
	return g
}

func dot64(a []float64, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * float64(b[i])
	}
	return s
}

// mustPanic fails unless f panics.
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s: no panic", what)
		}
	}()
	f()
}

// TestSmallCallsDoNotAllocate pins down that calls small enough for one
// chunk run without a parallel closure and without heap allocations (the
// model makes many such calls per step).
func TestSmallCallsDoNotAllocate(t *testing.T) {
	x, y := make([]float32, 8192), make([]float32, 8192)
	g, b := make([]float32, 128), make([]float32, 128)
	m, s := make([]float32, 64), make([]float32, 64)
	for name, f := range map[string]func(){
		"AddInPlace":        func() { AddInPlace(y, x) },
		"Add":               func() { Add(x, x, y) },
		"SiLU":              func() { SiLU(x, y) },
		"SiLUMulBackward":   func() { SiLUMulBackward(x, x, x, y, y) },
		"LayerNorm":         func() { LayerNorm(x, 64, 128, g, b, 1e-5, y, m, s) },
		"LayerNorm nil":     func() { LayerNorm(x, 64, 128, g, b, 1e-5, y, nil, nil) },
		"LayerNormBackward": func() { LayerNormBackward(x, x, 64, 128, g, m, s, y, g, b) },
	} {
		if a := testing.AllocsPerRun(10, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}
