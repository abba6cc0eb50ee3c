package ops

import (
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// awkward are sizes that are not multiples of any vector width.
var awkward = []int{1, 3, 7, 31, 65, 257}

// levels runs f once per available instruction-set level.
func levels(t *testing.T, f func(t *testing.T, l isa.Level)) {
	for _, l := range isa.Available() {
		t.Run(l.String(), func(t *testing.T) { f(t, l) })
	}
}

func dot64(a []float64, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * float64(b[i])
	}
	return s
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
