package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// TestPackPanels checks every level's packing (fast paths included) against
// the definition: panels of w lanes, zero-padded, for both source layouts.
func TestPackPanels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, l := range isa.Available() {
		lv := kernelsFor(l)
		for _, w := range []int{lv.mr, lv.nr} {
			for _, kc := range []int{1, 3, 15, 16, 17, 33, 257} {
				for _, lanes := range []int{1, w - 1, w, w + 3, 3*w + 1} {
					for _, ld := range []int{max(kc, lanes) + 5, 1024} {
						checkPack(t, l, lv, rng, w, kc, lanes, ld)
					}
				}
			}
		}
	}
}

func checkPack(t *testing.T, l isa.Level, lv *levelKernels, rng *rand.Rand, w, kc, lanes, ld int) {
	t.Helper()
	src := make([]float32, ld*(max(kc, lanes)+1)+3)
	for i := range src {
		src[i] = rng.Float32()
	}
	panels := (lanes + w - 1) / w
	for _, trans := range []bool{false, true} {
		dst := make([]float32, panels*kc*w)
		for i := range dst {
			dst[i] = float32(math.NaN())
		}
		// Offsets of 1 row and 2 columns make the source start unaligned.
		if trans {
			packT(lv, dst, src, ld, 1, lanes, 2, kc, w)
		} else {
			packN(dst, src, ld, 1, kc, 2, lanes, w)
		}
		for q := 0; q < panels; q++ {
			for p := 0; p < kc; p++ {
				for jj := 0; jj < w; jj++ {
					var want float32
					if j := q*w + jj; j < lanes {
						if trans {
							want = src[(1+j)*ld+2+p]
						} else {
							want = src[(1+p)*ld+2+j]
						}
					}
					if got := dst[(q*kc+p)*w+jj]; got != want {
						t.Fatalf("%v trans=%v w=%d kc=%d lanes=%d ld=%d: panel %d row %d lane %d = %v, want %v",
							l, trans, w, kc, lanes, ld, q, p, jj, got, want)
					}
				}
			}
		}
	}
}
