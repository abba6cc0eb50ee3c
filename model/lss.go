package model

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/conv"
	"github.com/mambaad/mambaad/kernels/dwconv"
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
)

// LSS is the locality-enhanced state-space module (spec §4.2): a chain of
// HSS blocks (global branch) beside two local depthwise-convolution branches
// (5×5 and 7×7), fused by a 1×1 convolution plus a residual. Channels-last
// in and out, (B, L, C).
//
// No layout pass runs between the branches: the branches' first 1×1
// convolutions read the channels-last input directly (as the transposed
// operand of their GEMMs), the branches run NCHW inside, and the final 1×1
// convolution over the concatenation [ssm; m5; m7] is three GEMMs
// accumulating into the channels-last output, which starts as the input
// plus the bias (the residual). Without Backprop the HSS chain and the
// branches work in scratch buffers.
type LSS struct {
	C, Side int
	Blocks  []*HSSBlock
	B5, B7  *convBranch
	Final   *nn.Conv2d // 1×1, 3C → C, with bias

	b        int
	x        []float32 // input (B, L, C), by reference
	s        []float32 // the HSS chain's output, by reference
	m5, m7   []float32 // the branches' outputs (B, C, L), by reference
	out      []float32
	backprop bool
	prof     *probe

	bf16       bool       // bf16 final products in inference (see SetPrecision)
	finalPairs pairsCache // Final's three C×C blocks rounded to pairs
}

func (m *LSS) setProbe(p *probe) {
	m.prof, m.B5.prof, m.B7.prof = p, p, p
	for _, h := range m.Blocks {
		h.prof, h.SS.prof = p, p
	}
}

// NewLSS builds an LSS module with depth HSS blocks.
func NewLSS(name string, cfg SS2DConfig, depth int, lnEps float32) (*LSS, error) {
	if depth < 1 {
		return nil, fmt.Errorf("model: LSS %s: depth %d < 1", name, depth)
	}
	m := &LSS{C: cfg.C, Side: cfg.Side,
		B5:    newConvBranch(name, cfg.C, 5),
		B7:    newConvBranch(name, cfg.C, 7),
		Final: nn.NewConv2d(name+".finalconv11", 3*cfg.C, cfg.C, 1, 1, 0, true)}
	for i := 0; i < depth; i++ {
		blk, err := NewHSSBlock(fmt.Sprintf("%s.smm_blocks.%d", name, i), cfg, lnEps)
		if err != nil {
			return nil, err
		}
		m.Blocks = append(m.Blocks, blk)
	}
	return m, nil
}

// Params returns the tensors in the reference's state_dict order.
func (m *LSS) Params() []*nn.Param {
	var ps []*nn.Param
	for _, b := range m.Blocks {
		ps = append(ps, b.Params()...)
	}
	ps = append(ps, m.B7.pre.Params()...)
	ps = append(ps, m.B7.post.Params()...)
	ps = append(ps, m.B5.pre.Params()...)
	ps = append(ps, m.B5.post.Params()...)
	ps = append(ps, m.B5.dw.Params()...)
	ps = append(ps, m.B7.dw.Params()...)
	return append(ps, m.Final.Params()...)
}

// Forward maps x (B, L, C) to (B, L, C), into a buffer the module owns.
// It keeps what Backward needs when its blocks' SS2D have Backprop set.
func (m *LSS) Forward(x []float32, b int) []float32 {
	m.b, m.x = b, x
	m.backprop = m.Blocks[0].SS.Backprop
	keep := m.backprop
	s := x
	for i, blk := range m.Blocks {
		if keep {
			s = blk.Forward(s, b)
			continue
		}
		next := nn.GetScratch(len(x))
		blk.forwardInto(s, b, next)
		if i > 0 {
			nn.PutScratch(s)
		}
		s = next
	}
	m5 := m.B5.forward(x, b, m.Side, keep)
	m7 := m.B7.forward(x, b, m.Side, keep)
	m.out = ensureLen(m.out, len(x))
	if m.bf16 && !keep {
		m.finalPairsProduct(x, s, m5, m7, m.out)
	} else {
		m.final(x, s, m5, m7, m.out)
	}
	if keep {
		m.s, m.m5, m.m7 = s, m5, m7
	} else {
		nn.PutScratch(s, m5, m7)
		m.x = nil
	}
	return m.out
}

// release drops what Forward kept for Backward, the blocks' included.
func (m *LSS) release() {
	m.x, m.s, m.m5, m.m7, m.out = nil, nil, nil, nil, nil
	for _, br := range []*convBranch{m.B5, m.B7} {
		br.t0, br.t1, br.t2, br.out = nil, nil, nil, nil
	}
	for _, h := range m.Blocks {
		h.release()
	}
}

