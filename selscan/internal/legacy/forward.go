package legacy

import (
	"github.com/mambaad/mambaad/internal/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Forward writes y (Batch, K, D, L), using the best instruction set
// available. If saved is non-nil it also records what Backward needs
// (reusing saved's memory). Wrong slice lengths panic.
func Forward(d Dims, in Inputs, y []float32, saved *Saved) {
	forward(isa.Best(), d, in, y, saved)
}

func forward(lv isa.Level, d Dims, in Inputs, y []float32, saved *Saved) {
	mustForward(d, in, y)
	ks, p := kernelsFor(lv), newPlan(d)
	var bt, ct []float32
	if saved != nil {
		saved.prepare(d)
		bt, ct = saved.transposed()
	} else {
		bc := getScratch(2 * d.bcLen())
		defer putScratch(bc)
		bt, ct = (*bc)[:d.bcLen()], (*bc)[d.bcLen():]
	}
	transposeBC(d, in.B, bt)
	transposeBC(d, in.C, ct)
	parallel.Run(p.items(), func(i int) {
		forwardItem(ks, p, in, bt, ct, y, saved, i)
	})
}

// forwardItem scans the channels of one work item, chunk by chunk, so all
// of them reuse one chunk of bt and ct while it is in cache.
func forwardItem(ks *kernels, p plan, in Inputs, bt, ct, y []float32, saved *Saved, i int) {
	d := p.d
	L, N := d.L, d.N
	bk, d0, d1 := p.item(i)
	k, nch := bk%d.K, d1-d0
	need := nch * N
	if saved == nil {
		need += nch * L
	}
	scr := getScratch(need)
	defer putScratch(scr)
	h := (*scr)[:nch*N]
	clear(h)
	deltaRow := func(dd int) []float32 {
		if saved != nil {
			r := bk*d.D + d0 + dd
			return saved.delta[r*L : (r+1)*L]
		}
		return (*scr)[nch*N+dd*L : nch*N+(dd+1)*L]
	}
	for dd := 0; dd < nch; dd++ {
		r, c := bk*d.D+d0+dd, k*d.D+d0+dd
		ks.softplus(in.Delta[r*L:(r+1)*L], in.DeltaBias[c], deltaRow(dd))
	}
	for j := 0; j < p.chunks; j++ {
		t0, n := p.span(j)
		bj, cj := bt[(bk*L+t0)*N:], ct[(bk*L+t0)*N:]
		for dd := 0; dd < nch; dd++ {
			r, c := bk*d.D+d0+dd, k*d.D+d0+dd
			hs := h[dd*N : (dd+1)*N]
			ks.fwd(n, N, deltaRow(dd)[t0:], in.U[r*L+t0:], bj, cj, in.A[c*N:(c+1)*N], in.Dskip[c], hs, y[r*L+t0:])
			if saved != nil && j < p.chunks-1 {
				copy(saved.checkpoint(r, j), hs)
			}
		}
	}
}
