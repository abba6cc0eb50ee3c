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
	p = p*r + 1 // p·r² + r + 1 as two multiply-adds, as the vector code does
	p = p*r + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// expTable holds the constants of the vector exponential, each replicated
// across a 64-byte slot so that AVX2 and AVX-512 code can use it as a full
// memory operand. The slot order is fixed by gen_kernels.go.
var expTable = func() (t [14 * 16]float32) {
	vals := []float32{expLo, expHi, expLog2e, expC1, expC2, expP0, expP1, expP2, expP3, expP4, expP5, 1,
		math.Float32frombits(127), math.Float32frombits(0x80000000)}
	for i, v := range vals {
		for j := 0; j < 16; j++ {
			t[16*i+j] = v
		}
	}
	return t
}()
