package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mambaad/mambaad/kernels/isa"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// benchShapes are M×K×N: a square reference and the MambaAD products.
var benchShapes = [][3]int{
	{1024, 1024, 1024},
	{4096, 64, 256}, {4096, 128, 64}, {1024, 128, 512}, {256, 256, 1024}, {64, 512, 2048},
	{33, 128, 4096}, {64, 1024, 1024}, {1024, 8, 4096}, {512, 1, 1024}, {256, 32, 4096},
}

func shapeName(s [3]int) string { return fmt.Sprintf("%dx%dx%d", s[0], s[1], s[2]) }

func randSlice(n int) []float32 {
	rng := rand.New(rand.NewPCG(1, 2))
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32() - 0.5
	}
	return s
}

func reportGflops(b *testing.B, s [3]int) {
	flops := 2 * float64(s[0]) * float64(s[1]) * float64(s[2]) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		m, k, n := s[0], s[1], s[2]
		a, bb, c := randSlice(m*k), randSlice(k*n), randSlice(m*n)
		b.Run(shapeName(s), func(b *testing.B) {
			for b.Loop() {
				Sgemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
			}
			reportGflops(b, s)
		})
	}
}

func BenchmarkGonumSgemm(b *testing.B) {
	for _, s := range benchShapes {
		m, k, n := s[0], s[1], s[2]
		a := blas32.General{Rows: m, Cols: k, Stride: k, Data: randSlice(m * k)}
		bb := blas32.General{Rows: k, Cols: n, Stride: n, Data: randSlice(k * n)}
		c := blas32.General{Rows: m, Cols: n, Stride: n, Data: randSlice(m * n)}
		b.Run(shapeName(s), func(b *testing.B) {
			for b.Loop() {
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, bb, 0, c)
			}
			reportGflops(b, s)
		})
	}
}

// BenchmarkKernel times one level's micro-kernel alone on packed panels in
// cache: the ceiling the blocked driver can reach on one core.
func BenchmarkKernel(b *testing.B) {
	for _, l := range isa.Available() {
		lv := kernelsFor(l)
		const k = 256
		a, bp := randSlice(lv.mr*k), randSlice(lv.nr*k)
		c := randSlice(lv.mr * lv.nr)
		b.Run(l.String(), func(b *testing.B) {
			for b.Loop() {
				lv.kern(k, a, bp, lv.panelRows, c, lv.nr, 1, 1)
			}
			flops := 2 * float64(lv.mr*lv.nr*k) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(2*float64(lv.mr*lv.nr*k)/minTime(func() { lv.kern(k, a, bp, lv.panelRows, c, lv.nr, 1, 1) }, 2000).Seconds()/1e9, "best-GFLOP/s")
		})
	}
}

// minTime returns the fastest of n runs of f: on a shared machine the
// minimum of many short runs is what the code does when it has a core.
func minTime(f func(), n int) time.Duration {
	best := time.Duration(1 << 62)
	for i := 0; i < n; i++ {
		start := time.Now()
		f()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	return best
}
