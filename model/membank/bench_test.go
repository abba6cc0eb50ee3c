package membank

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkNearest is the memory bank's inference cost per batch of 8
// images at 256² with ResNet18/34 features (8·32·32 patches of 384 values)
// for the bank sizes the presets use.
func BenchmarkNearest(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const d, rows = 384, 8 * 32 * 32
	q := randRows(r, rows, d)
	out := make([]float32, rows)
	for _, m := range []int{2048, 4096, 8192, 16384} {
		bank, err := New(d, randRows(r, m, d))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("bank=%d", m), func(b *testing.B) {
			for b.Loop() {
				bank.Nearest(q, rows, out)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/8, "ms/img")
		})
	}
}
