package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// TestKernelsAllTiles drives every level's full and edge kernels on every
// tile size directly, with C embedded in NaN so stray writes show up.
func TestKernelsAllTiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, l := range isa.Available() {
		lv := kernelsFor(l)
		for _, k := range []int{1, 2, 3, 17} {
			a, b := make([]float32, lv.mr*k), make([]float32, lv.nr*k)
			for i := range a {
				a[i] = rng.Float32()*2 - 1
			}
			for i := range b {
				b[i] = rng.Float32()*2 - 1
			}
			for mrr := 1; mrr <= lv.mr; mrr++ {
				for nrr := 1; nrr <= lv.nr; nrr++ {
					for _, beta := range []float32{0, 0.5} {
						checkTileKernel(t, l, lv, rng, k, mrr, nrr, a, b, beta)
					}
				}
			}
		}
	}
}

func checkTileKernel(t *testing.T, l isa.Level, lv *levelKernels, rng *rand.Rand, k, mrr, nrr int, a, b []float32, beta float32) {
	t.Helper()
	const alpha = 1.5
	ldc := lv.nr + 3
	c := make([]float32, lv.mr*ldc)
	for i := range c {
		c[i] = float32(math.NaN())
	}
	orig := make([]float32, len(c))
	for i := 0; i < mrr; i++ {
		for j := 0; j < nrr; j++ {
			if beta != 0 {
				c[i*ldc+j] = rng.Float32()
			}
		}
	}
	copy(orig, c)
	tile := make([]float32, lv.mr*lv.nr)
	switch {
	case mrr == lv.mr && nrr == lv.nr:
		lv.kern(k, a, b, lv.panelRows, c, ldc, alpha, beta)
	case lv.edge != nil:
		lv.edge(mrr, nrr, k, a, b, lv.panelRows, c, ldc, alpha, beta, tile)
	default:
		return // generic level: partial tiles go through the driver's tile path
	}
	for i := 0; i < lv.mr; i++ {
		for j := 0; j < ldc; j++ {
			got := c[i*ldc+j]
			if i >= mrr || j >= nrr {
				if !math.IsNaN(float64(got)) {
					t.Fatalf("%v tile %d×%d k=%d: wrote (%d,%d)", l, mrr, nrr, k, i, j)
				}
				continue
			}
			var s float64
			for p := 0; p < k; p++ {
				s += float64(a[p*lv.mr+i]) * float64(b[p*lv.nr+j])
			}
			want := alpha*s + float64(beta)*float64(orig[i*ldc+j])
			if math.Abs(float64(got)-want) > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("%v tile %d×%d k=%d β=%v: C[%d,%d] = %v, want %v", l, mrr, nrr, k, beta, i, j, got, want)
			}
		}
	}
}
