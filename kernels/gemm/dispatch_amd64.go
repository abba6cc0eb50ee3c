//go:build amd64 && !purego

package gemm

import "github.com/mambaad/mambaad/kernels/isa"

// The assembly levels: their tiles and blocking, the wrappers that check
// the bounds the micro-kernels do not, and the packing fast paths.

// avx512Kernels: 28 of the 32 zmm registers hold a 14×32 tile, so each k
// step is 2 loads, 14 broadcasts and 28 FMAs. Zen 4 runs a 512-bit FMA as
// two 256-bit halves; the gain over AVX2 is the larger tile (fewer loads
// and instructions per flop).
var avx512Kernels = levelKernels{
	level: isa.AVX512,
	mr:    14, nr: 32,
	kc: 512, mc: 14 * 8, nc: 4096,
	kern: kern14x32, edge: edge512, directB: true, maskedB: true,
}.withPanelRows()

// avx2Kernels: the classic 6×16 tile in 12 of the 16 ymm registers.
var avx2Kernels = levelKernels{
	level: isa.AVX2,
	mr:    6, nr: 16,
	kc: 512, mc: 6 * 12, nc: 4096,
	kern: kern6x16, edge: edge256, directB: true,
}.withPanelRows()

// kernelsFor returns the kernels for level l.
func kernelsFor(l isa.Level) *levelKernels {
	switch {
	case l >= isa.AVX512:
		return &avx512Kernels
	case l >= isa.AVX2:
		return &avx2Kernels
	}
	return &genericKernels
}

// avx512BF16Kernels is the AVX-512 tile and blocking with the VDPBF16PS
// micro-kernels (bf16_amd64.s): k counts pairs, so a kc block holds 1024
// values of k in the bytes of 512 floats.
var avx512BF16Kernels = levelKernels{
	level: isa.AVX512BF16,
	mr:    14, nr: 32,
	kc: 512, mc: 14 * 8, nc: 4096,
	kern: kernBF16, edge: edgeBF16, directB: true, maskedB: true,
}.withPanelRows()

// bf16KernelsFor returns the bf16 kernels for level l: the VDPBF16PS ones
// with AVX512_BF16, else the plain-Go twin.
func bf16KernelsFor(l isa.Level) *levelKernels {
	if l >= isa.AVX512BF16 {
		return &avx512BF16Kernels
	}
	return &genericBF16Kernels
}

func kernBF16(k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32) {
	checkTile(k, 14, 14, 32, a, b, rows, c, ldc)
	bf16m14n2(k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, 0xffffffff)
}

func edgeBF16(mrr, nrr, k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32, _ []float32) {
	checkTile(k, 14, mrr, nrr, a, b, rows, c, ldc)
	nv := (nrr + 15) / 16
	kernelsBF16[nv-1][mrr-1](k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, uint32(uint64(1)<<nrr-1))
}

// cvtPairsFor returns level l's conversion of a row to pair words: the
// VCVTNE2PS2BF16 loop over whole groups of 32 values, Go for the rest.
func cvtPairsFor(l isa.Level) func(dst, src []float32) {
	if l < isa.AVX512BF16 {
		return cvtPairsGo
	}
	return func(dst, src []float32) {
		n := len(src) &^ 31
		if n > 0 {
			_ = dst[n/2-1]
			cvtPairsBF16(&dst[0], &src[0], n)
		}
		cvtPairsGo(dst[n/2:], src[n:])
	}
}

// cvtInterleaveFor returns level l's conversion of two rows to pair
// words: the VCVTNE2PS2BF16 loop over whole groups of 16, Go for the rest
// and for a missing second row.
func cvtInterleaveFor(l isa.Level) func(dst, a, b []float32) {
	if l < isa.AVX512BF16 {
		return cvtInterleaveGo
	}
	return func(dst, a, b []float32) {
		n := len(a) &^ 15
		if b == nil || n == 0 {
			cvtInterleaveGo(dst, a, b)
			return
		}
		_, _ = dst[n-1], b[len(a)-1]
		cvtInterleaveBF16(&dst[0], &a[0], &b[0], n)
		cvtInterleaveGo(dst[n:len(a)], a[n:], b[n:len(a)])
	}
}

// packTFast is the assembly fast path of packPanelT for a full-width panel
// (a static call, so the offsets stay on the stack); false means use Go.
func packTFast(lv *levelKernels, dst, src []float32, off []int, p0, kc, w int) bool {
	switch lv.level {
	case isa.AVX512, isa.AVX512BF16:
		return packTTranspose(dst, src, off, p0, kc, w)
	case isa.AVX2:
		return packTTranspose8(dst, src, off, p0, kc, w)
	}
	return false
}

// asmKernel is the signature of every generated micro-kernel
// (kernels_amd64.s, declared in kernels_asm_amd64.go): c[mr×nr] =
// alpha·a·b + beta·c over k steps of a packed A panel and B rows at
// b[rows[p]:]; beta == ±0 leaves c unread. The AVX-512 kernels load and
// store only the columns whose bit is set in mask; the AVX2 ones ignore it.
type asmKernel func(k int, a, b *float32, rows *int, c *float32, ldc int, alpha, beta float32, mask uint32)

// checkTile panics when a kernel call would run outside a, c or the row
// table: a is a full mr×k panel, c holds an mrr×nrr corner. The B rows the
// table names are the driver's responsibility (checked where the table is
// made); the assembly does no bounds checks.
func checkTile(k, mr, mrr, nrr int, a, b []float32, rows []int, c []float32, ldc int) {
	if k < 1 || len(a) < mr*k || len(b) == 0 || len(rows) < k || ldc < nrr || len(c) < (mrr-1)*ldc+nrr {
		panic("gemm: micro-kernel called with short panels, row table or tile")
	}
}

func kern14x32(k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32) {
	checkTile(k, 14, 14, 32, a, b, rows, c, ldc)
	kernels512m14n2(k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, 0xffffffff)
}

// edge512 computes a partial tile in place: the kernel with just enough
// rows and vectors, and masked stores for the last columns.
func edge512(mrr, nrr, k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32, _ []float32) {
	checkTile(k, 14, mrr, nrr, a, b, rows, c, ldc)
	nv := (nrr + 15) / 16
	kernels512[nv-1][mrr-1](k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, uint32(uint64(1)<<nrr-1))
}

func kern6x16(k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32) {
	checkTile(k, 6, 6, 16, a, b, rows, c, ldc)
	kernels256m6n2(k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, 0)
}

// edge256 computes a partial tile with the kernel of just enough rows and
// vectors; without masks, a column count that is not a whole number of
// vectors goes through the scratch tile, and B must be packed because
// whole vectors are read.
func edge256(mrr, nrr, k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32, tile []float32) {
	nv := (nrr + 7) / 8
	checkTile(k, 6, mrr, 8*nv, a, b, rows, tile, 16)
	kern := kernels256[nv-1][mrr-1]
	if nrr == 8*nv {
		checkTile(k, 6, mrr, nrr, a, b, rows, c, ldc)
		kern(k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, 0)
		return
	}
	kern(k, &a[0], &b[0], &rows[0], &tile[0], 16, alpha, 0, 0)
	addTile(c, ldc, tile, 16, mrr, nrr, beta)
}

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
