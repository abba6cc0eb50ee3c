package conv

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestTune compares forward variants, keeping each one's fastest of many
// alternating rounds (robust on a shared machine). Set MAMBAAD_TUNE=1.
func TestTune(t *testing.T) {
	if os.Getenv("MAMBAAD_TUNE") == "" {
		t.Skip("set MAMBAAD_TUNE=1 to compare variants")
	}
	defer func(v bool) { useShifted = v }(useShifted)
	variants := []struct {
		name string
		v    bool
	}{{"packer", false}, {"shifted", true}}
	for _, s := range append(append([]Shape(nil), benchConvs...), benchOther...) {
		rng := rand.New(rand.NewPCG(1, 1))
		x, w, y := randVec(rng, s.xLen()), randVec(rng, s.wLen()), randVec(rng, s.yLen())
		best := make([]time.Duration, len(variants))
		for round := 0; round < 10; round++ {
			for i, v := range variants {
				useShifted = v.v
				start := time.Now()
				Forward(s, x, w, nil, y)
				if d := time.Since(start); best[i] == 0 || d < best[i] {
					best[i] = d
				}
			}
		}
		line := convName(s) + ":"
		for i, v := range variants {
			line += "  " + v.name + " " + strconv.FormatFloat(convFlops(s)/best[i].Seconds()/1e9, 'f', 1, 64)
		}
		t.Log(line)
	}
}
