//go:build !purego

package peak

import "github.com/mambaad/mambaad/kernels/isa"

// Each iteration issues 12 independent FMAs: enough chains to cover the FMA
// latency (4 cycles) on two pipes.
const chains = 12

// loop runs n iterations of the level's FMA loop and returns its flops.
func loop(l isa.Level, n int) float64 {
	switch {
	case l >= isa.AVX512: // AVX512BF16 runs the same float32 kernels
		fmaAVX512(n)
		return float64(n) * chains * 16 * 2
	case l >= isa.AVX2:
		fmaAVX2(n)
		return float64(n) * chains * 8 * 2
	}
	return goLoop(n)
}
