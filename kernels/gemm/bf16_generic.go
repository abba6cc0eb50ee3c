package gemm

import "math"

// The plain-Go twins of the bf16 kernels: the conversions (exactly the
// rounding of VCVTNE2PS2BF16) and a 4×4 micro-kernel that forms each pair
// step as VDPBF16PS is specified to (the high products first, then the
// low, each added with one rounding; bfloat16 products are exact in
// float32). They run the bf16 products at levels without AVX512_BF16 only
// when a test asks for them: production falls back to float32 there.

// ToBF16 rounds f to bfloat16 as VCVTNE2PS2BF16 does: round to nearest
// even, zeros and denormals to a zero of the same sign, NaNs made quiet.
func ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	switch {
	case u&0x7f800000 == 0: // zero or denormal
		return uint16(u>>16) & 0x8000
	case u&0x7fffffff > 0x7f800000: // NaN
		return uint16(u>>16) | 0x40
	}
	u += 0x7fff + (u>>16)&1
	return uint16(u >> 16)
}

// FromBF16 widens a bfloat16 to float32 (exactly).
func FromBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// pairWord packs the bfloat16 of lo and hi into one pair word.
func pairWord(lo, hi float32) float32 {
	return math.Float32frombits(uint32(ToBF16(lo)) | uint32(ToBF16(hi))<<16)
}

// halves unpacks a pair word into its two values.
func halves(w float32) (lo, hi float32) {
	u := math.Float32bits(w)
	return FromBF16(uint16(u)), FromBF16(uint16(u >> 16))
}

// cvtPairsGo writes Pairs(len(src)) pair words of src into dst.
func cvtPairsGo(dst, src []float32) {
	n := len(src) / 2
	dst = dst[:Pairs(len(src))]
	for p := 0; p < n; p++ {
		dst[p] = pairWord(src[2*p], src[2*p+1])
	}
	if len(src)%2 == 1 {
		dst[n] = pairWord(src[len(src)-1], 0)
	}
}

// cvtInterleaveGo writes the pair words (a[j], b[j]) into dst; b nil
// stands for zeros.
func cvtInterleaveGo(dst, a, b []float32) {
	dst = dst[:len(a)]
	if b == nil {
		for j, v := range a {
			dst[j] = pairWord(v, 0)
		}
		return
	}
	b = b[:len(a)]
	for j, v := range a {
		dst[j] = pairWord(v, b[j])
	}
}

// genericBF16Kernels is the twin level: the float32 generic blocking with
// the pair micro-kernel.
var genericBF16Kernels = levelKernels{
	mr: 4, nr: 4,
	kc: 256, mc: 128, nc: 2048,
	kern: kern4x4BF16,
}.withPanelRows()

// dot2 adds the pair step of a and b to acc as VDPBF16PS does.
func dot2(acc, a, b float32) float32 {
	alo, ahi := halves(a)
	blo, bhi := halves(b)
	acc += ahi * bhi
	return acc + alo*blo
}

// kern4x4BF16 is kern4x4 on pair words (see levelKernels.kern; k counts
// pairs).
func kern4x4BF16(k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32) {
	a = a[:4*k]
	rows = rows[:k]
	var acc [4][4]float32
	for p := 0; p < k; p++ {
		ap := a[4*p : 4*p+4 : 4*p+4]
		r := rows[p]
		bp := b[r : r+4 : r+4]
		for i := range acc {
			for j := range acc[i] {
				acc[i][j] = dot2(acc[i][j], ap[i], bp[j])
			}
		}
	}
	for i := range acc {
		storeRow4(c[i*ldc:], acc[i][0], acc[i][1], acc[i][2], acc[i][3], alpha, beta)
	}
}
