package model

import (
	"fmt"
	"math/rand/v2"

	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/scanorder"
)

// DecoderConfig sizes the Mamba decoder ("MambaUPNet", spec §4).
type DecoderConfig struct {
	Dims   []int           // channel width per stage, e.g. [512 256 128 64]
	Depths []int           // HSS blocks per stage, e.g. [3 4 6 3]
	Side0  int             // side of stage 0 (input/32: 8 for 256×256 images)
	Order  scanorder.Order // scan order of every SS2D (Hilbert in the reference)
	K      int             // scan directions (8)
	N      int             // SSM state size d_state (16)
	LNEps  float32         // HSS ln_1 eps: 1e-5 inside the decoder
	// DropPath is the largest stochastic-depth rate (0.2); the 16 blocks get
	// linspace(0, DropPath) reversed, one rate per LSS module.
	DropPath float32
}

// Decoder reconstructs the encoder's feature pyramid from the fused
// bottleneck. Stage i works at side Side0·2^i with Dims[i] channels; stages
// 1.. start with a PatchExpand. Outputs of stages 1..3 are returned finest
// first, NCHW, matching the encoder's [layer1, layer2, layer3].
type Decoder struct {
	Cfg    DecoderConfig
	Stages []*decoderStage

	b    int
	xin  []float32   // input converted to channels-last
	outs [][]float32 // NCHW outputs, finest first
}

type decoderStage struct {
	up      *PatchExpand // nil for stage 0
	blocks  []*LSS
	c, side int
	prof    *probe
}

// NewDecoder builds a decoder with zero parameters.
func NewDecoder(name string, cfg DecoderConfig) (*Decoder, error) {
	if len(cfg.Dims) != len(cfg.Depths) || len(cfg.Dims) < 2 {
		return nil, fmt.Errorf("model: decoder needs matching dims %v and depths %v (≥ 2 stages)", cfg.Dims, cfg.Depths)
	}
	rates := dropRates(cfg.Depths, cfg.DropPath)
	d := &Decoder{Cfg: cfg}
	side := cfg.Side0
	for i, c := range cfg.Dims {
		st := &decoderStage{c: c, side: side}
		prefix := fmt.Sprintf("%s.layers_up.%d", name, i)
		if name == "" {
			prefix = fmt.Sprintf("layers_up.%d", i)
		}
		if i > 0 {
			if cfg.Dims[i-1] != 2*c {
				return nil, fmt.Errorf("model: decoder stage %d has %d channels; PatchExpand needs the previous stage to have %d, not %d", i, c, 2*c, cfg.Dims[i-1])
			}
			st.up = NewPatchExpand(prefix+".upsample", c, side/2)
		}
		modules, per, err := lssGrouping(cfg.Depths[i])
		if err != nil {
			return nil, fmt.Errorf("model: decoder stage %d: %w", i, err)
		}
		ss := SS2DConfig{C: c, Side: side, N: cfg.N, K: cfg.K, Order: cfg.Order}
		for j := 0; j < modules; j++ {
			m, err := NewLSS(fmt.Sprintf("%s.blocks.%d", prefix, j), ss, per, cfg.LNEps)
			if err != nil {
				return nil, err
			}
			for _, h := range m.Blocks {
				h.DropRate = rates[i][j]
			}
			st.blocks = append(st.blocks, m)
		}
		d.Stages = append(d.Stages, st)
		side *= 2
	}
	return d, nil
}

// lssGrouping splits a stage depth into LSS modules: depth/3 modules of 3
// blocks if 3 divides it, else depth/2 modules of 2 (the reference's rule).
func lssGrouping(depth int) (modules, per int, err error) {
	switch {
	case depth > 0 && depth%3 == 0:
		return depth / 3, 3, nil
	case depth > 0 && depth%2 == 0:
		return depth / 2, 2, nil
	}
	return 0, 0, fmt.Errorf("depth %d is not a positive multiple of 2 or 3", depth)
}

// dropRates returns, per stage, one rate per LSS module: the stage's slice
// of linspace(0, max, Σdepths) reversed, indexed by module number.
func dropRates(depths []int, maxRate float32) [][]float32 {
	total := 0
	for _, d := range depths {
		total += d
	}
	all := make([]float32, total)
	for i := range all {
		if total > 1 {
			all[i] = maxRate * float32(total-1-i) / float32(total-1)
		}
	}
	out := make([][]float32, len(depths))
	start := 0
	for i, d := range depths {
		out[i] = all[start : start+d]
		start += d
	}
	return out
}

// Params returns every tensor in state_dict order.
func (d *Decoder) Params() []*nn.Param {
	var ps []*nn.Param
	for _, st := range d.Stages {
		for _, m := range st.blocks {
			ps = append(ps, m.Params()...)
		}
		if st.up != nil {
			ps = append(ps, st.up.Params()...)
		}
	}
	return ps
}

// SetTrain switches drop-path on or off and seeds its random draws.
func (d *Decoder) SetTrain(train bool, rng *rand.Rand) {
	d.eachHSS(func(h *HSSBlock) { h.Train, h.RNG = train, rng })
}

