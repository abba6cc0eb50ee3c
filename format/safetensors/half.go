package safetensors

import "math"

// float32ToHalf rounds f to the nearest IEEE 754 binary16 value (ties to
// even), with overflow to ±Inf and gradual underflow to subnormals; NaN
// stays NaN.
func float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	man := b & 0x7fffff
	switch {
	case exp == 0xff: // inf or NaN
		if man != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp > 142: // ≥ 2^16 after rounding: overflow
		return sign | 0x7c00
	case exp >= 113: // normal half: 2^-14 ≤ |f|
		h := uint32(exp-112)<<10 | man>>13
		rest := man & 0x1fff
		if rest > 0x1000 || rest == 0x1000 && h&1 == 1 {
			h++ // may carry into the exponent, up to Inf: still correct
		}
		return sign | uint16(h)
	case exp < 102: // below half the smallest subnormal: ±0
		return sign
	}
	// Subnormal half: value = m · 2^-24 with the implicit bit made explicit.
	man |= 0x800000
	shift := uint(126 - exp) // 14..24
	h := man >> shift
	rest := man & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rest > half || rest == half && h&1 == 1 {
		h++
	}
	return sign | uint16(h)
}
