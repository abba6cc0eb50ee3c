package selscan

import (
	"github.com/mambaad/mambaad/internal/isa"
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
	mustTok(d, in, "y", y)
	ks, prm := kernelsFor(lv), newParams(d, in)
	defer prm.free()
	if saved != nil {
		saved.prepare(d)
	}
	G := prm.G
	runItems(d.Batch*G, func(i int) {
		forwardItem(ks, d, in, prm, y, saved, i/G, i%G)
	})
}

// tokens is a work item's view of the token-major arrays of its group:
// lane l of pixel p at [p·ts + l]. A full group reads and writes the
// caller's arrays in place (ts = D); the zero-padded last group of a D
// that is not a multiple of 16 works on (L, 16) copies (ts = 16), so the
// kernels never need masks.
type tokens struct {
	d      Dims
	b, d0  int
	w, ts  int // lanes in use, stride
	buf    *[]float32
	padded bool
}

func newTokens(d Dims, b, g, copies int) *tokens {
	t := &tokens{d: d, b: b, d0: g * lanes, w: min(lanes, d.D-g*lanes), ts: d.D}
	if t.w < lanes || copyTokens {
		t.padded, t.ts = true, lanes
		t.buf = getScratch(copies * d.L * lanes)
	}
	return t
}

// view returns src's group slice (nil for a nil src), or, for a padded
// group, copy i, filled from src unless src is nil (an output copy).
func (t *tokens) view(src []float32, i int) []float32 {
	o := t.b*t.d.L*t.d.D + t.d0
	if !t.padded {
		if src == nil {
			return nil
		}
		return src[o:]
	}
	L := t.d.L
	dst := (*t.buf)[i*L*lanes : (i+1)*L*lanes]
	if src != nil {
		clear(dst)
		for p := 0; p < L; p++ {
			copy(dst[p*lanes:p*lanes+t.w], src[o+p*t.d.D:])
		}
	}
	return dst
}

// writeBack copies copy i to dst when the group is padded.
func (t *tokens) writeBack(dst []float32, i int) {
	if !t.padded {
		return
	}
	o, L := t.b*t.d.L*t.d.D+t.d0, t.d.L
	src := (*t.buf)[i*L*lanes:]
	for p := 0; p < L; p++ {
		copy(dst[o+p*t.d.D:o+p*t.d.D+t.w], src[p*lanes:])
	}
}

func (t *tokens) free() {
	if t.buf != nil {
		putScratch(t.buf)
	}
}

// forwardItem scans one group of one batch item through every direction;
// the first direction writes y, the others add to it, in order.
func forwardItem(ks *kernels, d Dims, in Inputs, prm *params, y []float32, saved *Saved, b, g int) {
	T, N, E := chunkLen, d.N, d.E()
	tk := newTokens(d, b, g, 2)
	defer tk.free()
	scr := getScratch(T*preLen + N*lanes)
	defer putScratch(scr)
	s := *scr
	c := chunk{R: d.R, N: N, rs: d.K * E, ts: tk.ts, x: tk.view(in.X, 0), out: tk.view(nil, 1),
		pre: s[:T*preLen], h: s[T*preLen:]}
	if !tk.padded {
		c.out = y[b*d.L*d.D+g*lanes:]
	}
	for k := 0; k < d.K; k++ {
		c.dtw, c.a2, c.a, c.bias, c.dskip = prm.group(k, g)
		c.rec = in.XDbl[(b*d.L*d.K+k)*E:]
		c.add = k > 0
		clear(c.h)
		for ci := 0; ci < numChunks(d.L); ci++ {
			j0 := ci * T
			c.n = min(T, d.L-j0)
			c.idx = in.Idx[k][j0 : j0+c.n]
			ks.prep(&c)
			ks.fwd(&c)
			if saved != nil && ci < numChunks(d.L)-1 {
				copy(saved.checkpoint(b, g, k, ci), c.h)
			}
		}
	}
	tk.writeBack(y, 1)
}

// runItems runs the work items of a call; a variable so that tests can run
// them serially in another order and check the results do not change.
var runItems = parallel.Run

var copyTokens = false
