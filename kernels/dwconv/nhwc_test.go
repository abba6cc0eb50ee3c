package dwconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// The awkward sizes: channel counts around the 8- and 16-lane vectors,
// widths below, at and above 2p and the block widths.
var (
	nhwcChans = []int{1, 7, 16, 17, 33, 100}
	nhwcSides = []int{1, 2, 3, 8, 31}
)

// guarded returns a NaN-poisoned slice of n elements inside a larger
// buffer whose margins hold a sentinel, and a check that the margins were
// not written.
func guarded(t *testing.T, n int) ([]float32, func(what string)) {
	const margin = 64
	buf := testutil.NaNs(n + 2*margin)
	for i := 0; i < margin; i++ {
		buf[i], buf[margin+n+i] = 12345, 12345
	}
	return buf[margin : margin+n : margin+n], func(what string) {
		t.Helper()
		for i := 0; i < margin; i++ {
			if buf[i] != 12345 || buf[margin+n+i] != 12345 {
				t.Fatalf("%s: write outside the output (margin element %d)", what, i)
			}
		}
	}
}

func TestNHWCMatchesReference(t *testing.T) {
	for _, l := range isa.Available() {
		t.Run(l.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			for _, k := range []int{3, 5, 7} {
				for _, c := range nhwcChans {
					for _, h := range nhwcSides {
						for _, w := range nhwcSides {
							for _, n := range []int{1, 3} {
								if k != 3 && (n == 3 || c == 100) && testing.Short() {
									continue
								}
								compareNHWC(t, l, rng, n, h, w, c, k)
							}
						}
					}
				}
			}
			// Model-like shapes, and channel counts that take the packed
			// path (multiples of 512), with a short last group for 1536.
			compareNHWC(t, l, rng, 1, 16, 16, 64, 3)
			compareNHWC(t, l, rng, 2, 8, 8, 128, 3)
			compareNHWC(t, l, rng, 1, 9, 40, 48, 7)
			compareNHWC(t, l, rng, 1, 5, 7, 256, 3)
			compareNHWC(t, l, rng, 2, 8, 8, 512, 3)
			compareNHWC(t, l, rng, 1, 4, 8, 1024, 3)
			compareNHWC(t, l, rng, 3, 9, 10, 1536, 3)
			compareNHWC(t, l, rng, 1, 3, 9, 256, 7)
			compareNHWC(t, l, rng, 1, 2, 1, 512, 5)
		})
	}
}

func compareNHWC(t *testing.T, l isa.Level, rng *rand.Rand, n, h, w, c, k int) {
	t.Helper()
	sz := n * h * w * c
	x, wt, bias, dy := testutil.NormVec(rng, sz), testutil.NormVec(rng, c*k*k), testutil.NormVec(rng, c), testutil.NormVec(rng, sz)
	what := fmt.Sprintf("%v n=%d h=%d w=%d c=%d k=%d", l, n, h, w, c, k)

	y, yOK := guarded(t, sz)
	yr := make([]float32, sz)
	forwardNHWC(l, n, h, w, c, k, x, wt, bias, y)
	yOK(what + " forward")
	forwardNHWCRef(n, h, w, c, k, x, wt, bias, yr)
	testutil.Close(t, what+" forward", y, yr, 1e-5, 1e-5)
	forwardNHWC(l, n, h, w, c, k, x, wt, nil, y)
	forwardNHWCRef(n, h, w, c, k, x, wt, nil, yr)
	testutil.Close(t, what+" forward without bias", y, yr, 1e-5, 1e-5)

	dx, dxOK := guarded(t, sz)
	dxr := make([]float32, sz)
	backwardInputNHWC(l, n, h, w, c, k, dy, wt, dx)
	dxOK(what + " backward input")
	backwardInputNHWCRef(n, h, w, c, k, dy, wt, dxr)
	testutil.Close(t, what+" backward input", dx, dxr, 1e-5, 1e-5)

	dw, db := make([]float32, c*k*k), make([]float32, c)
	dwr, dbr := make([]float32, c*k*k), make([]float32, c)
	for i := range dw { // accumulation: both start from the same values
		dw[i], dwr[i] = 0.5, 0.5
	}
	for i := range db {
		db[i], dbr[i] = -1, -1
	}
	backwardWeightNHWC(l, n, h, w, c, k, x, dy, dw, db)
	backwardWeightNHWCRef(n, h, w, c, k, x, dy, dwr, dbr)
	tol := 1e-5 * math.Sqrt(float64(n*h*w)) // sums of n·h·w float32 products
	testutil.Close(t, what+" backward weight", dw, dwr, tol, tol)
	testutil.Close(t, what+" backward bias", db, dbr, tol, tol)
	dw2 := make([]float32, c*k*k)
	copy(dw2, dwr)
	backwardWeightNHWC(l, n, h, w, c, k, x, dy, dw2, nil) // dbias nil
	for i := range dw2 {
		dw2[i] -= dwr[i] - 0.5 // now the fresh gradient + 0.5, like dw
	}
	testutil.Close(t, what+" backward weight, nil dbias", dw2, dw, 2*tol, 2*tol)
}

