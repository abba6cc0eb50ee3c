package selscan

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// TestParity compares the float32 error of each level with that of the
// float32 reference (exact exp and softplus rounded to float32) on a
// model-like shape: the fast exp and softplus must not make the result
// noticeably less accurate. The errors are logged (go test -v).
func TestParity(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	d := Dims{Batch: 1, L: 256, D: 32, K: 8, R: 2, N: 16}
	in := randInputs(rng, d, normalOpts)
	i64 := inputs64(in)
	want := forward64(d, i64)
	dy := testutil.NormVec(rng, d.tokLen())
	wantG := backward64(d, i64, testutil.To64(dy))
	errOf := func(got []float32, want []float64) float64 {
		var scale, m float64
		for _, w := range want {
			scale = math.Max(scale, math.Abs(w))
		}
		for i, g := range got {
			m = math.Max(m, math.Abs(float64(g)-want[i]))
		}
		return m / scale
	}
	y := make([]float32, d.tokLen())
	ForwardRef(d, in, y)
	g := zeroGrads(d)
	BackwardRef(d, in, dy, g)
	refY, refX, refA := errOf(y, want), errOf(g.X, wantG.X), errOf(g.A, wantG.A)
	t.Logf("ref: Y %.2e dX %.2e dA %.2e", refY, refX, refA)
	for _, lv := range isa.Available() {
		var s Saved
		forward(lv, d, in, y, &s)
		g := zeroGrads(d)
		backward(lv, d, in, dy, &s, g)
		eY, eX, eA := errOf(y, want), errOf(g.X, wantG.X), errOf(g.A, wantG.A)
		t.Logf("%v: Y %.2e dX %.2e dA %.2e", lv, eY, eX, eA)
		if eY > 2*refY+1e-6 || eX > 2*refX+1e-6 || eA > 2*refA+1e-6 {
			t.Errorf("%v is much less accurate than the float32 reference", lv)
		}
	}
}
