//go:build !purego

package dwconv

import "github.com/mambaad/mambaad/kernels/isa"

// The NCHW assembly kernels live in nchw_amd64.s and are declared, with the
// per-level tables asmAVX2 and asmAVX512, in nchw_asm_amd64.go; both files
// are written by gen_nchw.go, whose comments give each kernel's contract.

// simd is one assembly level. load and fwd come in two variants: [0]
// masks the last vector of each row, [1] is for widths that are a
// multiple of the lanes (AVX2 masked stores are slow, so they are avoided
// whenever possible).
type simd struct {
	lanes int
	load  [2]loadFunc
	fwd   [2][8]fwdFunc // by k
	wgt   [8][]wPass    // by k; the passes cover all k columns
}

func kernelsFor(l isa.Level) kernels {
	switch {
	case l >= isa.AVX512: // AVX512BF16 runs the same float32 kernels
		return asmKernels512
	case l >= isa.AVX2:
		return asmKernels256
	}
	return goKernels
}

var (
	asmKernels256 = kernels{prepare: prepareAVX2, plane: planeAsm, planeWeight: planeWeightAsm}
	asmKernels512 = kernels{prepare: prepareAVX512, plane: planeAsm, planeWeight: planeWeightAsm}
)

func prepareAVX2(s *scratch, h, w, k int) { asmAVX2.prepare(s, h, w, k) }

// prepareAVX512 hands planes at most 8 wide to the AVX2 kernels: a ZMM
// row would be half empty, and the YMM code is faster there.
func prepareAVX512(s *scratch, h, w, k int) {
	if w <= 8 {
		asmAVX2.prepare(s, h, w, k)
		return
	}
	asmAVX512.prepare(s, h, w, k)
}

// tailMaskAVX2 provides the AVX2 lane masks: tailMaskAVX2[8−t:] selects t
// lanes.
var tailMaskAVX2 = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// prepare sizes the scratch with rows rounded up to 8, whole blocks for
// the weight kernels (the forward kernel ignores the spare rows), and sets
// the tail mask and forward kernel.
func (m *simd) prepare(s *scratch, h, w, k int) {
	s.resize(h, w, k, roundUp(h, 8))
	t := w - m.lanes*((w-1)/m.lanes) // lanes of the last vector of a row
	if m.lanes == 16 {
		s.mask[0] = int32(1)<<t - 1
	} else {
		copy(s.mask[:], tailMaskAVX2[8-t:])
	}
	full := 0
	if w%m.lanes == 0 {
		full = 1
	}
	s.fwd, s.loadFn = m.fwd[full][k], m.load[full]
	s.lanes, s.wgt = m.lanes, m.wgt[k]
}

// loadPlane copies x into the interior of a padded plane of the scratch.
func loadPlane(s *scratch, dst []float32, stride int, x []float32) {
	s.loadFn(&dst[0], stride, &x[0], s.h, s.w, &s.mask[0])
}

func planeAsm(s *scratch, x, wt []float32, b float32, y []float32) {
	p := s.k / 2
	loadPlane(s, s.pad[p*s.stride+p:], s.stride, x)
	s.fwd(&y[0], &s.pad[0], &wt[0], b, s.h, s.w, s.stride, &s.mask[0])
}

func planeWeightAsm(s *scratch, x, dy, dw []float32) {
	p := s.k / 2
	loadPlane(s, s.pad[p*s.stride+p:], s.stride, x)
	loadPlane(s, s.dyPlane(), s.dstride, dy)
	nvec := (s.w + s.lanes - 1) / s.lanes
	for _, ps := range s.wgt {
		ps.f(&dw[ps.b0], &s.dy[0], &s.pad[ps.b0], (s.h+ps.rows-1)/ps.rows, nvec, s.stride, s.dstride)
	}
}

// The NHWC assembly kernels live in nhwc_amd64.s and are declared, with the
// per-level tables nhwcAVX2 and nhwcAVX512, in nhwc_asm_amd64.go; both
// are written by gen_nhwc.go, whose comments give each kernel's contract.

type (
	nhwcFwdFunc func(y, x, tbl *float32, rows, w, c, xs, ys, a0, na int, mask *int32)
	nhwcWFunc   func(part, x, dy *float32, rows, w, xs, ds, nfull, tail, va0, va1 int, mask *int32)
)

// nhwcWPass is one weight-gradient pass over kernel rows a0 ≤ a < a0+na.
type nhwcWPass struct {
	a0, na int
	f      nhwcWFunc
}

// nhwcSimd is one assembly level.
type nhwcSimd struct {
	lanes  int
	table  func(tbl, wt *float32, idx *int32, ncv, kk int)
	unpack func(dwt, part *float32, idx *int32, ncv, kk int)
	fwd    [8]nhwcFwdFunc // by k
	wgt    [8][]nhwcWPass // by k; the passes cover the k kernel rows
}

func nhwcKernelsFor(l isa.Level) nhwcKernels {
	switch {
	case l >= isa.AVX512: // AVX512BF16 runs the same float32 kernels
		return nhwcAsm512
	case l >= isa.AVX2:
		return nhwcAsm256
	}
	return nhwcGo
}

var (
	nhwcAsm256 = nhwcSimdKernels(nhwcAVX2)
	nhwcAsm512 = nhwcSimdKernels(nhwcAVX512)
)

func nhwcSimdKernels(m *nhwcSimd) nhwcKernels {
	return nhwcKernels{
		lanes: m.lanes,
		table: func(tbl, wt []float32, idx []int32, ncv, kk int) {
			m.table(&tbl[0], &wt[0], &idx[0], ncv, kk)
		},
		unpack: func(dwt, part []float32, idx []int32, ncv, kk int) {
			m.unpack(&dwt[0], &part[0], &idx[0], ncv, kk)
		},
		fwd: func(k int, y, x, tbl []float32, rows, w, c, xs, ys, a0, na int, mask *[8]int32) {
			m.fwd[k](&y[0], &x[0], &tbl[0], rows, w, c, xs, ys, a0, na, &mask[0])
		},
		wgt: func(k int, part, x, dy []float32, xoff, dyoff, rows, w, _, xs, ds, nfull, tail, va0, va1 int, mask *[8]int32) {
			for _, ps := range m.wgt[k] {
				if ps.a0 > 0 && (ps.a0+ps.na <= va0 || ps.a0 >= va1) {
					continue // every kernel row is off the image (pass 0 also sums the bias)
				}
				ps.f(&part[0], &x[xoff], &dy[dyoff], rows, w, xs, ds, nfull, tail, va0, va1, &mask[0])
			}
		},
	}
}
