package onnx

import (
	"fmt"
	"math"

	"github.com/mambaad/mambaad/model"
)

// SS2D in ONNX.
//
// Everything around the recurrence is ordinary tensor algebra on tokens
// (B, L, ·): the in-projection, the depthwise 3×3 convolution, the
// x-projection of every pixel for all K directions (one MatMul), the
// direction orders as one Gather with a constant (K, L) index table (step
// t of direction k reads pixel Idx[k][t]), Δ = softplus(W_dt·δ + b_dt), and
// on the way back one Gather with the inverse table and a ReduceSum over
// the directions (each direction is a permutation, so the gather is the
// reference's un-reverse, decode and inverse transform), then the D skip
// term, the output norm, the SiLU gate and the out-projection.
//
// The recurrence h_t = exp(Δ_t·A)⊙h_{t−1} + Δ_t·u_t·B_t, y_t = ⟨C_t, h_t⟩
// is an ONNX Scan whose body is five element-wise nodes and one MatMul on
// the state (B, K, N, D) of all directions and channels at once. It stays
// the exact sequential recurrence, so it is as stable as the reference and
// agrees with mambaad's kernel to rounding. This plain form is the default.
//
// What a Scan costs is its number of iterations (L per layer: 4096 at the
// 64×64 stage), each a handful of kernel launches in the runtime, so
// Options.ScanChunk can cut long sequences into M segments of T = L/M steps
// scanned side by side (state (B, K, M, N, D)):
//
//  1. a Scan over T steps from h = 0 gives each segment's local end state
//     h_loc[m]; its total decay is P[m] = exp(A·Σ_t Δ_t), 0 < P ≤ 1;
//  2. a Scan over the M segments carries the true state across them:
//     h_in[0] = 0, h_in[m+1] = h_loc[m] + P[m]⊙h_in[m];
//  3. a Scan over T steps from h_in[m] gives every y_t.
//
// Steps 1 and 3 are the recurrence itself and step 2 is the same recurrence
// at segment granularity: nothing is divided, and no factor above 1 is ever
// formed (unlike the log-space or cumulative-product formulations, whose
// exp(−Σ Δ·A) overflows float32 within a few dozen steps), so the result is
// the sequential one to rounding (the tests find the two within 1e-6). It
// runs 2T + M iterations instead of L (192 instead of 4096 at T = M = 64)
// but does the exp twice and moves M× larger tensors per node; in ONNX
// Runtime's CPU provider that is slower than the plain Scan (6–10 s vs
// 3.7–6.7 s per 256² image on 2 busy cores), so it is an option for
// runtimes whose loop iterations are expensive, not the default.

// dirTables are one side's scan index tables, shared by every SS2D of that
// side.
type dirTables struct {
	fwd string // (K, L): Idx[k][t]·K + k, rows of the (B, L·K, E) projections
	pix string // (K, L): Idx[k][t], rows of the (B, L, D) tokens
	inv string // (L, K): k·L + t where Idx[k][t] = p, rows of (B, K·L, D)
}

func (e *exporter) tables(s *model.SS2D) *dirTables {
	if t, ok := e.dirs[s.Side]; ok {
		return t
	}
	d := s.Directions()
	K, L := s.K, s.L
	fwd, pix, inv := make([]int64, K*L), make([]int64, K*L), make([]int64, L*K)
	for k := 0; k < K; k++ {
		for t, p := range d.Idx[k] {
			fwd[k*L+t] = int64(p)*int64(K) + int64(k)
			pix[k*L+t] = int64(p)
			inv[int(p)*K+k] = int64(k*L + t)
		}
	}
	side := fmt.Sprintf("scan%d", s.Side)
	t := &dirTables{
		fwd: e.b.InitI64(side+"_gather_proj", fwd, K, L),
		pix: e.b.InitI64(side+"_gather_tokens", pix, K, L),
		inv: e.b.InitI64(side+"_scatter", inv, L, K),
	}
	e.dirs[s.Side] = t
	return t
}

