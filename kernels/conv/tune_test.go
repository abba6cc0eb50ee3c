package conv

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/mambaad/mambaad/internal/testutil"
)

// TestTune reports each pass's best-of-rounds rate on the benchmark shapes,
// which is robust on a shared machine (set MAMBAAD_TUNE=1).
func TestTune(t *testing.T) {
	if os.Getenv("MAMBAAD_TUNE") == "" {
		t.Skip("set MAMBAAD_TUNE=1 to measure")
	}
	passes := []struct {
		name string
		run  func(s Shape, x, w, y []float32)
	}{
		{"fwd", func(s Shape, x, w, y []float32) { Forward(s, x, w, nil, y) }},
		{"bwdIn", func(s Shape, x, w, y []float32) { BackwardInput(s, y, w, x) }},
		{"bwdW", func(s Shape, x, w, y []float32) { BackwardWeight(s, x, y, w, nil) }},
	}
	for _, s := range append(append([]Shape(nil), benchConvs...), benchOther...) {
		rng := rand.New(rand.NewPCG(1, 1))
		x, w, y := testutil.UniformVec(rng, s.xLen(), -1, 1), testutil.UniformVec(rng, s.wLen(), -1, 1), testutil.UniformVec(rng, s.yLen(), -1, 1)
		best := make([]time.Duration, len(passes))
		for round := 0; round < 8; round++ {
			for i, p := range passes {
				start := time.Now()
				p.run(s, x, w, y)
				if d := time.Since(start); best[i] == 0 || d < best[i] {
					best[i] = d
				}
			}
		}
		line := convName(s) + ":"
		for i, p := range passes {
			line += "  " + p.name + " " + strconv.FormatFloat(convFlops(s)/best[i].Seconds()/1e9, 'f', 1, 64)
		}
		t.Log(line)
	}
}
