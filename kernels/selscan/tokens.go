package selscan

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
	if t.w < lanes {
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
