package ops

import (
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
