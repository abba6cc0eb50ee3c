package ops

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

func TestRowHelpers(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, sh := range []struct{ rows, cols int }{{1, 5}, {300, 64}, {5000, 33}, {3, 20000}} {
		rows, cols := sh.rows, sh.cols
		x, v := testutil.NormVec(rng, rows*cols), testutil.NormVec(rng, cols)
		y := make([]float32, rows*cols)
		AddRowVector(x, v, y, rows, cols)
		for i := range y {
			if y[i] != x[i]+v[i%cols] {
				t.Fatalf("AddRowVector %d×%d: [%d] = %g, want %g", rows, cols, i, y[i], x[i]+v[i%cols])
			}
		}
		inPlace := slices.Clone(x)
		AddRowVector(inPlace, v, inPlace, rows, cols)
		if !slices.Equal(inPlace, y) {
			t.Fatalf("AddRowVector %d×%d in place differs", rows, cols)
		}
		want := make([]float64, cols)
		for i, e := range x {
			want[i%cols] += float64(e)
		}
		testutil.SameForAnyWorkers(t, "SumRows", func() [][]float32 {
			acc := slices.Clone(v)
			SumRows(x, rows, cols, acc)
			return [][]float32{acc}
		})
		acc := make([]float32, cols)
		SumRows(x, rows, cols, acc)
		for c := range acc {
			if d := math.Abs(float64(acc[c]) - want[c]); d > 1e-5*float64(rows) {
				t.Fatalf("SumRows %d×%d: [%d] = %g, want %g", rows, cols, c, acc[c], want[c])
			}
		}
	}
	const n, c, hw = 3, 17, 1000
	x := testutil.NormVec(rng, n*c*hw)
	testutil.SameForAnyWorkers(t, "SumPlanes", func() [][]float32 {
		acc := make([]float32, c)
		SumPlanes(x, n, c, hw, acc)
		return [][]float32{acc}
	})
	acc := make([]float32, c)
	SumPlanes(x, n, c, hw, acc)
	for ch := 0; ch < c; ch++ {
		var s float64
		for i := 0; i < n; i++ {
			for _, e := range x[(i*c+ch)*hw : (i*c+ch+1)*hw] {
				s += float64(e)
			}
		}
		if math.Abs(float64(acc[ch])-s) > 1e-3 {
			t.Fatalf("SumPlanes: [%d] = %g, want %g", ch, acc[ch], s)
		}
	}
}
