//go:build amd64 && !purego

package gemm

import "github.com/mambaad/mambaad/kernels/isa"

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

// packTFast is the assembly fast path of packPanelT for a full-width panel
// (a static call, so the offsets stay on the stack); false means use Go.
func packTFast(lv *levelKernels, dst, src []float32, off []int, p0, kc, w int) bool {
	switch lv.level {
	case isa.AVX512:
		return packTTranspose(dst, src, off, p0, kc, w)
	case isa.AVX2:
		return packTTranspose8(dst, src, off, p0, kc, w)
	}
	return false
}
