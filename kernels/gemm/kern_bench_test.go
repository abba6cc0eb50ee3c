package gemm

import (
	"testing"
	"time"

	"github.com/mambaad/mambaad/kernels/isa"
)

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