// final writes out = x + bias + W[:, :C]·s + W[:, C:2C]·m5 + W[:, 2C:]·m7
// per pixel: the 1×1 convolution over the concatenation [s; m5; m7] (the
// reference's order) plus the residual, with s and out channels-last and
// the branches' m5, m7 NCHW.
func (m *LSS) final(x, s, m5, m7, out []float32) {
	b, C, L := m.b, m.C, m.Side*m.Side
	pr := m.prof
	t := pr.start()
	w := m.Final.W.W // (C, 3C)
	ops.AddRowVector(x, m.Final.B.W, out, b*L, C)
	gemm.Sgemm(false, true, b*L, C, C, 1, s, C, w, 3*C, 1, out, C)
	for i := 0; i < b; i++ {
		o := out[i*L*C : (i+1)*L*C]
		gemm.Sgemm(true, true, L, C, C, 1, m5[i*C*L:], L, w[C:], 3*C, 1, o, C)
		gemm.Sgemm(true, true, L, C, C, 1, m7[i*C*L:], L, w[2*C:], 3*C, 1, o, C)
	}
	pr.stop(t, OpConv, gemmFLOPs(b*L, C, 3*C), gemmBytes(b*L, C, 3*C, true))
}

// finalPairsProduct is final with bfloat16 products: Final's weights
// rounded once, block by block ([s; m5; m7]), s, m5 and m7 on every call.
func (m *LSS) finalPairsProduct(x, s, m5, m7, out []float32) {
	b, C, L := m.b, m.C, m.Side*m.Side
	C2 := gemm.Pairs(C)
	pr := m.prof
	t := pr.start()
	w := m.Final.W.W // (C, 3C)
	wp := m.finalPairs.get(w, func() []float32 {
		p := make([]float32, 3*C*C2)
		for j := 0; j < 3; j++ {
			gemm.ToPairs(p[j*C*C2:], C2, w[j*C:], 3*C, C, C)
		}
		return p
	})
	ops.AddRowVector(x, m.Final.B.W, out, b*L, C)
	sp := toPairs(s, C, b*L, C)
	gemm.SgemmPairs(false, true, b*L, C, C2, 1, sp, C2, wp[:C*C2], C2, 1, out, C)
	nn.PutScratch(sp)
	for i := 0; i < b; i++ {
		o := out[i*L*C : (i+1)*L*C]
		for j, br := range [][]float32{m5, m7} {
			ap := interleave(br[i*C*L:], L, C, L) // (C2, L): Aᵀ paired along C
			gemm.SgemmPairs(true, true, L, C, C2, 1, ap, L, wp[(j+1)*C*C2:], C2, 1, o, C)
			nn.PutScratch(ap)
		}
	}
	pr.stop(t, OpConv, gemmFLOPs(b*L, C, 3*C), gemmBytes(b*L, C, 3*C, true))
}

// Backward returns dx (B, L, C), a scratch buffer the caller releases,
// given dout, accumulating parameter gradients.
func (m *LSS) Backward(dout []float32) []float32 {
	if !m.backprop || m.x == nil {
		panic("model: LSS.Backward without a Forward with Backprop set")
	}
	b, C, L := m.b, m.C, m.Side*m.Side
	pr := m.prof
	// The final convolution: out = x + bias + W·[s; m5; m7].
	t := pr.start()
	w, dw := m.Final.W.W, m.Final.W.G
	ops.SumRows(dout, b*L, C, m.Final.B.G)
	gemm.Sgemm(true, false, C, C, b*L, 1, dout, C, m.s, C, 1, dw, 3*C)
	ds := nn.GetScratch(b * L * C)
	gemm.Sgemm(false, false, b*L, C, C, 1, dout, C, w, 3*C, 0, ds, C)
	dm5, dm7 := nn.GetScratch(b*C*L), nn.GetScratch(b*C*L)
	for i := 0; i < b; i++ {
		d := dout[i*L*C:]
		gemm.Sgemm(true, true, C, C, L, 1, d, C, m.m5[i*C*L:], L, 1, dw[C:], 3*C)
		gemm.Sgemm(true, true, C, C, L, 1, d, C, m.m7[i*C*L:], L, 1, dw[2*C:], 3*C)
		gemm.Sgemm(true, true, C, L, C, 1, w[C:], 3*C, d, C, 0, dm5[i*C*L:], L)
		gemm.Sgemm(true, true, C, L, C, 1, w[2*C:], 3*C, d, C, 0, dm7[i*C*L:], L)
	}
	pr.stop(t, OpConv, 2*gemmFLOPs(b*L, C, 3*C), 2*gemmBytes(b*L, C, 3*C, true))
	// The residual, then both branches add their input gradients.
	dx := nn.GetScratch(b * L * C)
	copy(dx, dout)
	m.B5.backward(dm5, m.x, dx)
	m.B7.backward(dm7, m.x, dx)
	nn.PutScratch(dm5, dm7)
	g := ds
	for i := len(m.Blocks) - 1; i >= 0; i-- {
		next := m.Blocks[i].Backward(g)
		nn.PutScratch(g)
		g = next
	}
	t = pr.start()
	ops.AddInPlace(dx, g)
	pr.stop(t, OpAct, 0, f32(3*len(dx)))
	nn.PutScratch(g)
	return dx
}

