//go:build !purego

package gemm

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/mambaad/mambaad/kernels/isa"
)

// TestTune reports every level's rate on the benchmark shapes, keeping each
// one's fastest of several alternating rounds: robust to other processes on
// a shared machine. Set MAMBAAD_TUNE=1 (and GOMAXPROCS=1 for one core).
func TestTune(t *testing.T) {
	if os.Getenv("MAMBAAD_TUNE") == "" {
		t.Skip("set MAMBAAD_TUNE=1 to measure")
	}
	levels := isa.Available()[1:] // the generic level is far too slow here
	for _, s := range benchShapes {
		m, k, n := s[0], s[1], s[2]
		a, bb, c := randSlice(m*k), randSlice(k*n), randSlice(m*n)
		best := make([]time.Duration, len(levels))
		reps := max(1, int(2e8/(2*float64(m*n*k))))
		for round := 0; round < 15; round++ {
			for i, l := range levels {
				start := time.Now()
				for r := 0; r < reps; r++ {
					sgemmLevel(l, false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
				}
				if d := time.Since(start) / time.Duration(reps); best[i] == 0 || d < best[i] {
					best[i] = d
				}
			}
		}
		line := shapeName(s) + ":"
		for i, l := range levels {
			line += "  " + l.String() + " " + gflops(s, best[i])
		}
		t.Log(line)
	}
}

func gflops(s [3]int, d time.Duration) string {
	g := 2 * float64(s[0]) * float64(s[1]) * float64(s[2]) / d.Seconds() / 1e9
	return strconv.FormatFloat(g, 'f', 1, 64)
}