// SetBackprop makes every layer keep what its backward pass needs (on), or
// keep nothing (off). Switching drops what the other mode held: the kept
// activations when backprop goes off, and in both directions the scratch
// pool's free buffers, which were sized for the other mode's work (the
// encoder's and inference's for training, the backward pass's for
// inference).
func (d *Decoder) SetBackprop(on bool) {
	if on == d.backprop() {
		return
	}
	d.eachHSS(func(h *HSSBlock) { h.SS.Backprop = on })
	if !on {
		for _, st := range d.Stages {
			if st.up != nil {
				st.up.release()
			}
			for _, m := range st.blocks {
				m.release()
			}
		}
		d.xin = nil
	}
	nn.ReleaseScratch()
}

// setProbe gives every stage its probe ("decoder.<i>").
func (d *Decoder) setProbe(b *Breakdown) {
	for i, st := range d.Stages {
		p := newProbe(b, fmt.Sprintf("decoder.%d", i))
		st.prof = p
		if st.up != nil {
			st.up.prof = p
		}
		for _, m := range st.blocks {
			m.setProbe(p)
		}
	}
}

func (d *Decoder) eachHSS(fn func(*HSSBlock)) {
	for _, st := range d.Stages {
		for _, m := range st.blocks {
			for _, h := range m.Blocks {
				fn(h)
			}
		}
	}
}

// backprop reports whether the blocks keep what Backward needs.
func (d *Decoder) backprop() bool { return d.Stages[0].blocks[0].Blocks[0].SS.Backprop }

// Forward maps the bottleneck x (B, Dims[0], Side0, Side0) NCHW to the
// outputs of stages len−1 … 1 (finest first), each NCHW.
func (d *Decoder) Forward(x []float32, b int) [][]float32 {
	if !d.backprop() {
		return d.infer(x, b)
	}
	d.b = b
	st0 := d.Stages[0]
	t := st0.prof.start()
	d.xin = ensureLen(d.xin, len(x))
	ops.Transpose(d.xin, x, b, st0.c, st0.side*st0.side)
	st0.prof.stop(t, OpLayout, 0, f32(2*len(x)))
	h := d.xin
	n := len(d.Stages)
	if len(d.outs) != n-1 {
		d.outs = make([][]float32, n-1)
	}
	for i, st := range d.Stages {
		if st.up != nil {
			h = st.up.Forward(h, b)
		}
		for _, m := range st.blocks {
			h = m.Forward(h, b)
		}
		if i > 0 {
			t := st.prof.start()
			o := &d.outs[n-1-i]
			*o = ensureLen(*o, len(h))
			ops.Transpose(*o, h, b, st.side*st.side, st.c)
			st.prof.stop(t, OpLayout, 0, f32(2*len(h)))
		}
	}
	return d.outs
}

// infer is Forward for inference: between the LSS modules (whose outputs
// they own) every tensor is a scratch buffer, released once read.
func (d *Decoder) infer(x []float32, b int) [][]float32 {
	d.b = b
	n := len(d.Stages)
	if len(d.outs) != n-1 {
		d.outs = make([][]float32, n-1)
	}
	st0 := d.Stages[0]
	t := st0.prof.start()
	h := nn.GetScratch(len(x))
	ops.Transpose(h, x, b, st0.c, st0.side*st0.side)
	st0.prof.stop(t, OpLayout, 0, f32(2*len(x)))
	scratch := true // whether h is a scratch buffer (else an LSS output)
	for i, st := range d.Stages {
		if st.up != nil {
			next := st.up.infer(h, b)
			if scratch {
				nn.PutScratch(h)
			}
			h, scratch = next, true
		}
		for _, m := range st.blocks {
			next := m.Forward(h, b)
			if scratch {
				nn.PutScratch(h)
			}
			h, scratch = next, false
		}
		if i > 0 {
			t := st.prof.start()
			o := &d.outs[n-1-i]
			*o = ensureLen(*o, len(h))
			ops.Transpose(*o, h, b, st.side*st.side, st.c)
			st.prof.stop(t, OpLayout, 0, f32(2*len(h)))
		}
	}
	if scratch {
		nn.PutScratch(h)
	}
	return d.outs
}

// Backward takes the gradients of the outputs (finest first, NCHW) and
// returns the gradient of the input (NCHW), a scratch buffer the caller
// releases.
func (d *Decoder) Backward(douts [][]float32) []float32 {
	b, n := d.b, len(d.Stages)
	var dh []float32
	for i := n - 1; i >= 0; i-- {
		st := d.Stages[i]
		if i > 0 {
			t0 := st.prof.start()
			g := douts[n-1-i]
			t := nn.GetScratch(len(g))
			ops.Transpose(t, g, b, st.c, st.side*st.side)
			if dh == nil {
				dh = t
			} else {
				ops.AddInPlace(dh, t)
				nn.PutScratch(t)
			}
			st.prof.stop(t0, OpLayout, 0, f32(4*len(g)))
		}
		for j := len(st.blocks) - 1; j >= 0; j-- {
			next := st.blocks[j].Backward(dh)
			nn.PutScratch(dh)
			dh = next
		}
		if st.up != nil {
			next := st.up.Backward(dh)
			nn.PutScratch(dh)
			dh = next
		}
	}
	st0 := d.Stages[0]
	t := st0.prof.start()
	dx := nn.GetScratch(len(dh))
	ops.Transpose(dx, dh, b, st0.side*st0.side, st0.c)
	st0.prof.stop(t, OpLayout, 0, f32(2*len(dh)))
	nn.PutScratch(dh)
	return dx
}
