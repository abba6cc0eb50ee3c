package legacy

import (
	"github.com/mambaad/mambaad/internal/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Backward computes the gradients of the scan given dy = ∂loss/∂y. It
// overwrites g.U, g.Delta, g.B and g.C and adds into g.A, g.Dskip and
// g.DeltaBias. saved must come from a Forward call with the same sizes and
// inputs; if it is nil, Backward runs that forward pass itself. Results do
// not depend on the number of workers. Wrong slice lengths panic.
func Backward(d Dims, in Inputs, dy []float32, saved *Saved, g Grads) {
	backward(isa.Best(), d, in, dy, saved, g)
}

// backward's scratch (in saved.work): per work item, the partial sums of dB
// and dC over its channels in (L, N) layout; per row (b, k, d), its dA row,
// dD and dbias terms, summed over b afterwards in a fixed order.
func backward(lv isa.Level, d Dims, in Inputs, dy []float32, saved *Saved, g Grads) {
	mustBackward(d, in, dy, g)
	if saved == nil {
		saved = new(Saved)
		y := getScratch(d.seqLen())
		forward(lv, d, in, *y, saved)
		putScratch(y)
	}
	saved.mustMatch(d)
	ks, p := kernelsFor(lv), newPlan(d)
	ln := d.L * d.N
	saved.work = grow(saved.work, 2*p.items()*ln+d.rows()*(d.N+2))
	part, rowTerms := saved.work[:2*p.items()*ln], saved.work[2*p.items()*ln:]
	bt, ct := saved.transposed()
	parallel.Run(p.items(), func(i int) {
		db, dc := part[i*ln:(i+1)*ln], part[(p.items()+i)*ln:(p.items()+i+1)*ln]
		backwardItem(ks, p, in, dy, saved, bt, ct, db, dc, g, rowTerms, i)
	})
	reduceBC(p, part[:p.items()*ln], g.B)
	reduceBC(p, part[p.items()*ln:], g.C)
	reduceParams(d, rowTerms, g)
}

// backwardItem runs the channels of one work item through the chunks from
// last to first, carrying each channel's dh, decay and dA sums between
// chunks, then finishes the per-row terms.
func backwardItem(ks *kernels, p plan, in Inputs, dy []float32, saved *Saved, bt, ct, db, dc []float32, g Grads, rowTerms []float32, i int) {
	d := p.d
	L, N := d.L, d.N
	bk, d0, d1 := p.item(i)
	k, nch := bk%d.K, d1-d0
	scr := getScratch((2*chunkLen+2)*N + chunkLen + 3*nch*N)
	defer putScratch(scr)
	s := *scr
	c := &bwdChunk{N: N, hbuf: s[:(chunkLen+1)*N], abuf: s[(chunkLen+1)*N : (2*chunkLen+1)*N]}
	s = s[(2*chunkLen+1)*N:]
	c.dubuf = s[:chunkLen]
	zero, carry := s[chunkLen:chunkLen+N], s[chunkLen+N:]
	clear(zero)
	clear(carry)
	for j := p.chunks - 1; j >= 0; j-- {
		t0, n := p.span(j)
		clear(db[t0*N : (t0+n)*N]) // here rather than up front: the chunk stays in cache
		clear(dc[t0*N : (t0+n)*N])
		c.n, c.bt, c.ct, c.dB, c.dC = n, bt[(bk*L+t0)*N:], ct[(bk*L+t0)*N:], db[t0*N:], dc[t0*N:]
		for dd := 0; dd < nch; dd++ {
			r, ch := bk*d.D+d0+dd, k*d.D+d0+dd
			o := r*L + t0
			c.delta, c.u, c.dy, c.s1, c.s2 = saved.delta[o:], in.U[o:], dy[o:], g.U[o:], g.Delta[o:]
			c.a = in.A[ch*N : (ch+1)*N]
			c.h0 = zero
			if j > 0 {
				c.h0 = saved.checkpoint(r, j-1)
			}
			cs := carry[3*dd*N:]
			c.dhNext, c.aNext, c.accA = cs[:N], cs[N:2*N], cs[2*N:3*N]
			ks.bwd(c)
		}
	}
	for dd := 0; dd < nch; dd++ {
		r, ch := bk*d.D+d0+dd, k*d.D+d0+dd
		rt := rowTerms[r*(N+2) : (r+1)*(N+2)]
		copy(rt[:N], carry[3*dd*N+2*N:3*dd*N+3*N])
		row := func(s []float32) []float32 { return s[r*L : (r+1)*L] }
		rt[N] = ks.finish(row(saved.delta), row(in.U), row(dy), in.Dskip[ch], row(g.U), row(g.Delta))
		rt[N+1] = ks.dsoftplus(in.Delta[r*L:(r+1)*L], in.DeltaBias[ch], saved.delta[r*L:(r+1)*L], g.Delta[r*L:(r+1)*L])
	}
}

// reduceBC sums the work items' partials of each (b, k) in item order and
// transposes them back to (N, L) into dst (overwritten). It goes through
// tiles of reduceTile steps: the partials' rows are read contiguously into
// a small sum, which is then written out as one short run per n (writing
// whole rows at a time would hit N rows L·4 bytes apart, which alias in
// the caches).
func reduceBC(p plan, part, dst []float32) {
	d := p.d
	N, L := d.N, d.L
	tiles := (L + reduceTile - 1) / reduceTile
	parallel.For(d.Batch*d.K*tiles, 8, func(lo, hi int) {
		acc := make([]float32, reduceTile*N)
		for task := lo; task < hi; task++ {
			bk, t0 := task/tiles, task%tiles*reduceTile
			nt := min(reduceTile, L-t0)
			sum := acc[:nt*N]
			copy(sum, part[(bk*p.groups*L+t0)*N:])
			for s := 1; s < p.groups; s++ {
				src := part[((bk*p.groups+s)*L+t0)*N:][:nt*N]
				for i, v := range src {
					sum[i] += v
				}
			}
			out := dst[bk*N*L:]
			for n := 0; n < N; n++ {
				row := out[n*L+t0 : n*L+t0+nt]
				for t := range row {
					row[t] = sum[t*N+n]
				}
			}
		}
	})
}

// reduceTile is the number of steps reduceBC sums at a time.
const reduceTile = 16

// reduceParams sums the per-row terms over the batch, in order, and adds
// the totals into the parameter gradients (one rounding per parameter).
func reduceParams(d Dims, rowTerms []float32, g Grads) {
	N, kd := d.N, d.chans()
	parallel.For(kd, 64, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			for j := 0; j < N+2; j++ {
				var s float32
				for b := 0; b < d.Batch; b++ {
					s += rowTerms[(b*kd+c)*(N+2)+j]
				}
				switch {
				case j < N:
					g.A[c*N+j] += s
				case j == N:
					g.Dskip[c] += s
				default:
					g.DeltaBias[c] += s
				}
			}
		}
	})
}
