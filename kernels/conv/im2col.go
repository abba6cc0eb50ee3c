package conv

// The im2col matrix of one image has a row per weight tap (c, u, v) —
// C·KH·KW rows in the order of the PyTorch weight layout — and a column per
// output pixel (i, j): col[(c,u,v)][i*OW+j] = x[c, i*sh+u-ph, j*sw+v-pw],
// zero in the padding. Forward and weight gradient read it in place from a
// padded copy (shifted.go); the strided input gradient needs its adjoint,
// col2im, over tiles of columns (colRowAdd).

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
			addStrided(plane[ih*s.W:(ih+1)*s.W], src[:n], j*s.StrideW+v-s.PadW, s.StrideW)
		}
		src = src[n:]
		i, j = i+1, 0
	}
}

// addStrided adds src[t] to dst[iw+t*stride] for every t that lands
// inside dst: the valid range is found first so the loop has no branches.
func addStrided(dst, src []float32, iw, stride int) {
	lo := 0
	if iw < 0 {
		lo = (-iw + stride - 1) / stride
	}
	hi := len(src)
	if last := len(dst) - 1 - iw; last < 0 {
		hi = 0
	} else {
		hi = min(hi, last/stride+1)
	}
	if lo >= hi {
		return
	}
	if stride == 1 {
		d := dst[iw+lo : iw+hi]
		for t, g := range src[lo:hi] {
			d[t] += g
		}
		return
	}
	for t := lo; t < hi; t++ {
		dst[iw+t*stride] += src[t]
	}
}