// ss2d is model.SS2D.Forward on tokens (B, L, C).
func (e *exporter) ss2d(x string, s *model.SS2D) string {
	b := e.b
	C, D, R, N, K, L, side := s.C, s.D, s.R, s.N, s.K, s.L, s.Side
	E := R + 2*N
	name := s.InProj.Name[:len(s.InProj.Name)-len(".in_proj.weight")]
	xz := e.linearT(x, s.InProj, 2*D, C)
	parts := b.OpN("Split", []string{xz, b.Ints(int64(D), int64(D))}, 2, AInt("axis", -1))
	xp, z := parts[0], parts[1]
	conv := e.conv(e.toNCHW(xp, D, side), name+".conv2d", s.Conv.W.W, s.Conv.B.W, D, 1, 3, 3, 1, 1, D)
	xa := e.toTokens(e.silu(conv), D, side) // (B, L, D)

	// Every pixel projected for every direction, then read in each
	// direction's order: (B, K, L, E).
	xdbl := e.linearT(xa, s.XProj, K*E, D)
	xdbl = e.reshape(xdbl, 0, int64(L*K), int64(E))
	tab := e.tables(s)
	dir := b.Op("Gather", []string{xdbl, tab.fwd}, AInt("axis", 1))
	sp := b.OpN("Split", []string{dir, b.Ints(int64(R), int64(N), int64(N))}, 3, AInt("axis", -1))
	dlow, bs, cs := sp[0], sp[1], sp[2]

	// Δ = softplus(W_dt[k]·δ + b_dt[k]): (B, K, L, R)·(K, R, D) + (K, 1, D).
	dtwT := make([]float32, K*R*D)
	for k := 0; k < K; k++ {
		copy(dtwT[k*R*D:(k+1)*R*D], transpose2(s.DtW.W[k*D*R:(k+1)*D*R], D, R))
	}
	delta := b.Op("MatMul", []string{dlow, b.Init(s.DtW.Name+"_T", dtwT, K, R, D)})
	delta = e.softplus(e.add(delta, b.Init(s.DtB.Name, s.DtB.W, K, 1, D)))
	u := b.Op("Gather", []string{xa, tab.pix}, AInt("axis", 1)) // (B, K, L, D)
	du := e.mul(delta, u)

	// A = −exp(A_log), as mambaad computes it, stored (K, N, D): the state
	// is kept (…, N, D) so that every broadcast in the scan body runs along
	// D, the long contiguous axis (runtimes handle short broadcast spans
	// element by element: along N = 16 the body was 3× slower in ONNX
	// Runtime).
	a := make([]float32, len(s.ALogs.W))
	for k := 0; k < K; k++ {
		for d := 0; d < D; d++ {
			for n := 0; n < N; n++ {
				a[(k*N+n)*D+d] = -float32(math.Exp(float64(s.ALogs.W[(k*D+d)*N+n])))
			}
		}
	}
	chunk := e.o.ScanChunk
	if chunk == 0 {
		chunk = L
	}
	chunk = min(chunk, L)
	for L%chunk != 0 {
		chunk--
	}
	unsq := func(x string, axis int64) string { return b.Op("Unsqueeze", []string{x, b.Ints(axis)}) }
	y := e.selectiveScan(scanIn{name: name, a: a, K: K, D: D, N: N, L: L, T: chunk},
		unsq(delta, 3), unsq(du, 3), unsq(bs, -1), unsq(cs, 3))

	// Back to pixels: y[b, p] = Σ_k ys[b, k, pos_k(p)].
	y = e.reshape(y, 0, int64(K*L), int64(D))
	y = b.Op("Gather", []string{y, tab.inv}, AInt("axis", 1)) // (B, L, K, D)
	y = b.Op("ReduceSum", []string{y, b.Ints(2)}, AInt("keepdims", 0))
	dsum := make([]float32, D)
	for k := 0; k < K; k++ {
		for d := 0; d < D; d++ {
			dsum[d] += s.Ds.W[k*D+d]
		}
	}
	y = e.add(y, e.mul(xa, b.Init(s.Ds.Name+"_sum", dsum, D)))
	y = e.layerNorm(y, s.OutNorm)
	y = e.mul(y, e.silu(z))
	return e.linearT(y, s.OutProj.W, C, D)
}

// softplus is log(1 + eˣ) to a few ulps for every x, as mambaad computes
// it (log1p in float64): max(x, 0) + log1p(e^−|x|), with log1p(t) =
// log(1+t)·t/((1+t)−1) (and t itself where 1+t rounds to 1). ONNX's
// Softplus is log(eˣ+1), which in float32 loses the small values: at
// Δ ≈ 1e-4, usual for trained Mamba layers, its relative error is 5e-4.
func (e *exporter) softplus(x string) string {
	b := e.b
	t := b.Op("Exp", []string{b.Op("Neg", []string{b.Op("Abs", []string{x})})})
	u := e.add(t, b.Scalar(1))
	d := b.Op("Sub", []string{u, b.Scalar(1)})
	l := b.Op("Div", []string{e.mul(b.Op("Log", []string{u}), t), d})
	l = b.Op("Where", []string{b.Op("Equal", []string{d, b.Scalar(0)}), t, l})
	return e.add(e.relu(x), l)
}

// scanIn sizes one selective scan: K directions, D channels, N states, L
// steps cut into segments of T.
type scanIn struct {
	name          string
	a             []float32 // A (K, N, D)
	K, D, N, L, T int
}

