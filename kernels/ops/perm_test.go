package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

func TestGatherScatterAdd(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(23, 24))
		for _, rows := range []int{1, 3, 65} {
			for _, cols := range awkward {
				idx := make([]int32, cols)
				for j, p := range rng.Perm(cols) {
					idx[j] = int32(p)
				}
				src := randVec(rng, rows*cols)
				dst := poisoned(rows * cols)
				gather(l, dst, src, rows, idx)
				for r := 0; r < rows; r++ {
					for j, i := range idx {
						if dst[r*cols+j] != src[r*cols+int(i)] {
							t.Fatalf("gather rows=%d cols=%d: [%d,%d] wrong", rows, cols, r, j)
						}
					}
				}
				// ScatterAdd accumulates into dst and undoes the gather.
				back := make([]float32, rows*cols)
				for i := range back {
					back[i] = 1
				}
				scatterAdd(l, back, dst, rows, idx)
				for i := range back {
					if back[i] != src[i]+1 {
						t.Fatalf("scatter-add rows=%d cols=%d: [%d] = %g, want %g", rows, cols, i, back[i], src[i]+1)
					}
				}
			}
		}
		// Repeated indices (not a permutation) and a narrower output.
		src := []float32{1, 2, 3, 10, 20, 30}
		dst := poisoned(4)
		gather(l, dst, src, 2, []int32{2, 2})
		closeTo(t, "gather repeats", dst, []float32{3, 3, 30, 30}, 0, 0)
		acc := make([]float32, 6)
		scatterAdd(l, acc, dst, 2, []int32{2, 2})
		closeTo(t, "scatter repeats", acc, []float32{0, 0, 6, 0, 0, 60}, 0, 0)
	})
	mustPanic(t, "index out of range", func() { Gather(make([]float32, 3), make([]float32, 3), 1, []int32{0, 1, 3}) })
	mustPanic(t, "negative index", func() { ScatterAdd(make([]float32, 3), make([]float32, 1), 1, []int32{-1}) })
}

func TestTranspose(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(25, 26))
		for _, batch := range []int{1, 3} {
			for _, rows := range append(awkward, 64, 128) {
				for _, cols := range append(awkward, 64, 129) {
					src := randVec(rng, batch*rows*cols)
					dst := poisoned(len(src))
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

func TestRot90(t *testing.T) {
	// 2×3 plane: in = [[0 1 2] [3 4 5]].
	in := []float32{0, 1, 2, 3, 4, 5}
	want := map[int][]float32{
		0: {0, 1, 2, 3, 4, 5},
		1: {2, 5, 1, 4, 0, 3}, // torch.rot90(k=1): out[i,j] = in[j, w−1−i], 3×2
		2: {5, 4, 3, 2, 1, 0},
		3: {3, 0, 4, 1, 5, 2}, // clockwise: out[i,j] = in[h−1−j, i]
	}
	for k := -1; k <= 5; k++ {
		got := poisoned(6)
		Rot90(got, in, 1, 2, 3, k)
		closeTo(t, "rot90", got, want[((k%4)+4)%4], 0, 0)
	}
	// Rot90(4−k) on the rotated shape undoes Rot90(k), batched.
	rng := rand.New(rand.NewPCG(27, 28))
	for _, sz := range [][2]int{{7, 31}, {64, 64}, {1, 5}} {
		h, w := sz[0], sz[1]
		x := randVec(rng, 3*h*w)
		for k := 1; k < 4; k++ {
			r, back := poisoned(len(x)), poisoned(len(x))
			Rot90(r, x, 3, h, w, k)
			rh, rw := h, w
			if k%2 == 1 {
				rh, rw = w, h
			}
			Rot90(back, r, 3, rh, rw, 4-k)
			closeTo(t, "rot90 round trip", back, x, 0, 0)
		}
	}
}

func TestReverse(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6, 7}
	got := poisoned(7)
	Reverse(got, x, 1, 7)
	closeTo(t, "reverse", got, []float32{7, 6, 5, 4, 3, 2, 1}, 0, 0)
	y := []float32{1, 2, 3, 4, 5, 6}
	Reverse(y, y, 2, 3)
	closeTo(t, "reverse in place", y, []float32{3, 2, 1, 6, 5, 4}, 0, 0)
}
