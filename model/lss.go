package model

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
)

// LSS is the locality-enhanced state-space module (spec §4.2): a chain of
// HSS blocks (global branch) beside two local depthwise-convolution branches
// (5×5 and 7×7), fused by a 1×1 convolution plus a residual. Channels-last
// in and out, (B, L, C).
type LSS struct {
	C, Side int
	Blocks  []*HSSBlock
	B5, B7  *convBranch
	Final   *nn.Conv2d // 1×1, 3C → C, with bias

	b        int
	x        []float32 // input (B, L, C), by reference
	xn, cat  []float32 // (B, C, L) and (B, 3C, L)
	out, dx  []float32
	dm5, dm7 []float32
	dsn      []float32
	prof     *probe
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

// Forward maps x (B, L, C) to (B, L, C).
func (m *LSS) Forward(x []float32, b int) []float32 {
	m.b, m.x = b, x
	C, L := m.C, m.Side*m.Side
	s := x
	for _, blk := range m.Blocks {
		s = blk.Forward(s, b)
	}
	pr := m.prof
	t := pr.start()
	m.xn = ensureLen(m.xn, b*C*L)
	ops.Transpose(m.xn, x, b, L, C)
	pr.stop(t, OpLayout, 0, f32(2*len(x)))
	m5 := m.B5.forward(m.xn, b, m.Side)
	m7 := m.B7.forward(m.xn, b, m.Side)
	// cat[b] = [ssm (C, L); m5 (C, L); m7 (C, L)], the reference's order.
	t = pr.start()
	m.cat = ensureLen(m.cat, b*3*C*L)
	for i := 0; i < b; i++ {
		dst := m.cat[i*3*C*L : (i+1)*3*C*L]
		ops.Transpose(dst[:C*L], s[i*L*C:(i+1)*L*C], 1, L, C)
		copy(dst[C*L:2*C*L], m5[i*C*L:(i+1)*C*L])
		copy(dst[2*C*L:], m7[i*C*L:(i+1)*C*L])
	}
	pr.stop(t, OpLayout, 0, f32(2*len(m.cat)))
	t = pr.start()
	f := m.Final.Forward(m.cat, b, m.Side, m.Side)
	pr.stop(t, OpConv, gemmFLOPs(b*L, C, 3*C), gemmBytes(b*L, C, 3*C, false))
	t = pr.start()
	m.out = ensureLen(m.out, b*L*C)
	ops.Transpose(m.out, f, b, C, L)
	pr.stop(t, OpLayout, 0, f32(2*len(f)))
	t = pr.start()
	ops.AddInPlace(m.out, x)
	pr.stop(t, OpAct, 0, f32(3*len(x)))
	return m.out
}

// Backward returns dx (B, L, C), a scratch buffer the caller releases,
// given dout, accumulating parameter gradients.
func (m *LSS) Backward(dout []float32) []float32 {
	b, C, L := m.b, m.C, m.Side*m.Side
	pr := m.prof
	t := pr.start()
	df := nn.GetScratch(b * C * L)
	ops.Transpose(df, dout, b, L, C)
	pr.stop(t, OpLayout, 0, f32(2*len(dout)))
	t = pr.start()
	dcat := m.Final.Backward(df)
	pr.stop(t, OpConv, 2*gemmFLOPs(b*L, C, 3*C), 2*gemmBytes(b*L, C, 3*C, true))
	nn.PutScratch(df)
	// Split d cat[b] = [d ssm; d m5; d m7] into three (B, C, L) tensors.
	t = pr.start()
	dsn, dm5, dm7 := nn.GetScratch(b*C*L), nn.GetScratch(b*C*L), nn.GetScratch(b*C*L)
	for i := 0; i < b; i++ {
		src := dcat[i*3*C*L : (i+1)*3*C*L]
		copy(dsn[i*C*L:(i+1)*C*L], src[:C*L])
		copy(dm5[i*C*L:(i+1)*C*L], src[C*L:2*C*L])
		copy(dm7[i*C*L:(i+1)*C*L], src[2*C*L:])
	}
	pr.stop(t, OpLayout, 0, f32(2*len(dcat)))
	nn.PutScratch(dcat)
	dxn := m.B5.backward(dm5)
	d7 := m.B7.backward(dm7)
	t = pr.start()
	ops.AddInPlace(dxn, d7)
	pr.stop(t, OpAct, 0, f32(3*len(d7)))
	nn.PutScratch(dm5, dm7, d7)
	t = pr.start()
	g := nn.GetScratch(b * L * C)
	ops.Transpose(g, dsn, b, C, L)
	pr.stop(t, OpLayout, 0, f32(2*len(g)))
	nn.PutScratch(dsn)
	for i := len(m.Blocks) - 1; i >= 0; i-- {
		next := m.Blocks[i].Backward(g)
		nn.PutScratch(g)
		g = next
	}
	t = pr.start()
	dx := nn.GetScratch(b * L * C)
	ops.Transpose(dx, dxn, b, C, L)
	pr.stop(t, OpLayout, 0, f32(2*len(dx)))
	t = pr.start()
	ops.AddInPlace(dx, g)
	ops.AddInPlace(dx, dout)
	pr.stop(t, OpAct, 0, f32(6*len(dx)))
	nn.PutScratch(dxn, g)
	return dx
}

// convBranch is conv1×1 → IN → SiLU → depthwise k×k → IN → SiLU → conv1×1 →
// IN → SiLU on NCHW maps (the conv1b?/conv??/conv1a? chain of the LSS).
type convBranch struct {
	pre, post  *nn.Conv2d
	dw         *nn.DWConv
	n1, n2, n3 nn.InstanceNorm
	a1, a2, a3 nn.SiLU
	c, side, b int
	k          int
	prof       *probe
}

func newConvBranch(name string, c, k int) *convBranch {
	return &convBranch{c: c, k: k,
		pre:  nn.NewConv2d(fmt.Sprintf("%s.conv1b%d.0", name, k), c, c, 1, 1, 0, true),
		dw:   nn.NewDWConv(fmt.Sprintf("%s.conv%d%d.0", name, k, k), c, k, false),
		post: nn.NewConv2d(fmt.Sprintf("%s.conv1a%d.0", name, k), c, c, 1, 1, 0, true),
		n1:   nn.InstanceNorm{Eps: 1e-5}, n2: nn.InstanceNorm{Eps: 1e-5}, n3: nn.InstanceNorm{Eps: 1e-5}}
}

func (br *convBranch) forward(x []float32, b, side int) []float32 {
	br.b, br.side = b, side
	planes, hw := b*br.c, side*side
	pr := br.prof
	n := planes * hw
	c1 := func(x []float32, l *nn.Conv2d) []float32 {
		t := pr.start()
		y := l.Forward(x, b, side, side)
		pr.stop(t, OpConv, gemmFLOPs(b*hw, br.c, br.c), gemmBytes(b*hw, br.c, br.c, false))
		return y
	}
	normAct := func(x []float32, l *nn.InstanceNorm, a *nn.SiLU) []float32 {
		t := pr.start()
		y := l.Forward(x, planes, hw)
		pr.stop(t, OpNorm, 0, f32(3*n))
		t = pr.start()
		y = a.Forward(y)
		pr.stop(t, OpAct, 0, f32(2*n))
		return y
	}
	h := normAct(c1(x, br.pre), &br.n1, &br.a1)
	t := pr.start()
	h = br.dw.Forward(h, b, side, side)
	pr.stop(t, OpDWConv, 2*float64(n*br.k*br.k), f32(2*n))
	h = normAct(h, &br.n2, &br.a2)
	return normAct(c1(h, br.post), &br.n3, &br.a3)
}

// backward returns dx (a scratch buffer); each intermediate gradient is
// released once the next one is computed.
func (br *convBranch) backward(dy []float32) []float32 {
	n, hw := len(dy), br.side*br.side
	convF, convB := 2*gemmFLOPs(br.b*hw, br.c, br.c), 2*gemmBytes(br.b*hw, br.c, br.c, true)
	steps := []struct {
		fn           func([]float32) []float32
		op           string
		flops, bytes float64
	}{
		{br.a3.Backward, OpAct, 0, f32(3 * n)}, {br.n3.Backward, OpNorm, 0, f32(4 * n)}, {br.post.Backward, OpConv, convF, convB},
		{br.a2.Backward, OpAct, 0, f32(3 * n)}, {br.n2.Backward, OpNorm, 0, f32(4 * n)}, {br.dw.Backward, OpDWConv, 4 * float64(n*br.k*br.k), f32(5 * n)},
		{br.a1.Backward, OpAct, 0, f32(3 * n)}, {br.n1.Backward, OpNorm, 0, f32(4 * n)}, {br.pre.Backward, OpConv, convF, convB},
	}
	g := dy
	for i, st := range steps {
		t := br.prof.start()
		next := st.fn(g)
		br.prof.stop(t, st.op, st.flops, st.bytes)
		if i > 0 {
			nn.PutScratch(g)
		}
		g = next
	}
	return g
}
