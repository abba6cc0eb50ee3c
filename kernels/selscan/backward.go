package selscan

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Backward computes the gradients given dy = ∂loss/∂Y (Batch, L, D). It
// overwrites g.X and g.XDbl and adds into g.DtW, g.DtBias, g.A and
// g.Dskip. saved must come from a Forward call with the same sizes and
// inputs; if it is nil, Backward runs that forward pass itself. Results do
// not depend on the number of workers. Wrong sizes panic.
func Backward(d Dims, in Inputs, dy []float32, saved *Saved, g Grads) {
	backward(isa.Best(), d, in, dy, saved, g)
}

// targetItems is how many work items Backward aims for per call. An item
// is (batch item, set of directions) and runs every channel group of its
// directions through each chunk, so the sums over channels that dXDbl
// needs are reduced across lanes once per chunk for all groups, and no
// two items write the same dXDbl record or parameter gradient. Only dX
// is shared by the direction sets of a batch item: sets after the first
// write partial dX arrays (Batch·L·D floats each) that are added at the
// end. It depends on the sizes only, never on the worker count, so results
// are bit-identical on any machine.
const targetItems = 4

// numSets is the number of direction sets per batch item.
func numSets(d Dims) int {
	return min(d.K, max(1, (targetItems+d.Batch-1)/d.Batch))
}

// bwdPart is the layout of Backward's scratch in Saved.work: per
// (b, k, group), the parameter sums (A: N·16, DtW: R·16, Dskip: 16,
// DtBias: 16), then S−1 partial dX arrays (set 0 writes g.X).
type bwdPart struct {
	d      Dims
	G, S   int
	per    int // floats of parameter sums per (b, k, group)
	params []float32
	dx     []float32
}

func newBwdPart(d Dims, s *Saved) bwdPart {
	p := bwdPart{d: d, G: numGroups(d), S: numSets(d), per: (d.N + d.R + 2) * lanes}
	np := d.Batch * d.K * p.G * p.per
	s.work = grow(s.work, np+(p.S-1)*d.tokLen())
	p.params, p.dx = s.work[:np], s.work[np:]
	return p
}

// sums returns the parameter sums of (b, k, group).
func (p bwdPart) sums(b, k, g int) (accA, accW, accD, accBias []float32) {
	s := p.params[((b*p.d.K+k)*p.G+g)*p.per:][:p.per]
	N, R := p.d.N*lanes, p.d.R*lanes
	return s[:N], s[N : N+R], s[N+R : N+R+lanes], s[N+R+lanes:]
}

// dX returns the array direction set s writes its dX to.
func (p bwdPart) dX(g Grads, s int) []float32 {
	if s == 0 {
		return g.X
	}
	n := p.d.tokLen()
	return p.dx[(s-1)*n : s*n]
}

func backward(lv isa.Level, d Dims, in Inputs, dy []float32, saved *Saved, g Grads) {
	backwardWith(kernelsFor(lv), d, in, dy, saved, g)
}

func backwardWith(ks *kernels, d Dims, in Inputs, dy []float32, saved *Saved, g Grads) {
	mustBackward(d, in, dy, g)
	if saved == nil {
		saved = new(Saved)
		y := getScratch(d.tokLen())
		forwardWith(ks, d, in, *y, saved)
		putScratch(y)
	}
	saved.mustMatch(d)
	part := newBwdPart(d, saved)
	runItems(d.Batch*part.S, func(i int) {
		backwardItem(ks, d, in, dy, saved, part, g, i/part.S, i%part.S)
	})
	reduceX(part, g)
	reduceParams(part, g)
}

