//go:build !purego

package gemm

import (
	"fmt"
	"testing"
)

func BenchmarkPackT(b *testing.B) {
	const kc = 256
	for _, ld := range []int{1000, 1024} {
		src := randSlice(32 * ld)
		for _, w := range []int{6, 14, 32} {
			dst := make([]float32, kc*w)
			for _, f := range []struct {
				name string
				f    func()
			}{
				{"go", func() { packT(&genericKernels, dst, src, ld, 0, w, 0, kc, w) }},
				{"transpose16", func() { packT(&avx512Kernels, dst, src, ld, 0, w, 0, kc, w) }},
				{"transpose8", func() { packT(&avx2Kernels, dst, src, ld, 0, w, 0, kc, w) }},
			} {
				b.Run(fmt.Sprintf("ld%d/w%d/%s", ld, w, f.name), func(b *testing.B) {
					for b.Loop() {
						f.f()
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*kc*w), "ns/elem")
				})
			}
		}
	}
}
