package selscan

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

// TestRef64FiniteDifferences checks the float64 reference's six gradients
// against central differences of loss = Σ w·Y, with some raw Δ above the
// softplus threshold.
func TestRef64FiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := Dims{Batch: 2, L: 5, D: 3, K: 2, R: 2, N: 3}
	in := inputs64(randInputs(rng, d, normalOpts))
	in.DtBias[1] = 23 // raw > 20 for channel 1 of direction 0: softplus is the identity
	w := testutil.To64(testutil.NormVec(rng, d.tokLen()))
	loss := func() float64 {
		var s float64
		for i, y := range forward64(d, in) {
			s += w[i] * y
		}
		return s
	}
	g := backward64(d, in, w)
	for _, p := range []struct {
		name string
		x, g []float64
	}{{"X", in.X, g.X}, {"XDbl", in.XDbl, g.XDbl}, {"DtW", in.DtW, g.DtW}, {"DtBias", in.DtBias, g.DtBias},
		{"A", in.A, g.A}, {"Dskip", in.Dskip, g.Dskip}} {
		for i := range p.x {
			fd := testutil.CentralDiff(p.x, i, 1e-6, loss)
			if math.Abs(fd-p.g[i]) > 1e-6*(1+math.Abs(fd)) {
				t.Fatalf("%s[%d]: analytic %g, finite difference %g", p.name, i, p.g[i], fd)
			}
		}
	}
}
