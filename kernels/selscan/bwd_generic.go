package selscan

// The plain-Go backward kernels (recompute, reverse, weight gradient and
// the cross-lane reduction): the same chunk structure as the vector
// kernels, with the 16 lanes as an inner loop, for the Generic level, any
// N and the purego build.

func recGo(c *chunk) {
	R, N := c.R, c.N
	al := accLen(R, N)
	for j := 0; j < c.n; j++ {
		p := int(c.idx[j])
		b := c.rec[p*c.rs+R : p*c.rs+R+N]
		g := c.dy[p*c.ts : p*c.ts+lanes]
		o := j * preLen
		for n := 0; n < N; n++ {
			h, a := c.h[n*lanes:(n+1)*lanes], c.a[n*lanes:(n+1)*lanes]
			dA := c.dAP[(j*N+n)*2*lanes:][:lanes]
			pp := c.dAP[(j*N+n)*2*lanes+lanes:][:lanes]
			acc := c.acc[j*al+(N+n)*lanes:][:lanes]
			for l := range h {
				dA[l] = exp2f(c.pre[o+preDL2*lanes+l] * a[l])
				pp[l] = dA[l] * h[l]
				h[l] = pp[l] + c.pre[o+preDU*lanes+l]*b[n]
				acc[l] += g[l] * h[l]
			}
		}
	}
}

func revGo(c *chunk) {
	R, N := c.R, c.N
	al := accLen(R, N)
	var s1, s2, dd [lanes]float32
	for j := c.n - 1; j >= 0; j-- {
		p := int(c.idx[j])
		rec := c.rec[p*c.rs : p*c.rs+R+2*N]
		g := c.dy[p*c.ts : p*c.ts+lanes]
		o := j * preLen
		s1, s2 = [lanes]float32{}, [lanes]float32{}
		for n := 0; n < N; n++ {
			dh, a := c.dh[n*lanes:(n+1)*lanes], c.a[n*lanes:(n+1)*lanes]
			accA := c.accA[n*lanes : (n+1)*lanes]
			accB := c.acc[j*al+n*lanes:][:lanes]
			dA := c.dAP[(j*N+n)*2*lanes:][:lanes]
			pp := c.dAP[(j*N+n)*2*lanes+lanes:][:lanes]
			bn, cn := rec[R+n], rec[R+N+n]
			for l := range dh {
				d := cn*g[l] + dh[l]
				accB[l] += d * c.pre[o+preDU*lanes+l]
				s1[l] += d * bn
				q := d * pp[l]
				s2[l] += q * a[l]
				accA[l] += q * c.pre[o+l]
				dh[l] = d * dA[l]
			}
		}
		for l := range dd {
			u := c.pre[o+preU*lanes+l]
			dd[l] = c.pre[o+l]*s1[l] + c.dskip[l]*g[l]
			raw := (s2[l] + u*s1[l]) * c.pre[o+preSig*lanes+l]
			c.pre[o+preSig*lanes+l] = raw
			c.accD[l] += g[l] * u
			c.accBias[l] += raw
		}
		store(c.out[p*c.ts:p*c.ts+lanes], dd[:], c.add)
	}
}

func wgradGo(c *chunk) {
	R := c.R
	al := accLen(R, c.N)
	for j := 0; j < c.n; j++ {
		rec := c.rec[int(c.idx[j])*c.rs:][:R]
		raw := c.pre[j*preLen+preSig*lanes:][:lanes]
		dt := c.acc[j*al+2*c.N*lanes:][:R]
		for l, v := range raw {
			for r, w := range c.dtwr[l*R : l*R+R] {
				dt[r] += v * w
			}
		}
		for r, x := range rec {
			aw := c.accW[r*lanes:][:lanes]
			for l, v := range raw {
				aw[l] += v * x
			}
		}
	}
}

// reduceGo sums each vector pairwise (lanes 0+8, 1+9, …, then halves
// again), the order the vector kernels use.
func reduceGo(n, R, N int, acc []float32, idx []int32, dst []float32, rs int) {
	var t [lanes]float32
	al := accLen(R, N)
	for j := 0; j < n; j++ {
		out := dst[int(idx[j])*rs : int(idx[j])*rs+R+2*N]
		copy(out[:R], acc[j*al+2*N*lanes:])
		for e := range out[R:] {
			copy(t[:], acc[j*al+e*lanes:])
			for w := lanes / 2; w >= 1; w /= 2 {
				for l := 0; l < w; l++ {
					t[l] += t[l+w]
				}
			}
			out[R+e] = t[0]
		}
	}
}
