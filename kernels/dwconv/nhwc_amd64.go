//go:build !purego

package dwconv

//go:generate go run gen_nhwc.go

import "github.com/mambaad/mambaad/kernels/isa"

// The NHWC assembly kernels live in nhwc_amd64.s and are declared, with the
// per-level tables nhwcAVX2 and nhwcAVX512, in nhwc_kernels_amd64.go; both
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
	switch l {
	case isa.AVX512:
		return nhwcAsm512
	case isa.AVX2:
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
