package conv

import (
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/parallel"
)

// The shifted forward path: a convolution as one gemm.SgemmRows per image,
// reading the im2col rows in place from a padded copy of the image.
//
// For stride 1, im2col row (c, u, v) over a "wide" output grid of OH rows
// × Wp columns (Wp = padded width) is simply the padded plane c shifted by
// u·Wp + v, so its row offset is all the GEMM needs. Columns OW..Wp-1 of
// each wide row are wasted work (a few percent) and dropped when the wide
// output is compacted into y, together with the bias. Stride s splits the
// padded image into s² phase images (even/odd rows and columns for s = 2),
// in which every tap is again a unit-stride shift.

// layout is the geometry of one image's phase-split padded copy.
type layout struct {
	hq, wq int // phase image size: ceil(padded size / stride)
	plane  int // hq·wq
	phases int // StrideH·StrideW phase images, each C planes
	slack  int // zeros after the last phase: garbage columns read past it
}

func (s *Shape) layout() layout {
	hq := (s.H + 2*s.PadH + s.StrideH - 1) / s.StrideH
	wq := (s.W + 2*s.PadW + s.StrideW - 1) / s.StrideW
	return layout{hq: hq, wq: wq, plane: hq * wq, phases: s.StrideH * s.StrideW, slack: wq + s.KW}
}

func (l layout) size(c int) int { return l.phases*c*l.plane + l.slack }

// rowTable returns the offset of im2col row (c, u, v) in the phase-split
// copy, in weight order.
func (s *Shape) rowTable(l layout) []int {
	rows := make([]int, 0, s.C*s.KH*s.KW)
	for c := 0; c < s.C; c++ {
		for u := 0; u < s.KH; u++ {
			for v := 0; v < s.KW; v++ {
				phase := (u%s.StrideH)*s.StrideW + v%s.StrideW
				rows = append(rows, (phase*s.C+c)*l.plane+(u/s.StrideH)*l.wq+v/s.StrideW)
			}
		}
	}
	return rows
}

// fillPhases writes the phase-split zero-padded copy of image x into dst,
// channels in parallel. Phases no tap reads (a 1×1 kernel with stride 2
// reads only one) are skipped.
func (s *Shape) fillPhases(dst, x []float32, l layout) {
	parallel.For(s.C, 8, func(c0, c1 int) {
		for a := 0; a < min(s.StrideH, s.KH); a++ {
			for b := 0; b < min(s.StrideW, s.KW); b++ {
				ph := dst[(a*s.StrideW+b)*s.C*l.plane:]
				for c := c0; c < c1; c++ {
					s.fillPhase(ph[c*l.plane:(c+1)*l.plane], x[c*s.H*s.W:(c+1)*s.H*s.W], l, a, b)
				}
			}
		}
	})
	clear(dst[len(dst)-l.slack:])
}

// fillPhase fills one phase plane: padded row i·sh+a, column j·sw+b.
func (s *Shape) fillPhase(dst, plane []float32, l layout, a, b int) {
	for i := 0; i < l.hq; i++ {
		row := dst[i*l.wq : (i+1)*l.wq]
		ih := i*s.StrideH + a - s.PadH
		if ih < 0 || ih >= s.H {
			clear(row)
			continue
		}
		s.colSegment(row, plane, ih, b-s.PadW)
	}
}

// forwardShifted computes one image: y (K, OH·OW) from x (C, H, W), with
// the epilogue e applied as the wide output is compacted into y.
func (s *Shape) forwardShifted(x, w, bias, y []float32, l layout, rows []int, work []float32, e Epilogue) {
	oh := s.OutH()
	xp, wide := work[:l.size(s.C)], work[l.size(s.C):l.size(s.C)+s.K*oh*l.wq]
	s.fillPhases(xp, x, l)
	ckk := s.C * s.KH * s.KW
	gemm.SgemmRows(false, false, s.K, oh*l.wq, ckk, 1, w, ckk, xp, rows, 0, wide, oh*l.wq)
	s.compact(wide, bias, y, l, e)
}

// compact moves one image's wide output (K, OH·wq) into y (K, OH·OW),
// adding the bias and applying the epilogue e.
func (s *Shape) compact(wide, bias, y []float32, l layout, e Epilogue) {
	oh, ow := s.OutH(), s.OutW()
	// Channels in parallel: with one image (or the last one) in flight the
	// other workers are idle here.
	parallel.For(s.K, max(1, 8192/(oh*ow)), func(k0, k1 int) {
		for k := k0; k < k1; k++ {
			var b float32
			if bias != nil {
				b = bias[k]
			}
			for i := 0; i < oh; i++ {
				src := wide[(k*oh+i)*l.wq : (k*oh+i)*l.wq+ow]
				dst := y[(k*oh+i)*ow : (k*oh+i+1)*ow]
				if b == 0 {
					copy(dst, src)
				} else {
					for j, v := range src {
						dst[j] = v + b
					}
				}
			}
			// The epilogue on the whole channel plane, still in cache.
			if !e.none() {
				var res []float32
				if e.Res != nil {
					res = e.Res[k*oh*ow : (k+1)*oh*ow]
				}
				e.apply(y[k*oh*ow:(k+1)*oh*ow], res)
			}
		}
	})
}

// widen copies the output gradient of one image, dy (K, OH·OW), onto the
// wide grid (K, OH·wq) with zeros in the extra columns, so that the taps
// those columns see contribute nothing.
func (s *Shape) widen(wide, dy []float32, l layout) {
	oh, ow := s.OutH(), s.OutW()
	parallel.For(s.K, 8, func(k0, k1 int) {
		for r := k0 * oh; r < k1*oh; r++ {
			row := wide[r*l.wq : (r+1)*l.wq]
			copy(row, dy[r*ow:(r+1)*ow])
			clear(row[ow:])
		}
	})
}

// weightGradShifted adds one image's weight gradient to dw (K × C·KH·KW):
// dw += dyWide · colᵀ, with col read in place from the phase-split copy.
func (s *Shape) weightGradShifted(x, dy, dw []float32, l layout, rows []int, work []float32) {
	oh := s.OutH()
	xp, wide := work[:l.size(s.C)], work[l.size(s.C):l.size(s.C)+s.K*oh*l.wq]
	s.fillPhases(xp, x, l)
	s.widen(wide, dy, l)
	ckk := s.C * s.KH * s.KW
	gemm.SgemmRows(false, true, s.K, ckk, oh*l.wq, 1, wide, oh*l.wq, xp, rows, 1, dw, ckk)
}
