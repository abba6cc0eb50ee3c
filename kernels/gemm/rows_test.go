package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// TestSgemmRows checks SgemmRows on every level against SgemmRef applied
// to the materialized B, with rows at random, overlapping offsets and one
// row ending exactly at the end of b.
func TestSgemmRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, l := range isa.Available() {
		for _, sz := range [][3]int{{1, 1, 1}, {3, 7, 5}, {14, 32, 9}, {65, 33, 31}, {31, 257, 65}, {130, 300, 600}} {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				checkRows(t, l, rng, sz[0], sz[1], sz[2], tr[0], tr[1])
			}
		}
	}
}

func checkRows(t *testing.T, l isa.Level, rng *rand.Rand, m, n, k int, transA, transB bool) {
	t.Helper()
	count, width := k, n // B rows and their length
	if transB {
		count, width = n, k
	}
	b := make([]float32, 3*width+count)
	for i := range b {
		b[i] = rng.Float32()*2 - 1
	}
	rows := make([]int, count)
	for p := range rows {
		rows[p] = rng.IntN(len(b) - width + 1)
	}
	rows[count-1] = len(b) - width
	full := make([]float32, count*width)
	for p, r := range rows {
		copy(full[p*width:(p+1)*width], b[r:r+width])
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	a, lda := mat(rng, ar, ac, 1)
	c, ldc := mat(rng, m, n, 2)
	want := append([]float32(nil), c...)
	SgemmRef(transA, transB, m, n, k, 0.5, a, lda, full, width, 2, want, ldc)
	sgemmRowsLevel(l, transA, transB, m, n, k, 0.5, a, lda, b, rows, 2, c, ldc)
	for i := range c {
		if math.IsNaN(float64(want[i])) && math.IsNaN(float64(c[i])) {
			continue // padding of C, never written
		}
		if d := math.Abs(float64(c[i] - want[i])); !(d <= 1e-5*float64(k)*(1+math.Abs(float64(want[i])))) {
			t.Fatalf("%v m=%d n=%d k=%d tA=%v tB=%v: C[%d] = %v, want %v", l, m, n, k, transA, transB, i, c[i], want[i])
		}
	}
}

func TestSgemmRowsBadOffsetPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"past end": func() {
			SgemmRows(false, false, 1, 4, 2, 1, []float32{1, 2}, 2, make([]float32, 6), []int{0, 3}, 0, make([]float32, 4), 4)
		},
		"negative": func() {
			SgemmRows(false, true, 1, 2, 2, 1, []float32{1, 2}, 2, make([]float32, 6), []int{0, -1}, 0, make([]float32, 2), 2)
		},
		"few rows": func() {
			SgemmRows(false, true, 1, 3, 2, 1, []float32{1, 2}, 2, make([]float32, 6), []int{0, 1}, 0, make([]float32, 3), 3)
		},
	} {
		if testutil.PanicValue(f) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
