package selscan

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Forward writes y (Batch, L, D) = the sum over the K directions of the
// scan outputs scattered back to their pixels (overwritten), using the
// best instruction set available. If saved is non-nil it also records what
// Backward needs, reusing saved's memory. Wrong sizes panic. Results do
// not depend on the number of workers.
func Forward(d Dims, in Inputs, y []float32, saved *Saved) {
	forward(isa.Best(), d, in, y, saved)
}

func forward(lv isa.Level, d Dims, in Inputs, y []float32, saved *Saved) {
	forwardWith(kernelsFor(lv), d, in, y, saved)
}

func forwardWith(ks *kernels, d Dims, in Inputs, y []float32, saved *Saved) {
	mustTok(d, in, "y", y)
	if saved != nil {
		saved.prepare(d)
	}
	G := numGroups(d)
	runItems(d.Batch*G, func(i int) {
		forwardItem(ks, d, in, y, saved, i/G, i%G)
	})
}

// forwardItem scans one group of one batch item through every direction;
// the first direction writes y, the others add to it, in order.
func forwardItem(ks *kernels, d Dims, in Inputs, y []float32, saved *Saved, b, g int) {
	T, N, E := chunkLen, d.N, d.E()
	tk := newTokens(d, b, g, 2)
	defer tk.free()
	scr := getScratch(T*preLen + N*lanes + paramsLen(d))
	defer putScratch(scr)
	s := *scr
	c := chunk{L: d.L, R: d.R, N: N, rs: d.K * E, ts: tk.ts, x: tk.view(in.X, 0), out: tk.view(nil, 1),
		pre: s[:T*preLen], h: s[T*preLen : T*preLen+N*lanes]}
	var prm params
	if !tk.padded {
		c.out = y[b*d.L*d.D+g*lanes:]
	}
	// at points c (or nx) at chunk ci of direction k.
	at := func(c *chunk, k, ci int) {
		c.rec = in.XDbl[(b*d.L*d.K+k)*E:]
		c.n = min(T, d.L-ci*T)
		c.idx = in.Idx[k][ci*T : ci*T+c.n]
	}
	chunks := numChunks(d.L)
	nx := c
	at(&nx, 0, 0)
	ks.prefetch(&nx)
	for k := 0; k < d.K; k++ {
		prm.build(d, in, k, g, s[T*preLen+N*lanes:])
		c.dtw, c.a, c.bias, c.dskip = prm.dtw, prm.a, prm.bias, prm.dskip
		c.add = k > 0
		clear(c.h)
		for ci := 0; ci < chunks; ci++ {
			at(&c, k, ci)
			ks.prep(&c)
			if ci+1 < chunks {
				at(&nx, k, ci+1)
				ks.prefetch(&nx)
			} else if k+1 < d.K {
				at(&nx, k+1, 0)
				ks.prefetch(&nx)
			}
			ks.fwd(&c)
			if saved != nil && ci < chunks-1 {
				copy(saved.checkpoint(b, g, k, ci), c.h)
			}
		}
	}
	tk.writeBack(y, 1)
}

// runItems runs the work items of a call; a variable so that tests can run
// them serially in another order and check the results do not change.
var runItems = parallel.Run
