package selscan

import "math"

// The plain-Go prep kernel (see kernels.go): the same chunk structure as
// the vector kernels, with the 16 lanes as an inner loop, for the Generic
// level, any N and the purego build.

func prepGo(c *chunk) {
	R, N := c.R, c.N
	for j := 0; j < c.n; j++ {
		p := int(c.idx[j])
		rec, x := c.rec[p*c.rs:p*c.rs+R+2*N], c.x[p*c.ts:p*c.ts+lanes]
		pre := c.pre[j*preLen : (j+1)*preLen]
		if c.dy != nil {
			copy(pre[preG*lanes:], c.dy[p*c.ts:p*c.ts+lanes])
		}
		if N == lanes {
			copy(pre[preB*lanes:], rec[R:R+2*N])
		}
		for l := 0; l < lanes; l++ {
			raw := c.bias[l]
			for r, v := range rec[:R] {
				raw += v * c.dtw[r*lanes+l]
			}
			dt := softplus32(raw)
			pre[l], pre[preDU*lanes+l], pre[preU*lanes+l] = dt, dt*x[l], x[l]
			pre[preDL2*lanes+l] = dt * log2e
			if c.sig {
				pre[preSig*lanes+l] = sigmoid32(raw)
			}
		}
	}
}

// softplus32 is torch's softplus (beta 1, threshold 20), evaluated in
// float64 and rounded: the plain-Go prep and the float32 reference use it.
func softplus32(x float32) float32 {
	if x > 20 {
		return x
	}
	return float32(math.Log1p(math.Exp(float64(x))))
}

// sigmoid32 is the derivative of softplus32 (1 above the threshold).
func sigmoid32(x float32) float32 {
	if x > 20 {
		return 1
	}
	return float32(1 / (1 + math.Exp(-float64(x))))
}
