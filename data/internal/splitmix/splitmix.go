// Package splitmix is the random generator behind the loader's shuffle and
// the synthetic dataset: SplitMix64 (Steele, Lea & Flood 2014). It lives
// here rather than in math/rand so that a seed gives the same sequence on
// every platform and every Go release; the algorithm is fixed in this file.
package splitmix

import (
	"math"
	"math/bits"
)

// Rand is a SplitMix64 stream. The zero value is a valid stream (seed 0).
type Rand struct{ s uint64 }

// New returns a stream starting from seed.
func New(seed uint64) *Rand { return &Rand{s: seed} }

// Uint64 returns the next 64 random bits.
func (r *Rand) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return Mix(r.s)
}

// Mix is SplitMix64's output function, a strong 64-bit hash on its own.
func Mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Intn returns a uniform integer in [0, n) without modulo bias (Lemire's
// multiply-and-reject method). n must be positive.
func (r *Rand) Intn(n int) int {
	un := uint64(n)
	hi, lo := bits.Mul64(r.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), un)
		}
	}
	return int(hi)
}

// Float64 returns a uniform float in [0, 1) with 53 random bits.
func (r *Rand) Float64() float64 { return float64(r.Uint64()>>11) / (1 << 53) }

// Range returns a uniform float in [lo, hi).
func (r *Rand) Range(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// Norm returns a standard normal deviate (Box–Muller, one of the pair).
func (r *Rand) Norm() float64 {
	u := 1 - r.Float64() // (0, 1]: keeps the logarithm finite
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.Float64())
}
