package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// mat is a test matrix embedded in a NaN-filled buffer with a padded
// leading dimension, so reading outside the matrix shows up as NaN.
func mat(rng *rand.Rand, rows, cols, pad int) ([]float32, int) {
	ld := max(1, cols+pad)
	s := make([]float32, rows*ld+pad)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			s[i*ld+j] = rng.Float32()*2 - 1
		}
	}
	return s, ld
}

type gemmCase struct {
	ta, tb      bool
	m, n, k     int
	alpha, beta float32
	pad         int
}

func (g gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d α=%g β=%g pad=%d", g.ta, g.tb, g.m, g.n, g.k, g.alpha, g.beta, g.pad)
}

// checkCase runs one product through level l and compares with SgemmRef
// within a float32 rounding bound.
func checkCase(t *testing.T, l isa.Level, g gemmCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(g.m*131+g.n*7+g.k), 5))
	ar, ac := g.m, g.k
	if g.ta {
		ar, ac = g.k, g.m
	}
	br, bc := g.k, g.n
	if g.tb {
		br, bc = g.n, g.k
	}
	a, lda := mat(rng, ar, ac, g.pad)
	b, ldb := mat(rng, br, bc, g.pad+1)
	c, ldc := mat(rng, g.m, g.n, g.pad+2)
	if g.beta == 0 {
		for i := 0; i < g.m; i++ {
			for j := 0; j < g.n; j++ {
				c[i*ldc+j] = float32(math.NaN())
			}
		}
	}
	want := append([]float32(nil), c...)
	got := append([]float32(nil), c...)
	SgemmRef(g.ta, g.tb, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
	sgemmLevel(l, g.ta, g.tb, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, got, ldc)
	tol := 4 * float64(g.k+2) * 6e-8 * (math.Abs(float64(g.alpha)) + math.Abs(float64(g.beta)) + 1)
	for idx := range got {
		w, v := want[idx], got[idx]
		i, j := idx/ldc, idx%ldc
		inside := i < g.m && j < g.n
		if !inside {
			if !math.IsNaN(float64(v)) {
				t.Fatalf("%v %v: wrote outside C at (%d,%d)", l, g, i, j)
			}
			continue
		}
		if math.IsNaN(float64(v)) || math.Abs(float64(v-w)) > tol*(1+math.Abs(float64(w))) {
			t.Fatalf("%v %v: C[%d,%d] = %v, want %v", l, g, i, j, v, w)
		}
	}
}

var awkward = []int{1, 3, 7, 31, 65}

func TestSgemmSmallShapes(t *testing.T) {
	for _, l := range isa.Available() {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, m := range awkward {
				for _, n := range awkward {
					for _, k := range awkward {
						ab := [][2]float32{{1, 0}, {-1.5, 0.25}}[(m+n+k)%2]
						checkCase(t, l, gemmCase{tr[0], tr[1], m, n, k, ab[0], ab[1], (m + k) % 3})
					}
				}
			}
		}
	}
}

func TestSgemmAlphaBeta(t *testing.T) {
	for _, l := range isa.Available() {
		for _, ab := range [][2]float32{{1, 0}, {0.5, 0}, {1, 1}, {-1.5, 0.25}, {0, 0.5}, {0, 0}, {2, -1}} {
			for _, sz := range [][3]int{{7, 31, 65}, {65, 33, 3}, {1, 257, 7}, {257, 1, 31}} {
				checkCase(t, l, gemmCase{false, false, sz[0], sz[1], sz[2], ab[0], ab[1], 2})
				checkCase(t, l, gemmCase{true, true, sz[0], sz[1], sz[2], ab[0], ab[1], 0})
			}
		}
	}
}

// TestSgemmLarge crosses every cache-block boundary (kc, mc, nc) and the
// parallel split along both m and n.
func TestSgemmLarge(t *testing.T) {
	shapes := [][3]int{{257, 65, 257}, {65, 257, 600}, {300, 290, 531}, {70, 2500, 40}, {1100, 37, 300}, {33, 4100, 17}}
	if testing.Short() {
		shapes = shapes[:2]
	}
	for _, l := range isa.Available() {
		for i, sz := range shapes {
			ta, tb := i%2 == 1, i%3 == 1
			checkCase(t, l, gemmCase{ta, tb, sz[0], sz[1], sz[2], 1, 0.5, 1})
			checkCase(t, l, gemmCase{!ta, !tb, sz[0], sz[1], sz[2], 0.75, 0, 0})
		}
	}
}

func TestSgemmZeroSizes(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0.5, c, 2)
	if c[0] != 0.5 || c[3] != 2 {
		t.Fatalf("k=0 must scale C by beta, got %v", c)
	}
	Sgemm(false, false, 0, 2, 3, 1, nil, 3, make([]float32, 6), 2, 0, nil, 2)
	Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, c, 2)
	if c[0] != 0 || c[3] != 0 {
		t.Fatalf("k=0, beta=0 must zero C, got %v", c)
	}
}

func TestSgemmBadArgsPanic(t *testing.T) {
	cases := map[string]func(){
		"short A": func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		"small ld": func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 1, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		"short C": func() {
			Sgemm(false, true, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
		},
		"negative": func() { Sgemm(false, false, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) },
	}
	for name, f := range cases {
		if testutil.PanicValue(f) == nil {
			t.Errorf("%s: no panic", name)
		}
	}
}
