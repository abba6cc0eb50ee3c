package dwconv

import "sync"

// The per-call scratch, and the blocked layout of the weights (the table
// the kernels read) and of the weight-gradient partial sums.

// nhwcScratch holds one call's table, partial sums and tail mask; calls
// recycle them through a pool, since a layer repeats its shapes every step.
type nhwcScratch struct {
	tbl  []float32
	part []float32
	idx  []int32 // gather indices of the table
	mask [8]int32
}

var nhwcPool = sync.Pool{New: func() any { return new(nhwcScratch) }}

// setMask sets the tail mask for the last c mod lanes channels: a K mask in
// the first word for 16 lanes, an all-ones int32 per lane for 8.
func (s *nhwcScratch) setMask(lanes, c int) {
	t := c % lanes
	s.mask = [8]int32{}
	if lanes == 16 {
		s.mask[0] = int32(1)<<t - 1
		return
	}
	for i := 0; i < t && i < len(s.mask); i++ {
		s.mask[i] = -1
	}
}

// table fills s.tbl with the blocked weights: per vector of lanes channels,
// the bias (zero if nil) then the k·k taps, each a vector over the
// channels; with flip the taps are rotated by 180° (for the input
// gradient). Lanes past c are zero, so the kernels may load whole vectors.
// The full vectors' taps go through kern.table when the level has one.
func (s *nhwcScratch) table(kern nhwcKernels, c, k int, wt, bias []float32, flip bool) []float32 {
	lanes, kk := kern.lanes, k*k
	blk := (1 + kk) * lanes
	ncv := (c + lanes - 1) / lanes
	s.tbl = grow(s.tbl, ncv*blk)
	tbl := s.tbl
	clear(tbl[(ncv-1)*blk:])
	tap := func(t int) int { // the source tap of table tap t
		if flip {
			return kk - 1 - t
		}
		return t
	}
	done := 0 // channel vectors whose taps are written
	if kern.table != nil && c >= lanes {
		if cap(s.idx) < kk*lanes {
			s.idx = make([]int32, kk*lanes)
		}
		idx := s.idx[:kk*lanes]
		for t := 0; t < kk; t++ {
			for l := 0; l < lanes; l++ {
				idx[t*lanes+l] = int32(l*kk + tap(t))
			}
		}
		done = c / lanes
		kern.table(tbl, wt, idx, done, kk)
	}
	for cv := 0; cv < ncv; cv++ {
		b := tbl[cv*blk : (cv+1)*blk]
		ch0, nl := cv*lanes, min(lanes, c-cv*lanes)
		if bias != nil {
			copy(b[:nl], bias[ch0:ch0+nl])
		} else {
			clear(b[:nl])
		}
		if cv < done {
			continue
		}
		src := wt[ch0*kk : (ch0+nl)*kk]
		for t := 0; t < kk; t++ {
			dst, st := b[(1+t)*lanes:(1+t)*lanes+nl], tap(t)
			for l := range dst {
				dst[l] = src[l*kk+st]
			}
		}
	}
	return tbl
}

// grow returns b resized to n elements, contents unspecified.
func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

// addPartial adds the blocked partial sums of channels [ch0, ch1) (part
// starting at ch0's block) into dwt (C, k·k) and dbias, the full vectors
// through kern.unpack when the level has one.
func addPartial(kern nhwcKernels, dwt, dbias, part []float32, ch0, ch1, kk int, idx *[]int32) {
	lanes := kern.lanes
	blk := (1 + kk) * lanes
	if dbias != nil {
		for cv := 0; cv*lanes < ch1-ch0; cv++ {
			d := dbias[ch0+cv*lanes : min(ch1, ch0+(cv+1)*lanes)]
			for l, v := range part[cv*blk : cv*blk+len(d)] {
				d[l] += v
			}
		}
	}
	if full := (ch1 - ch0) / lanes; kern.unpack != nil && full > 0 {
		if cap(*idx) < kk*lanes {
			*idx = make([]int32, kk*lanes)
		}
		ix := (*idx)[:kk*lanes]
		for e := range ix {
			ix[e] = int32((1+e%kk)*lanes + e/kk)
		}
		kern.unpack(dwt[ch0*kk:], part, ix, full, kk)
		ch0 += full * lanes
		part = part[full*blk:]
	}
	for ch := ch0; ch < ch1; ch++ {
		b := part[(ch-ch0)/lanes*blk+(ch-ch0)%lanes:]
		d := dwt[ch*kk : ch*kk+kk]
		for t := range d {
			d[t] += b[(1+t)*lanes]
		}
	}
}
