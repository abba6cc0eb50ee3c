//go:build !purego

package gemm

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// TestTune compares driver settings on the benchmark shapes. It alternates
// the variants round by round and keeps each one's fastest round, which is
// robust to other processes on a shared machine. Set MAMBAAD_TUNE=1.
func TestTune(t *testing.T) {
	if os.Getenv("MAMBAAD_TUNE") == "" {
		t.Skip("set MAMBAAD_TUNE=1 to compare driver settings")
	}
	variants := []struct {
		name string
		set  func()
	}{
		{"mc112", func() { avx512Kernels.kc, avx512Kernels.mc = 512, 112 }},
		{"mc168", func() { avx512Kernels.kc, avx512Kernels.mc = 512, 168 }},
	}
	defer func(l levelKernels) { avx512Kernels = l }(avx512Kernels)
	for _, s := range benchShapes {
		m, k, n := s[0], s[1], s[2]
		a, bb, c := randSlice(m*k), randSlice(k*n), randSlice(m*n)
		best := make([]time.Duration, len(variants))
		reps := max(1, int(2e8/(2*float64(m*n*k))))
		for round := 0; round < 15; round++ {
			for i, v := range variants {
				v.set()
				start := time.Now()
				for r := 0; r < reps; r++ {
					Sgemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
				}
				if d := time.Since(start) / time.Duration(reps); best[i] == 0 || d < best[i] {
					best[i] = d
				}
			}
		}
		line := shapeName(s) + ":"
		for i, v := range variants {
			line += "  " + v.name + " " + gflops(s, best[i])
		}
		t.Log(line)
	}
}

func gflops(s [3]int, d time.Duration) string {
	g := 2 * float64(s[0]) * float64(s[1]) * float64(s[2]) / d.Seconds() / 1e9
	return strconv.FormatFloat(g, 'f', 1, 64)
}
