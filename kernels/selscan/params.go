package selscan

// lanes is the number of channels a work item scans together: one zmm
// register of float32 (two ymm). Channel groups are lanes channels wide;
// the last one is zero-padded when D is not a multiple of lanes.
const lanes = 16

func numGroups(d Dims) int { return (d.D + lanes - 1) / lanes }

// params are the parameters of one channel group in one direction,
// transposed so that one vector load gives a parameter for the group's 16
// channels: dtw (R, 16), a (N, 16), bias (16) and dskip (16). dtwr is
// DtW's own rows (16, R) for the matrix-vector product ∂dt_low = DtWᵀ·∂raw
// in Backward, with 16 floats of padding so that a kernel can load a whole
// vector from any row. Padded lanes are 0, so padded channels compute
// harmless finite values that are never stored. Work items build them
// when they start a direction, (2R+N+2)·16 floats per group, so they stay
// in cache instead of being one more K·D-sized array in memory.
type params struct {
	dtw, a, bias, dskip, dtwr []float32
}

// paramsLen is the scratch one params needs.
func paramsLen(d Dims) int { return (2*d.R+d.N+2)*lanes + lanes }

// build fills p, in buf (paramsLen floats), for direction k and group g.
func (p *params) build(d Dims, in Inputs, k, g int, buf []float32) {
	R, N := d.R, d.N
	p.dtw, buf = buf[:R*lanes], buf[R*lanes:]
	p.a, buf = buf[:N*lanes], buf[N*lanes:]
	p.bias, buf = buf[:lanes], buf[lanes:]
	p.dskip, buf = buf[:lanes], buf[lanes:]
	p.dtwr = buf[:R*lanes+lanes]
	c0, w := k*d.D+g*lanes, min(lanes, d.D-g*lanes)
	if w < lanes {
		clear(p.dtw)
		clear(p.a)
		clear(p.bias)
		clear(p.dskip)
	}
	transpose16(p.dtw, in.DtW[c0*R:(c0+w)*R], R, w)
	transpose16(p.a, in.A[c0*N:(c0+w)*N], N, w)
	copy(p.bias, in.DtBias[c0:c0+w])
	copy(p.dskip, in.Dskip[c0:c0+w])
	clear(p.dtwr[copy(p.dtwr, in.DtW[c0*R:(c0+w)*R]):])
}

// transpose16 writes the w rows (of m values each) of src to the columns
// of dst (m, 16); columns w..15 are left alone. Whole 16×16 blocks go to
// the vector version where there is one.
func transpose16(dst, src []float32, m, w int) {
	src, dst = src[:w*m], dst[:m*lanes]
	i0 := 0
	if w == lanes && transposeAsm(dst, src, m) {
		i0 = m &^ (lanes - 1)
	}
	for i := i0; i < m; i++ {
		out := dst[i*lanes : i*lanes+w]
		for l := range out {
			out[l] = src[l*m+i]
		}
	}
}
