package conv

// The im2col matrix of one image has a row per weight tap (c, u, v) —
// C·KH·KW rows in the order of the PyTorch weight layout — and a column per
// output pixel (i, j): col[(c,u,v)][i*OW+j] = x[c, i*sh+u-ph, j*sw+v-pw],
// zero in the padding. It is never stored whole: colRow produces any
// stretch of one row, which both the implicit-GEMM packer and the tiled
// im2col of the backward passes use.

// colRow writes col[row][j0 : j0+len(dst)] of the image x (C·H·W values)
// into dst.
func (s *Shape) colRow(dst, x []float32, row, j0 int) {
	kk := s.KH * s.KW
	c, u, v := row/kk, row%kk/s.KW, row%s.KW
	plane := x[c*s.H*s.W : (c+1)*s.H*s.W]
	ow := s.OutW()
	i, j := j0/ow, j0%ow
	for len(dst) > 0 {
		n := min(len(dst), ow-j)
		s.colSegment(dst[:n], plane, i*s.StrideH+u-s.PadH, j*s.StrideW+v-s.PadW)
		dst = dst[n:]
		i, j = i+1, 0
	}
}

// colSegment fills seg with input row ih of plane from column iw on, in
// steps of StrideW, with zeros outside the image.
func (s *Shape) colSegment(seg, plane []float32, ih, iw int) {
	if ih < 0 || ih >= s.H {
		clear(seg)
		return
	}
	src := plane[ih*s.W : (ih+1)*s.W]
	if s.StrideW == 1 {
		lo := min(max(0, -iw), len(seg)) // leading zeros
		hi := max(lo, min(len(seg), s.W-iw))
		clear(seg[:lo])
		copy(seg[lo:hi], src[iw+lo:iw+hi])
		clear(seg[hi:])
		return
	}
	for t := range seg {
		if p := iw + t*s.StrideW; p >= 0 && p < s.W {
			seg[t] = src[p]
		} else {
			seg[t] = 0
		}
	}
}

// colRowAdd is the adjoint of colRow (col2im): it adds src, a stretch of
// col row row starting at column j0, into the image gradient dx.
func (s *Shape) colRowAdd(src, dx []float32, row, j0 int) {
	kk := s.KH * s.KW
	c, u, v := row/kk, row%kk/s.KW, row%s.KW
	plane := dx[c*s.H*s.W : (c+1)*s.H*s.W]
	ow := s.OutW()
	i, j := j0/ow, j0%ow
	for len(src) > 0 {
		n := min(len(src), ow-j)
		if ih := i*s.StrideH + u - s.PadH; ih >= 0 && ih < s.H {
			dst := plane[ih*s.W : (ih+1)*s.W]
			iw := j*s.StrideW + v - s.PadW
			for t, g := range src[:n] {
				if p := iw + t*s.StrideW; p >= 0 && p < s.W {
					dst[p] += g
				}
			}
		}
		src = src[n:]
		i, j = i+1, 0
	}
}

// imagePacker is the implicit im2col matrix of one image as a gemm.BPacker.
type imagePacker struct {
	s *Shape
	x []float32 // the image, C·H·W values
}

// PackB writes panels of col rows p0..p0+kc-1, columns j0..j0+nc-1 (see
// gemm.BPacker).
func (ip imagePacker) PackB(dst []float32, p0, kc, j0, nc, nr int) {
	for q := 0; q*nr < nc; q++ {
		lanes := min(nr, nc-q*nr)
		panel := dst[q*kc*nr : (q+1)*kc*nr]
		for p := 0; p < kc; p++ {
			row := panel[p*nr : (p+1)*nr]
			ip.s.colRow(row[:lanes], ip.x, p0+p, j0+q*nr)
			clear(row[lanes:])
		}
	}
}
