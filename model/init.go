package model

import (
	"math"
	"math/rand/v2"

	"github.com/mambaad/mambaad/nn"
)

// Init draws the trainable part's initial weights as the reference does
// (spec §4.4), deterministically from seed. It matters for training from
// scratch, not for parity (the goldens load their weights).
func (m *MambaAD) Init(seed uint64) {
	rng := newRNG(seed)
	m.Fuse.Init(rng)
	m.Dec.Init(rng)
}

// Init: Kaiming-normal (fan_out, ReLU) convolution weights, PyTorch's
// default uniform biases, BatchNorm weight 1 and bias 0.
func (f *Fusion) Init(rng *rand.Rand) {
	units := []*ConvBN{f.Conv1, f.Conv21, f.Conv2, f.Conv31, f.ConvF}
	for _, b := range f.Layer {
		units = append(units, b.C1, b.C2, b.C3)
		if b.Down != nil {
			units = append(units, b.Down)
		}
	}
	for _, u := range units {
		c := u.Conv
		fanOut := c.K * c.KH * c.KW
		normal(rng, c.W.W, math.Sqrt(2/float64(fanOut)))
		if c.B != nil {
			uniform(rng, c.B.W, 1/math.Sqrt(float64(c.C*c.KH*c.KW)))
		}
		resetBN(u.BN)
	}
}

func resetBN(bn *nn.BatchNorm2d) {
	for i := range bn.W.W {
		bn.W.W[i], bn.B.W[i], bn.RunMean.W[i], bn.RunVar.W[i] = 1, 0, 0, 1
	}
	bn.Count.W[0] = 0
}

// Init initialises every stage: PatchExpand linears truncated-normal
// (std 0.02) with unit LayerNorms, and each LSS module.
func (d *Decoder) Init(rng *rand.Rand) {
	for _, st := range d.Stages {
		if st.up != nil {
			truncNormal(rng, st.up.Expand.W.W, 0.02)
			resetLN(st.up.Norm)
		}
		for _, m := range st.blocks {
			m.Init(rng)
		}
	}
}

func resetLN(ln *nn.LayerNorm) {
	for i := range ln.W.W {
		ln.W.W[i], ln.B.W[i] = 1, 0
	}
}

// Init: convolutions normal(0, √(2/fan_out)) with fan_out = k·k·C_out/groups
// and zero biases; HSS blocks as SS2D.Init with unit LayerNorms.
func (m *LSS) Init(rng *rand.Rand) {
	for _, c := range []*nn.Conv2d{m.B5.pre, m.B5.post, m.B7.pre, m.B7.post, m.Final} {
		normal(rng, c.W.W, math.Sqrt(2/float64(c.KH*c.KW*c.K)))
		clear(c.B.W)
	}
	for _, dw := range []*nn.DWConv{m.B5.dw, m.B7.dw} {
		normal(rng, dw.W.W, math.Sqrt(2/float64(dw.Kernel*dw.Kernel)))
	}
	for _, h := range m.Blocks {
		resetLN(h.LN)
		h.SS.Init(rng)
	}
}

// Init follows the reference SS2D: A_log = log(1..N) per channel, D = 1,
// dt bias = softplus⁻¹(dt) with dt log-uniform in [1e-3, 0.1] (floor
// 1e-4), W_dt uniform ±R^−½, W_x uniform ±D^−½ (PyTorch's Linear default),
// in/out projections truncated normal (std 0.02), the depthwise 3×3 conv
// PyTorch's default (uniform ±1/√9 for weight and bias), unit out_norm.
func (s *SS2D) Init(rng *rand.Rand) {
	for c := 0; c < s.K*s.D; c++ {
		for n := 0; n < s.N; n++ {
			s.ALogs.W[c*s.N+n] = float32(math.Log(float64(n + 1)))
		}
		s.Ds.W[c] = 1
	}
	const dtMin, dtMax, dtFloor = 1e-3, 0.1, 1e-4
	for i := range s.DtB.W {
		dt := math.Exp(rng.Float64()*(math.Log(dtMax)-math.Log(dtMin)) + math.Log(dtMin))
		dt = math.Max(dt, dtFloor)
		s.DtB.W[i] = float32(dt + math.Log(-math.Expm1(-dt))) // softplus⁻¹(dt)
	}
	uniform(rng, s.DtW.W, 1/math.Sqrt(float64(s.R)))
	uniform(rng, s.XProj.W, 1/math.Sqrt(float64(s.D)))
	truncNormal(rng, s.InProj.W, 0.02)
	truncNormal(rng, s.OutProj.W.W, 0.02)
	uniform(rng, s.Conv.W.W, 1.0/3)
	uniform(rng, s.Conv.B.W, 1.0/3)
	resetLN(s.OutNorm)
}

func normal(rng *rand.Rand, w []float32, std float64) {
	for i := range w {
		w[i] = float32(rng.NormFloat64() * std)
	}
}

// truncNormal is timm's trunc_normal_(std) with its default absolute
// bounds ±2 (redrawing outside them).
func truncNormal(rng *rand.Rand, w []float32, std float64) {
	for i := range w {
		v := rng.NormFloat64() * std
		for v < -2 || v > 2 {
			v = rng.NormFloat64() * std
		}
		w[i] = float32(v)
	}
}

func uniform(rng *rand.Rand, w []float32, bound float64) {
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// InitRandom gives the encoder random weights (Kaiming-normal convolutions,
// identity BatchNorms) for the clearly labelled no-pretrained-weights
// fallback, then folds them.
func (e *Encoder) InitRandom(seed uint64) {
	rng := newRNG(seed ^ 0x5eed)
	for _, p := range e.params {
		switch {
		case len(p.Shape) == 4:
			normal(rng, p.W, math.Sqrt(2/float64(p.Shape[0]*p.Shape[2]*p.Shape[3])))
		case hasSuffix(p.Name, ".weight"), hasSuffix(p.Name, ".running_var"):
			for i := range p.W {
				p.W[i] = 1
			}
		default:
			clear(p.W)
		}
	}
	e.Fold()
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }
