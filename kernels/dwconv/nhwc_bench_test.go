package dwconv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// nhwcShapes are the SS2D depthwise convolutions of the model, at batch 1
// and 8.
var nhwcShapes = []benchShape{
	{1, 128, 64, 64, 3}, {1, 256, 32, 32, 3}, {1, 512, 16, 16, 3}, {1, 1024, 8, 8, 3},
	{8, 128, 64, 64, 3}, {8, 256, 32, 32, 3}, {8, 512, 16, 16, 3}, {8, 1024, 8, 8, 3},
}

// BenchmarkNHWC3x3 reports GFLOP/s (2·n·h·w·c·9 per call) of the three
// passes at every level: BenchmarkNHWC3x3/<shape>/<pass>/<level>.
func BenchmarkNHWC3x3(b *testing.B) {
	for _, s := range nhwcShapes {
		b.Run(fmt.Sprintf("N%d_C%d_%dx%d", s.n, s.c, s.h, s.w), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			sz := s.n * s.h * s.w * s.c
			x, dy, wt, bias := randVec(rng, sz), randVec(rng, sz), randVec(rng, s.c*9), randVec(rng, s.c)
			out, dwt, db := make([]float32, sz), make([]float32, s.c*9), make([]float32, s.c)
			passes := []struct {
				name string
				f    func(l isa.Level)
			}{
				{"forward", func(l isa.Level) { forwardNHWC(l, s.n, s.h, s.w, s.c, 3, x, wt, bias, out) }},
				{"bwd_input", func(l isa.Level) { backwardInputNHWC(l, s.n, s.h, s.w, s.c, 3, dy, wt, out) }},
				{"bwd_weight", func(l isa.Level) { backwardWeightNHWC(l, s.n, s.h, s.w, s.c, 3, x, dy, dwt, db) }},
			}
			for _, ps := range passes {
				b.Run(ps.name, func(b *testing.B) {
					for _, l := range isa.Available() {
						if l == isa.Generic && s.n > 1 {
							continue // slow and says nothing new
						}
						b.Run(l.String(), func(b *testing.B) {
							for b.Loop() {
								ps.f(l)
							}
							b.ReportMetric(s.flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
						})
					}
				})
			}
		})
	}
}
