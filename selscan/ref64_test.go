package selscan

import "math"

// in64 is Inputs in float64, for the reference the tests trust.
type in64 struct{ U, Delta, A, B, C, Dskip, Bias []float64 }

type grads64 struct{ U, Delta, A, B, C, Dskip, Bias []float64 }

func to64(s []float32) []float64 {
	o := make([]float64, len(s))
	for i, v := range s {
		o[i] = float64(v)
	}
	return o
}

func inputs64(in Inputs) in64 {
	return in64{to64(in.U), to64(in.Delta), to64(in.A), to64(in.B), to64(in.C), to64(in.Dskip), to64(in.DeltaBias)}
}

func softplus64(x float64) float64 {
	if x > 20 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid64(x float64) float64 {
	if x > 20 {
		return 1
	}
	return 1 / (1 + math.Exp(-x))
}

// states64 returns δ (L) and h (L+1, N) of row r, row 0 of h being h_{−1}.
func states64(d Dims, in in64, r int) (dts, hs []float64) {
	c, bk := r%d.chans(), r/d.chans()*d.K+r%d.chans()/d.D
	dts, hs = make([]float64, d.L), make([]float64, (d.L+1)*d.N)
	for t := 0; t < d.L; t++ {
		dts[t] = softplus64(in.Delta[r*d.L+t] + in.Bias[c])
		for n := 0; n < d.N; n++ {
			bc := (bk*d.N+n)*d.L + t
			hs[(t+1)*d.N+n] = math.Exp(dts[t]*in.A[c*d.N+n])*hs[t*d.N+n] + dts[t]*in.B[bc]*in.U[r*d.L+t]
		}
	}
	return dts, hs
}

func forward64(d Dims, in in64) []float64 {
	y := make([]float64, d.seqLen())
	for r := 0; r < d.rows(); r++ {
		c, bk := r%d.chans(), r/d.chans()*d.K+r%d.chans()/d.D
		_, hs := states64(d, in, r)
		for t := 0; t < d.L; t++ {
			acc := in.Dskip[c] * in.U[r*d.L+t]
			for n := 0; n < d.N; n++ {
				acc += in.C[(bk*d.N+n)*d.L+t] * hs[(t+1)*d.N+n]
			}
			y[r*d.L+t] = acc
		}
	}
	return y
}

// backward64 returns all seven gradients (none accumulated).
func backward64(d Dims, in in64, dy []float64) grads64 {
	g := grads64{make([]float64, d.seqLen()), make([]float64, d.seqLen()), make([]float64, len(in.A)),
		make([]float64, d.bcLen()), make([]float64, d.bcLen()), make([]float64, d.chans()), make([]float64, d.chans())}
	dh := make([]float64, d.N)
	for r := 0; r < d.rows(); r++ {
		c, bk := r%d.chans(), r/d.chans()*d.K+r%d.chans()/d.D
		dts, hs := states64(d, in, r)
		clear(dh)
		for t := d.L - 1; t >= 0; t-- {
			o := r*d.L + t
			gt, u, dt := dy[o], in.U[o], dts[t]
			var s1, s2 float64
			for n := 0; n < d.N; n++ {
				bc, an := (bk*d.N+n)*d.L+t, in.A[c*d.N+n]
				next := 0.0
				if t+1 < d.L {
					next = math.Exp(dts[t+1] * an)
				}
				dh[n] = in.C[bc]*gt + next*dh[n]
				g.C[bc] += gt * hs[(t+1)*d.N+n]
				g.B[bc] += dh[n] * dt * u
				s1 += dh[n] * in.B[bc]
				q := dh[n] * math.Exp(dt*an) * hs[t*d.N+n]
				s2 += q * an
				g.A[c*d.N+n] += q * dt
			}
			g.U[o] = dt*s1 + in.Dskip[c]*gt
			g.Delta[o] = (s2 + u*s1) * sigmoid64(in.Delta[o]+in.Bias[c])
			g.Bias[c] += g.Delta[o]
			g.Dskip[c] += gt * u
		}
	}
	return g
}
