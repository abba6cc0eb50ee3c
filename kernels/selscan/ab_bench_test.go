package selscan

import (
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// BenchmarkVariants runs kernel-table variants of the best level side by
// side, so that a -count run compares them under the same machine load.
func BenchmarkVariants(b *testing.B) {
	best := *kernelsFor(isa.Best())
	noPF := best
	noPF.prefetch = func(*chunk) {}
	variants := []struct {
		name string
		ks   *kernels
	}{{"best", &best}, {"noprefetch", &noPF}}
	for _, d := range benchDims[:4] {
		rng := rand.New(rand.NewPCG(1, 2))
		in := randInputs(rng, d, normalOpts)
		dy := randVec(rng, d.tokLen())
		y := make([]float32, d.tokLen())
		g := zeroGrads(d)
		for _, v := range variants {
			b.Run("fwd/"+shapeName(d)+"/"+v.name, func(b *testing.B) {
				var s Saved
				for i := 0; i < b.N; i++ {
					forwardWith(v.ks, d, in, y, &s)
				}
				reportUpdates(b, d)
			})
			b.Run("bwd/"+shapeName(d)+"/"+v.name, func(b *testing.B) {
				var s Saved
				forwardWith(v.ks, d, in, y, &s)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					backwardWith(v.ks, d, in, dy, &s, g)
				}
				reportUpdates(b, d)
			})
		}
	}
}
