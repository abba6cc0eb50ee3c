//go:build !purego

package dwconv

//go:generate go run gen_asm.go

import "github.com/mambaad/mambaad/internal/isa"

// The assembly kernels live in dwconv_amd64.s and are declared, with the
// per-level tables asmAVX2 and asmAVX512, in kernels_amd64.go; both files
// are written by gen_asm.go, whose comments give each kernel's contract.

type wFunc func(acc, dy, pad *float32, blocks, nvec, pstride, dstride int)

// wPass is one weight-gradient pass: kernel columns b0..b0+nb−1, with
// blocks of rows dy rows.
type wPass struct {
	b0, nb, rows int
	f            wFunc
}

// simd is one assembly level.
type simd struct {
	lanes int
	load  func(pad *float32, pstride int, x *float32, h, w int, mask *int32)
	fwd   [8]fwdFunc // by k
	wgt   [8][]wPass // by k; the passes cover all k columns
}

func kernelsFor(l isa.Level) kernels {
	switch l {
	case isa.AVX512:
		return asmAVX512.kernels()
	case isa.AVX2:
		return asmAVX2.kernels()
	}
	return goKernels
}

func (m *simd) kernels() kernels {
	return kernels{prepare: m.prepare, plane: m.plane, planeWeight: m.planeWeight}
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
	s.fwd = m.fwd[k]
}

// loadPlane copies x into the interior of a padded plane of the scratch.
func (m *simd) loadPlane(s *scratch, dst []float32, stride int, x []float32) {
	m.load(&dst[0], stride, &x[0], s.h, s.w, &s.mask[0])
}

func (m *simd) plane(s *scratch, x, wt []float32, b float32, y []float32) {
	p := s.k / 2
	m.loadPlane(s, s.pad[p*s.stride+p:], s.stride, x)
	s.fwd(&y[0], &s.pad[0], &wt[0], b, s.h, s.w, s.stride, &s.mask[0])
}

func (m *simd) planeWeight(s *scratch, x, dy, dw []float32) {
	k, p := s.k, s.k/2
	m.loadPlane(s, s.pad[p*s.stride+p:], s.stride, x)
	m.loadPlane(s, s.dyPlane(), s.dstride, dy)
	nvec := (s.w + m.lanes - 1) / m.lanes
	for _, ps := range m.wgt[k] {
		acc := s.acc[:k*ps.nb*m.lanes]
		ps.f(&acc[0], &s.dy[0], &s.pad[ps.b0], (s.h+ps.rows-1)/ps.rows, nvec, s.stride, s.dstride)
		for a := 0; a < k; a++ {
			for b := 0; b < ps.nb; b++ {
				var sum float64
				for _, v := range acc[(a*ps.nb+b)*m.lanes : (a*ps.nb+b+1)*m.lanes] {
					sum += float64(v)
				}
				dw[a*k+ps.b0+b] += float32(sum)
			}
		}
	}
}
