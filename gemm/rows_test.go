package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/isa"
)

// TestSgemmRows checks SgemmRows on every level against SgemmRef applied
// to the materialized B, with rows at random, overlapping offsets and the
// last row ending exactly at the end of b.
func TestSgemmRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, l := range isa.Available() {
		for _, sz := range [][3]int{{1, 1, 1}, {3, 7, 5}, {14, 32, 9}, {65, 33, 31}, {31, 257, 65}, {130, 300, 600}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, transA := range []bool{false, true} {
				b := make([]float32, 3*n+k)
				for i := range b {
					b[i] = rng.Float32()*2 - 1
				}
				rows := make([]int, k)
				for p := range rows {
					rows[p] = rng.IntN(len(b) - n + 1)
				}
				rows[k-1] = len(b) - n
				full := make([]float32, k*n)
				for p, r := range rows {
					copy(full[p*n:(p+1)*n], b[r:r+n])
				}
				ar, ac := m, k
				if transA {
					ar, ac = k, m
				}
				a, lda := mat(rng, ar, ac, 1)
				c, ldc := mat(rng, m, n, 2)
				want := append([]float32(nil), c...)
				SgemmRef(transA, false, m, n, k, 0.5, a, lda, full, n, 2, want, ldc)
				sgemmRowsLevel(l, transA, m, n, k, 0.5, a, lda, b, rows, 2, c, ldc)
				for i := range c {
					if d := math.Abs(float64(c[i] - want[i])); !(d <= 1e-5*float64(k)*(1+math.Abs(float64(want[i])))) &&
						!(math.IsNaN(float64(c[i])) && math.IsNaN(float64(want[i]))) {
						t.Fatalf("%v m=%d n=%d k=%d tA=%v: C[%d] = %v, want %v", l, m, n, k, transA, i, c[i], want[i])
					}
				}
			}
		}
	}
}

func TestSgemmRowsBadOffsetPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("row past the end of b accepted")
		}
	}()
	SgemmRows(false, 1, 4, 2, 1, []float32{1, 2}, 2, make([]float32, 6), []int{0, 3}, 0, make([]float32, 4), 4)
}
