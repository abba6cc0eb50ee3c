package model

import (
	"fmt"
	"math"

	"github.com/mambaad/mambaad/gemm"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/ops"
	"github.com/mambaad/mambaad/parallel"
	"github.com/mambaad/mambaad/scan"
	"github.com/mambaad/mambaad/selscan"
)

// SS2D is the 2-D selective-scan mixer (spec §4.4). It takes and returns
// channels-last tokens (B, L, C) of a Side×Side map. The input projection
// writes its x half directly channel-major (B, D, L), which is the layout the
// depthwise convolution and the per-direction sequences want, and its z half
// token-major (B, L, D) for the gate.
type SS2D struct {
	C, D, R, N, K, Side, L int

	InProj  *nn.Param     // (2D, C), no bias
	Conv    *nn.DWConv    // 3×3 depthwise with bias, on (B, D, Side, Side)
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

	dirs *scan.Directions
	act  nn.SiLU

	// Forward state kept for Backward.
	b             int
	x             []float32 // input (B, L, C), by reference
	xpart, z      []float32 // (B, D, L) and (B, L, D)
	xdbl          []float32 // (B, K, R+2N, L)
	a             []float32 // A = −exp(A_log), (K·D, N)
	yt, yg        []float32 // (B, L, D): merged scan output, gated output
	saved         selscan.Saved
	dz, dyn, dx   []float32
	dxpart, dxdbl []float32
}

// SS2DConfig sizes an SS2D. The reference fixes Expand = 2, N = 16,
// R = ceil(C/16) and K = 8; the goldens also use N = 4 and K = 2, 4.
type SS2DConfig struct {
	C, Side, N, K, Expand int
	Order                 scan.Order
}

// NewSS2D builds an SS2D with zero parameters (see Init for the reference
// initialisation); name prefixes the PyTorch state_dict keys.
func NewSS2D(name string, cfg SS2DConfig) (*SS2D, error) {
	if cfg.Expand == 0 {
		cfg.Expand = 2
	}
	dirs, err := scan.NewDirections(cfg.Order, cfg.Side, cfg.K)
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
	s.Index = scanIndexBuffers(name+".scans", cfg.Order, cfg.Side)
	return s, nil
}

