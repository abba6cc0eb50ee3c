package selscan

import "math"

// in64 is Inputs in float64, for the reference the tests trust.
type in64 struct {
	X, XDbl, DtW, DtBias, A, Dskip []float64
	Idx                            [][]int32
}

type grads64 struct{ X, XDbl, DtW, DtBias, A, Dskip []float64 }

func to64(s []float32) []float64 {
	o := make([]float64, len(s))
	for i, v := range s {
		o[i] = float64(v)
	}
	return o
}

func inputs64(in Inputs) in64 {
	return in64{to64(in.X), to64(in.XDbl), to64(in.DtW), to64(in.DtBias), to64(in.A), to64(in.Dskip), in.Idx}
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

// seq64 is one (b, k, channel) sequence: raws, δs, and h (L+1, N), row 0
// being h_{−1}.
type seq64 struct {
	d            Dims
	in           in64
	b, k, ch, c  int
	raw, dt, hs  []float64
	tokOf, recOf []int
}

func newSeq64(d Dims, in in64, b, k, ch int) *seq64 {
	s := &seq64{d: d, in: in, b: b, k: k, ch: ch, c: k*d.D + ch, raw: make([]float64, d.L),
		dt: make([]float64, d.L), hs: make([]float64, (d.L+1)*d.N), tokOf: make([]int, d.L), recOf: make([]int, d.L)}
	N, R := d.N, d.R
	for j := 0; j < d.L; j++ {
		p := int(in.Idx[k][j])
		s.tokOf[j], s.recOf[j] = (b*d.L+p)*d.D+ch, ((b*d.L+p)*d.K+k)*d.E()
		rec := in.XDbl[s.recOf[j]:]
		raw := in.DtBias[s.c]
		for r := 0; r < R; r++ {
			raw += in.DtW[s.c*R+r] * rec[r]
		}
		s.raw[j], s.dt[j] = raw, softplus64(raw)
		u := in.X[s.tokOf[j]]
		for n := 0; n < N; n++ {
			s.hs[(j+1)*N+n] = math.Exp(s.dt[j]*in.A[s.c*N+n])*s.hs[j*N+n] + s.dt[j]*rec[R+n]*u
		}
	}
	return s
}

func forward64(d Dims, in in64) []float64 {
	y := make([]float64, d.tokLen())
	N, R := d.N, d.R
	for b := 0; b < d.Batch; b++ {
		for k := 0; k < d.K; k++ {
			for ch := 0; ch < d.D; ch++ {
				s := newSeq64(d, in, b, k, ch)
				for j := 0; j < d.L; j++ {
					acc := in.Dskip[s.c] * in.X[s.tokOf[j]]
					for n := 0; n < N; n++ {
						acc += in.XDbl[s.recOf[j]+R+N+n] * s.hs[(j+1)*N+n]
					}
					y[s.tokOf[j]] += acc
				}
			}
		}
	}
	return y
}

// backward64 returns all six gradients (none accumulated).
func backward64(d Dims, in in64, dy []float64) grads64 {
	g := grads64{make([]float64, d.tokLen()), make([]float64, d.dblLen()), make([]float64, len(in.DtW)),
		make([]float64, len(in.DtBias)), make([]float64, len(in.A)), make([]float64, len(in.Dskip))}
	N, R := d.N, d.R
	dh := make([]float64, N)
	for b := 0; b < d.Batch; b++ {
		for k := 0; k < d.K; k++ {
			for ch := 0; ch < d.D; ch++ {
				s := newSeq64(d, in, b, k, ch)
				c := s.c
				clear(dh)
				for j := d.L - 1; j >= 0; j-- {
					t, o := s.tokOf[j], s.recOf[j]
					gt, u, dt := dy[t], in.X[t], s.dt[j]
					var s1, s2 float64
					for n := 0; n < N; n++ {
						an := in.A[c*N+n]
						next := 0.0
						if j+1 < d.L {
							next = math.Exp(s.dt[j+1] * an)
						}
						dh[n] = in.XDbl[o+R+N+n]*gt + next*dh[n]
						g.XDbl[o+R+N+n] += gt * s.hs[(j+1)*N+n]
						g.XDbl[o+R+n] += dh[n] * dt * u
						s1 += dh[n] * in.XDbl[o+R+n]
						q := dh[n] * math.Exp(dt*an) * s.hs[j*N+n]
						s2 += q * an
						g.A[c*N+n] += q * dt
					}
					g.X[t] += dt*s1 + in.Dskip[c]*gt
					dRaw := (s2 + u*s1) * sigmoid64(s.raw[j])
					g.DtBias[c] += dRaw
					g.Dskip[c] += gt * u
					for r := 0; r < R; r++ {
						g.XDbl[o+r] += in.DtW[c*R+r] * dRaw
						g.DtW[c*R+r] += dRaw * in.XDbl[o+r]
					}
				}
			}
		}
	}
	return g
}