// convBranch is conv1×1 → IN → SiLU → depthwise k×k → IN → SiLU → conv1×1 →
// IN → SiLU (the conv1b?/conv??/conv1a? chain of the LSS). It reads the
// module's channels-last input and works NCHW from there; each IN and its
// SiLU run fused. With Backprop it keeps the three convolutions' outputs,
// the statistics and its own output, and Backward recomputes the norms'
// and activations' outputs from them.
type convBranch struct {
	pre, post  *nn.Conv2d
	dw         *nn.DWConv
	c, side, b int
	k          int
	eps        float32
	// Kept for Backward.
	t0, t1, t2 []float32 // the convolutions' outputs (B, C, L)
	out        []float32 // the branch output (B, C, L)
	prof       *probe

	bf16                bool       // bf16 1×1 convolutions in inference (see SetPrecision)
	prePairs, postPairs pairsCache // their weights rounded to pairs
}

func newConvBranch(name string, c, k int) *convBranch {
	return &convBranch{c: c, k: k, eps: 1e-5,
		pre:  nn.NewConv2d(fmt.Sprintf("%s.conv1b%d.0", name, k), c, c, 1, 1, 0, true),
		dw:   nn.NewDWConv(fmt.Sprintf("%s.conv%d%d.0", name, k, k), c, k, false),
		post: nn.NewConv2d(fmt.Sprintf("%s.conv1a%d.0", name, k), c, c, 1, 1, 0, true)}
}

// pointwise returns the 1×1 convolution shape of the branch.
func (br *convBranch) pointwise() conv.Shape {
	return conv.Shape{N: br.b, C: br.c, H: br.side, W: br.side, K: br.c, KH: 1, KW: 1, StrideH: 1, StrideW: 1}
}

// forward maps the module input x (B, L, C) channels-last to the branch
// output (B, C, L); a scratch buffer the caller releases unless keep.
func (br *convBranch) forward(x []float32, b, side int, keep bool) []float32 {
	br.b, br.side = b, side
	C, L := br.c, side*side
	n := b * C * L
	pr := br.prof
	buf := func(kept *[]float32) []float32 {
		if keep {
			*kept = ensureLen(*kept, n)
			return *kept
		}
		return nn.GetScratch(n)
	}
	// pre: t0_i = W·x_iᵀ + bias, reading the channels-last x as Bᵀ.
	t := pr.start()
	t0 := buf(&br.t0)
	pw := br.pre.W.W
	bf16 := br.bf16 && !keep
	var wp, xp []float32
	C2 := gemm.Pairs(C)
	if bf16 {
		wp, xp = br.prePairs.rows(pw, C, C), toPairs(x, C, b*L, C)
	}
	for i := 0; i < b; i++ {
		o := t0[i*C*L : (i+1)*C*L]
		for c, v := range br.pre.B.W {
			fillValue(o[c*L:(c+1)*L], v)
		}
		if bf16 {
			gemm.SgemmPairs(false, true, C, L, C2, 1, wp, C2, xp[i*L*C2:], C2, 1, o, L)
		} else {
			gemm.Sgemm(false, true, C, L, C, 1, pw, C, x[i*L*C:], C, 1, o, L)
		}
	}
	if bf16 {
		nn.PutScratch(xp)
	}
	pr.stop(t, OpConv, gemmFLOPs(b*L, C, C), gemmBytes(b*L, C, C, false))
	a1 := t0 // activated in place unless kept
	if keep {
		a1 = nn.GetScratch(n)
	}
	br.normAct(t0, a1, nil)
	t = pr.start()
	t1 := buf(&br.t1)
	dwconv.Forward(b, C, side, side, br.k, a1, br.dw.W.W, nil, t1)
	pr.stop(t, OpDWConv, 2*float64(n*br.k*br.k), f32(2*n))
	nn.PutScratch(a1)
	a2 := t1
	if keep {
		a2 = nn.GetScratch(n)
	}
	br.normAct(t1, a2, nil)
	t = pr.start()
	t2 := buf(&br.t2)
	if bf16 {
		conv.ForwardPairs(br.pointwise(), a2, br.postPairs.conv(br.post), br.post.B.W, conv.Epilogue{}, t2)
	} else {
		conv.Forward(br.pointwise(), a2, br.post.W.W, br.post.B.W, t2)
	}
	pr.stop(t, OpConv, gemmFLOPs(b*L, C, C), gemmBytes(b*L, C, C, false))
	nn.PutScratch(a2)
	out := t2
	if keep {
		out = buf(&br.out)
	}
	br.normAct(t2, out, nil)
	return out
}

