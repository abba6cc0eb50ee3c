package dwconv

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// wgtMinWork is the smallest weight-gradient task, in vector multiply-adds:
// a few microseconds, so that a hand-off to a worker pays.
const wgtMinWork = 16 << 10

// wgtSplit divides the weight gradient into cg channel groups × rg row
// groups. Channel groups never share a sum, so they are free; row groups
// each sum into their own partial buffer, and rg depends on the shape only
// (not the worker count), so the result is the same on every machine with
// the same instruction set.
func wgtSplit(ncv, rows, w, k int) (cg, rg int) {
	work := rows * w * k * k // per channel vector
	cg = min(ncv, max(1, ncv*work/wgtMinWork), 4*parallel.Workers())
	if ncv < 8 {
		rg = min(rows, max(1, ncv*work/wgtMinWork), (8+ncv-1)/ncv)
	} else {
		rg = 1
	}
	return max(cg, 1), max(rg, 1)
}

// backwardWeightNHWC sums per channel vector in the kernels' partial
// blocks, then adds them into dwt and dbias: on packed channel groups when
// c is a multiple of 512, else over channel groups × row groups.
func backwardWeightNHWC(l isa.Level, n, h, w, c, k int, x, dy, dwt, dbias []float32) {
	checkNHWC("BackwardWeightNHWC", n, h, w, c, k, [][]float32{x, dy}, "xy", dwt)
	checkBias("BackwardWeightNHWC", dbias, c)
	if n*h*w*c == 0 {
		return
	}
	kern := nhwcKernelsFor(l)
	L, kk := kern.lanes, k*k
	ncv, blk := (c+L-1)/L, (1+k*k)*L
	s := nhwcPool.Get().(*nhwcScratch)
	defer nhwcPool.Put(s)
	s.setMask(L, c)
	if packed(kern, c) {
		s.part = grow(s.part, ncv*blk)
		clear(s.part)
		weightPacked(kern, n, h, w, c, k, x, dy, s.part, dwt, dbias, &s.mask)
		return
	}
	cg, rg := wgtSplit(ncv, n*h, w, k)
	s.part = grow(s.part, rg*ncv*blk)
	clear(s.part)
	parallel.Run(cg*rg, func(task int) {
		g, rgrp := task%cg, task/cg
		cv0, cv1 := g*ncv/cg, (g+1)*ncv/cg
		r0, r1 := rgrp*n*h/rg, (rgrp+1)*n*h/rg
		if cv0 == cv1 || r0 == r1 {
			return
		}
		part := s.part[(rgrp*ncv+cv0)*blk : (rgrp*ncv+cv1)*blk]
		nch := min(cv1*L, c) - cv0*L
		nfull, tail := nch/L, min(1, nch%L)
		eachRun(r0, r1, h, k, func(img, i0, i1, a0, a1 int) {
			off := (img*h+i0)*w*c + cv0*L
			kern.wgt(k, part, x, dy, off, off, i1-i0, w, nch, c, c, nfull, tail, a0, a1, &s.mask)
		})
		if rg == 1 {
			var idx []int32
			addPartial(kern, dwt, dbias, part, cv0*L, cv0*L+nch, kk, &idx)
		}
	})
	if rg > 1 {
		// Row groups in order, in float64, into the first.
		tot := s.part[:ncv*blk]
		for i := range tot {
			v := float64(tot[i])
			for g := 1; g < rg; g++ {
				v += float64(s.part[g*ncv*blk+i])
			}
			tot[i] = float32(v)
		}
		addPartial(kern, dwt, dbias, tot, 0, c, kk, &s.idx)
	}
}
