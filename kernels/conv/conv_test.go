package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

// awkwardShapes cover every kernel size, stride and padding the model uses
// plus odd sizes and channel counts that are not multiples of any tile.
func awkwardShapes() []Shape {
	var out []Shape
	for _, k := range []struct{ kh, kw, sh, sw, ph, pw int }{
		{1, 1, 1, 1, 0, 0}, {1, 1, 2, 2, 0, 0}, {3, 3, 1, 1, 1, 1}, {3, 3, 2, 2, 1, 1},
		{5, 5, 1, 1, 2, 2}, {7, 7, 2, 2, 3, 3}, {3, 3, 1, 1, 0, 0}, {3, 5, 2, 1, 0, 2},
		{1, 3, 1, 2, 1, 0}, {5, 3, 2, 2, 3, 1}, {3, 3, 1, 1, 3, 0}, {1, 1, 1, 1, 2, 1},
	} {
		for _, d := range []struct{ n, c, h, w, k int }{
			{1, 1, 7, 9, 1}, {2, 3, 11, 8, 5}, {1, 65, 9, 7, 3}, {3, 4, 13, 17, 65},
		} {
			out = append(out, Shape{N: d.n, C: d.c, H: d.h, W: d.w, K: d.k, KH: k.kh, KW: k.kw,
				StrideH: k.sh, StrideW: k.sw, PadH: k.ph, PadW: k.pw})
		}
	}
	// A few larger ones that cross GEMM blocking and im2col tiling.
	out = append(out,
		Shape{N: 2, C: 64, H: 19, W: 21, K: 70, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		Shape{N: 1, C: 3, H: 45, W: 47, K: 64, KH: 7, KW: 7, StrideH: 2, StrideW: 2, PadH: 3, PadW: 3},
		Shape{N: 1, C: 130, H: 33, W: 31, K: 33, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
		Shape{N: 2, C: 512, H: 9, W: 9, K: 40, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
	)
	return out
}

func abs64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Abs(float64(x))
	}
	return out
}

// closeTo compares got with want given the float64 sums of absolute terms
// that bound each element's rounding error.
func closeTo(t *testing.T, what string, s Shape, got, want []float32, absSum []float64) {
	t.Helper()
	for i := range got {
		tol := 1e-6*absSum[i] + 1e-6
		if d := math.Abs(float64(got[i] - want[i])); !(d <= tol) {
			t.Fatalf("%s %+v: element %d = %v, want %v (tol %g)", what, s, i, got[i], want[i], tol)
		}
	}
}

func TestForwardMatchesRef(t *testing.T) {
	for i, s := range awkwardShapes() {
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		x, w := testutil.UniformVec(rng, s.xLen(), -1, 1), testutil.UniformVec(rng, s.wLen(), -1, 1)
		var bias []float32
		if i%2 == 0 {
			bias = testutil.UniformVec(rng, s.K, -1, 1)
		}
		want, got := make([]float32, s.yLen()), testutil.NaNs(s.yLen())
		ForwardRef(s, x, w, bias, want)
		Forward(s, x, w, bias, got)
		bound := make([]float64, s.yLen())
		ab := abs64(bias)
		if bias == nil {
			ab = nil
		}
		forwardRef(s, abs64(x), abs64(w), ab, bound)
		closeTo(t, "Forward", s, got, want, bound)
	}
}

func TestBackwardInputMatchesRef(t *testing.T) {
	for i, s := range awkwardShapes() {
		rng := rand.New(rand.NewPCG(uint64(i), 2))
		dy, w := testutil.UniformVec(rng, s.yLen(), -1, 1), testutil.UniformVec(rng, s.wLen(), -1, 1)
		want, got := make([]float32, s.xLen()), testutil.NaNs(s.xLen())
		BackwardInputRef(s, dy, w, want)
		BackwardInput(s, dy, w, got)
		bound := make([]float64, s.xLen())
		backwardInputRef(s, abs64(dy), abs64(w), bound)
		closeTo(t, "BackwardInput", s, got, want, bound)
	}
}

func TestBackwardWeightMatchesRef(t *testing.T) {
	for i, s := range awkwardShapes() {
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		x, dy := testutil.UniformVec(rng, s.xLen(), -1, 1), testutil.UniformVec(rng, s.yLen(), -1, 1)
		// Start from non-zero gradients: the functions accumulate.
		dw0, db0 := testutil.UniformVec(rng, s.wLen(), -1, 1), testutil.UniformVec(rng, s.K, -1, 1)
		want, got := append([]float32(nil), dw0...), append([]float32(nil), dw0...)
		var wantB, gotB []float32
		if i%2 == 1 {
			wantB, gotB = append([]float32(nil), db0...), append([]float32(nil), db0...)
		}
		BackwardWeightRef(s, x, dy, want, wantB)
		BackwardWeight(s, x, dy, got, gotB)
		bound := abs64(dw0)
		backwardWeightRef(s, abs64(x), abs64(dy), bound, nil)
		closeTo(t, "BackwardWeight", s, got, want, bound)
		if wantB != nil {
			boundB := abs64(db0)
			backwardWeightRef(s, abs64(x), abs64(dy), make([]float64, s.wLen()), boundB)
			closeTo(t, "BackwardWeight bias", s, gotB, wantB, boundB)
		}
	}
}

// TestRefGradientsFiniteDifference checks the references themselves: for
// L = Σ g·conv(x, w, b), the float64 references must give dL/dx, dL/dw and
// dL/db that agree with central differences of the float64 forward.
func TestRefGradientsFiniteDifference(t *testing.T) {
	shapes := []Shape{
		{N: 2, C: 3, H: 6, W: 5, K: 4, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 1, C: 2, H: 9, W: 8, K: 3, KH: 3, KW: 5, StrideH: 2, StrideW: 2, PadH: 1, PadW: 2},
		{N: 1, C: 3, H: 11, W: 11, K: 2, KH: 7, KW: 7, StrideH: 2, StrideW: 2, PadH: 3, PadW: 3},
		{N: 2, C: 4, H: 5, W: 4, K: 3, KH: 1, KW: 1, StrideH: 2, StrideW: 1, PadH: 0, PadW: 0},
	}
	for si, s := range shapes {
		rng := rand.New(rand.NewPCG(uint64(si), 9))
		r64 := func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = rng.Float64()*2 - 1
			}
			return v
		}
		x, w, b, g := r64(s.xLen()), r64(s.wLen()), r64(s.K), r64(s.yLen())
		loss := func() float64 {
			y := make([]float64, s.yLen())
			forwardRef(s, x, w, b, y)
			var l float64
			for i := range y {
				l += g[i] * y[i]
			}
			return l
		}
		dx, dw, db := make([]float64, s.xLen()), make([]float64, s.wLen()), make([]float64, s.K)
		backwardInputRef(s, g, w, dx)
		backwardWeightRef(s, x, g, dw, db)
		for _, p := range []struct {
			name string
			v    []float64
			grad []float64
		}{{"x", x, dx}, {"w", w, dw}, {"bias", b, db}} {
			for trial := 0; trial < 12; trial++ {
				i := rng.IntN(len(p.v))
				fd := testutil.CentralDiff(p.v, i, 1e-4, loss)
				if math.Abs(fd-p.grad[i]) > 1e-7*(1+math.Abs(fd)) {
					t.Fatalf("shape %d d%s[%d]: reference %v, finite difference %v", si, p.name, i, p.grad[i], fd)
				}
			}
		}
	}
}

