package legacy

import "fmt"

// fwdGo is the plain-Go scan of one chunk, for any N.
func fwdGo(n, N int, delta, u, bt, ct, a []float32, dskip float32, h, y []float32) {
	mustFitFwd(n, N, delta, u, bt, ct, a, h, y)
	a, h = a[:N], h[:N]
	for t := 0; t < n; t++ {
		dt := delta[t]
		du := dt * u[t]
		b, c := bt[t*N:t*N+N], ct[t*N:t*N+N]
		var acc float32
		for i := range h {
			h[i] = expf(dt*a[i])*h[i] + du*b[i]
			acc += c[i] * h[i]
		}
		y[t] = acc + dskip*u[t]
	}
}

// mustFitFwd panics unless the slices of a forward chunk cover it.
func mustFitFwd(n, N int, delta, u, bt, ct, a, h, y []float32) {
	if len(delta) < n || len(u) < n || len(y) < n || len(bt) < n*N || len(ct) < n*N || len(a) < N || len(h) < N {
		panic(fmt.Sprintf("selscan: fwd chunk slices too short for n=%d N=%d", n, N))
	}
}

// bwdGo is the plain-Go backward pass of one chunk, for any N: it
// recomputes the chunk's states from c.h0, then runs the reverse recurrence.
func bwdGo(c *bwdChunk) {
	c.mustFit()
	bwdRecomputeGo(c)
	N := c.N
	dh, an, acc, a := c.dhNext[:N], c.aNext[:N], c.accA[:N], c.a[:N]
	for t := c.n - 1; t >= 0; t-- {
		g, dt := c.dy[t], c.delta[t]
		du := c.dubuf[t]
		o := t * N
		b, cc, db, dc := c.bt[o:o+N], c.ct[o:o+N], c.dB[o:o+N], c.dC[o:o+N]
		hPrev, hCur, dec := c.hbuf[o:o+N], c.hbuf[o+N:o+2*N], c.abuf[o:o+N]
		var s1, s2 float32
		for i := range dh {
			d := cc[i]*g + an[i]*dh[i]
			dc[i] += g * hCur[i]
			db[i] += d * du
			s1 += d * b[i]
			q := d * dec[i] * hPrev[i]
			s2 += q * a[i]
			acc[i] += q * dt
			dh[i], an[i] = d, dec[i]
		}
		c.s1[t], c.s2[t] = s1, s2
	}
}

// bwdRecomputeGo fills c.hbuf with h_{−1..n−1} of the chunk, c.abuf with
// the decays exp(δ_t·A) and c.dubuf with δ_t·u_t.
func bwdRecomputeGo(c *bwdChunk) {
	N := c.N
	copy(c.hbuf[:N], c.h0)
	for t := 0; t < c.n; t++ {
		dt := c.delta[t]
		du := dt * c.u[t]
		c.dubuf[t] = du
		o := t * N
		for i := 0; i < N; i++ {
			e := expf(dt * c.a[i])
			c.abuf[o+i] = e
			c.hbuf[o+N+i] = e*c.hbuf[o+i] + du*c.bt[o+i]
		}
	}
}

// mustFit panics unless every slice of c covers its chunk.
func (c *bwdChunk) mustFit() {
	n, N := c.n, c.N
	ok := len(c.delta) >= n && len(c.u) >= n && len(c.dy) >= n && len(c.s1) >= n && len(c.s2) >= n && len(c.dubuf) >= n &&
		len(c.bt) >= n*N && len(c.ct) >= n*N && len(c.dB) >= n*N && len(c.dC) >= n*N &&
		len(c.a) >= N && len(c.h0) >= N && len(c.dhNext) >= N && len(c.aNext) >= N && len(c.accA) >= N &&
		len(c.hbuf) >= (n+1)*N && len(c.abuf) >= n*N
	if !ok {
		panic(fmt.Sprintf("selscan: bwd chunk slices too short for n=%d N=%d", n, N))
	}
}

func softplusGo(x []float32, bias float32, out []float32) {
	out = out[:len(x)]
	for i, v := range x {
		out[i] = softplusf(v + bias)
	}
}

// dsoftplusGo uses softplus'(x) = e^x/(1+e^x) = exp(x − softplus(x)) with
// the saved δ = softplus(x): one exp, and exactly 1 above the threshold.
func dsoftplusGo(x []float32, bias float32, delta, g []float32) float32 {
	delta, g = delta[:len(x)], g[:len(x)]
	var s float32
	for i, v := range x {
		g[i] *= expf(v + bias - delta[i])
		s += g[i]
	}
	return s
}

// finishGo turns s1 into ∂/∂u = δ·s1 + Dskip·dy and s2 into
// ∂/∂δ = s2 + u·s1, and returns Σ dy·u.
func finishGo(delta, u, dy []float32, dskip float32, s1, s2 []float32) float32 {
	n := len(delta)
	u, dy, s1, s2 = u[:n], dy[:n], s1[:n], s2[:n]
	var sum float32
	for t := range delta {
		s2[t] += u[t] * s1[t]
		s1[t] = delta[t]*s1[t] + dskip*dy[t]
		sum += dy[t] * u[t]
	}
	return sum
}