// selectiveScan runs the recurrence on delta, du (B, K, L, 1, D), bs
// (B, K, L, N, 1) and cs (B, K, L, 1, N) and returns y (B, K, L, 1, D)
// (or (B, K, M, T, 1, D), the same elements in the same order). The state
// is (B, K, N, D), or (B, K, M, N, D) with M segments.
func (e *exporter) selectiveScan(p scanIn, delta, du, bs, cs string) string {
	b := e.b
	K, D, N, L, T := int64(p.K), int64(p.D), int64(p.N), int64(p.L), int64(p.T)
	batch := Sym(BatchDimension)
	if T == L {
		A := b.Init(p.name+".A", p.a, p.K, p.N, p.D)
		h0 := e.zerosLike(delta, K, N, D)
		outs := b.OpN("Scan", []string{h0, delta, du, bs, cs}, 2,
			AGraph("body", e.stepBody(A, []Dim{batch, Fixed(p.K), Fixed(p.N), Fixed(p.D)}, true)),
			AInt("num_scan_inputs", 4), AInts("scan_input_axes", 2, 2, 2, 2), AInts("scan_output_axes", 2))
		return outs[1]
	}
	M := L / T
	seg := func(x string, last1, last2 int64) string {
		return e.reshape(x, 0, K, M, T, last1, last2)
	}
	delta, du, bs, cs = seg(delta, 1, D), seg(du, 1, D), seg(bs, N, 1), seg(cs, 1, N)
	A := b.Init(p.name+".A", p.a, p.K, 1, p.N, p.D)
	stateDims := []Dim{batch, Fixed(p.K), Fixed(int(M)), Fixed(p.N), Fixed(p.D)}
	// 1. local end states of every segment.
	h0 := e.zerosLike(delta, K, M, N, D)
	hloc := b.Op("Scan", []string{h0, delta, du, bs},
		AGraph("body", e.stepBody(A, stateDims, false)),
		AInt("num_scan_inputs", 3), AInts("scan_input_axes", 3, 3, 3))
	// Each segment's decay exp(A·ΣΔ): (B, K, M, 1, D)·(K, 1, N, D).
	sumd := b.Op("ReduceSum", []string{delta, b.Ints(3)}, AInt("keepdims", 0))
	decay := b.Op("Exp", []string{e.mul(sumd, A)})
	// 2. the state entering each segment.
	c0 := e.zerosLike(delta, K, N, D)
	hin := b.OpN("Scan", []string{c0, hloc, decay}, 2,
		AGraph("body", e.carryBody([]Dim{batch, Fixed(p.K), Fixed(p.N), Fixed(p.D)})),
		AInt("num_scan_inputs", 2), AInts("scan_input_axes", 2, 2), AInts("scan_output_axes", 2))[1]
	// 3. every output from the right initial states.
	outs := b.OpN("Scan", []string{hin, delta, du, bs, cs}, 2,
		AGraph("body", e.stepBody(A, stateDims, true)),
		AInt("num_scan_inputs", 4), AInts("scan_input_axes", 3, 3, 3, 3), AInts("scan_output_axes", 3))
	return outs[1]
}

// zerosLike is a zero float tensor (batch of x, dims...).
func (e *exporter) zerosLike(x string, dims ...int64) string {
	b := e.b
	bat := b.Op("Slice", []string{b.Op("Shape", []string{x}), b.Ints(0), b.Ints(1)})
	shape := b.Op("Concat", []string{bat, b.Ints(dims...)}, AInt("axis", 0))
	return b.Op("ConstantOfShape", []string{shape}, ATensor("value", &Tensor{DataType: Float, Dims: []int64{1}, F32: []float32{0}}))
}

// stepBody is the Scan body of one step for every direction, channel (and
// segment): state h, inputs Δ_t, Δ_t·u_t, B_t (and C_t); outputs the new
// state (and y_t = ⟨C_t, h_t⟩ when withY). A is an outer-scope value.
func (e *exporter) stepBody(A string, state []Dim, withY bool) *Graph {
	sb := e.b.Sub("scan_step")
	lead := state[:len(state)-2] // batch, K (, M)
	dims := func(a, b Dim) []Dim { return append(append([]Dim{}, lead...), a, b) }
	N, D := state[len(state)-2], state[len(state)-1]
	h := sb.FreshInput("h", Float, state...)
	dt := sb.FreshInput("delta_t", Float, dims(Fixed(1), D)...)
	du := sb.FreshInput("du_t", Float, dims(Fixed(1), D)...)
	bt := sb.FreshInput("b_t", Float, dims(N, Fixed(1))...)
	dA := sb.Op("Exp", []string{sb.Op("Mul", []string{dt, A})})
	hn := sb.Op("Add", []string{sb.Op("Mul", []string{dA, h}), sb.Op("Mul", []string{du, bt})})
	sb.Output(hn, Float, state...)
	if withY {
		ct := sb.FreshInput("c_t", Float, dims(Fixed(1), N)...)
		y := sb.Op("MatMul", []string{ct, hn}) // (…, 1, N)·(…, N, D)
		sb.Output(y, Float, dims(Fixed(1), D)...)
	}
	return sb.G
}

// carryBody is the Scan body over segments: state h (entering segment m),
// inputs h_loc[m] and decay P[m]; outputs h_loc[m] + P[m]⊙h and, as the
// scan output, h itself.
func (e *exporter) carryBody(state []Dim) *Graph {
	sb := e.b.Sub("scan_carry")
	h := sb.FreshInput("h", Float, state...)
	hl := sb.FreshInput("h_loc", Float, state...)
	p := sb.FreshInput("decay", Float, state...)
	hn := sb.Op("Add", []string{hl, sb.Op("Mul", []string{p, h})})
	sb.Output(hn, Float, state...)
	sb.Output(sb.Op("Identity", []string{h}), Float, state...)
	return sb.G
}
