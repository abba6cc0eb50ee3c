package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// benchLevels runs f at every available level and reports the element
// throughput (elems per call).
func benchLevels(b *testing.B, elems int, f func(l isa.Level)) {
	for _, l := range isa.Available() {
		b.Run(l.String(), func(b *testing.B) {
			for b.Loop() {
				f(l)
			}
			b.ReportMetric(float64(elems)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}

// BenchmarkLayerNorm is SS2D's out_norm at the finest stage: 64×64 tokens
// of D = 128.
func BenchmarkLayerNorm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	rows, cols := 4096, 128
	x, g, bb := testutil.NormVec(rng, rows*cols), testutil.NormVec(rng, cols), testutil.NormVec(rng, cols)
	y, m, s := make([]float32, rows*cols), make([]float32, rows), make([]float32, rows)
	benchLevels(b, rows*cols, func(l isa.Level) { layerNorm(l, x, rows, cols, g, bb, 1e-5, y, m, s) })
}

func BenchmarkLayerNormBackward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	rows, cols := 4096, 128
	x, g, bb, dy := testutil.NormVec(rng, rows*cols), testutil.NormVec(rng, cols), testutil.NormVec(rng, cols), testutil.NormVec(rng, rows*cols)
	y, m, s := make([]float32, rows*cols), make([]float32, rows), make([]float32, rows)
	layerNorm(isa.Generic, x, rows, cols, g, bb, 1e-5, y, m, s)
	dx, dg, db := make([]float32, rows*cols), make([]float32, cols), make([]float32, cols)
	benchLevels(b, rows*cols, func(l isa.Level) { layerNormBackward(l, dy, x, rows, cols, g, m, s, dx, dg, db) })
}

// BenchmarkInstanceNorm is an LSS branch's IN at 64×64 on 64 channels.
func BenchmarkInstanceNorm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	planes, hw := 64, 4096
	x, y := testutil.NormVec(rng, planes*hw), make([]float32, planes*hw)
	m, s := make([]float32, planes), make([]float32, planes)
	benchLevels(b, planes*hw, func(l isa.Level) { layerNorm(l, x, planes, hw, nil, nil, 1e-5, y, m, s) })
}

func BenchmarkSiLU(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 128 * 4096
	x, y := testutil.NormVec(rng, n), make([]float32, n)
	benchLevels(b, n, func(l isa.Level) { siLU(l, x, y) })
}

func BenchmarkSiLUMulBackward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 128 * 4096
	y, z, d := testutil.NormVec(rng, n), testutil.NormVec(rng, n), testutil.NormVec(rng, n)
	dy, dz := make([]float32, n), make([]float32, n)
	benchLevels(b, n, func(l isa.Level) { siLUMulBackward(l, y, z, d, dy, dz) })
}

// BenchmarkTranspose is an NHWC → NCHW conversion at 64×64 × 128.
func BenchmarkTranspose(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	rows, cols := 4096, 128
	x, y := testutil.NormVec(rng, rows*cols), make([]float32, rows*cols)
	benchLevels(b, rows*cols, func(l isa.Level) { transpose(l, y, x, 1, rows, cols) })
}

// BenchmarkGaussianBlur is the σ=4 blur of one 256×256 anomaly map.
func BenchmarkGaussianBlur(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 256
	src, dst := make([]float64, n*n), make([]float64, n*n)
	for i := range src {
		src[i] = rng.Float64()
	}
	benchLevels(b, n*n, func(l isa.Level) { gaussianBlur(l, src, n, n, 4, GaussianTruncate, dst) })
}