func TestValidate(t *testing.T) {
	good := Shape{N: 1, C: 1, H: 4, W: 4, K: 1, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if good.OutH() != 4 || good.OutW() != 4 {
		t.Fatalf("out %d×%d, want 4×4", good.OutH(), good.OutW())
	}
	s2 := good
	s2.StrideH, s2.StrideW, s2.H = 2, 2, 7
	if s2.OutH() != 4 || s2.OutW() != 2 {
		t.Fatalf("strided out %d×%d, want 4×2", s2.OutH(), s2.OutW())
	}
	for name, mod := range map[string]func(*Shape){
		"zero N":         func(s *Shape) { s.N = 0 },
		"zero stride":    func(s *Shape) { s.StrideW = 0 },
		"negative pad":   func(s *Shape) { s.PadH = -1 },
		"kernel too big": func(s *Shape) { s.KH, s.PadH = 7, 1 },
		"zero kernel":    func(s *Shape) { s.KW = 0 },
	} {
		s := good
		mod(&s)
		if s.Validate() == nil {
			t.Errorf("%s: accepted %+v", name, s)
		}
	}
}

func TestBadLengthsPanic(t *testing.T) {
	s := Shape{N: 1, C: 2, H: 4, W: 4, K: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
	x, w, y := make([]float32, s.xLen()), make([]float32, s.wLen()), make([]float32, s.yLen())
	for name, f := range map[string]func(){
		"short y":     func() { Forward(s, x, w, nil, y[1:]) },
		"short bias":  func() { Forward(s, x, w, []float32{1}, y) },
		"short dx":    func() { BackwardInput(s, y, w, x[1:]) },
		"short dw":    func() { BackwardWeight(s, x, y, w[1:], nil) },
		"bad shape":   func() { Forward(Shape{}, x, w, nil, y) },
		"ref short w": func() { ForwardRef(s, x, w[1:], nil, y) },
	} {
		if r := testutil.PanicValue(f); r == nil {
			t.Errorf("%s: no panic", name)
		} else if msg := fmt.Sprint(r); len(msg) < 10 {
			t.Errorf("%s: unhelpful panic %q", name, msg)
		}
	}
}
