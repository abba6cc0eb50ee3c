package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/mambaad/mambaad/kernels/dwconv"
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/kernels/selscan"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/scanorder"
)

// SS2D is the 2-D selective-scan mixer (spec §4.4). It takes and returns
// channels-last tokens (B, L, C) of a Side×Side map and keeps that layout
// throughout: the depthwise convolution runs channels-last, one GEMM projects
// every pixel for all K directions at once, and the fused scan kernel reads
// each direction's sequence through its pixel order (scanorder.Directions) and
// sums the directions back onto the pixels itself. So no direction-permuted
// copy of the input, no per-direction Δ and no transposes are ever stored.
//
// Memory-bound steps run fused with their neighbours: the SiLU after the
// depthwise convolution inside the convolution's own loop, the output norm
// and the gate in one pass, and (for an HSS block) the residual sum inside
// the output projection. Without Backprop every intermediate is a scratch
// buffer returned as soon as its consumer has run; with it, Forward keeps
// only what Backward cannot cheaply recompute (the convolution's input, z,
// x_dbl, the scan's output and its checkpoints) and Backward recomputes
// the rest (the depthwise convolution and its SiLU, the norm and the
// gate).
type SS2D struct {
	C, D, R, N, K, Side, L int

	InProj  *nn.Param     // (2D, C), no bias: rows 0..D−1 give x, D..2D−1 give z
	Conv    *nn.DWConv    // 3×3 depthwise with bias, channels-last
	XProj   *nn.Param     // (K, R+2N, D)
	DtW     *nn.Param     // (K, D, R)
	DtB     *nn.Param     // (K, D)
	ALogs   *nn.Param     // (K·D, N)
	Ds      *nn.Param     // (K·D)
	OutNorm *nn.LayerNorm // over D, eps 1e-5
	OutProj *nn.Linear    // D → C, no bias
	Index   [2]*nn.Param  // the reference's scans.index_flat(_inv) buffers

	// Backprop makes Forward keep the scan state Backward needs; off for
	// inference, where it would only cost memory.
	Backprop bool

	// bf16 runs the three projections of the inference forward (no
	// Backprop) with bfloat16 products (see SetPrecision), from the
	// weights' pairs cached here.
	bf16                      bool
	inPairs, xPairs, outPairs pairsCache

	dirs *scanorder.Directions

	// a = −exp(A_log), (K·D, N), computed from aSrc, the A_log values it
	// was computed from; recomputed only when ALogs changes.
	a, aSrc []float32

	// Forward state kept for Backward (Backprop only).
	b          int
	x          []float32 // input (B·L, C), by reference
	xpart, z   []float32 // (B·L, D) each: the convolution's input, the gate
	xc         []float32 // (B·L, D): the convolution's output (the SiLU's input)
	xdbl       []float32 // (B·L, K·(R+2N)): every pixel projected for every direction
	y          []float32 // (B·L, D): summed scan output
	mean, rstd []float32 // (B·L): the output norm's statistics
	scale      []float32 // per-sample factor of the output (nil: 1)
	saved      selscan.Saved
	out        []float32 // Forward's output
	prof       *probe
}

// SS2DConfig sizes an SS2D. The reference fixes Expand = 2, N = 16,
// R = ceil(C/16) and K = 8; the goldens also use N = 4 and K = 2, 4.
type SS2DConfig struct {
	C, Side, N, K, Expand int
	Order                 scanorder.Order
}

// NewSS2D builds an SS2D with zero parameters (see Init for the reference
// initialisation); name prefixes the PyTorch state_dict keys.
func NewSS2D(name string, cfg SS2DConfig) (*SS2D, error) {
	if cfg.Expand == 0 {
		cfg.Expand = 2
	}
	dirs, err := scanorder.NewDirections(cfg.Order, cfg.Side, cfg.K)
	if err != nil {
		return nil, fmt.Errorf("model: SS2D %s: %w", name, err)
	}
	c, d, n, k := cfg.C, cfg.Expand*cfg.C, cfg.N, cfg.K
	r := (c + 15) / 16
	s := &SS2D{C: c, D: d, R: r, N: n, K: k, Side: cfg.Side, L: cfg.Side * cfg.Side, dirs: dirs,
		InProj:  nn.NewParam(name+".in_proj.weight", 2*d, c),
		Conv:    nn.NewDWConv(name+".conv2d", d, 3, true),
		XProj:   nn.NewParam(name+".x_proj_weight", k, r+2*n, d),
		DtW:     nn.NewParam(name+".dt_projs_weight", k, d, r),
		DtB:     nn.NewParam(name+".dt_projs_bias", k, d),
		ALogs:   nn.NewParam(name+".A_logs", k*d, n),
		Ds:      nn.NewParam(name+".Ds", k*d),
		OutNorm: nn.NewLayerNorm(name+".out_norm", d, 1e-5),
		OutProj: nn.NewLinear(name+".out_proj", d, c, false),
	}
	s.Conv.ChannelsLast = true
	s.Index = scanIndexBuffers(name+".scans", cfg.Order, cfg.Side)
	return s, nil
}

