package dwconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

var sizes = []int{1, 3, 7, 31, 65}

func TestMatchesReference(t *testing.T) {
	for _, l := range isa.Available() {
		t.Run(l.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			for _, k := range []int{3, 5, 7} {
				for _, h := range sizes {
					for _, w := range sizes {
						n, c := 2, 3
						if testing.Short() && h*w > 300 {
							continue
						}
						compareLevel(t, l, rng, n, c, h, w, k)
					}
				}
			}
			// The benchmark shapes, once each.
			compareLevel(t, l, rng, 1, 5, 64, 64, 7)
			compareLevel(t, l, rng, 1, 9, 8, 8, 3)
			compareLevel(t, l, rng, 2, 3, 16, 33, 5)
		})
	}
}

func compareLevel(t *testing.T, l isa.Level, rng *rand.Rand, n, c, h, w, k int) {
	t.Helper()
	sz := n * c * h * w
	x, wt, bias, dy := testutil.NormVec(rng, sz), testutil.NormVec(rng, c*k*k), testutil.NormVec(rng, c), testutil.NormVec(rng, sz)
	y, yr := testutil.NaNs(sz), make([]float32, sz)
	forward(l, n, c, h, w, k, x, wt, bias, y)
	forwardRef(n, c, h, w, k, x, wt, bias, yr)
	testutil.Close(t, "forward", y, yr, 1e-5, 1e-5)
	forward(l, n, c, h, w, k, x, wt, nil, y)
	forwardRef(n, c, h, w, k, x, wt, nil, yr)
	testutil.Close(t, "forward without bias", y, yr, 1e-5, 1e-5)
	dx, dxr := testutil.NaNs(sz), make([]float32, sz)
	backwardInput(l, n, c, h, w, k, dy, wt, dx)
	backwardInputRef(n, c, h, w, k, dy, wt, dxr)
	testutil.Close(t, "backward input", dx, dxr, 1e-5, 1e-5)
	dw, db := make([]float32, c*k*k), make([]float32, c)
	dwr, dbr := make([]float32, c*k*k), make([]float32, c)
	for i := range dw { // accumulation: both start from the same values
		dw[i], dwr[i] = 0.5, 0.5
	}
	backwardWeight(l, n, c, h, w, k, x, dy, dw, db)
	backwardWeightRef(n, c, h, w, k, x, dy, dwr, dbr)
	tol := 1e-5 * math.Sqrt(float64(n*h*w)) // sums of n·h·w float32 products
	testutil.Close(t, "backward weight", dw, dwr, tol, tol)
	testutil.Close(t, "backward bias", db, dbr, tol, tol)
	if t.Failed() {
		t.Fatalf("level %v n=%d c=%d h=%d w=%d k=%d", l, n, c, h, w, k)
	}
}

// fwd64 is the convolution in float64, the function the finite differences
// are taken on.
func fwd64(n, c, h, w, k int, x, wt []float64) []float64 {
	y := make([]float64, len(x))
	p := k / 2
	for pl := 0; pl < n*c; pl++ {
		ch := pl % c
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				for a := 0; a < k; a++ {
					for b := 0; b < k; b++ {
						r, q := i+a-p, j+b-p
						if r >= 0 && r < h && q >= 0 && q < w {
							y[(pl*h+i)*w+j] += x[(pl*h+r)*w+q] * wt[(ch*k+a)*k+b]
						}
					}
				}
			}
		}
	}
	return y
}

func TestBackwardFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, l := range isa.Available() {
		for _, k := range []int{3, 5, 7} {
			n, c, h, w := 2, 2, 4, 6
			sz := n * c * h * w
			x, wt, dy := testutil.NormVec(rng, sz), testutil.NormVec(rng, c*k*k), testutil.NormVec(rng, sz)
			loss := func(xx, ww []float64) float64 {
				s := 0.0
				for i, v := range fwd64(n, c, h, w, k, xx, ww) {
					s += v * float64(dy[i])
				}
				return s
			}
			x64, w64 := testutil.To64(x), testutil.To64(wt)
			wantDx := testutil.NumGrad(x64, func(v []float64) float64 { return loss(v, w64) })
			wantDw := testutil.NumGrad(w64, func(v []float64) float64 { return loss(x64, v) })
			dx, dw, db := testutil.NaNs(sz), make([]float32, c*k*k), make([]float32, c)
			backwardInput(l, n, c, h, w, k, dy, wt, dx)
			backwardWeight(l, n, c, h, w, k, x, dy, dw, db)
			testutil.Close64(t, fmt.Sprintf("%v k=%d dx", l, k), dx, wantDx, 1e-4, 1e-4)
			testutil.Close64(t, fmt.Sprintf("%v k=%d dw", l, k), dw, wantDw, 1e-4, 1e-4)
			for ch := 0; ch < c; ch++ {
				var s float64
				for b := 0; b < n; b++ {
					for _, v := range dy[(b*c+ch)*h*w : (b*c+ch+1)*h*w] {
						s += float64(v)
					}
				}
				if math.Abs(float64(db[ch])-s) > 1e-4 {
					t.Fatalf("%v k=%d dbias[%d] = %g, want %g", l, k, ch, db[ch], s)
				}
			}
		}
	}
}

func TestBadArgumentsPanic(t *testing.T) {
	cases := map[string]func(){
		"even kernel": func() { Forward(1, 1, 2, 2, 4, make([]float32, 4), make([]float32, 16), nil, make([]float32, 4)) },
		"short y":     func() { Forward(1, 1, 2, 2, 3, make([]float32, 4), make([]float32, 9), nil, make([]float32, 3)) },
		"short wt":    func() { BackwardInput(1, 1, 2, 2, 3, make([]float32, 4), make([]float32, 8), make([]float32, 4)) },
		"short bias": func() {
			BackwardWeight(1, 2, 2, 2, 3, make([]float32, 8), make([]float32, 8), make([]float32, 18), make([]float32, 1))
		},
	}
	for name, f := range cases {
		if testutil.PanicValue(f) == nil {
			t.Errorf("%s: no panic", name)
		}
	}
}

// TestScratchReuseAcrossShapes alternates geometries so that pooled
// scratches are resized in both directions; a stale interior left in a
// new border would show up as a wrong output.
func TestScratchReuseAcrossShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	shapes := [][3]int{{9, 40, 7}, {33, 7, 3}, {9, 40, 7}, {5, 5, 5}, {33, 7, 3}, {64, 64, 7}, {8, 8, 7}}
	for _, l := range isa.Available() {
		for _, sh := range shapes {
			compareLevel(t, l, rng, 1, 4, sh[0], sh[1], sh[2])
		}
	}
}
