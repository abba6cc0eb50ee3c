package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

func TestTranspose(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(25, 26))
		for _, batch := range []int{1, 3} {
			for _, rows := range append(awkward, 64, 128) {
				for _, cols := range append(awkward, 64, 129) {
					src := testutil.NormVec(rng, batch*rows*cols)
					dst := testutil.NaNs(len(src))
					transpose(l, dst, src, batch, rows, cols)
					for b := 0; b < batch; b++ {
						for r := 0; r < rows; r++ {
							for c := 0; c < cols; c++ {
								if dst[b*rows*cols+c*rows+r] != src[b*rows*cols+r*cols+c] {
									t.Fatalf("batch %d %dx%d: [%d,%d] wrong", b, rows, cols, r, c)
								}
							}
						}
					}
				}
			}
		}
	})
}
