//go:build !purego

package gemm

// panelOffsets turns the element offsets of a panel's rows into the byte
// offsets the transposes read (each advanced by p0), repeating row 0 for
// the missing rows of a group (loaded, never stored). It panics if a row
// would be read outside src.
func panelOffsets(dst []int64, src []float32, off []int, p0, kc int) {
	for r := range dst {
		o := off[r%len(off)] + p0
		if o < 0 || o+kc > len(src) {
			panic("gemm: packT row outside its source")
		}
		dst[r] = int64(4 * o)
	}
}

//go:noescape
func transpose16AVX512(dst, src *float32, off *int64, kc, stride int, rows uint16)

// packTTranspose is the AVX-512 packT fast path (see levelKernels.packT):
// 16-row groups moved by in-register 16×16 transposes.
func packTTranspose(dst, src []float32, off []int, p0, kc, w int) bool {
	if kc < 1 || len(dst) < kc*w || len(off) != w {
		return false
	}
	var bytes [16]int64
	for g := 0; g < w; g += 16 {
		rows := min(16, w-g)
		panelOffsets(bytes[:], src, off[g:g+rows], p0, kc)
		transpose16AVX512(&dst[g], &src[0], &bytes[0], kc, w, uint16(1<<rows-1))
	}
	return true
}

//go:noescape
func transpose8AVX2(dst, src *float32, off *int64, kc, stride, rows int)

// packTTranspose8 is the AVX2 packT fast path: groups of 8 (or a final 6)
// rows moved by in-register 8×8 transposes.
func packTTranspose8(dst, src []float32, off []int, p0, kc, w int) bool {
	if kc < 1 || len(dst) < kc*w || len(off) != w || (w%8 != 0 && w%8 != 6) {
		return false
	}
	var bytes [8]int64
	for g := 0; g < w; g += 8 {
		rows := min(8, w-g)
		panelOffsets(bytes[:], src, off[g:g+rows], p0, kc)
		transpose8AVX2(&dst[g], &src[0], &bytes[0], kc, w, rows)
	}
	return true
}
