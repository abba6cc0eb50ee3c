package model

import (
	"math/rand/v2"

	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
)

// HSSBlock is x + DropPath(SS2D(LayerNorm(x))) on channels-last tokens
// (B, L, C) (spec §4.3).
type HSSBlock struct {
	LN *nn.LayerNorm
	SS *SS2D
	// DropRate is the stochastic-depth probability, applied per sample and
	// only while Train is set; kept samples are scaled by 1/(1−DropRate).
	DropRate float32
	Train    bool
	RNG      *rand.Rand // drop-path draws; required when Train and DropRate > 0

	scale []float32 // per-sample factor of the last Forward (0 or 1/keep)
	y     []float32
	b, n  int
	prof  *probe
}

// NewHSSBlock builds a block for C channels on a side×side map.
func NewHSSBlock(name string, cfg SS2DConfig, lnEps float32) (*HSSBlock, error) {
	ss, err := NewSS2D(name+".self_attention", cfg)
	if err != nil {
		return nil, err
	}
	return &HSSBlock{LN: nn.NewLayerNorm(name+".ln_1", cfg.C, lnEps), SS: ss}, nil
}

// Params returns ln_1 then self_attention tensors, the reference's order.
func (h *HSSBlock) Params() []*nn.Param {
	return append(h.LN.Params(), h.SS.Params()...)
}

// Forward maps x (B, L, C) to (B, L, C).
func (h *HSSBlock) Forward(x []float32, b int) []float32 {
	h.b, h.n = b, len(x)/b
	t := h.prof.start()
	xn := h.LN.Forward(x, len(x)/h.LN.C)
	h.prof.stop(t, OpNorm, 0, f32(2*len(x)))
	s := h.SS.Forward(xn, b)
	t = h.prof.start()
	defer h.prof.stop(t, OpAct, 0, f32(3*len(x)))
	h.drawScale(b)
	h.y = ensureLen(h.y, len(x))
	for i := 0; i < b; i++ {
		lo, hi := i*h.n, (i+1)*h.n
		f := h.scale[i]
		xs, ss, ys := x[lo:hi], s[lo:hi], h.y[lo:hi]
		for j := range ys {
			ys[j] = xs[j] + f*ss[j]
		}
	}
	return h.y
}

// drawScale sets the per-sample drop-path factors for this forward pass.
func (h *HSSBlock) drawScale(b int) {
	h.scale = ensureLen(h.scale, b)
	keep := 1 - h.DropRate
	for i := range h.scale {
		h.scale[i] = 1
		if h.Train && h.DropRate > 0 {
			if h.RNG.Float32() < keep {
				h.scale[i] = 1 / keep
			} else {
				h.scale[i] = 0
			}
		}
	}
}

// Backward returns dx (a scratch buffer the caller releases) given dy,
// accumulating parameter gradients.
func (h *HSSBlock) Backward(dy []float32) []float32 {
	t := h.prof.start()
	ds := nn.GetScratch(len(dy))
	for i := 0; i < h.b; i++ {
		lo, hi := i*h.n, (i+1)*h.n
		f := h.scale[i]
		for j := lo; j < hi; j++ {
			ds[j] = f * dy[j]
		}
	}
	h.prof.stop(t, OpAct, 0, f32(2*len(dy)))
	dln := h.SS.Backward(ds)
	nn.PutScratch(ds)
	t = h.prof.start()
	dx := h.LN.Backward(dln)
	h.prof.stop(t, OpNorm, 0, f32(4*len(dy)))
	nn.PutScratch(dln)
	t = h.prof.start()
	ops.AddInPlace(dx, dy) // the residual
	h.prof.stop(t, OpAct, 0, f32(3*len(dy)))
	return dx
}