// scanIndexBuffers returns the reference's index_flat and index_flat_inv
// (stored (1, 1, L) int64). They are kept only so that state_dicts match
// the reference key for key; the layer uses its Directions.
func scanIndexBuffers(name string, o scanorder.Order, side int) [2]*nn.Param {
	p, _ := scanorder.Indices(o, side) // side and order were validated by NewDirections
	inv := scanorder.Inverse(p)
	f := nn.NewBuffer(name+".index_flat", 1, 1, len(p))
	g := nn.NewBuffer(name+".index_flat_inv", 1, 1, len(p))
	f.Int64, g.Int64 = true, true
	for i := range p {
		f.W[i], g.W[i] = float32(p[i]), float32(inv[i])
	}
	return [2]*nn.Param{f, g}
}

// Params returns the tensors in the reference's state_dict order.
func (s *SS2D) Params() []*nn.Param {
	ps := []*nn.Param{s.XProj, s.DtW, s.DtB, s.ALogs, s.Ds, s.InProj}
	ps = append(ps, s.Conv.Params()...)
	ps = append(ps, s.OutNorm.Params()...)
	ps = append(ps, s.OutProj.Params()...)
	return append(ps, s.Index[0], s.Index[1])
}

func (s *SS2D) e() int { return s.R + 2*s.N }

func (s *SS2D) dims(b int) selscan.Dims {
	return selscan.Dims{Batch: b, L: s.L, D: s.D, K: s.K, R: s.R, N: s.N}
}

func (s *SS2D) inputs(xa, xdbl []float32) selscan.Inputs {
	return selscan.Inputs{X: xa, XDbl: xdbl, Idx: s.dirs.Idx, DtW: s.DtW.W, DtBias: s.DtB.W, A: s.aFor(), Dskip: s.Ds.W}
}

// aFor returns A = −exp(A_log), recomputing it only when A_log has changed
// since the last call (comparing costs far less than the exponentials).
func (s *SS2D) aFor() []float32 {
	if len(s.aSrc) == len(s.ALogs.W) && slices.Equal(s.aSrc, s.ALogs.W) {
		return s.a
	}
	s.a = ensureLen(s.a, len(s.ALogs.W))
	for i, v := range s.ALogs.W {
		s.a[i] = -float32(math.Exp(float64(v)))
	}
	s.aSrc = append(s.aSrc[:0], s.ALogs.W...)
	return s.a
}

// Forward maps x (B, L, C) to (B, L, C), into a buffer the layer owns.
func (s *SS2D) Forward(x []float32, b int) []float32 {
	s.out = ensureLen(s.out, b*s.L*s.C)
	s.forward(x, b, nil, nil, s.out)
	return s.out
}

