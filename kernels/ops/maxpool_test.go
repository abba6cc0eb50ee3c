package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

func TestMaxPoolHandChecked(t *testing.T) {
	// 4×4 plane, 3×3 window, stride 2, pad 1 (the ResNet stem) → 2×2.
	x := []float32{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
		13, 14, 15, 16,
	}
	if PoolOutSize(4, 3, 2, 1) != 2 || PoolOutSize(64, 3, 2, 1) != 32 || PoolOutSize(7, 3, 2, 1) != 4 {
		t.Fatal("PoolOutSize disagrees with PyTorch")
	}
	y, am := testutil.NaNs(4), make([]int32, 4)
	MaxPool2d(x, 1, 4, 4, 3, 2, 1, y, am)
	testutil.Close(t, "y", y, []float32{6, 8, 14, 16}, 0, 0)
	for i, want := range []int32{5, 7, 13, 15} {
		if am[i] != want {
			t.Fatalf("argmax %v", am)
		}
	}
	// Ties: the first maximum in scan order wins.
	MaxPool2d(make([]float32, 16), 1, 4, 4, 2, 2, 0, y, am)
	for i, want := range []int32{0, 2, 8, 10} {
		if am[i] != want {
			t.Fatalf("tie argmax %v", am)
		}
	}
	testutil.MustPanic(t, "window larger than input", func() { MaxPool2d(x, 1, 1, 1, 3, 1, 0, y[:1], nil) })
}

// TestMaxPool3s2FastPath compares the inference path of the stem's 3×3/2
// window with the general loop (argmax requested), NaN included.
func TestMaxPool3s2FastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, sz := range [][2]int{{1, 1}, {2, 3}, {3, 3}, {7, 5}, {8, 8}, {31, 64}, {64, 31}} {
		h, w := sz[0], sz[1]
		x := testutil.NormVec(r, 3*h*w)
		x[len(x)/2] = float32(math.NaN())
		oh, ow := PoolOutSize(h, 3, 2, 1), PoolOutSize(w, 3, 2, 1)
		want, got := make([]float32, 3*oh*ow), testutil.NaNs(3*oh*ow)
		MaxPool2d(x, 3, h, w, 3, 2, 1, want, make([]int32, len(want)))
		MaxPool2d(x, 3, h, w, 3, 2, 1, got, nil)
		for i := range want {
			if want[i] != got[i] && !(want[i] != want[i] && got[i] != got[i]) {
				t.Fatalf("%dx%d: y[%d] = %v, general path %v", h, w, i, got[i], want[i])
			}
		}
	}
}
