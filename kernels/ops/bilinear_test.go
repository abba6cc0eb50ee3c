package ops

import (
	"math/rand/v2"
	"testing"
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
		y := poisoned(c.oh * c.ow)
		Bilinear(c.x, 1, c.h, c.w, c.oh, c.ow, c.align, y)
		closeTo(t, c.name, y, c.want, 1e-6, 0)
	}
}

func TestBilinearBackwardIsAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, align := range []bool{true, false} {
		for _, sz := range [][4]int{{3, 5, 7, 2}, {8, 8, 16, 16}, {7, 3, 65, 31}, {1, 1, 3, 3}, {5, 4, 5, 4}} {
			h, w, oh, ow := sz[0], sz[1], sz[2], sz[3]
			planes := 2
			x, dy := randVec(rng, planes*h*w), randVec(rng, planes*oh*ow)
			y, dx := poisoned(planes*oh*ow), poisoned(planes*h*w)
			Bilinear(x, planes, h, w, oh, ow, align, y)
			BilinearBackward(dy, planes, h, w, oh, ow, align, dx)
			var lhs, rhs float64
			for i := range y {
				lhs += float64(dy[i]) * float64(y[i])
			}
			for i := range x {
				rhs += float64(dx[i]) * float64(x[i])
			}
			if d := lhs - rhs; d > 1e-4*max(1, lhs) || d < -1e-4*max(1, lhs) {
				t.Fatalf("align=%v %v: <dy, Bx> = %g, <Bᵀdy, x> = %g", align, sz, lhs, rhs)
			}
		}
	}
}