// forward writes out = res + scale_i·SS2D(x) for every sample i: res nil
// means no residual, scale nil a factor of 1. out must not overlap x.
func (s *SS2D) forward(x []float32, b int, res, scale, out []float32) {
	BL, D, C, KE := b*s.L, s.D, s.C, s.K*s.e()
	keep := s.Backprop
	pr := s.prof
	s.b, s.x, s.scale = b, nil, nil
	buf := func(kept *[]float32, n int) []float32 {
		if keep {
			*kept = ensureLen(*kept, n)
			return *kept
		}
		return nn.GetScratch(n)
	}
	bf16 := s.bf16 && !keep
	t := pr.start()
	xpart, z := buf(&s.xpart, BL*D), buf(&s.z, BL*D)
	if bf16 {
		C2 := gemm.Pairs(C)
		wp := s.inPairs.rows(s.InProj.W, 2*D, C)
		xp := toPairs(x, C, BL, C)
		gemm.SgemmPairs(false, true, BL, D, C2, 1, xp, C2, wp[:D*C2], C2, 0, xpart, D)
		gemm.SgemmPairs(false, true, BL, D, C2, 1, xp, C2, wp[D*C2:], C2, 0, z, D)
		nn.PutScratch(xp)
	} else {
		gemm.Sgemm(false, true, BL, D, C, 1, x, C, s.InProj.W[:D*C], C, 0, xpart, D)
		gemm.Sgemm(false, true, BL, D, C, 1, x, C, s.InProj.W[D*C:], C, 0, z, D)
	}
	pr.stop(t, OpProj, gemmFLOPs(BL, 2*D, C), gemmBytes(BL, 2*D, C, false))
	// The 3×3 depthwise convolution with the SiLU applied to each piece of
	// its output as soon as the piece is done.
	t = pr.start()
	xa := nn.GetScratch(BL * D)
	s.convAct(b, xpart, xa, xa)
	pr.stop(t, OpDWConv, 2*float64(BL*D*9), f32(2*BL*D))
	if !keep {
		nn.PutScratch(xpart)
	}
	// Every pixel projected for all K directions in one GEMM: x_dbl of
	// direction k at step j is row Idx[k][j] of this, block k.
	t = pr.start()
	xdbl := buf(&s.xdbl, BL*KE)
	if bf16 {
		D2 := gemm.Pairs(D)
		xp := toPairs(xa, D, BL, D)
		gemm.SgemmPairs(false, true, BL, KE, D2, 1, xp, D2, s.xPairs.rows(s.XProj.W, KE, D), D2, 0, xdbl, KE)
		nn.PutScratch(xp)
	} else {
		gemm.Sgemm(false, true, BL, KE, D, 1, xa, D, s.XProj.W, D, 0, xdbl, KE)
	}
	pr.stop(t, OpProj, gemmFLOPs(BL, KE, D), gemmBytes(BL, KE, D, false))
	y := buf(&s.y, BL*D)
	var saved *selscan.Saved
	if keep {
		saved = &s.saved
	}
	t = pr.start()
	dims := s.dims(b)
	selscan.Forward(dims, s.inputs(xa, xdbl), y, saved)
	pr.stopScan(t, scanFLOPs(dims), f32(2*BL*D+BL*KE), float64(dims.Updates()))
	nn.PutScratch(xa)
	if !keep {
		nn.PutScratch(xdbl)
	}
	// The output norm and the gate in one pass; in inference in place.
	t = pr.start()
	yg := y
	var mean, rstd []float32
	if keep {
		yg = nn.GetScratch(BL * D)
		s.mean, s.rstd = ensureLen(s.mean, BL), ensureLen(s.rstd, BL)
		mean, rstd = s.mean, s.rstd
	}
	ln := s.OutNorm
	ops.LayerNormSiLUMul(y, BL, D, ln.W.W, ln.B.W, ln.Eps, z, nil, yg, mean, rstd)
	pr.stop(t, OpNorm, 0, f32(3*BL*D))
	if !keep {
		nn.PutScratch(z)
	}
	t = pr.start()
	s.outProj(yg, b, res, scale, out, bf16)
	pr.stop(t, OpProj, gemmFLOPs(BL, C, D), gemmBytes(BL, C, D, res != nil))
	nn.PutScratch(yg)
	if keep {
		s.x = x
		if scale != nil && !allOnes(scale) {
			s.scale = append(s.scale[:0], scale...)
		}
	}
}

// release drops what Forward kept for Backward.
func (s *SS2D) release() {
	s.x, s.xpart, s.z, s.xdbl, s.y, s.mean, s.rstd, s.out = nil, nil, nil, nil, nil, nil, nil, nil
	s.saved = selscan.Saved{}
}

// convAct writes xc = the depthwise convolution of xpart and xa =
// silu(xc), each piece of the output activated as soon as the convolution
// has written it; xc may be xa (activated in place).
func (s *SS2D) convAct(b int, xpart, xc, xa []float32) {
	dwconv.ForwardNHWCThen(b, s.Side, s.Side, s.D, 3, xpart, s.Conv.W.W, s.Conv.B.W, xc, func(off, m int) {
		ops.SiLU(xc[off:off+m], xa[off:off+m])
	})
}

