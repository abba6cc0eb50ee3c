//go:build !purego

package gemm

func checkPackT(dst, src []float32, ld, kc, w int) {
	if len(dst) < kc*w || len(src) < (w-1)*ld+kc {
		panic("gemm: packT called with short slices")
	}
}

//go:noescape
func transpose16AVX512(dst, src *float32, off *int64, kc, stride int, rows uint16)

// packTTranspose is the AVX-512 packT fast path: 16-row groups moved by
// in-register 16×16 transposes.
func packTTranspose(dst, src []float32, ld, kc, w int) bool {
	if kc < 1 {
		return false
	}
	checkPackT(dst, src, ld, kc, w)
	var off [16]int64
	for g := 0; g < w; g += 16 {
		rows := min(16, w-g)
		for r := range off {
			// Rows past the panel repeat row 0: loaded, never stored.
			off[r] = int64(4 * (r % rows) * ld)
		}
		transpose16AVX512(&dst[g], &src[g*ld], &off[0], kc, w, uint16(1<<rows-1))
	}
	return true
}

//go:noescape
func transpose8AVX2(dst, src *float32, off *int64, kc, stride, rows int)

// packTTranspose8 is the AVX2 packT fast path: groups of 8 (or a final 6)
// rows moved by in-register 8×8 transposes.
func packTTranspose8(dst, src []float32, ld, kc, w int) bool {
	if kc < 1 || (w%8 != 0 && w%8 != 6) {
		return false
	}
	checkPackT(dst, src, ld, kc, w)
	var off [8]int64
	for g := 0; g < w; g += 8 {
		rows := min(8, w-g)
		for r := range off {
			off[r] = int64(4 * (r % rows) * ld)
		}
		transpose8AVX2(&dst[g], &src[g*ld], &off[0], kc, w, rows)
	}
	return true
}
