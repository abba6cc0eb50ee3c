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

	scale      []float32 // per-sample factor of the last Forward (0 or 1/keep)
	y          []float32
	b, n       int
	x          []float32 // input, by reference (Backprop)
	mean, rstd []float32 // the LayerNorm's statistics (Backprop)
	prof       *probe
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

// Forward maps x (B, L, C) to (B, L, C), into a buffer the block owns.
func (h *HSSBlock) Forward(x []float32, b int) []float32 {
	h.y = ensureLen(h.y, len(x))
	h.forwardInto(x, b, h.y)
	return h.y
}

// forwardInto writes x + scale·SS2D(LN(x)) into out (which must not
// overlap x); the residual sum happens inside SS2D's output projection.
// Without Backprop the LayerNorm's output is a scratch buffer.
func (h *HSSBlock) forwardInto(x []float32, b int, out []float32) {
	h.b, h.n = b, len(x)/b
	rows := len(x) / h.LN.C
	t := h.prof.start()
	xn := nn.GetScratch(len(x))
	var mean, rstd []float32
	keep := h.SS.Backprop
	if keep {
		h.mean, h.rstd = ensureLen(h.mean, rows), ensureLen(h.rstd, rows)
		mean, rstd = h.mean, h.rstd
	}
	ops.LayerNorm(x, rows, h.LN.C, h.LN.W.W, h.LN.B.W, h.LN.Eps, xn, mean, rstd)
	h.prof.stop(t, OpNorm, 0, f32(2*len(x)))
	h.drawScale(b)
	var scale []float32
	if !allOnes(h.scale) {
		scale = h.scale
	}
	h.SS.forward(xn, b, x, scale, out)
	// Not kept: Backward recomputes the norm's output and hands it to SS2D.
	nn.PutScratch(xn)
	h.SS.x = nil
	h.x = nil
	if keep {
		h.x = x
	}
}

// release drops what Forward kept for Backward.
func (h *HSSBlock) release() {
	h.y, h.x, h.mean, h.rstd = nil, nil, nil, nil
	h.SS.release()
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
// accumulating parameter gradients. SS2D applies the drop-path factors
// itself (it kept them from the forward pass).
func (h *HSSBlock) Backward(dy []float32) []float32 {
	if h.x == nil {
		panic("model: HSSBlock.Backward without a Forward with Backprop set")
	}
	rows, C := len(h.x)/h.LN.C, h.LN.C
	t := h.prof.start()
	xn := nn.GetScratch(len(h.x))
	ops.LayerNorm(h.x, rows, C, h.LN.W.W, h.LN.B.W, h.LN.Eps, xn, nil, nil)
	h.prof.stop(t, OpNorm, 0, f32(2*len(xn)))
	dln := h.SS.backward(dy, xn)
	nn.PutScratch(xn)
	t = h.prof.start()
	dx := nn.GetScratch(len(h.x))
	ops.LayerNormBackward(dln, h.x, rows, C, h.LN.W.W, h.mean, h.rstd, dx, h.LN.W.G, h.LN.B.G)
	h.prof.stop(t, OpNorm, 0, f32(4*len(dy)))
	nn.PutScratch(dln)
	t = h.prof.start()
	ops.AddInPlace(dx, dy) // the residual
	h.prof.stop(t, OpAct, 0, f32(3*len(dy)))
	return dx
}