// scanIndexBuffers returns the reference's index_flat and index_flat_inv
// (stored (1, 1, L) int64). They are kept only so that state_dicts match
// the reference key for key; the layer uses its Directions.
func scanIndexBuffers(name string, o scan.Order, side int) [2]*nn.Param {
	p, _ := scan.Indices(o, side) // side and order were validated by NewDirections
	inv := scan.Inverse(p)
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

// Forward maps x (B, L, C) to (B, L, C).
func (s *SS2D) Forward(x []float32, b int) []float32 {
	s.b, s.x = b, x
	L, D := s.L, s.D
	s.project(x, b)
	xc := s.Conv.Forward(s.xpart, b, s.Side, s.Side)
	xa := s.act.Forward(xc)
	s.xdbl = ensureLen(s.xdbl, b*s.K*(s.R+2*s.N)*L)
	s.a = ensureLen(s.a, s.K*D*s.N)
	for i, v := range s.ALogs.W {
		s.a[i] = -float32(math.Exp(float64(v)))
	}
	ym := s.core(xa, b)
	s.yt = ensureLen(s.yt, b*L*D)
	ops.Transpose(s.yt, ym, b, D, L)
	nn.PutScratch(ym)
	yn := s.OutNorm.Forward(s.yt, b*L)
	s.yg = ensureLen(s.yg, b*L*D)
	ops.SiLUMul(yn, s.z, s.yg)
	return s.OutProj.Forward(s.yg, b*L)
}

// project computes xpart (B, D, L) = W[0:D]·xᵀ per image and z (B·L, D) =
// x·W[D:2D]ᵀ.
func (s *SS2D) project(x []float32, b int) {
	L, D, C := s.L, s.D, s.C
	s.xpart = ensureLen(s.xpart, b*D*L)
	s.z = ensureLen(s.z, b*L*D)
	parallel.Run(b, func(i int) {
		gemm.Sgemm(false, true, D, L, C, 1, s.InProj.W[:D*C], C, x[i*L*C:(i+1)*L*C], C, 0, s.xpart[i*D*L:(i+1)*D*L], L)
	})
	gemm.Sgemm(false, true, b*L, D, C, 1, x, C, s.InProj.W[D*C:], C, 0, s.z, D)
}

// core runs the K directional scans on xa (B, D, L) and returns their sum
// merged back to row-major pixels, (B, D, L), in a scratch buffer.
func (s *SS2D) core(xa []float32, b int) []float32 {
	d := s.dims(b)
	xs := nn.GetScratch(b * s.K * s.D * s.L)
	dts := nn.GetScratch(len(xs))
	bs := nn.GetScratch(b * s.K * s.N * s.L)
	cs := nn.GetScratch(len(bs))
	s.encode(xa, xs, b)
	s.projectDirections(xs, dts, bs, cs, b)
	ys := nn.GetScratch(len(xs))
	var saved *selscan.Saved
	if s.Backprop {
		saved = &s.saved
	}
	selscan.Forward(d, s.scanInputs(xs, dts, bs, cs), ys, saved)
	ym := nn.GetScratch(b * s.D * s.L)
	s.decode(ys, ym, b)
	nn.PutScratch(xs, dts, bs, cs, ys)
	return ym
}

func (s *SS2D) dims(b int) selscan.Dims {
	return selscan.Dims{Batch: b, K: s.K, D: s.D, L: s.L, N: s.N}
}

func (s *SS2D) scanInputs(xs, dts, bs, cs []float32) selscan.Inputs {
	return selscan.Inputs{U: xs, Delta: dts, A: s.a, B: bs, C: cs, Dskip: s.Ds.W, DeltaBias: s.DtB.W}
}

// encode gathers the K direction sequences: xs[b,k,d,j] = xa[b,d,idx_k[j]].
func (s *SS2D) encode(xa, xs []float32, b int) {
	DL := s.D * s.L
	parallel.Run(b*s.K, func(i int) {
		bi, k := i/s.K, i%s.K
		ops.Gather(xs[i*DL:(i+1)*DL], xa[bi*DL:(bi+1)*DL], s.D, s.dirs.Idx[k])
	})
}

// decode sums the K direction outputs back onto pixels: ym[b,d,idx_k[j]] +=
// ys[b,k,d,j]. Directions are added in order k = 0..K−1 for determinism.
func (s *SS2D) decode(ys, ym []float32, b int) {
	DL := s.D * s.L
	parallel.Run(b, func(bi int) {
		dst := ym[bi*DL : (bi+1)*DL]
		clear(dst)
		for k := 0; k < s.K; k++ {
			i := bi*s.K + k
			ops.ScatterAdd(dst, ys[i*DL:(i+1)*DL], s.D, s.dirs.Idx[k])
		}
	})
}

// projectDirections computes, per image and direction, x_dbl = W_x[k]·xs
// (R+2N, L), Δ = W_dt[k]·x_dbl[0:R] (D, L), and copies the B and C rows
// out into the scan's (B, K, N, L) layout.
func (s *SS2D) projectDirections(xs, dts, bs, cs []float32, b int) {
	R, N, D, L := s.R, s.N, s.D, s.L
	E := R + 2*N
	parallel.Run(b*s.K, func(i int) {
		k := i % s.K
		xd := s.xdbl[i*E*L : (i+1)*E*L]
		gemm.Sgemm(false, false, E, L, D, 1, s.XProj.W[k*E*D:(k+1)*E*D], D, xs[i*D*L:(i+1)*D*L], L, 0, xd, L)
		gemm.Sgemm(false, false, D, L, R, 1, s.DtW.W[k*D*R:(k+1)*D*R], R, xd[:R*L], L, 0, dts[i*D*L:(i+1)*D*L], L)
		copy(bs[i*N*L:(i+1)*N*L], xd[R*L:(R+N)*L])
		copy(cs[i*N*L:(i+1)*N*L], xd[(R+N)*L:])
	})
}

// Backward takes dout (B, L, C), accumulates every parameter gradient and
// returns dx (B, L, C).
func (s *SS2D) Backward(dout []float32) []float32 {
	b, L, D := s.b, s.L, s.D
	dyg := s.OutProj.Backward(dout)
	s.dyn = ensureLen(s.dyn, b*L*D)
	s.dz = ensureLen(s.dz, b*L*D)
	ops.SiLUMulBackward(s.OutNorm.Out(), s.z, dyg, s.dyn, s.dz)
	dyt := s.OutNorm.Backward(s.dyn)
	dym := nn.GetScratch(b * D * L)
	ops.Transpose(dym, dyt, b, L, D)
	dxa := s.coreBackward(dym, b)
	nn.PutScratch(dym)
	dxc := s.act.Backward(dxa)
	nn.PutScratch(dxa)
	s.dxpart = s.Conv.Backward(dxc)
	return s.projectBackward(b)
}

// coreBackward returns d xa (B, D, L) in a scratch buffer given d ym.
func (s *SS2D) coreBackward(dym []float32, b int) []float32 {
	d := s.dims(b)
	R, N, D, L, K := s.R, s.N, s.D, s.L, s.K
	E := R + 2*N
	n := b * K * D * L
	xs, dts := nn.GetScratch(n), nn.GetScratch(n)
	bs, cs := nn.GetScratch(b*K*N*L), nn.GetScratch(b*K*N*L)
	s.encode(s.act.Out(), xs, b)
	s.recomputeDirections(dts, bs, cs, b)
	dys := nn.GetScratch(n)
	s.encode(dym, dys, b)
	dxs, ddts := nn.GetScratch(n), nn.GetScratch(n)
	dbs, dcs := nn.GetScratch(b*K*N*L), nn.GetScratch(b*K*N*L)
	dA := nn.GetScratch(K * D * N)
	clear(dA)
	selscan.Backward(d, s.scanInputs(xs, dts, bs, cs), dys, &s.saved, selscan.Grads{
		U: dxs, Delta: ddts, B: dbs, C: dcs, A: dA, Dskip: s.Ds.G, DeltaBias: s.DtB.G})
	// A = −exp(A_log) ⇒ dA_log = dA·A.
	for i, g := range dA {
		s.ALogs.G[i] += g * s.a[i]
	}
	s.dxdbl = ensureLen(s.dxdbl, b*K*E*L)
	parallel.Run(b*K, func(i int) {
		k := i % K
		dxd := s.dxdbl[i*E*L : (i+1)*E*L]
		ddt, dx := ddts[i*D*L:(i+1)*D*L], dxs[i*D*L:(i+1)*D*L]
		copy(dxd[R*L:(R+N)*L], dbs[i*N*L:(i+1)*N*L])
		copy(dxd[(R+N)*L:], dcs[i*N*L:(i+1)*N*L])
		// Δ = W_dt·x_dbl[0:R]: d x_dbl[0:R] = W_dtᵀ·dΔ.
		gemm.Sgemm(true, false, R, L, D, 1, s.DtW.W[k*D*R:(k+1)*D*R], R, ddt, L, 0, dxd[:R*L], L)
		// x_dbl = W_x·xs: d xs += W_xᵀ·d x_dbl.
		gemm.Sgemm(true, false, D, L, E, 1, s.XProj.W[k*E*D:(k+1)*E*D], D, dxd, L, 1, dx, L)
	})
	s.weightGradsDirections(xs, ddts, b)
	dxa := nn.GetScratch(b * D * L)
	s.decode(dxs, dxa, b)
	nn.PutScratch(xs, dts, bs, cs, dys, dxs, ddts, dbs, dcs, dA)
	return dxa
}

// recomputeDirections rebuilds Δ, B and C from the saved x_dbl (cheaper in
// memory than keeping the (B, K, D, L) Δ of every layer).
func (s *SS2D) recomputeDirections(dts, bs, cs []float32, b int) {
	R, N, D, L := s.R, s.N, s.D, s.L
	E := R + 2*N
	parallel.Run(b*s.K, func(i int) {
		k := i % s.K
		xd := s.xdbl[i*E*L : (i+1)*E*L]
		gemm.Sgemm(false, false, D, L, R, 1, s.DtW.W[k*D*R:(k+1)*D*R], R, xd[:R*L], L, 0, dts[i*D*L:(i+1)*D*L], L)
		copy(bs[i*N*L:(i+1)*N*L], xd[R*L:(R+N)*L])
		copy(cs[i*N*L:(i+1)*N*L], xd[(R+N)*L:])
	})
}

// weightGradsDirections accumulates dW_x[k] += d x_dbl·xsᵀ and dW_dt[k] +=
// dΔ·x_dbl[0:R]ᵀ, summed over the batch. Work is split by direction so no
// two goroutines write the same gradient.
func (s *SS2D) weightGradsDirections(xs, ddts []float32, b int) {
	R, N, D, L, K := s.R, s.N, s.D, s.L, s.K
	E := R + 2*N
	parallel.Run(K, func(k int) {
		gx := s.XProj.G[k*E*D : (k+1)*E*D]
		gdt := s.DtW.G[k*D*R : (k+1)*D*R]
		for bi := 0; bi < b; bi++ {
			i := bi*K + k
			dxd, xd := s.dxdbl[i*E*L:(i+1)*E*L], s.xdbl[i*E*L:(i+1)*E*L]
			gemm.Sgemm(false, true, E, D, L, 1, dxd, L, xs[i*D*L:(i+1)*D*L], L, 1, gx, D)
			gemm.Sgemm(false, true, D, R, L, 1, ddts[i*D*L:(i+1)*D*L], L, xd[:R*L], L, 1, gdt, R)
		}
	})
}

// projectBackward turns d xpart (B, D, L) and dz (B·L, D) into the input
// projection's weight gradient and dx (B, L, C).
func (s *SS2D) projectBackward(b int) []float32 {
	L, D, C := s.L, s.D, s.C
	x := s.x
	if s.InProj.G != nil {
		gx, gz := s.InProj.G[:D*C], s.InProj.G[D*C:]
		for i := 0; i < b; i++ { // dW_x += d xpart[b]·x[b]
			gemm.Sgemm(false, false, D, C, L, 1, s.dxpart[i*D*L:(i+1)*D*L], L, x[i*L*C:(i+1)*L*C], C, 1, gx, C)
		}
		gemm.Sgemm(true, false, D, C, b*L, 1, s.dz, D, x, C, 1, gz, C) // dW_z += dzᵀ·x
	}
	s.dx = ensureLen(s.dx, b*L*C)
	parallel.Run(b, func(i int) {
		gemm.Sgemm(true, false, L, C, D, 1, s.dxpart[i*D*L:(i+1)*D*L], L, s.InProj.W[:D*C], C, 0, s.dx[i*L*C:(i+1)*L*C], C)
	})
	gemm.Sgemm(false, false, b*L, C, D, 1, s.dz, D, s.InProj.W[D*C:], C, 1, s.dx, C)
	return s.dx
}

// ensureLen returns buf resized to n, reusing its storage when possible.
func ensureLen(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float32, n)
}
