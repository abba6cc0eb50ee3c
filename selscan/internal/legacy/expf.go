package legacy

import "math"

// Constants of the float32 exp shared by the Go and assembly kernels:
// Cody–Waite reduction x = n·ln2 + r (ln 2 in two parts, as in Cephes
// expf), then exp(r) ≈ 1 + r + r²·(c2 + c3·r + … + c6·r⁴) with c2..c6 a
// near-minimax fit of relative error 3e−9 on |r| ≤ ln2/2 (Lawson's
// algorithm). In float32 that is < 1 ulp, as good as Cephes' degree 7
// with one FMA less; TestExpf checks 2 ulp.
const (
	expLog2e = 1.44269504088896341
	expLn2Hi = 0.693359375
	expLn2Lo = -2.12194440e-4
	expC2    = 0.4999999403953552 // 0x3efffffe
	expC3    = 0.1666652113199234 // 0x3e2aaa49
	expC4    = 0.04166838899254799
	expC5    = 0.008368730545043945
	expC6    = 0.0013814570847898722
	// Below expMin the result is 0 (it would be a denormal); above expMax
	// it is +Inf. Clamping first keeps the reduction exact.
	expMin = -87.33654
	expMax = 88.72283
)

// expShift is 1.5·2^23: adding it to a float32 of magnitude < 2^22 rounds
// it to an integer (to nearest even) and leaves that integer in the low
// mantissa bits.
const expShift = 12582912

// expf is the scalar twin of the vector exp in the assembly kernels.
func expf(x float32) float32 {
	if !(x >= expMin) { // also catches NaN
		if x != x {
			return x
		}
		return 0
	}
	if x > expMax {
		return float32(math.Inf(1))
	}
	t := x*expLog2e + expShift
	n := t - expShift
	r := x - n*expLn2Hi
	r -= n * expLn2Lo
	p := float32(expC6)
	p = p*r + expC5
	p = p*r + expC4
	p = p*r + expC3
	p = p*r + expC2
	p = p*r + 1
	p = p*r + 1
	e := int32(math.Float32bits(t)) - int32(math.Float32bits(expShift)) // n, in [−126, 128]
	if e > 127 {
		return p * 2 * math.Float32frombits(254<<23)
	}
	return p * math.Float32frombits(uint32(e+127)<<23)
}

// softplusf is torch's softplus computed as log1p(exp(x)) in float64; the
// plain-Go kernels use it (the fast path is the vector pass in assembly).
func softplusf(x float32) float32 { return softplusRef(x) }
