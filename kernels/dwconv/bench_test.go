package dwconv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// benchShape is one benchmarked layer: n planes of c channels, h×w, k×k.
type benchShape struct{ n, c, h, w, k int }

func (s benchShape) String() string { return fmt.Sprintf("N%d_C%d_%dx%d_k%d", s.n, s.c, s.h, s.w, s.k) }

// flops counts a multiply and an add per tap per output.
func (s benchShape) flops() float64 { return 2 * float64(s.n*s.c*s.h*s.w*s.k*s.k) }

// benchLevels runs f at every available level, reporting GFLOP/s.
func benchLevels(b *testing.B, s benchShape, f func(l isa.Level, x, wt, y []float32)) {
	rng := rand.New(rand.NewPCG(1, 1))
	sz := s.n * s.c * s.h * s.w
	x, wt, y := testutil.NormVec(rng, sz), testutil.NormVec(rng, s.c*s.k*s.k), make([]float32, sz)
	for _, l := range isa.Available() {
		b.Run(l.String(), func(b *testing.B) {
			for b.Loop() {
				f(l, x, wt, y)
			}
			b.ReportMetric(s.flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkDWConv7x7Forward is the reported figure: the LSS 7×7 branch at
// its finest stage (N=1, C=128, 64×64).
func BenchmarkDWConv7x7Forward(b *testing.B) {
	s := benchShape{1, 128, 64, 64, 7}
	benchLevels(b, s, func(l isa.Level, x, wt, y []float32) { forward(l, s.n, s.c, s.h, s.w, s.k, x, wt, nil, y) })
}

func BenchmarkForward(b *testing.B) {
	for _, s := range []benchShape{
		{1, 128, 64, 64, 3}, {1, 256, 32, 32, 3}, {1, 1024, 8, 8, 3}, {1, 64, 64, 64, 5}, {1, 512, 8, 8, 7},
	} {
		b.Run(s.String(), func(b *testing.B) {
			benchLevels(b, s, func(l isa.Level, x, wt, y []float32) { forward(l, s.n, s.c, s.h, s.w, s.k, x, wt, nil, y) })
		})
	}
}

func BenchmarkBackwardInput(b *testing.B) {
	for _, s := range []benchShape{{1, 128, 64, 64, 7}, {1, 256, 32, 32, 3}} {
		b.Run(s.String(), func(b *testing.B) {
			benchLevels(b, s, func(l isa.Level, dy, wt, dx []float32) { backwardInput(l, s.n, s.c, s.h, s.w, s.k, dy, wt, dx) })
		})
	}
}

func BenchmarkBackwardWeight(b *testing.B) {
	for _, s := range []benchShape{{1, 128, 64, 64, 7}, {1, 256, 32, 32, 3}, {2, 128, 64, 64, 5}} {
		b.Run(s.String(), func(b *testing.B) {
			dwt := make([]float32, s.c*s.k*s.k)
			benchLevels(b, s, func(l isa.Level, x, _, dy []float32) { backwardWeight(l, s.n, s.c, s.h, s.w, s.k, x, dy, dwt, nil) })
		})
	}
}

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
			x, dy, wt, bias := testutil.NormVec(rng, sz), testutil.NormVec(rng, sz), testutil.NormVec(rng, s.c*9), testutil.NormVec(rng, s.c)
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
