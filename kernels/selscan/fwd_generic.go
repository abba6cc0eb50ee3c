package selscan

// The plain-Go forward state kernel (see prep_generic.go).

func fwdGo(c *chunk) {
	R, N := c.R, c.N
	var y [lanes]float32
	for j := 0; j < c.n; j++ {
		p := int(c.idx[j])
		b, cc := c.rec[p*c.rs+R:p*c.rs+R+N], c.rec[p*c.rs+R+N:p*c.rs+R+2*N]
		o := j * preLen
		for l := range y {
			y[l] = c.dskip[l] * c.pre[o+preU*lanes+l]
		}
		for n := 0; n < N; n++ {
			h, a := c.h[n*lanes:(n+1)*lanes], c.a[n*lanes:(n+1)*lanes]
			for l := range y {
				h[l] = exp2f(c.pre[o+preDL2*lanes+l]*a[l])*h[l] + c.pre[o+preDU*lanes+l]*b[n]
				y[l] += cc[n] * h[l]
			}
		}
		store(c.out[p*c.ts:p*c.ts+lanes], y[:], c.add)
	}
}

// store writes (or adds, when add is set) v to dst.
func store(dst, v []float32, add bool) {
	if add {
		for l, x := range v {
			dst[l] += x
		}
		return
	}
	copy(dst, v)
}
