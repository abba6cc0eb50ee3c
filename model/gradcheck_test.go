package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/scanorder"
)

// perturb moves every floating parameter off its initial value the way the
// golden generator does (README "Parameter values"): a 1-D tensor gets
// +0.1·N(0,1), a tensor of rank ≥ 2 gets +0.1·std·N(0,1), so that every
// parameter (LayerNorm weights, D, A_log, …) takes a generic value.
func perturb(rng *rand.Rand, ps []*nn.Param) {
	for _, p := range nn.Trainables(ps) {
		scale := 0.1
		if len(p.Shape) >= 2 {
			var s, s2 float64
			for _, v := range p.W {
				s += float64(v)
				s2 += float64(v) * float64(v)
			}
			n := float64(len(p.W))
			scale = 0.1 * math.Sqrt(max(s2/n-(s/n)*(s/n), 0))
		}
		for i := range p.W {
			p.W[i] += float32(rng.NormFloat64() * scale)
		}
	}
}

// TestDecoderGradients checks the decoder's backward pass end to end without
// golden files: a two-stage decoder (widths 16 and 8, sides 4 and 8, two
// LSS modules of two HSS blocks, SS2D with four Hilbert directions and
// d_state 4, and a PatchExpand) on two images; the analytic gradients of
// L = Σ out·r are compared with float64 central differences of the float32
// forward pass for two random elements of every trainable tensor and for
// eight random inputs.
func TestDecoderGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	d, err := NewDecoder("dec", DecoderConfig{Dims: []int{16, 8}, Depths: []int{2, 2}, Side0: 4,
		Order: scanorder.Hilbert, K: 4, N: 4, LNEps: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	d.Init(rng)
	ps := d.Params()
	perturb(rng, ps)
	// A well-conditioned instance: the reference initialises the SS2D
	// projections and the PatchExpand linear with std 0.02, which makes the
	// SS2D branch's contribution (and so the gradients of its inner
	// parameters) too small to resolve through float32 differences. Use
	// std 1/√fan_in instead, and steps Δ = softplus(dt + bias) of order 1
	// rather than 0.001–0.1, so that A_log and the Δ projection matter.
	d.eachHSS(func(h *HSSBlock) {
		s := h.SS
		fill(rng, s.InProj.W, 1/math.Sqrt(float64(s.C)))
		fill(rng, s.OutProj.W.W, 1/math.Sqrt(float64(s.D)))
		for i := range s.DtB.W {
			s.DtB.W[i] = float32(2*rng.Float64() - 1)
		}
	})
	for _, st := range d.Stages {
		if st.up != nil {
			fill(rng, st.up.Expand.W.W, 1/math.Sqrt(float64(st.up.Expand.In)))
		}
	}
	d.SetTrain(false, nil)
	d.SetBackprop(true)
	const b = 1
	st0 := d.Stages[0]
	x := make([]float32, b*st0.c*st0.side*st0.side)
	fill(rng, x, 1)

	mark := nn.ScratchOutstanding()
	outs := d.Forward(x, b)
	nn.CheckScratchBalance(t, mark, "after the decoder forward pass")
	rs := make([][]float32, len(outs))
	for i, o := range outs {
		rs[i] = make([]float32, len(o))
		fill(rng, rs[i], 1)
	}
	loss := func() float64 {
		s := 0.0
		for i, o := range d.Forward(x, b) {
			for j, v := range o {
				s += float64(v) * float64(rs[i][j])
			}
		}
		return s
	}
	loss()
	nn.ZeroGrad(ps)
	dxb := d.Backward(rs)
	dx := append([]float32(nil), dxb...)
	nn.PutScratch(dxb)
	nn.CheckScratchBalance(t, mark, "after the decoder backward pass")

	// The forward pass is float32, so L carries rounding noise of a few
	// 2⁻²⁴·Σ|out·r|; a difference quotient with step h carries that noise
	// divided by h. noise is a generous estimate of it (4×) for unit h.
	sumAbs := 0.0
	for i, o := range d.Forward(x, b) {
		for j, v := range o {
			sumAbs += math.Abs(float64(v) * float64(rs[i][j]))
		}
	}
	noise := 4 * sumAbs * 0x1p-24

	// fd returns the five-point central difference of L along h·z (float64
	// arithmetic on the float32 losses) and the analytic derivative Σ g·z.
	fd := func(v, g []float32, z []float64, h float64) (num, ana float64) {
		orig := append([]float32(nil), v...)
		for i, zi := range z {
			ana += float64(g[i]) * zi
		}
		at := func(s float64) float64 {
			for i, zi := range z {
				v[i] = orig[i] + float32(s*h*zi)
			}
			return loss()
		}
		num = (-at(2) + 8*at(1) - 8*at(-1) + at(-2)) / (12 * h)
		copy(v, orig)
		return num, ana
	}
	randomDir := func(n int) []float64 {
		z := make([]float64, n)
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		return z
	}
	unit := func(n, i int) []float64 {
		z := make([]float64, n)
		z[i] = 1
		return z
	}
	var worst float64
	check := func(what string, v, g []float32, z []float64, h float64) {
		num, ana := fd(v, g, z, h)
		e := math.Abs(num-ana) / (decoderRelTol*math.Abs(ana) + noise/h)
		worst = max(worst, e)
		if !(e <= 1) {
			t.Errorf("%s: analytic %.6g, numeric %.6g (|Δ| is %.3g× the tolerance %.2g·|analytic| + noise %.2g)", what, ana, num, e, decoderRelTol, noise/h)
		} else if testing.Verbose() {
			t.Logf("%-80s analytic %12.5g numeric %12.5g error %.2g", what, ana, num, e)
		}
	}

	hx := fdRel * rms(x)
	for k := range 3 {
		check(fmt.Sprintf("input, random direction %d", k), x, dx, randomDir(len(x)), hx)
		i := rng.IntN(len(x))
		check(fmt.Sprintf("input[%d]", i), x, dx, unit(len(x), i), hx)
	}
	for _, p := range nn.Trainables(ps) {
		if zeroGradBias(p.Name) {
			// A bias feeding an InstanceNorm does not change the output: its
			// float32 difference quotient is pure noise. Its analytic
			// gradient must be 0 up to rounding.
			if m := maxAbs(p.G); m > 1e-4 {
				t.Errorf("%s: gradient %.3g, want 0 (it feeds an InstanceNorm)", p.Name, m)
			}
			continue
		}
		h := fdRel * max(rms(p.W), 0.3)
		check(p.Name+", random direction", p.W, p.G, randomDir(len(p.W)), h)
		big := 0
		for i, g := range p.G {
			if math.Abs(float64(g)) > math.Abs(float64(p.G[big])) {
				big = i
			}
		}
		check(fmt.Sprintf("%s[%d], its largest gradient", p.Name, big), p.W, p.G, unit(len(p.W), big), h)
	}
	t.Logf("worst |Δ| %.3g× the tolerance", worst)
}

// Decoder finite differences: steps of fdRel times a tensor's RMS value
// (at least 0.3) and a five-point stencil (truncation error O(h⁴)). A check
// passes when |numeric − analytic| ≤ decoderRelTol·|analytic| + noise/h.
// Over seeds 1–10 the largest |numeric − analytic| was 0.4× that bound
// (random-direction input derivatives, 0.4 % apart, and Δ-projection
// gradients whose size is near the noise).
const (
	fdRel         = 2e-2
	decoderRelTol = 1e-2
)

func rms(v []float32) float64 {
	s := 0.0
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s / float64(len(v)))
}

func fill(rng *rand.Rand, v []float32, scale float64) {
	for i := range v {
		v[i] = float32(rng.NormFloat64() * scale)
	}
}
