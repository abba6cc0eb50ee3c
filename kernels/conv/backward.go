package conv

import (
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/parallel"
)

// colBudget bounds an im2col tile (C·KH·KW rows × some output pixels) to
// 4 MiB, so workspace does not grow with the batch or the image size.
const colBudget = 1 << 20

// tileCols returns how many output pixels an im2col tile of ckk rows holds.
func tileCols(ckk, plane int) int { return min(plane, max(1, colBudget/ckk)) }

// BackwardInput computes the input gradient dx (N,C,H,W), overwritten,
// from the output gradient dy (N,K,OutH,OutW) and weights w.
func BackwardInput(s Shape, dy, w, dx []float32) {
	s.mustCheck("BackwardInput", lenCheck{"dy", len(dy), s.yLen(), false}, lenCheck{"w", len(w), s.wLen(), false},
		lenCheck{"dx", len(dx), s.xLen(), false})
	switch {
	case s.pointwise():
		plane := s.H * s.W
		parallel.Run(s.N, func(n int) {
			gemm.Sgemm(true, false, s.C, plane, s.K, 1, w, s.C, dy[n*s.K*plane:], plane, 0, dx[n*s.C*plane:], plane)
		})
	case s.StrideH == 1 && s.StrideW == 1 && s.PadH < s.KH && s.PadW < s.KW:
		backwardInputFlipped(s, dy, w, dx)
	default:
		backwardInputCol2im(s, dy, w, dx)
	}
}

// backwardInputFlipped uses that the adjoint of a stride-1 convolution is
// the convolution of dy with the weights swapped in (K, C) and rotated by
// 180°, padded by KH-1-PadH: an implicit GEMM with no col2im pass.
func backwardInputFlipped(s Shape, dy, w, dx []float32) {
	t := Shape{N: s.N, C: s.K, H: s.OutH(), W: s.OutW(), K: s.C, KH: s.KH, KW: s.KW,
		StrideH: 1, StrideW: 1, PadH: s.KH - 1 - s.PadH, PadW: s.KW - 1 - s.PadW}
	buf := getBuf(len(w))
	defer bufPool.Put(buf)
	wf := *buf
	kk := s.KH * s.KW
	for k := 0; k < s.K; k++ {
		for c := 0; c < s.C; c++ {
			src := w[(k*s.C+c)*kk : (k*s.C+c+1)*kk]
			dst := wf[(c*s.K+k)*kk : (c*s.K+k+1)*kk]
			for i, v := range src {
				dst[kk-1-i] = v
			}
		}
	}
	forward(t, dy, wf, nil, dx, Epilogue{})
}

// backwardInputCol2im computes, per image and tile of output pixels,
// dcol = Wᵀ·dy (a GEMM) and scatters it into dx (col2im).
func backwardInputCol2im(s Shape, dy, w, dx []float32) {
	plane := s.OutH() * s.OutW()
	ckk := s.C * s.KH * s.KW
	xs, ys := s.C*s.H*s.W, s.K*plane
	tc := tileCols(ckk, plane)
	parallel.Run(s.N, func(n int) {
		dxn, dyn := dx[n*xs:(n+1)*xs], dy[n*ys:(n+1)*ys]
		clear(dxn)
		buf := getBuf(ckk * tc)
		defer bufPool.Put(buf)
		for j0 := 0; j0 < plane; j0 += tc {
			nc := min(tc, plane-j0)
			col := (*buf)[:ckk*nc]
			gemm.Sgemm(true, false, ckk, nc, s.K, 1, w, ckk, dyn[j0:], plane, 0, col, nc)
			// Rows of one channel touch only that channel's plane.
			kk := s.KH * s.KW
			parallel.For(s.C, 1, func(c0, c1 int) {
				for r := c0 * kk; r < c1*kk; r++ {
					s.colRowAdd(col[r*nc:(r+1)*nc], dxn, r, j0)
				}
			})
		}
	})
}

