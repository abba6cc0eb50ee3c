package selscan

import "math"

// The decays exp(δ·A) are computed as 2^t with t = (δ·log2 e)·A. The
// kernels split t = i + j/16 + f with i = floor(t), j ∈ 0..15 and
// f ∈ [0, 1/16), look 2^(j/16) up in a 16-entry table (one VPERMPS),
// evaluate 2^f ≈ 1 + f·(c1 + f·(c2 + f·c3)) and scale by 2^i (VSCALEFPS,
// which also gives exact 0 far below the float32 range). The cubic is a
// minimax fit of relative error 1.3e−9 on [0, 1/16] (Lawson's algorithm);
// with the rounded table and FMA steps the float32 result is within ~1
// ulp, like a degree-6 polynomial on [0, 1) but with four FMA-pipe ops
// instead of seven: this exp is most of the scan's work. The AVX-512
// kernels go one step further: a 32-entry table (one VPERMI2PS) and a
// quadratic, d1 = 0x3f31708f, d2 = 0x3e7879f3, minimax of relative error
// 6.5e−8 on [0, 1/32], within ~2 ulp in float32 and one FMA-pipe op
// fewer per state (7-9% faster forward and recompute kernels). On a
// model-like case (TestParity) it moves the errors against float64 from
// 1.8e−7 to 2.1e−7 (Y) and 1.6e−7 to 3.0e−7 (dX) of the largest value,
// three orders of magnitude inside the 1e−4 parity budget. Folding log2 e
// into δ (once per step, not per state) adds one rounding, a relative
// error of ~6e−8·|t| in the decay, the size of the rounding of δ·A that
// PyTorch's float32 exp(δ·A) already has.
const (
	exp2C1 = 0.6931475997  // 0x3f31721f
	exp2C2 = 0.2401842475  // 0x3e75f2dc
	exp2C3 = 0.05666990206 // 0x3d681eb3
)

// log2e is log2(e) rounded to float32; δ·log2e is rounded once, as in
// the kernels.
const log2e = float32(math.Log2E)

// exp2Tab is 2^(j/16) rounded to float32.
var exp2Tab = func() (t [16]float32) {
	for j := range t {
		t[j] = float32(math.Exp2(float64(j) / 16))
	}
	return t
}()

// exp2f is the scalar twin of the kernels' vector 2^t, with fused steps
// as in the assembly, so the plain-Go level follows the same arithmetic.
func exp2f(t float32) float32 {
	if !(t >= -160) { // 2^t is 0 in float32; also catches −Inf (and NaN)
		if t != t {
			return t
		}
		return 0
	}
	if t >= 128 {
		return float32(math.Inf(1))
	}
	s := math.Floor(float64(t) * 16) // exact: t·16 is a float32 scaled by a power of 2
	f := t - float32(s/16)
	q := fma32(fma32(exp2C3, f, exp2C2), f, exp2C1)
	tj := exp2Tab[int(s)&15]
	r := fma32(tj, f*q, tj)
	return float32(math.Ldexp(float64(r), int(math.Floor(s/16))))
}

// fma32 is a·b + c rounded once to float32 (the float64 product of two
// float32 values is exact; the double rounding of the sum is harmless here).
func fma32(a, b, c float32) float32 { return float32(math.FMA(float64(a), float64(b), float64(c))) }
