package gemm

// matB is a strided op(B) in memory. PackB writes rows p0..p0+kc-1 and
// columns j0..j0+nc-1 of op(B) into dst as ceil(nc/nr) panels of kc×nr
// values: panel q, row p, lane jj goes to dst[(q*kc+p)*nr+jj] and holds
// B[p0+p][j0+q*nr+jj], or 0 when q*nr+jj ≥ nc.
type matB struct {
	data  []float32
	ld    int
	trans bool
	lv    *levelKernels
}

func (m *matB) PackB(dst []float32, p0, kc, j0, nc, nr int) {
	if m.trans {
		packT(m.lv, dst, m.data, m.ld, j0, nc, p0, kc, nr)
	} else {
		packN(dst, m.data, m.ld, p0, kc, j0, nc, nr)
	}
}

// packA packs rows i0..i0+mc-1, columns p0..p0+kc-1 of op(A) into MR-row
// panels: dst[(q*kc+p)*mr+r] = op(A)[i0+q*mr+r][p0+p], zero-padded.
func packA(lv *levelKernels, dst, a []float32, lda int, trans bool, i0, mc, p0, kc, mr int) {
	if trans {
		packN(dst, a, lda, p0, kc, i0, mc, mr)
	} else {
		packT(lv, dst, a, lda, i0, mc, p0, kc, mr)
	}
}

// packN packs a block whose panel lanes are contiguous in memory: lane jj of
// row p is src[(p0+p)*ld+j0+q*w+jj]. Each panel row is a plain copy; the
// loop walks the source row by row, so each source line is fetched once
// even when ld is a multiple of 4 KiB (which makes rows collide in cache).
func packN(dst, src []float32, ld, p0, kc, j0, nc, w int) {
	for p := 0; p < kc; p++ {
		s := src[(p0+p)*ld+j0 : (p0+p)*ld+j0+nc]
		for q := 0; q*w < nc; q++ {
			row := dst[(q*kc+p)*w : (q*kc+p+1)*w]
			n := copy(row, s[q*w:])
			clear(row[n:])
		}
	}
}

// packT packs a block whose panel lanes are rows of src: lane r of row p is
// src[(i0+q*w+r)*ld+p0+p]. This is a transpose of w×kc tiles.
func packT(lv *levelKernels, dst, src []float32, ld, i0, mc, p0, kc, w int) {
	var off [maxPanel]int
	for q := 0; q*w < mc; q++ {
		lanes := min(w, mc-q*w)
		for r := 0; r < lanes; r++ {
			off[r] = (i0 + q*w + r) * ld
		}
		packPanelT(lv, dst[q*kc*w:(q+1)*kc*w], src, off[:lanes], p0, kc, w)
	}
}

// maxPanel bounds every level's mr and nr.
const maxPanel = 32

// packPanelT packs one panel whose lane r is the row of src starting at
// off[r]: panel[p*w+r] = src[off[r]+p0+p], zero for r ≥ len(off).
func packPanelT(lv *levelKernels, panel, src []float32, off []int, p0, kc, w int) {
	if len(off) == w && packTFast(lv, panel, src, off, p0, kc, w) {
		return
	}
	for r, o := range off {
		for p, v := range src[o+p0 : o+p0+kc] {
			panel[p*w+r] = v
		}
	}
	if lanes := len(off); lanes < w {
		for p := 0; p < kc; p++ {
			clear(panel[p*w+lanes : p*w+w])
		}
	}
}
