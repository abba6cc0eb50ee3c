package conv

import (
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/parallel"
)

// The bf16 forward (see gemm.Precision): the same GEMMs with bfloat16
// operands. The pairs of k that VDPBF16PS multiplies together are pairs of
// input channels at the same tap: weight word (o; c2, u, v) holds
// w[o, 2c2, u, v] and w[o, 2c2+1, u, v], and the padded image is rewritten
// as C2 = ⌈C/2⌉ planes whose word holds channels 2c2 and 2c2+1 at one
// pixel. An im2col row (c2, u, v) is then again a shifted view of one
// plane, read in place, exactly as in the float32 path (shifted.go).

// WeightPairs returns the weights w (K, C, KH, KW) rounded to bfloat16
// channel pairs: K rows of Pairs(C)·KH·KW words, row o holding (c2, u, v)
// in that order. Frozen weights convert once (the encoder does so when it
// folds its BatchNorms).
func WeightPairs(s Shape, w []float32) []float32 {
	s.mustCheck("WeightPairs", lenCheck{"w", len(w), s.wLen(), false})
	kk := s.KH * s.KW
	c2 := gemm.Pairs(s.C)
	out := make([]float32, s.K*c2*kk)
	// Viewed as (K·C) rows of kk taps, channels 2c2 and 2c2+1 of output o
	// are consecutive rows; an odd C has no partner for its last channel,
	// so then each output's rows convert on their own.
	if s.C%2 == 0 {
		gemm.Interleave(out, kk, w, kk, s.K*s.C, kk)
		return out
	}
	parallel.For(s.K, 8, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			gemm.Interleave(out[o*c2*kk:(o+1)*c2*kk], kk, w[o*s.C*kk:(o+1)*s.C*kk], kk, s.C, kk)
		}
	})
	return out
}

// ForwardPrec is ForwardEpilogue in precision p: with gemm.BF16 where it
// runs (p.Effective()), the weights are rounded to pairs on every call —
// use ForwardPairs with weights converted once where they do not change.
func ForwardPrec(p gemm.Precision, s Shape, x, w, bias []float32, e Epilogue, y []float32) {
	if p.Effective() != gemm.BF16 {
		ForwardEpilogue(s, x, w, bias, e, y)
		return
	}
	ForwardPairs(s, x, WeightPairs(s, w), bias, e, y)
}

// ForwardPairs is ForwardEpilogue with bfloat16 products, given the
// weights from WeightPairs. It must only be called when
// gemm.BF16.Effective() is gemm.BF16.
func ForwardPairs(s Shape, x, wp, bias []float32, e Epilogue, y []float32) {
	kk := s.KH * s.KW
	c2 := gemm.Pairs(s.C)
	s.mustCheck("ForwardPairs", lenCheck{"x", len(x), s.xLen(), false}, lenCheck{"wp", len(wp), s.K * c2 * kk, false},
		lenCheck{"bias", len(bias), s.K, true}, lenCheck{"res", len(e.Res), s.yLen(), true}, lenCheck{"y", len(y), s.yLen(), false})
	plane := s.OutH() * s.OutW()
	xs, ys := s.C*s.H*s.W, s.K*plane
	if s.pointwise() {
		parallel.Run(s.N, func(n int) {
			buf := getBuf(c2 * plane)
			defer bufPool.Put(buf)
			xp := *buf
			gemm.Interleave(xp, plane, x[n*xs:(n+1)*xs], plane, s.C, plane)
			yn := y[n*ys : (n+1)*ys]
			var beta float32
			if bias != nil {
				for k, b := range bias {
					fill(yn[k*plane:(k+1)*plane], b)
				}
				beta = 1
			}
			gemm.SgemmPairs(false, false, s.K, plane, c2, 1, wp, c2, xp, plane, beta, yn, plane)
			if !e.none() {
				en := e.image(n, ys)
				parallel.For(s.K, max(1, 8192/plane), func(k0, k1 int) {
					var res []float32
					if en.Res != nil {
						res = en.Res[k0*plane : k1*plane]
					}
					en.apply(yn[k0*plane:k1*plane], res)
				})
			}
		})
		return
	}
	l := s.layout()
	// The pair image: phases × C2 planes of words, then the slack.
	pl := layout{hq: l.hq, wq: l.wq, plane: l.plane, phases: l.phases, slack: l.slack}
	pairLen := pl.phases*c2*pl.plane + pl.slack
	rows := s.pairRowTable(pl, c2)
	oh := s.OutH()
	parallel.Run(s.N, func(n int) {
		buf := getBuf(l.size(s.C) + pairLen + s.K*oh*l.wq)
		defer bufPool.Put(buf)
		work := *buf
		xp := work[:l.size(s.C)]
		pp := work[l.size(s.C) : l.size(s.C)+pairLen]
		wide := work[l.size(s.C)+pairLen:]
		s.fillPhases(xp, x[n*xs:(n+1)*xs], l)
		// Pair up the channels of every phase a tap reads (planes 2c2
		// and 2c2+1 are consecutive rows of plane words).
		for a := 0; a < min(s.StrideH, s.KH); a++ {
			for b := 0; b < min(s.StrideW, s.KW); b++ {
				ph := a*s.StrideW + b
				gemm.Interleave(pp[ph*c2*pl.plane:], pl.plane, xp[ph*s.C*l.plane:], l.plane, s.C, l.plane)
			}
		}
		clear(pp[len(pp)-pl.slack:])
		gemm.SgemmRowsPairs(false, s.K, oh*l.wq, c2*kk, 1, wp, c2*kk, pp, rows, 0, wide, oh*l.wq)
		s.compact(wide, bias, y[n*ys:(n+1)*ys], l, e.image(n, ys))
	})
}

// pairRowTable returns the offset of pair row (c2, u, v) in the pair
// image, in weight order.
func (s *Shape) pairRowTable(l layout, c2 int) []int {
	rows := make([]int, 0, c2*s.KH*s.KW)
	for c := 0; c < c2; c++ {
		for u := 0; u < s.KH; u++ {
			for v := 0; v < s.KW; v++ {
				phase := (u%s.StrideH)*s.StrideW + v%s.StrideW
				rows = append(rows, (phase*c2+c)*l.plane+(u/s.StrideH)*l.wq+v/s.StrideW)
			}
		}
	}
	return rows
}