// normAct writes out = silu(InstanceNorm(x)) and, when y is not nil, the
// normalised planes into y.
func (br *convBranch) normAct(x, out, y []float32) {
	t := br.prof.start()
	ops.InstanceNormSiLU(x, br.b*br.c, br.side*br.side, br.eps, y, out, nil, nil)
	br.prof.stop(t, OpNorm, 0, f32(3*len(x)))
}

// normActBackward returns the gradient of normAct's input x given dout,
// recomputing the normalised planes and the statistics (a scratch buffer).
func (br *convBranch) normActBackward(x, dout []float32) []float32 {
	t := br.prof.start()
	planes, hw := br.b*br.c, br.side*br.side
	y, dy := nn.GetScratch(len(x)), nn.GetScratch(len(x))
	mean, rstd := nn.GetScratch(planes), nn.GetScratch(planes)
	ops.InstanceNorm(x, planes, hw, br.eps, y, mean, rstd)
	ops.SiLUBackward(y, dout, dy)
	dx := y // y is dead once dy is known
	ops.InstanceNormBackward(dy, x, planes, hw, mean, rstd, dx)
	nn.PutScratch(dy, mean, rstd)
	br.prof.stop(t, OpNorm, 0, f32(6*len(x)))
	return dx
}

// activated returns silu(InstanceNorm(x)) in a scratch buffer: an input
// of the next convolution, recomputed for its weight gradient.
func (br *convBranch) activated(x []float32) []float32 {
	a := nn.GetScratch(len(x))
	br.normAct(x, a, nil)
	return a
}

// backward takes the gradient of the branch output (B, C, L), accumulates
// the parameter gradients and adds the gradient of the module input x
// (B, L, C) channels-last into dx.
func (br *convBranch) backward(dout, x, dx []float32) {
	b, C, L := br.b, br.c, br.side*br.side
	pr := br.prof
	sh := br.pointwise()
	g := br.normActBackward(br.t2, dout)
	t := pr.start()
	a2 := br.activated(br.t1)
	conv.BackwardWeight(sh, a2, g, br.post.W.G, br.post.B.G)
	da2 := nn.GetScratch(len(g))
	conv.BackwardInput(sh, g, br.post.W.W, da2)
	nn.PutScratch(a2, g)
	pr.stop(t, OpConv, 2*gemmFLOPs(b*L, C, C), 2*gemmBytes(b*L, C, C, true))
	g = br.normActBackward(br.t1, da2)
	nn.PutScratch(da2)
	t = pr.start()
	a1 := br.activated(br.t0)
	dwconv.BackwardWeight(b, C, br.side, br.side, br.k, a1, g, br.dw.W.G, nil)
	da1 := nn.GetScratch(len(g))
	dwconv.BackwardInput(b, C, br.side, br.side, br.k, g, br.dw.W.W, da1)
	nn.PutScratch(a1, g)
	pr.stop(t, OpDWConv, 4*float64(len(g)*br.k*br.k), f32(5*len(g)))
	g = br.normActBackward(br.t0, da1)
	nn.PutScratch(da1)
	// pre: t0_i = W·x_iᵀ + bias: dW += g_i·x_i, dbias += Σ g, dx_i += g_iᵀ·W.
	t = pr.start()
	ops.SumPlanes(g, b, C, L, br.pre.B.G)
	for i := 0; i < b; i++ {
		gi := g[i*C*L:]
		gemm.Sgemm(false, false, C, C, L, 1, gi, L, x[i*L*C:], C, 1, br.pre.W.G, C)
		gemm.Sgemm(true, false, L, C, C, 1, gi, L, br.pre.W.W, C, 1, dx[i*L*C:], C)
	}
	pr.stop(t, OpConv, 2*gemmFLOPs(b*L, C, C), 2*gemmBytes(b*L, C, C, true))
	nn.PutScratch(g)
}

func fillValue(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}
