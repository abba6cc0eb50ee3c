package selscan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/isa"
)

// benchDims are the target shapes and the other model shapes (N = 16).
var benchDims = []Dims{{1, 8, 128, 4096, 16}, {1, 8, 1024, 64, 16}, {1, 8, 256, 1024, 16}, {1, 8, 512, 256, 16}}

func shapeName(d Dims) string { return fmt.Sprintf("B%dK%dD%dL%dN%d", d.Batch, d.K, d.D, d.L, d.N) }

func BenchmarkForward(b *testing.B) {
	for _, d := range benchDims {
		b.Run(shapeName(d), func(b *testing.B) { benchForward(b, isa.Best(), d) })
	}
}

func BenchmarkBackward(b *testing.B) {
	for _, d := range benchDims {
		b.Run(shapeName(d), func(b *testing.B) { benchBackward(b, isa.Best(), d) })
	}
}

// BenchmarkLevels compares the instruction-set levels on one shape.
func BenchmarkLevels(b *testing.B) {
	d := benchDims[0]
	for _, lv := range isa.Available() {
		b.Run("forward/"+lv.String(), func(b *testing.B) { benchForward(b, lv, d) })
		b.Run("backward/"+lv.String(), func(b *testing.B) { benchBackward(b, lv, d) })
	}
}

func benchForward(b *testing.B, lv isa.Level, d Dims) {
	in := randInputs(rand.New(rand.NewPCG(1, 2)), d, normalOpts)
	y := make([]float32, d.seqLen())
	var s Saved
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		forward(lv, d, in, y, &s)
	}
	b.ReportMetric(float64(d.Updates())*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

func benchBackward(b *testing.B, lv isa.Level, d Dims) {
	rng := rand.New(rand.NewPCG(1, 2))
	in := randInputs(rng, d, normalOpts)
	dy := randVec(rng, d.seqLen())
	var s Saved
	forward(lv, d, in, make([]float32, d.seqLen()), &s)
	g := zeroGrads(d)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		backward(lv, d, in, dy, &s, g)
	}
	b.ReportMetric(float64(d.Updates())*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkKernels times the inner kernels of each level on L1-resident
// data: one 64-step chunk of one channel (updates/s) and one 4096-long row
// of the element-wise passes (elements/s).
func BenchmarkKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	cc := newChunkCase(rng, chunkLen, 16, 0.01, 1.5)
	x := elemInputs(rng, 4096)
	for _, lv := range isa.Available() {
		ks := kernelsFor(lv)
		b.Run("fwd/"+lv.String(), func(b *testing.B) {
			h, y := clone(cc.h0), make([]float32, chunkLen)
			for i := 0; i < b.N; i++ {
				ks.fwd(chunkLen, 16, cc.delta, cc.u, cc.bt, cc.ct, cc.a, cc.dskip, h, y)
			}
			b.ReportMetric(float64(chunkLen*16)*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
		})
		b.Run("bwd/"+lv.String(), func(b *testing.B) {
			c := cc.runBwd(ks)
			for i := 0; i < b.N; i++ {
				ks.bwd(c)
			}
			b.ReportMetric(float64(chunkLen*16)*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
		})
		b.Run("softplus/"+lv.String(), func(b *testing.B) {
			d := make([]float32, len(x))
			for i := 0; i < b.N; i++ {
				ks.softplus(x, 0.5, d)
			}
			b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds(), "elems/s")
		})
		b.Run("dsoftplus/"+lv.String(), func(b *testing.B) {
			d, g := make([]float32, len(x)), make([]float32, len(x))
			ks.softplus(x, 0.5, d)
			for i := 0; i < b.N; i++ {
				ks.dsoftplus(x, 0.5, d, g)
			}
			b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds(), "elems/s")
		})
	}
}
