package legacy

import "math"

// softplusRef is torch's softplus (beta 1, threshold 20).
func softplusRef(x float32) float32 {
	if x > 20 {
		return x
	}
	return float32(math.Log1p(math.Exp(float64(x))))
}

// sigmoidRef is the derivative of softplusRef (1 above the threshold).
func sigmoidRef(x float32) float32 {
	if x > 20 {
		return 1
	}
	return float32(1 / (1 + math.Exp(-float64(x))))
}

func expRef(x float32) float32 { return float32(math.Exp(float64(x))) }

// ForwardRef is the plain, unoptimised forward pass: it writes y
// (Batch, K, D, L) from the formulas in the package comment.
func ForwardRef(d Dims, in Inputs, y []float32) {
	mustForward(d, in, y)
	h := make([]float32, d.N)
	for r := 0; r < d.rows(); r++ {
		b, c := r/d.chans(), r%d.chans()
		bk := b*d.K + c/d.D
		u, dl, yr := in.U[r*d.L:(r+1)*d.L], in.Delta[r*d.L:(r+1)*d.L], y[r*d.L:(r+1)*d.L]
		clear(h)
		for t := 0; t < d.L; t++ {
			dt := softplusRef(dl[t] + in.DeltaBias[c])
			var acc float32
			for n := 0; n < d.N; n++ {
				bc := (bk*d.N+n)*d.L + t
				h[n] = expRef(dt*in.A[c*d.N+n])*h[n] + dt*in.B[bc]*u[t]
				acc += in.C[bc] * h[n]
			}
			yr[t] = acc + in.Dskip[c]*u[t]
		}
	}
}

// BackwardRef is the plain backward pass: given dy = ∂loss/∂y it
// overwrites g.U, g.Delta, g.B, g.C and adds into g.A, g.Dskip and
// g.DeltaBias. It stores every state (L·N floats per channel), which the
// fast path avoids.
func BackwardRef(d Dims, in Inputs, dy []float32, g Grads) {
	mustBackward(d, in, dy, g)
	clear(g.B)
	clear(g.C)
	hs := make([]float32, (d.L+1)*d.N) // hs[(t+1)·N + n] = h_t,n; row 0 is h_{−1} = 0
	dts := make([]float32, d.L)
	dh := make([]float32, d.N)
	for r := 0; r < d.rows(); r++ {
		refRowStates(d, in, r, hs, dts)
		refRowBackward(d, in, dy, g, r, hs, dts, dh)
	}
}

func refRowStates(d Dims, in Inputs, r int, hs, dts []float32) {
	b, c := r/d.chans(), r%d.chans()
	bk := b*d.K + c/d.D
	for t := 0; t < d.L; t++ {
		dts[t] = softplusRef(in.Delta[r*d.L+t] + in.DeltaBias[c])
		for n := 0; n < d.N; n++ {
			bc := (bk*d.N+n)*d.L + t
			hs[(t+1)*d.N+n] = expRef(dts[t]*in.A[c*d.N+n])*hs[t*d.N+n] + dts[t]*in.B[bc]*in.U[r*d.L+t]
		}
	}
}

func refRowBackward(d Dims, in Inputs, dy []float32, g Grads, r int, hs, dts, dh []float32) {
	b, c := r/d.chans(), r%d.chans()
	bk := b*d.K + c/d.D
	clear(dh)
	for t := d.L - 1; t >= 0; t-- {
		gt, u, dt := dy[r*d.L+t], in.U[r*d.L+t], dts[t]
		var s1, s2 float32
		for n := 0; n < d.N; n++ {
			bc := (bk*d.N+n)*d.L + t
			an := in.A[c*d.N+n]
			dh[n] = in.C[bc]*gt + dh[n]*nextDecay(d, in, dts, t, an)
			g.C[bc] += gt * hs[(t+1)*d.N+n]
			g.B[bc] += dh[n] * dt * u
			s1 += dh[n] * in.B[bc]
			q := dh[n] * expRef(dt*an) * hs[t*d.N+n]
			s2 += q * an
			g.A[c*d.N+n] += q * dt
		}
		g.U[r*d.L+t] = dt*s1 + in.Dskip[c]*gt
		x := in.Delta[r*d.L+t] + in.DeltaBias[c]
		dd := (s2 + u*s1) * sigmoidRef(x)
		g.Delta[r*d.L+t] = dd
		g.DeltaBias[c] += dd
		g.Dskip[c] += gt * u
	}
}

// nextDecay is exp(δ_{t+1}·A_n), the factor carrying dh back from t+1 to t
// (0 past the end, where dh is 0 anyway).
func nextDecay(d Dims, in Inputs, dts []float32, t int, an float32) float32 {
	if t+1 >= d.L {
		return 0
	}
	return expRef(dts[t+1] * an)
}
