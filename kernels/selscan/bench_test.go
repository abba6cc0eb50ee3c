package selscan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// benchDims are the model's SS2D core shapes (K = 8, N = 16, R = C/16)
// at batch 1, plus the first at batch 8.
var benchDims = []Dims{
	{Batch: 1, L: 4096, D: 128, K: 8, R: 4, N: 16},
	{Batch: 1, L: 1024, D: 256, K: 8, R: 8, N: 16},
	{Batch: 1, L: 256, D: 512, K: 8, R: 16, N: 16},
	{Batch: 1, L: 64, D: 1024, K: 8, R: 32, N: 16},
	{Batch: 8, L: 4096, D: 128, K: 8, R: 4, N: 16},
}

func shapeName(d Dims) string { return fmt.Sprintf("B%dL%dD%dR%d", d.Batch, d.L, d.D, d.R) }

func reportUpdates(b *testing.B, d Dims) {
	b.ReportMetric(float64(d.Updates())*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

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

// BenchmarkLevels compares the instruction-set levels on the first shape.
func BenchmarkLevels(b *testing.B) {
	d := benchDims[0]
	for _, lv := range isa.Available() {
		b.Run("forward/"+lv.String(), func(b *testing.B) { benchForward(b, lv, d) })
		b.Run("backward/"+lv.String(), func(b *testing.B) { benchBackward(b, lv, d) })
	}
}

func benchForward(b *testing.B, lv isa.Level, d Dims) {
	in := randInputs(rand.New(rand.NewPCG(1, 2)), d, normalOpts)
	y := make([]float32, d.tokLen())
	var s Saved
	forward(lv, d, in, y, &s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		forward(lv, d, in, y, &s)
	}
	reportUpdates(b, d)
}

func benchBackward(b *testing.B, lv isa.Level, d Dims) {
	rng := rand.New(rand.NewPCG(1, 2))
	in := randInputs(rng, d, normalOpts)
	dy := randVec(rng, d.tokLen())
	var s Saved
	forward(lv, d, in, make([]float32, d.tokLen()), &s)
	g := zeroGrads(d)
	backward(lv, d, in, dy, &s, g)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		backward(lv, d, in, dy, &s, g)
	}
	reportUpdates(b, d)
}
