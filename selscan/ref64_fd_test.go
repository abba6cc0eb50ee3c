package selscan

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRef64FiniteDifferences checks the float64 reference's seven
// gradients against central differences of loss = Σ w·y, including Δ
// above the softplus threshold.
func TestRef64FiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := Dims{Batch: 2, K: 2, D: 3, L: 6, N: 3}
	in := inputs64(randInputs(rng, d, normalOpts))
	for i := 0; i < len(in.Delta); i += 5 {
		in.Delta[i] = 22 + float64(i%3) // x > 20: softplus is the identity
	}
	w := to64(randVec(rng, d.seqLen()))
	loss := func() float64 {
		var s float64
		for i, y := range forward64(d, in) {
			s += w[i] * y
		}
		return s
	}
	g := backward64(d, in, w)
	params := []struct {
		name string
		x, g []float64
	}{{"U", in.U, g.U}, {"Delta", in.Delta, g.Delta}, {"A", in.A, g.A}, {"B", in.B, g.B},
		{"C", in.C, g.C}, {"Dskip", in.Dskip, g.Dskip}, {"DeltaBias", in.Bias, g.Bias}}
	for _, p := range params {
		for i := range p.x {
			x0 := p.x[i]
			const eps = 1e-6
			p.x[i] = x0 + eps
			lp := loss()
			p.x[i] = x0 - eps
			lm := loss()
			p.x[i] = x0
			fd := (lp - lm) / (2 * eps)
			if math.Abs(fd-p.g[i]) > 1e-6*(1+math.Abs(fd)) {
				t.Fatalf("%s[%d]: analytic %g, finite difference %g", p.name, i, p.g[i], fd)
			}
		}
	}
}