// outProj writes out = res + scale_i·yg_i·W_outᵀ per sample i (one GEMM for
// the batch when every factor is 1, none for a sample whose factor is 0),
// with bfloat16 products when bf16 is set.
func (s *SS2D) outProj(yg []float32, b int, res, scale, out []float32, bf16 bool) {
	L, D, C := s.L, s.D, s.C
	w := s.OutProj.W.W
	var beta float32
	if res != nil {
		copy(out, res)
		beta = 1
	}
	// mul writes rows rows of the product from row r0 on into o.
	mul := func(r0, rows int, alpha float32, o []float32) {
		gemm.Sgemm(false, true, rows, C, D, alpha, yg[r0*D:], D, w, D, beta, o, C)
	}
	if bf16 {
		D2 := gemm.Pairs(D)
		wp := s.outPairs.rows(w, C, D)
		yp := toPairs(yg, D, b*L, D)
		defer nn.PutScratch(yp)
		mul = func(r0, rows int, alpha float32, o []float32) {
			gemm.SgemmPairs(false, true, rows, C, D2, alpha, yp[r0*D2:], D2, wp, D2, beta, o, C)
		}
	}
	if scale == nil || allOnes(scale) {
		mul(0, b*L, 1, out)
		return
	}
	for i := 0; i < b; i++ {
		o := out[i*L*C : (i+1)*L*C]
		switch {
		case scale[i] != 0:
			mul(i*L, L, scale[i], o)
		case res == nil:
			clear(o)
		}
	}
}

func allOnes(v []float32) bool {
	for _, x := range v {
		if x != 1 {
			return false
		}
	}
	return true
}

// scanFLOPs counts the selective scan's arithmetic: per state update δ·A,
// exp, the δ·B·u product and two multiply-adds (h and y), 7 operations
// with the exponential counted as one; per step, channel and direction the
// Δ projection (2R), its bias and softplus (2) and the skip term (2).
func scanFLOPs(d selscan.Dims) float64 {
	steps := float64(d.Batch) * float64(d.K) * float64(d.D) * float64(d.L)
	return 7*float64(d.Updates()) + steps*float64(2*d.R+4)
}

// Backward takes dout (B, L, C), the gradient of what Forward returned
// (before any residual), accumulates every parameter gradient and returns
// dx (B, L, C) in a scratch buffer the caller releases. Every intermediate
// gradient is released as soon as it has been used, and what Forward did
// not keep is recomputed from what it did.
func (s *SS2D) Backward(dout []float32) []float32 {
	if s.x == nil {
		panic("model: SS2D.Backward without a Forward with Backprop set")
	}
	return s.backward(dout, s.x)
}