// toNCHW transposes (n, h, w, c) to (n, c, h, w).
func toNCHW(n, h, w, c int, v []float32) []float32 {
	o := make([]float32, len(v))
	for b := 0; b < n; b++ {
		for i := 0; i < h*w; i++ {
			for ch := 0; ch < c; ch++ {
				o[(b*c+ch)*h*w+i] = v[(b*h*w+i)*c+ch]
			}
		}
	}
	return o
}

// TestNHWCMatchesNCHW checks the NHWC entry points against the NCHW ones
// on transposed data, at the best level of both.
func TestNHWCMatchesNCHW(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, sh := range [][5]int{{2, 8, 8, 40, 3}, {1, 31, 17, 33, 3}, {1, 16, 16, 24, 5}, {2, 9, 12, 20, 7}, {1, 64, 64, 16, 3}} {
		n, h, w, c, k := sh[0], sh[1], sh[2], sh[3], sh[4]
		sz := n * h * w * c
		x, wt, bias, dy := testutil.NormVec(rng, sz), testutil.NormVec(rng, c*k*k), testutil.NormVec(rng, c), testutil.NormVec(rng, sz)
		xc, dyc := toNCHW(n, h, w, c, x), toNCHW(n, h, w, c, dy)

		y, yc := testutil.NaNs(sz), testutil.NaNs(sz)
		ForwardNHWC(n, h, w, c, k, x, wt, bias, y)
		Forward(n, c, h, w, k, xc, wt, bias, yc)
		testutil.Close(t, fmt.Sprint(sh, " forward"), toNCHW(n, h, w, c, y), yc, 1e-5, 1e-5)

		dx, dxc := testutil.NaNs(sz), testutil.NaNs(sz)
		BackwardInputNHWC(n, h, w, c, k, dy, wt, dx)
		BackwardInput(n, c, h, w, k, dyc, wt, dxc)
		testutil.Close(t, fmt.Sprint(sh, " backward input"), toNCHW(n, h, w, c, dx), dxc, 1e-5, 1e-5)

		dw, db := make([]float32, c*k*k), make([]float32, c)
		dwc, dbc := make([]float32, c*k*k), make([]float32, c)
		BackwardWeightNHWC(n, h, w, c, k, x, dy, dw, db)
		BackwardWeight(n, c, h, w, k, xc, dyc, dwc, dbc)
		tol := 1e-5 * math.Sqrt(float64(n*h*w))
		testutil.Close(t, fmt.Sprint(sh, " backward weight"), dw, dwc, tol, tol)
		testutil.Close(t, fmt.Sprint(sh, " backward bias"), db, dbc, tol, tol)
	}
}

// fwdNHWC64 is the NHWC convolution in float64, the function the finite
// differences are taken on.
func fwdNHWC64(n, h, w, c, k int, x, wt []float64) []float64 {
	y := make([]float64, len(x))
	p := k / 2
	for b := 0; b < n; b++ {
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				for ch := 0; ch < c; ch++ {
					for a := 0; a < k; a++ {
						for bb := 0; bb < k; bb++ {
							r, q := i+a-p, j+bb-p
							if r >= 0 && r < h && q >= 0 && q < w {
								y[((b*h+i)*w+j)*c+ch] += x[((b*h+r)*w+q)*c+ch] * wt[(ch*k+a)*k+bb]
							}
						}
					}
				}
			}
		}
	}
	return y
}

func TestNHWCBackwardFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, l := range isa.Available() {
		for _, k := range []int{3, 5, 7} {
			n, h, w, c := 2, 4, 6, 17
			sz := n * h * w * c
			x, wt, dy := testutil.NormVec(rng, sz), testutil.NormVec(rng, c*k*k), testutil.NormVec(rng, sz)
			loss := func(xx, ww []float64) float64 {
				s := 0.0
				for i, v := range fwdNHWC64(n, h, w, c, k, xx, ww) {
					s += v * float64(dy[i])
				}
				return s
			}
			x64, w64 := testutil.To64(x), testutil.To64(wt)
			wantDx := testutil.NumGrad(x64, func(v []float64) float64 { return loss(v, w64) })
			wantDw := testutil.NumGrad(w64, func(v []float64) float64 { return loss(x64, v) })
			dx, dw, db := testutil.NaNs(sz), make([]float32, c*k*k), make([]float32, c)
			backwardInputNHWC(l, n, h, w, c, k, dy, wt, dx)
			backwardWeightNHWC(l, n, h, w, c, k, x, dy, dw, db)
			testutil.Close64(t, fmt.Sprintf("%v k=%d dx", l, k), dx, wantDx, 1e-4, 1e-4)
			testutil.Close64(t, fmt.Sprintf("%v k=%d dw", l, k), dw, wantDw, 1e-4, 1e-4)
			// dbias is the gradient of Σ dy·(y + bias) in bias: Σ dy.
			for ch := 0; ch < c; ch++ {
				var s float64
				for i := ch; i < sz; i += c {
					s += float64(dy[i])
				}
				if math.Abs(float64(db[ch])-s) > 1e-4 {
					t.Fatalf("%v k=%d dbias[%d] = %g, want %g", l, k, ch, db[ch], s)
				}
			}
		}
	}
}

// TestNHWCWeightDeterministic repeats the weight gradient, whose partial
// sums are split over row groups for small c, and wants identical bits.
func TestNHWCWeightDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, l := range isa.Available() {
		for _, c := range []int{7, 33, 256, 272} {
			n, h, w, k := 3, 31, 31, 3
			x, dy := testutil.NormVec(rng, n*h*w*c), testutil.NormVec(rng, n*h*w*c)
			var first []float32
			for rep := 0; rep < 5; rep++ {
				dw, db := make([]float32, c*k*k), make([]float32, c)
				backwardWeightNHWC(l, n, h, w, c, k, x, dy, dw, db)
				got := append(dw, db...)
				if first == nil {
					first = got
					continue
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%v c=%d: run %d differs at %d: %g vs %g", l, c, rep, i, got[i], first[i])
					}
				}
			}
		}
	}
}

func TestNHWCBadArgumentsPanic(t *testing.T) {
	f := func(n int) []float32 { return make([]float32, n) }
	cases := map[string]func(){
		"even kernel":   func() { ForwardNHWC(1, 2, 2, 1, 4, f(4), f(16), nil, f(4)) },
		"short y":       func() { ForwardNHWC(1, 2, 2, 1, 3, f(4), f(9), nil, f(3)) },
		"short bias":    func() { ForwardNHWC(1, 2, 2, 2, 3, f(8), f(18), f(1), f(8)) },
		"negative size": func() { ForwardNHWC(1, -2, 2, 1, 3, f(4), f(9), nil, f(4)) },
		"short wt":      func() { BackwardInputNHWC(1, 2, 2, 1, 3, f(4), f(8), f(4)) },
		"short dx":      func() { BackwardInputNHWC(1, 2, 2, 1, 3, f(4), f(9), f(5)) },
		"short dbias":   func() { BackwardWeightNHWC(1, 2, 2, 2, 3, f(8), f(8), f(18), f(1)) },
		"short dwt":     func() { BackwardWeightNHWC(1, 2, 2, 2, 3, f(8), f(8), f(17), nil) },
	}
	for name, fn := range cases {
		if testutil.PanicValue(fn) == nil {
			t.Errorf("%s: no panic", name)
		}
	}
	// Empty tensors are fine and leave the gradients alone.
	dw := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	BackwardWeightNHWC(0, 4, 4, 1, 3, nil, nil, dw, nil)
	ForwardNHWC(2, 0, 3, 1, 3, nil, dw, nil, nil)
	if dw[0] != 1 || dw[8] != 9 {
		t.Fatal("empty call changed dwt")
	}
}

// TestPackGroup checks the packed groups: whole vectors, at least
// minGroup channels (or all of them), within the channel count, and the
// short last group the reference test relies on.
func TestPackGroup(t *testing.T) {
	for _, lanes := range []int{8, 16} {
		for _, sh := range [][4]int{{1, 8, 8, 1024}, {8, 16, 16, 512}, {1, 64, 64, 512}, {3, 9, 10, 1536}, {1, 1, 1, 512}} {
			n, h, w, c := sh[0], sh[1], sh[2], sh[3]
			cg := packGroup(n, h, w, c, lanes)
			if cg%lanes != 0 || cg < min(minGroup, c) || cg > c {
				t.Errorf("lanes %d shape %v: group of %d channels", lanes, sh, cg)
			}
		}
	}
	if cg := packGroup(3, 9, 10, 1536, 16); 1536%cg == 0 {
		t.Errorf("1536 channels in groups of %d: no short last group", cg)
	}
}
