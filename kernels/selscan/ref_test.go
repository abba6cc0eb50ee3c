package selscan

import (
	"math"

	"github.com/mambaad/mambaad/internal/testutil"
)

// The references: ForwardRef and BackwardRef are plain float32 loops over
// the formulas of the package comment (the readable specification), and
// forward64 and backward64 the same in float64, which every level of the
// fast path is checked against.

func expRef(x float32) float32 { return float32(math.Exp(float64(x))) }

// refSeq is one (b, k, d) sequence of the reference: the record of step j
// is xdbl[rec(j):], its token offset tok(j).
type refSeq struct {
	d       Dims
	in      Inputs
	b, k, c int // c = k·D + d indexes the per-channel parameters
	ch      int // d
}

func (s refSeq) tok(j int) int { return (s.b*s.d.L+int(s.in.Idx[s.k][j]))*s.d.D + s.ch }
func (s refSeq) rec(j int) int {
	return ((s.b*s.d.L+int(s.in.Idx[s.k][j]))*s.d.K + s.k) * s.d.E()
}

// raw returns Σ_r DtW·dt_low + bias at step j.
func (s refSeq) raw(j int) float32 {
	R := s.d.R
	x, w := s.in.XDbl[s.rec(j):], s.in.DtW[s.c*R:]
	acc := s.in.DtBias[s.c]
	for r := 0; r < R; r++ {
		acc += w[r] * x[r]
	}
	return acc
}

// states fills dts[j] = δ_j and hs[(j+1)·N + n] = h_j,n (row 0 is h_{−1} = 0).
func (s refSeq) states(dts, hs []float32) {
	d := s.d
	clear(hs[:d.N])
	for j := 0; j < d.L; j++ {
		dt := softplus32(s.raw(j))
		dts[j] = dt
		du := dt * s.in.X[s.tok(j)]
		bs := s.in.XDbl[s.rec(j)+d.R:]
		for n := 0; n < d.N; n++ {
			hs[(j+1)*d.N+n] = expRef(dt*s.in.A[s.c*d.N+n])*hs[j*d.N+n] + du*bs[n]
		}
	}
}

// ForwardRef is the plain, unoptimised forward pass: it writes y
// (Batch, L, D) from the formulas in the package comment.
func ForwardRef(d Dims, in Inputs, y []float32) {
	mustTok(d, in, "y", y)
	clear(y)
	dts, hs := make([]float32, d.L), make([]float32, (d.L+1)*d.N)
	for b := 0; b < d.Batch; b++ {
		for k := 0; k < d.K; k++ {
			for ch := 0; ch < d.D; ch++ {
				s := refSeq{d: d, in: in, b: b, k: k, c: k*d.D + ch, ch: ch}
				s.states(dts, hs)
				for j := 0; j < d.L; j++ {
					cs := in.XDbl[s.rec(j)+d.R+d.N:]
					var acc float32
					for n := 0; n < d.N; n++ {
						acc += cs[n] * hs[(j+1)*d.N+n]
					}
					t := s.tok(j)
					y[t] += acc + in.Dskip[s.c]*in.X[t]
				}
			}
		}
	}
}

// BackwardRef is the plain backward pass: given dy = ∂loss/∂y it
// overwrites g.X and g.XDbl and adds into g.DtW, g.DtBias, g.A and g.Dskip.
// It stores every state (L·N floats per sequence), which the fast path
// avoids.
func BackwardRef(d Dims, in Inputs, dy []float32, g Grads) {
	mustBackward(d, in, dy, g)
	clear(g.X)
	clear(g.XDbl)
	dts, hs := make([]float32, d.L), make([]float32, (d.L+1)*d.N)
	dh := make([]float32, d.N)
	for b := 0; b < d.Batch; b++ {
		for k := 0; k < d.K; k++ {
			for ch := 0; ch < d.D; ch++ {
				s := refSeq{d: d, in: in, b: b, k: k, c: k*d.D + ch, ch: ch}
				s.states(dts, hs)
				s.backward(dy, g, dts, hs, dh)
			}
		}
	}
}

// backward runs the reverse recurrence of one sequence:
// dh_j = C_j·g_j + exp(δ_{j+1}A)·dh_{j+1}, then the per-step terms.
func (s refSeq) backward(dy []float32, g Grads, dts, hs, dh []float32) {
	d, in := s.d, s.in
	N, R, c := d.N, d.R, s.c
	a := in.A[c*N : (c+1)*N]
	clear(dh)
	for j := d.L - 1; j >= 0; j-- {
		t, o := s.tok(j), s.rec(j)
		gt, u, dt := dy[t], in.X[t], dts[j]
		bs, cs := in.XDbl[o+R:o+R+N], in.XDbl[o+R+N:o+R+2*N]
		gb, gc := g.XDbl[o+R:o+R+N], g.XDbl[o+R+N:o+R+2*N]
		var s1, s2 float32
		for n := 0; n < N; n++ {
			next := float32(0)
			if j+1 < d.L {
				next = expRef(dts[j+1] * a[n])
			}
			dh[n] = cs[n]*gt + next*dh[n]
			gc[n] += gt * hs[(j+1)*N+n]
			gb[n] += dh[n] * dt * u
			s1 += dh[n] * bs[n]
			q := dh[n] * expRef(dt*a[n]) * hs[j*N+n]
			s2 += q * a[n]
			g.A[c*N+n] += q * dt
		}
		g.X[t] += dt*s1 + in.Dskip[c]*gt
		dRaw := (s2 + u*s1) * sigmoid32(s.raw(j))
		g.DtBias[c] += dRaw
		g.Dskip[c] += gt * u
		for r := 0; r < R; r++ {
			g.XDbl[o+r] += in.DtW[c*R+r] * dRaw
			g.DtW[c*R+r] += dRaw * in.XDbl[o+r]
		}
	}
}

// in64 is Inputs in float64, for the reference the tests trust.
type in64 struct {
	X, XDbl, DtW, DtBias, A, Dskip []float64
	Idx                            [][]int32
}

type grads64 struct{ X, XDbl, DtW, DtBias, A, Dskip []float64 }

func inputs64(in Inputs) in64 {
	return in64{testutil.To64(in.X), testutil.To64(in.XDbl), testutil.To64(in.DtW), testutil.To64(in.DtBias), testutil.To64(in.A), testutil.To64(in.Dskip), in.Idx}
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
