package model

import (
	"fmt"
	"math"

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

	dirs *scanorder.Directions
	act  nn.SiLU

	// Forward state kept for Backward.
	b        int
	x        []float32 // input (B·L, C), by reference
	xpart, z []float32 // (B·L, D) each
	xdbl     []float32 // (B·L, K·(R+2N)): every pixel projected for every direction
	a        []float32 // A = −exp(A_log), (K·D, N)
	y, yg    []float32 // (B·L, D): summed scan output, gated output
	saved    selscan.Saved
	prof     *probe
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

func (s *SS2D) inputs(xa []float32) selscan.Inputs {
	return selscan.Inputs{X: xa, XDbl: s.xdbl, Idx: s.dirs.Idx, DtW: s.DtW.W, DtBias: s.DtB.W, A: s.a, Dskip: s.Ds.W}
}

// Forward maps x (B, L, C) to (B, L, C).
func (s *SS2D) Forward(x []float32, b int) []float32 {
	s.b, s.x = b, x
	BL, D, C, KE := b*s.L, s.D, s.C, s.K*s.e()
	pr := s.prof
	t := pr.start()
	s.xpart = ensureLen(s.xpart, BL*D)
	s.z = ensureLen(s.z, BL*D)
	gemm.Sgemm(false, true, BL, D, C, 1, x, C, s.InProj.W[:D*C], C, 0, s.xpart, D)
	gemm.Sgemm(false, true, BL, D, C, 1, x, C, s.InProj.W[D*C:], C, 0, s.z, D)
	pr.stop(t, OpProj, gemmFLOPs(BL, 2*D, C), gemmBytes(BL, 2*D, C, false))
	t = pr.start()
	xc := s.Conv.Forward(s.xpart, b, s.Side, s.Side)
	pr.stop(t, OpDWConv, 2*float64(BL*D*9), f32(2*BL*D))
	t = pr.start()
	xa := s.act.Forward(xc)
	pr.stop(t, OpAct, 0, f32(2*BL*D))
	// Every pixel projected for all K directions in one GEMM: x_dbl of
	// direction k at step j is row Idx[k][j] of this, block k.
	t = pr.start()
	s.xdbl = ensureLen(s.xdbl, BL*KE)
	gemm.Sgemm(false, true, BL, KE, D, 1, xa, D, s.XProj.W, D, 0, s.xdbl, KE)
	pr.stop(t, OpProj, gemmFLOPs(BL, KE, D), gemmBytes(BL, KE, D, false))
	t = pr.start()
	s.a = ensureLen(s.a, s.K*D*s.N)
	for i, v := range s.ALogs.W {
		s.a[i] = -float32(math.Exp(float64(v)))
	}
	pr.stop(t, OpAct, 0, f32(2*len(s.a)))
	s.y = ensureLen(s.y, BL*D)
	var saved *selscan.Saved
	if s.Backprop {
		saved = &s.saved
	}
	t = pr.start()
	dims := s.dims(b)
	selscan.Forward(dims, s.inputs(xa), s.y, saved)
	pr.stopScan(t, scanFLOPs(dims), f32(2*BL*D+BL*KE), float64(dims.Updates()))
	t = pr.start()
	yn := s.OutNorm.Forward(s.y, BL)
	pr.stop(t, OpNorm, 0, f32(2*BL*D))
	t = pr.start()
	s.yg = ensureLen(s.yg, BL*D)
	ops.SiLUMul(yn, s.z, s.yg)
	pr.stop(t, OpAct, 0, f32(3*BL*D))
	t = pr.start()
	out := s.OutProj.Forward(s.yg, BL)
	pr.stop(t, OpProj, gemmFLOPs(BL, C, D), gemmBytes(BL, C, D, false))
	return out
}

// scanFLOPs counts the selective scan's arithmetic: per state update δ·A,
// exp, the δ·B·u product and two multiply-adds (h and y), 7 operations
// with the exponential counted as one; per step, channel and direction the
// Δ projection (2R), its bias and softplus (2) and the skip term (2).
func scanFLOPs(d selscan.Dims) float64 {
	steps := float64(d.Batch) * float64(d.K) * float64(d.D) * float64(d.L)
	return 7*float64(d.Updates()) + steps*float64(2*d.R+4)
}

// Backward takes dout (B, L, C), accumulates every parameter gradient and
// returns dx (B, L, C) in a scratch buffer the caller releases. Every
// intermediate gradient is released as soon as it has been used.
func (s *SS2D) Backward(dout []float32) []float32 {
	b := s.b
	BL, D, C, KE := b*s.L, s.D, s.C, s.K*s.e()
	pr := s.prof
	t := pr.start()
	dyg := s.OutProj.Backward(dout)
	pr.stop(t, OpProj, 2*gemmFLOPs(BL, C, D), 2*gemmBytes(BL, C, D, true))
	t = pr.start()
	dyn, dz := nn.GetScratch(BL*D), nn.GetScratch(BL*D)
	ops.SiLUMulBackward(s.OutNorm.Out(), s.z, dyg, dyn, dz)
	pr.stop(t, OpAct, 0, f32(5*BL*D))
	nn.PutScratch(dyg)
	t = pr.start()
	dy := s.OutNorm.Backward(dyn)
	pr.stop(t, OpNorm, 0, f32(4*BL*D))
	nn.PutScratch(dyn)
	xa := s.act.Out()
	t = pr.start()
	dxa, dxdbl := nn.GetScratch(BL*D), nn.GetScratch(BL*KE)
	dA := nn.GetScratch(s.K * D * s.N)
	clear(dA)
	dims := s.dims(b)
	selscan.Backward(dims, s.inputs(xa), dy, &s.saved, selscan.Grads{
		X: dxa, XDbl: dxdbl, DtW: s.DtW.G, DtBias: s.DtB.G, A: dA, Dskip: s.Ds.G})
	pr.stopScan(t, 2*scanFLOPs(dims), f32(4*BL*D+2*BL*KE), float64(dims.Updates()))
	nn.PutScratch(dy)
	for i, g := range dA { // A = −exp(A_log) ⇒ dA_log = dA·A
		s.ALogs.G[i] += g * s.a[i]
	}
	nn.PutScratch(dA)
	// x_dbl = xa·W_xᵀ: dxa += dx_dbl·W_x, dW_x += dx_dblᵀ·xa.
	t = pr.start()
	gemm.Sgemm(false, false, BL, D, KE, 1, dxdbl, KE, s.XProj.W, D, 1, dxa, D)
	gemm.Sgemm(true, false, KE, D, BL, 1, dxdbl, KE, xa, D, 1, s.XProj.G, D)
	pr.stop(t, OpProj, 2*gemmFLOPs(BL, KE, D), gemmBytes(BL, D, KE, true)+gemmBytes(KE, D, BL, true))
	nn.PutScratch(dxdbl)
	t = pr.start()
	dxc := s.act.Backward(dxa)
	pr.stop(t, OpAct, 0, f32(3*BL*D))
	nn.PutScratch(dxa)
	t = pr.start()
	dxpart := s.Conv.Backward(dxc)
	pr.stop(t, OpDWConv, 4*float64(BL*D*9), f32(5*BL*D))
	nn.PutScratch(dxc)
	// xpart = x·W_xpartᵀ and z = x·W_zᵀ.
	t = pr.start()
	gemm.Sgemm(true, false, D, C, BL, 1, dxpart, D, s.x, C, 1, s.InProj.G[:D*C], C)
	gemm.Sgemm(true, false, D, C, BL, 1, dz, D, s.x, C, 1, s.InProj.G[D*C:], C)
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