// BackwardWeight accumulates the weight gradient dw (K,C,KH,KW) += and,
// unless dbias is nil, the bias gradient dbias (K) +=, from the input x and
// the output gradient dy.
func BackwardWeight(s Shape, x, dy, dw, dbias []float32) {
	s.mustCheck("BackwardWeight", lenCheck{"x", len(x), s.xLen(), false}, lenCheck{"dy", len(dy), s.yLen(), false},
		lenCheck{"dw", len(dw), s.wLen(), false}, lenCheck{"dbias", len(dbias), s.K, true})
	plane := s.OutH() * s.OutW()
	xs, ys := s.C*s.H*s.W, s.K*plane
	if dbias != nil {
		biasGrad(s.N, s.K, plane, dy, dbias)
	}
	if s.pointwise() {
		accumulateImages(s.N, dw, 0, func(n int, acc, _ []float32) {
			gemm.Sgemm(false, true, s.K, s.C, plane, 1, dy[n*ys:], plane, x[n*xs:], plane, 1, acc, s.C)
		})
		return
	}
	l := s.layout()
	rows := s.rowTable(l)
	accumulateImages(s.N, dw, l.size(s.C)+s.K*s.OutH()*l.wq, func(n int, acc, work []float32) {
		s.weightGradShifted(x[n*xs:(n+1)*xs], dy[n*ys:(n+1)*ys], acc, l, rows, work)
	})
}

// imageGroups is the most groups the images of a weight gradient are split
// into. It depends on nothing but the batch, so that the summation order,
// and with it every bit of the result, is the same for any worker count.
const imageGroups = 4

// accumulateImages calls grad(n, acc, work) for every image n, where grad
// adds image n's gradient into acc. The images are split into
// g = min(count, imageGroups) fixed groups of consecutive images: images
// then run in parallel, each GEMM on one core, which scales better than
// splitting every GEMM (a worker that finds no group left lends itself to
// the others' GEMMs). Group 0 adds its images into dw directly, groups
// 1…g−1 each into a partial buffer of its own, and the partials are added
// to dw in group order. Which worker runs a group never matters: every
// element of dw is (dw + group 0's images in order) + partial 1 + … in
// that order, also on one worker, where the groups run one after another
// through a single partial buffer.
func accumulateImages(count int, dw []float32, workLen int, grad func(n int, acc, work []float32)) {
	groups := min(count, imageGroups)
	first := func(g int) int { return g * count / groups }
	run := func(g int, acc, work []float32) {
		for n := first(g); n < first(g+1); n++ {
			grad(n, acc, work)
		}
	}
	if groups <= 1 || parallel.Workers() == 1 {
		work := getBuf(workLen)
		defer bufPool.Put(work)
		run(0, dw, *work)
		if groups <= 1 {
			return
		}
		acc := getBuf(len(dw))
		defer bufPool.Put(acc)
		for g := 1; g < groups; g++ {
			clear(*acc)
			run(g, *acc, *work)
			addPartials(dw, []*[]float32{acc})
		}
		return
	}
	accs := make([]*[]float32, groups-1)
	parallel.Run(groups, func(g int) {
		work := getBuf(workLen)
		defer bufPool.Put(work)
		if g == 0 {
			run(0, dw, *work)
			return
		}
		acc := getBuf(len(dw))
		clear(*acc)
		accs[g-1] = acc
		run(g, *acc, *work)
	})
	addPartials(dw, accs)
	for _, acc := range accs {
		bufPool.Put(acc)
	}
}

// addPartials adds the partial sums into dw, element by element in the
// order given (the split over workers is along dw only).
func addPartials(dw []float32, accs []*[]float32) {
	parallel.For(len(dw), 1<<14, func(lo, hi int) {
		for _, acc := range accs {
			for i, v := range (*acc)[lo:hi] {
				dw[lo+i] += v
			}
		}
	})
}

// biasGrad adds the per-channel sums of dy (N, K, plane) to dbias.
func biasGrad(n, k, plane int, dy, dbias []float32) {
	for i := 0; i < n; i++ {
		for c := 0; c < k; c++ {
			var sum float32
			for _, g := range dy[(i*k+c)*plane : (i*k+c+1)*plane] {
				sum += g
			}
			dbias[c] += sum
		}
	}
}
