package testutil

import (
	"math"
	"math/rand/v2"
)

// NormVec returns n standard-normal float32 values drawn from rng.
func NormVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// UniformVec returns n float32 values uniform in [lo, hi) drawn from rng.
func UniformVec(rng *rand.Rand, n int, lo, hi float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return v
}

// NaNs returns n NaNs: an output buffer in which any element a kernel
// fails to write shows up.
func NaNs(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.NaN())
	}
	return v
}

// To64 returns v converted to float64.
func To64(v []float32) []float64 {
	o := make([]float64, len(v))
	for i, x := range v {
		o[i] = float64(x)
	}
	return o
}
