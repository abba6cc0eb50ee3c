package ops

import "math"

// Constants of the float32 exponential shared by expf32 and the assembly
// kernels (Cephes expf: Cody–Waite reduction by ln 2, degree-6 polynomial;
// about 1 ulp on the clamped range).
const (
	expHi    = 88.0  // e^88 ≈ 1.65e38 keeps 2^n finite
	expLo    = -87.3 // e^−87.3 ≈ 1.2e−38 keeps 2^n normal
	expLog2e = 1.44269504088896341
	expC1    = 0.693359375 // ln 2 split in a short high part…
	expC2    = -2.12194440e-4
	expP0    = 1.9875691500e-4
	expP1    = 1.3981999507e-3
	expP2    = 8.3334519073e-3
	expP3    = 4.1665795894e-2
	expP4    = 1.6666665459e-1
	expP5    = 5.0000001201e-1
	expRound = 0x1.8p23 // adding and subtracting it rounds to nearest
)

// expf32 is e^x in float32, clamped to [expLo, expHi]. It is the scalar twin
// of the vector kernels, so plain Go and assembly agree to rounding.
func expf32(x float32) float32 {
	x = min(max(x, expLo), expHi)
	n := (x*expLog2e + expRound) - expRound
	r := x - n*expC1
	r -= n * expC2
	p := float32(expP0)
	p = p*r + expP1
	p = p*r + expP2
	p = p*r + expP3
	p = p*r + expP4
	p = p*r + expP5
	p = p*(r*r) + r + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}
