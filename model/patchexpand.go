package model

import (
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/parallel"
)

// PatchExpand doubles the side and halves the channels (spec §4.1): a
// linear 2C → 4C (no bias), then out[b, 2h+p1, 2w+p2, c] =
// lin[b, h, w, (2·p1+p2)·C + c], then LayerNorm(C). Channels-last.
type PatchExpand struct {
	C, Side int // output channels; input side (output side is 2·Side)
	Expand  *nn.Linear
	Norm    *nn.LayerNorm

	b    int
	sh   []float32 // the expanded map (B, 2S, 2S, C) before the norm
	prof *probe

	bf16   bool       // bf16 products in infer (see SetPrecision)
	wPairs pairsCache // Expand's weights rounded to pairs
}

// NewPatchExpand takes (B, side, side, 2C) to (B, 2·side, 2·side, C).
func NewPatchExpand(name string, c, side int) *PatchExpand {
	return &PatchExpand{C: c, Side: side,
		Expand: nn.NewLinear(name+".expand", 2*c, 4*c, false),
		Norm:   nn.NewLayerNorm(name+".norm", c, 1e-5)}
}

// Params returns expand then norm tensors.
func (p *PatchExpand) Params() []*nn.Param {
	return append(p.Expand.Params(), p.Norm.Params()...)
}

// Forward maps x (B, S·S, 2C) to (B, 4·S·S, C).
func (p *PatchExpand) Forward(x []float32, b int) []float32 {
	p.b = b
	S := p.Side
	t := p.prof.start()
	lin := p.Expand.Forward(x, b*S*S)
	p.sh = ensureLen(p.sh, len(lin))
	p.shuffle(lin, p.sh, false)
	y := p.Norm.Forward(p.sh, b*4*S*S)
	p.prof.stop(t, OpExpand, gemmFLOPs(b*S*S, 4*p.C, 2*p.C), gemmBytes(b*S*S, 4*p.C, 2*p.C, false)+f32(3*len(lin)))
	return y
}

// release drops what Forward kept for Backward.
func (p *PatchExpand) release() {
	p.sh = nil
	p.Expand.Release()
	p.Norm.Release()
}

// infer is Forward without anything kept for a backward pass: it returns
// the output in a scratch buffer the caller releases. The pixel shuffle
// and the norm run together, one run of 2S output rows (one output row of
// the map for one p1) at a time: the rows are gathered from the linear's
// output and normalised while in cache.
func (p *PatchExpand) infer(x []float32, b int) []float32 {
	S, C := p.Side, p.C
	t := p.prof.start()
	lin := nn.GetScratch(b * S * S * 4 * C)
	if p.bf16 {
		xp := toPairs(x, 2*C, b*S*S, 2*C)
		gemm.SgemmPairs(false, true, b*S*S, 4*C, C, 1, xp, C, p.wPairs.rows(p.Expand.W.W, 4*C, 2*C), C, 0, lin, 4*C)
		nn.PutScratch(xp)
	} else {
		gemm.Sgemm(false, true, b*S*S, 4*C, 2*C, 1, x, 2*C, p.Expand.W.W, 2*C, 0, lin, 4*C)
	}
	out := nn.GetScratch(len(lin))
	ln := p.Norm
	parallel.For(b*S*2, max(1, 4096/(2*S*C)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			bi, h, p1 := r/(2*S), r/2%S, r%2
			dst := out[((bi*2*S+2*h+p1)*2*S)*C : ((bi*2*S+2*h+p1+1)*2*S)*C]
			for w := 0; w < S; w++ {
				src := lin[((bi*S+h)*S+w)*4*C+2*p1*C:]
				copy(dst[2*w*C:(2*w+2)*C], src[:2*C])
			}
			ops.LayerNorm(dst, 2*S, C, ln.W.W, ln.B.W, ln.Eps, dst, nil, nil)
		}
	})
	nn.PutScratch(lin)
	p.prof.stop(t, OpExpand, gemmFLOPs(b*S*S, 4*C, 2*C), gemmBytes(b*S*S, 4*C, 2*C, false)+f32(2*len(out)))
	return out
}

// shuffle moves between the linear output (B, S, S, 4C) and the expanded map
// (B, 2S, 2S, C); inverse runs the other way (for the backward pass).
func (p *PatchExpand) shuffle(lin, sh []float32, inverse bool) {
	S, C := p.Side, p.C
	for bi := 0; bi < p.b; bi++ {
		for h := 0; h < S; h++ {
			for w := 0; w < S; w++ {
				src := lin[((bi*S+h)*S+w)*4*C:]
				for q := 0; q < 4; q++ {
					p1, p2 := q/2, q%2
					o := ((bi*2*S+2*h+p1)*2*S + 2*w + p2) * C
					if inverse {
						copy(src[q*C:(q+1)*C], sh[o:o+C])
					} else {
						copy(sh[o:o+C], src[q*C:(q+1)*C])
					}
				}
			}
		}
	}
}

// Backward returns dx (B, S·S, 2C) in a scratch buffer the caller releases.
func (p *PatchExpand) Backward(dy []float32) []float32 {
	t := p.prof.start()
	defer func() {
		S := p.Side
		p.prof.stop(t, OpExpand, 2*gemmFLOPs(p.b*S*S, 4*p.C, 2*p.C), 2*gemmBytes(p.b*S*S, 4*p.C, 2*p.C, true)+f32(5*len(dy)))
	}()
	dsh := p.Norm.Backward(dy)
	dlin := nn.GetScratch(len(dsh))
	p.shuffle(dlin, dsh, true)
	nn.PutScratch(dsh)
	dx := p.Expand.Backward(dlin)
	nn.PutScratch(dlin)
	return dx
}