// backwardItem runs direction set s of batch item b: for each direction,
// chunk by chunk from the last, every channel group recomputes its states
// and runs the reverse recurrence, adding its lane partials of the
// chunk's dXDbl records into acc, which is then reduced once.
func backwardItem(ks *kernels, d Dims, in Inputs, dy []float32, saved *Saved, part bwdPart, g Grads, b, s int) {
	T, N, E, G, L := chunkLen, d.N, d.E(), part.G, d.L
	k0, k1 := s*d.K/part.S, (s+1)*d.K/part.S
	al := accLen(d.R, N)
	pl := paramsLen(d)
	scr := getScratch(T*preLen + 2*T*N*lanes + N*lanes + T*al + G*N*lanes + G*pl)
	defer putScratch(scr)
	buf := *scr
	take := func(n int) []float32 { v := buf[:n]; buf = buf[n:]; return v }
	c := chunk{L: L, R: d.R, N: N, rs: d.K * E, pre: take(T * preLen), sig: true,
		dAP: take(2 * T * N * lanes), h: take(N * lanes)}
	acc, dhs, pbuf := take(T*al), take(G*N*lanes), take(G*pl)
	prms := make([]params, G)
	dX := part.dX(g, s)
	tks := make([]*tokens, G)
	views := make([][3][]float32, G) // x, dy, dX of each group
	for gi := range tks {
		tk := newTokens(d, b, gi, 3)
		defer tk.free()
		tks[gi] = tk
		views[gi] = [3][]float32{tk.view(in.X, 0), tk.view(dy, 1), tk.view(nil, 2)}
		if !tk.padded {
			views[gi][2] = dX[b*L*d.D+gi*lanes:]
		}
	}
	chunks := numChunks(L)
	// at points c (or nx) at group gi of chunk ci of direction k.
	at := func(c *chunk, k, ci, gi int) {
		c.rec = in.XDbl[(b*L*d.K+k)*E:]
		c.n = min(T, L-ci*T)
		c.idx = in.Idx[k][ci*T : ci*T+c.n]
		c.ts = tks[gi].ts
		c.x, c.dy, c.out = views[gi][0], views[gi][1], views[gi][2]
	}
	nx := c
	at(&nx, k0, chunks-1, 0)
	ks.prefetch(&nx)
	for k := k0; k < k1; k++ {
		c.add = k > k0
		clear(dhs)
		for gi := 0; gi < G; gi++ {
			prms[gi].build(d, in, k, gi, pbuf[gi*pl:(gi+1)*pl])
			a, w, dd, bias := part.sums(b, k, gi)
			clear(a)
			clear(w)
			clear(dd)
			clear(bias)
		}
		for ci := chunks - 1; ci >= 0; ci-- {
			at(&c, k, ci, 0)
			clear(acc[:c.n*al])
			c.acc = acc
			for gi := 0; gi < G; gi++ {
				at(&c, k, ci, gi)
				p := &prms[gi]
				c.dtw, c.a, c.bias, c.dskip, c.dtwr = p.dtw, p.a, p.bias, p.dskip, p.dtwr
				c.accA, c.accW, c.accD, c.accBias = part.sums(b, k, gi)
				c.dh = dhs[gi*N*lanes : (gi+1)*N*lanes]
				if ci > 0 {
					copy(c.h, saved.checkpoint(b, gi, k, ci-1))
				} else {
					clear(c.h)
				}
				ks.prep(&c)
				switch {
				case gi+1 < G:
					at(&nx, k, ci, gi+1)
					ks.prefetch(&nx)
				case ci > 0:
					at(&nx, k, ci-1, 0)
					ks.prefetch(&nx)
				case k+1 < k1:
					at(&nx, k+1, chunks-1, 0)
					ks.prefetch(&nx)
				}
				ks.rec(&c)
				ks.rev(&c)
				ks.wgrad(&c)
			}
			ks.reduce(c.n, d.R, N, acc, c.idx, g.XDbl[(b*L*d.K+k)*E:], d.K*E)
		}
	}
	for _, tk := range tks {
		tk.writeBack(dX, 2)
	}
}

// reduceX adds the direction sets' partial dX arrays into g.X, in order.
func reduceX(p bwdPart, g Grads) {
	if p.S == 1 {
		return
	}
	n := p.d.tokLen()
	parallel.For(n, 1<<14, func(lo, hi int) {
		dst := g.X[lo:hi]
		for s := 1; s < p.S; s++ {
			for i, v := range p.dx[(s-1)*n+lo : (s-1)*n+hi] {
				dst[i] += v
			}
		}
	})
}

// reduceParams sums the parameter partials over the batch, in order, and
// adds the totals into the gradients (one rounding per parameter). Each
// (direction, group) block owns its slice of every gradient.
func reduceParams(p bwdPart, g Grads) {
	d := p.d
	N, R, D, KG := d.N, d.R, d.D, d.K*p.G
	parallel.For(KG, 8, func(lo, hi int) {
		sum := make([]float32, p.per)
		for kg := lo; kg < hi; kg++ {
			copy(sum, p.params[kg*p.per:][:p.per])
			for b := 1; b < d.Batch; b++ {
				src := p.params[(b*KG+kg)*p.per:][:p.per]
				for i, v := range src {
					sum[i] += v
				}
			}
			k, gi := kg/p.G, kg%p.G
			for l := 0; l < min(lanes, D-gi*lanes); l++ {
				c := k*D + gi*lanes + l
				ga, gw := g.A[c*N:c*N+N], g.DtW[c*R:c*R+R]
				for n := range ga {
					ga[n] += sum[n*lanes+l]
				}
				for r := range gw {
					gw[r] += sum[(N+r)*lanes+l]
				}
				g.Dskip[c] += sum[(N+R)*lanes+l]
				g.DtBias[c] += sum[(N+R+1)*lanes+l]
			}
		}
	})
}
