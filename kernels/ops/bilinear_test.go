package ops

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

func TestBilinearHandChecked(t *testing.T) {
	cases := []struct {
		name         string
		x            []float32
		h, w, oh, ow int
		align        bool
		want         []float32
	}{
		{"align 2→3", []float32{2, 4}, 1, 2, 1, 3, true, []float32{2, 3, 4}},
		{"half-pixel 2→4 (clamped at 0)", []float32{2, 4}, 1, 2, 1, 4, false, []float32{2, 2.5, 3.5, 4}},
		{"half-pixel 4→2", []float32{1, 2, 3, 4}, 1, 4, 1, 2, false, []float32{1.5, 3.5}},
		{"align 2×2→3×3", []float32{0, 4, 8, 12}, 2, 2, 3, 3, true, []float32{0, 2, 4, 4, 6, 8, 8, 10, 12}},
		{"align to 1×1 takes the corner", []float32{5, 4, 8, 12}, 2, 2, 1, 1, true, []float32{5}},
		{"same size copies", []float32{1, 2, 3}, 1, 3, 1, 3, false, []float32{1, 2, 3}},
	}
	for _, c := range cases {
		y := testutil.NaNs(c.oh * c.ow)
		Bilinear(c.x, 1, c.h, c.w, c.oh, c.ow, c.align, y)
		testutil.Close(t, c.name, y, c.want, 1e-6, 0)
	}
}

// TestBilinearAccumulate compares the fused resize-and-sum with Bilinear
// followed by a float64 sum and a division, bit for bit, for any worker
// count.
func TestBilinearAccumulate(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 30))
	for _, c := range []struct {
		planes, h, w, oh, ow int
		align                bool
	}{{3, 16, 16, 64, 64, true}, {1, 8, 8, 256, 256, true}, {2, 5, 7, 33, 19, false}} {
		x := testutil.NormVec(rng, c.planes*c.h*c.w)
		acc0 := make([]float64, c.planes*c.oh*c.ow)
		for i := range acc0 {
			acc0[i] = rng.NormFloat64()
		}
		for _, div := range []float64{0, 9} {
			up := make([]float32, len(acc0))
			Bilinear(x, c.planes, c.h, c.w, c.oh, c.ow, c.align, up)
			want := slices.Clone(acc0)
			for i, v := range up {
				want[i] += float64(v)
				if div != 0 {
					want[i] /= div
				}
			}
			testutil.SameForAnyWorkers(t, "BilinearAccumulate", func() [][]float32 {
				acc := slices.Clone(acc0)
				BilinearAccumulate(x, c.planes, c.h, c.w, c.oh, c.ow, c.align, acc, div)
				if !slices.Equal(acc, want) {
					t.Fatalf("%+v div %g: differs from Bilinear plus a sum", c, div)
				}
				out := make([]float32, 2*len(acc))
				for i, v := range acc {
					out[2*i], out[2*i+1] = float32(v), float32(v-float64(float32(v)))
				}
				return [][]float32{out}
			})
		}
	}
}
