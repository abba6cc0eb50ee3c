package dwconv

import (
	"sync"

	"github.com/mambaad/mambaad/parallel"
)

// The packed paths, for channel counts whose pixel stride defeats the L1
// cache (see packed).

// packed reports whether the kernels should read x through packed copies.
// With c a multiple of 512 the pixels of a row are a multiple of 2 KiB
// apart, so the 20–40 vectors a block loads at one channel offset fall in
// one or two L1 sets (8 ways each), and the direct kernels ran at 40 % of
// their speed for c = 1024 and 60 % for 512 (85 vs 39 GFLOP/s per core on
// 8×1024×8×8). Copying a group of channels to pixels (group + lanes)
// floats apart spreads them over the sets again, for a load and a store
// per input element. c = 256 (four sets, 75 %) is left direct: its 32×32
// planes allow only small groups, which lost more than they gained. The
// plain-Go level is not worth the copy.
func packed(kern nhwcKernels, c int) bool { return kern.table != nil && c%512 == 0 }

// packGroup returns the channels per packed group: a multiple of lanes,
// small enough that a group's h×w plane stays in L2 and that there are
// enough groups for the workers when the batch is small.
func packGroup(n, h, w, c, lanes int) int {
	cg := (32 << 10) / max(1, h*w)
	if want := 2 * parallel.Workers(); n < want {
		cg = min(cg, (c+want/n-1)/(want/n))
	}
	// At least minGroup channels: the channel loop is the innermost, and
	// a few vectors do not pay for a block's set-up.
	return min(roundUp(max(cg, minGroup), lanes), roundUp(c, lanes))
}

const minGroup = 128

// pack copies channels [ch0, ch0+nch) of the h·w pixels of one image at x
// (c channels) into buf, pixels ps floats apart.
func pack(buf, x []float32, hw, c, ch0, nch, ps int) {
	for px := 0; px < hw; px++ {
		copy(buf[px*ps:px*ps+nch], x[px*c+ch0:px*c+ch0+nch])
	}
}

// packPool recycles the packed copies, one per worker.
var packPool = sync.Pool{New: func() any { return new([]float32) }}

// getPack returns a pooled buffer of at least n floats (put it back).
func getPack(n int) *[]float32 {
	b := packPool.Get().(*[]float32)
	*b = grow(*b, n)
	return b
}

// convPacked runs the forward kernel per (image, channel group), on a
// packed copy of the group; then, if not nil, gets each pixel's channels
// of the group once the group is done.
func convPacked(kern nhwcKernels, n, h, w, c, k int, x, tbl, y []float32, mask *[8]int32, then func(off, m int)) {
	L, p, hw := kern.lanes, k/2, h*w
	blk := (1 + k*k) * L
	cg := packGroup(n, h, w, c, L)
	ng, ps := (c+cg-1)/cg, cg+L
	parallel.For(n*ng, 1, func(lo, hi int) {
		bp := getPack(hw * ps)
		defer packPool.Put(bp)
		buf := *bp
		for t := lo; t < hi; t++ {
			img, ch0 := t/ng, t%ng*cg
			nch := min(cg, c-ch0)
			pack(buf, x[img*hw*c:], hw, c, ch0, nch, ps)
			eachRun(img*h, img*h+h, h, k, func(_, i0, i1, a0, a1 int) {
				kern.fwd(k, y[(img*h+i0)*w*c+ch0:], buf[(i0+a0-p)*w*ps:], tbl[ch0/L*blk:], i1-i0, w, nch, ps, c, a0, a1-a0, mask)
			})
			if then != nil {
				for px := img * hw; px < (img+1)*hw; px++ {
					then(px*c+ch0, nch)
				}
			}
		}
	})
}

// weightPacked runs the weight gradient per channel group, each over all
// the images in order on packed copies of x (see packed); dy is read in
// place. Groups own their channels' sums, so the result does not depend
// on the grouping.
func weightPacked(kern nhwcKernels, n, h, w, c, k int, x, dy, part, dwt, dbias []float32, mask *[8]int32) {
	L, kk, hw := kern.lanes, k*k, h*w
	blk := (1 + kk) * L
	cg := packGroup(1, h, w, c, L)
	ng, ps := (c+cg-1)/cg, cg+L
	parallel.For(ng, 1, func(lo, hi int) {
		bp := getPack(hw * ps)
		defer packPool.Put(bp)
		buf := *bp
		var idx []int32
		for g := lo; g < hi; g++ {
			ch0 := g * cg
			nch := min(cg, c-ch0)
			pt := part[ch0/L*blk:]
			for img := 0; img < n; img++ {
				pack(buf, x[img*hw*c:], hw, c, ch0, nch, ps)
				eachRun(img*h, img*h+h, h, k, func(_, i0, i1, a0, a1 int) {
					kern.wgt(k, pt, buf, dy, i0*w*ps, (img*h+i0)*w*c+ch0, i1-i0, w, nch, ps, c, nch/L, min(1, nch%L), a0, a1, mask)
				})
			}
			addPartial(kern, dwt, dbias, pt, ch0, ch0+nch, kk, &idx)
		}
	})
}