// backward is Backward with the forward input x given (an HSS block
// recomputes its LayerNorm output rather than keeping it).
func (s *SS2D) backward(dout, x []float32) []float32 {
	b := s.b
	BL, D, C, KE := b*s.L, s.D, s.C, s.K*s.e()
	pr := s.prof
	ln := s.OutNorm
	// Recompute the norm's output yn and the gate's output yg.
	t := pr.start()
	yn, yg := nn.GetScratch(BL*D), nn.GetScratch(BL*D)
	ops.LayerNormSiLUMul(s.y, BL, D, ln.W.W, ln.B.W, ln.Eps, s.z, yn, yg, nil, nil)
	pr.stop(t, OpNorm, 0, f32(4*BL*D))
	// out = scale_i·yg·W_outᵀ: dyg = scale_i·dout·W_out, dW_out += Σ_i scale_i·dout_iᵀ·yg_i.
	t = pr.start()
	dyg := nn.GetScratch(BL * D)
	w, dw := s.OutProj.W.W, s.OutProj.W.G
	if s.scale == nil {
		gemm.Sgemm(true, false, C, D, BL, 1, dout, C, yg, D, 1, dw, D)
		gemm.Sgemm(false, false, BL, D, C, 1, dout, C, w, D, 0, dyg, D)
	} else {
		L := s.L
		for i := 0; i < b; i++ {
			f := s.scale[i]
			if f == 0 {
				clear(dyg[i*L*D : (i+1)*L*D])
				continue
			}
			gemm.Sgemm(true, false, C, D, L, f, dout[i*L*C:], C, yg[i*L*D:], D, 1, dw, D)
			gemm.Sgemm(false, false, L, D, C, f, dout[i*L*C:], C, w, D, 0, dyg[i*L*D:], D)
		}
	}
	pr.stop(t, OpProj, 2*gemmFLOPs(BL, C, D), 2*gemmBytes(BL, C, D, true))
	nn.PutScratch(yg)
	t = pr.start()
	dyn, dz := nn.GetScratch(BL*D), nn.GetScratch(BL*D)
	ops.SiLUMulBackward(yn, s.z, dyg, dyn, dz)
	pr.stop(t, OpAct, 0, f32(5*BL*D))
	nn.PutScratch(dyg, yn)
	t = pr.start()
	dy := nn.GetScratch(BL * D)
	ops.LayerNormBackward(dyn, s.y, BL, D, ln.W.W, s.mean, s.rstd, dy, ln.W.G, ln.B.G)
	pr.stop(t, OpNorm, 0, f32(4*BL*D))
	nn.PutScratch(dyn)
	// The convolution's output and its SiLU, which the scan and the x
	// projection read: recomputed, as Forward computed them.
	t = pr.start()
	xc, xa := nn.GetScratch(BL*D), nn.GetScratch(BL*D)
	s.convAct(b, s.xpart, xc, xa)
	pr.stop(t, OpDWConv, 2*float64(BL*D*9), f32(3*BL*D))
	t = pr.start()
	dxa, dxdbl := nn.GetScratch(BL*D), nn.GetScratch(BL*KE)
	dA := nn.GetScratch(s.K * D * s.N)
	clear(dA)
	dims := s.dims(b)
	selscan.Backward(dims, s.inputs(xa, s.xdbl), dy, &s.saved, selscan.Grads{
		X: dxa, XDbl: dxdbl, DtW: s.DtW.G, DtBias: s.DtB.G, A: dA, Dskip: s.Ds.G})
	pr.stopScan(t, 2*scanFLOPs(dims), f32(4*BL*D+2*BL*KE), float64(dims.Updates()))
	nn.PutScratch(dy)
	a := s.aFor()
	for i, g := range dA { // A = −exp(A_log) ⇒ dA_log = dA·A
		s.ALogs.G[i] += g * a[i]
	}
	nn.PutScratch(dA)
	// x_dbl = xa·W_xᵀ: dxa += dx_dbl·W_x, dW_x += dx_dblᵀ·xa.
	t = pr.start()
	gemm.Sgemm(false, false, BL, D, KE, 1, dxdbl, KE, s.XProj.W, D, 1, dxa, D)
	gemm.Sgemm(true, false, KE, D, BL, 1, dxdbl, KE, xa, D, 1, s.XProj.G, D)
	pr.stop(t, OpProj, 2*gemmFLOPs(BL, KE, D), gemmBytes(BL, D, KE, true)+gemmBytes(KE, D, BL, true))
	nn.PutScratch(dxdbl, xa)
	t = pr.start()
	dxc := nn.GetScratch(BL * D)
	ops.SiLUBackward(xc, dxa, dxc)
	pr.stop(t, OpAct, 0, f32(3*BL*D))
	nn.PutScratch(dxa, xc)
	t = pr.start()
	dxpart := nn.GetScratch(BL * D)
	dwconv.BackwardWeightNHWC(b, s.Side, s.Side, D, 3, s.xpart, dxc, s.Conv.W.G, s.Conv.B.G)
	dwconv.BackwardInputNHWC(b, s.Side, s.Side, D, 3, dxc, s.Conv.W.W, dxpart)
	pr.stop(t, OpDWConv, 4*float64(BL*D*9), f32(5*BL*D))
	nn.PutScratch(dxc)
	// xpart = x·W_xpartᵀ and z = x·W_zᵀ.
	t = pr.start()
	gemm.Sgemm(true, false, D, C, BL, 1, dxpart, D, x, C, 1, s.InProj.G[:D*C], C)
	gemm.Sgemm(true, false, D, C, BL, 1, dz, D, x, C, 1, s.InProj.G[D*C:], C)
	dx := nn.GetScratch(BL * C)
	gemm.Sgemm(false, false, BL, C, D, 1, dxpart, D, s.InProj.W[:D*C], C, 0, dx, C)
	gemm.Sgemm(false, false, BL, C, D, 1, dz, D, s.InProj.W[D*C:], C, 1, dx, C)
	pr.stop(t, OpProj, 2*gemmFLOPs(BL, 2*D, C), gemmBytes(2*D, C, BL, true)+gemmBytes(BL, C, 2*D, true))
	nn.PutScratch(dxpart, dz)
	return dx
}

// ensureLen returns buf resized to n, reusing its storage when possible.
func ensureLen(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float32, n)
}
