package selscan

import "math"

// lanes is the number of channels a work item scans together: one zmm
// register of float32 (two ymm). Channel groups are lanes channels wide;
// the last one is zero-padded when D is not a multiple of lanes.
const lanes = 16

func numGroups(d Dims) int { return (d.D + lanes - 1) / lanes }

// params holds the per-channel parameters transposed so that one vector
// load gives a parameter for the 16 channels of a group: for direction k
// and group g, dtw (R, 16), a2 = A·log2(e) (N, 16) for the exp2 form of
// the decay, a (N, 16), bias (16) and dskip (16). Padded lanes are 0, so
// padded channels compute harmless finite values that are never stored.
// It costs K·D·(R+2N+2) floats per call, built in one pass.
type params struct {
	R, N, G int
	buf     *[]float32
	dtw     []float32 // (K, G, R, 16)
	a2, a   []float32 // (K, G, N, 16)
	bias    []float32 // (K, G, 16)
	dskip   []float32 // (K, G, 16)
}

func newParams(d Dims, in Inputs) *params {
	G := numGroups(d)
	per := G * lanes
	nw, na, nb := d.K*per*d.R, d.K*per*d.N, d.K*per
	p := &params{R: d.R, N: d.N, G: G, buf: getScratch(nw + 2*na + 2*nb)}
	s := *p.buf
	clear(s)
	p.dtw, s = s[:nw], s[nw:]
	p.a2, s = s[:na], s[na:]
	p.a, s = s[:na], s[na:]
	p.bias, p.dskip = s[:nb], s[nb:nb+nb]
	for k := 0; k < d.K; k++ {
		for ch := 0; ch < d.D; ch++ {
			c, g, l := k*d.D+ch, ch/lanes, ch%lanes
			kg := k*G + g
			for r := 0; r < d.R; r++ {
				p.dtw[(kg*d.R+r)*lanes+l] = in.DtW[c*d.R+r]
			}
			for n := 0; n < d.N; n++ {
				v := in.A[c*d.N+n]
				p.a[(kg*d.N+n)*lanes+l] = v
				p.a2[(kg*d.N+n)*lanes+l] = float32(float64(v) * math.Log2E)
			}
			p.bias[kg*lanes+l] = in.DtBias[c]
			p.dskip[kg*lanes+l] = in.Dskip[c]
		}
	}
	return p
}

func (p *params) free() { putScratch(p.buf) }

// group returns the parameters of direction k, group g.
func (p *params) group(k, g int) (dtw, a2, a, bias, dskip []float32) {
	kg := k*p.G + g
	return p.dtw[kg*p.R*lanes : (kg+1)*p.R*lanes], p.a2[kg*p.N*lanes : (kg+1)*p.N*lanes],
		p.a[kg*p.N*lanes : (kg+1)*p.N*lanes], p.bias[kg*lanes : (kg+1)*lanes], p.dskip[kg*lanes : (kg+1)*lanes]
}
