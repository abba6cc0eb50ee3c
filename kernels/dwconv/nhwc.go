package dwconv

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// The channels-last (NHWC) convolutions: the SS2D layer keeps its tokens
// as (N, H, W, C), so its 3×3 depthwise conv runs on that layout directly
// instead of transposing twice. Channels are contiguous, so the kernels
// vectorise along C: every tap is a weight vector (one lane per channel)
// times an input vector. The weights stay in PyTorch's (C, 1, k, k) layout
// in the API; each call transposes them once into a small blocked table.

// ForwardNHWC computes y = depthwise_conv(x, wt) + bias for x and y
// (N,H,W,C) channels-last, wt (C,1,k,k) and bias (C) or nil; stride 1,
// zero padding k/2. y is overwritten and must not overlap x.
func ForwardNHWC(n, h, w, c, k int, x, wt, bias, y []float32) {
	forwardNHWC(isa.Best(), n, h, w, c, k, x, wt, bias, y)
}

// ForwardNHWCThen is ForwardNHWC that calls then(off, m) for every piece
// y[off:off+m] as soon as it is final (whole output rows, or one pixel's
// channels of a channel group), on the worker that computed it, while the
// piece is still in its cache: the way to fuse an element-wise epilogue
// (an activation) into the convolution without another pass over memory.
// Pieces are disjoint, cover y, and depend on the shape and the worker
// count; then must work on each piece independently.
func ForwardNHWCThen(n, h, w, c, k int, x, wt, bias, y []float32, then func(off, m int)) {
	l := isa.Best()
	checkNHWC("ForwardNHWCThen", n, h, w, c, k, [][]float32{x, y}, "xy", wt)
	checkBias("ForwardNHWCThen", bias, c)
	convNHWCThen(l, n, h, w, c, k, x, wt, bias, y, false, then)
}

// BackwardInputNHWC overwrites dx (N,H,W,C) with the gradient of
// ForwardNHWC's input: a correlation of dy with the flipped kernel.
func BackwardInputNHWC(n, h, w, c, k int, dy, wt, dx []float32) {
	backwardInputNHWC(isa.Best(), n, h, w, c, k, dy, wt, dx)
}

// BackwardWeightNHWC accumulates the weight gradient into dwt (C,1,k,k)
// and, if dbias is not nil, the bias gradient Σ dy into dbias (C). The sums
// run in a fixed order, so repeated calls give identical bits.
func BackwardWeightNHWC(n, h, w, c, k int, x, dy, dwt, dbias []float32) {
	backwardWeightNHWC(isa.Best(), n, h, w, c, k, x, dy, dwt, dbias)
}

// nhwcKernels are the row routines of one instruction-set level; the
// drivers below split the work and handle the borders between rows.
type nhwcKernels struct {
	// lanes is the channel-vector width of the blocked tables: a block
	// per lanes channels holding the bias then the k·k taps.
	lanes int
	// table, if not nil, writes the taps of the first ncv blocks of the
	// table from wt, tap t of lane l being wt[l·kk + idx[t·lanes+l]].
	table func(tbl, wt []float32, idx []int32, ncv, kk int)
	// unpack, if not nil, adds the taps of ncv blocks of partial sums
	// into dwt, float e of a block's k·k·lanes going to part[idx[e]].
	unpack func(dwt, part []float32, idx []int32, ncv, kk int)
	// fwd writes c channels of rows output rows at y (pixels ys floats
	// apart) from input x (pixels xs apart), which starts at the input row
	// of kernel row a0 of the first output row; every row uses kernel rows
	// a0 ≤ a < a0+na. tbl starts at the block of y's first channel.
	fwd func(k int, y, x, tbl []float32, rows, w, c, xs, ys, a0, na int, mask *[8]int32)
	// wgt adds the bias and tap gradients of rows output rows into part
	// (blocks of the nch channels from the first channel of x and dy:
	// nfull full vectors and tail ≤ 1 partial one). xoff and dyoff index
	// the first row's first pixel in x and dy, whose pixels are xs and ds
	// floats apart; kernel rows outside [va0, va1) fall off the image for
	// all those rows.
	wgt func(k int, part, x, dy []float32, xoff, dyoff, rows, w, nch, xs, ds, nfull, tail, va0, va1 int, mask *[8]int32)
}

func checkNHWC(fn string, n, h, w, c, k int, ts [][]float32, names string, wt []float32) {
	if n < 0 || h < 0 || w < 0 || c < 0 {
		panic(fmt.Sprintf("dwconv.%s: negative size n=%d h=%d w=%d c=%d", fn, n, h, w, c))
	}
	if k != 3 && k != 5 && k != 7 {
		panic(fmt.Sprintf("dwconv.%s: kernel size %d, want 3, 5 or 7", fn, k))
	}
	for i, t := range ts {
		if len(t) != n*h*w*c {
			panic(fmt.Sprintf("dwconv.%s: %c has %d elements, want %d×%d×%d×%d (n, h, w, c)", fn, names[i], len(t), n, h, w, c))
		}
	}
	if len(wt) != c*k*k {
		panic(fmt.Sprintf("dwconv.%s: weights have %d elements, want %d×1×%d×%d", fn, len(wt), c, k, k))
	}
}

// rowGrain gives each parallel chunk of rows about 64 K multiply-adds.
func rowGrain(w, c, k int) int { return max(1, (64<<10)/max(1, w*c*k*k)) }

// eachRun calls fn for the runs of image rows [r0, r1) of the n·h rows
// that share their valid kernel rows [a0, a1): interior rows use all k,
// the p rows at the top and bottom of each image fewer.
func eachRun(r0, r1, h, k int, fn func(img, i0, i1, a0, a1 int)) {
	p := k / 2
	for r := r0; r < r1; {
		img, i := r/h, r%h
		end := min(r1-img*h, h) // end row in this image
		for i < end {
			a0, a1 := max(0, p-i), min(k, h+p-i)
			j := i + 1
			if a0 == 0 && a1 == k {
				j = max(j, min(end, h-p)) // all interior rows at once
			}
			fn(img, i, j, a0, a1)
			i = j
		}
		r = img*h + end
	}
}

func forwardNHWC(l isa.Level, n, h, w, c, k int, x, wt, bias, y []float32) {
	checkNHWC("ForwardNHWC", n, h, w, c, k, [][]float32{x, y}, "xy", wt)
	checkBias("ForwardNHWC", bias, c)
	convNHWC(l, n, h, w, c, k, x, wt, bias, y, false)
}

func convNHWC(l isa.Level, n, h, w, c, k int, x, wt, bias, y []float32, flip bool) {
	convNHWCThen(l, n, h, w, c, k, x, wt, bias, y, flip, nil)
}

func backwardInputNHWC(l isa.Level, n, h, w, c, k int, dy, wt, dx []float32) {
	checkNHWC("BackwardInputNHWC", n, h, w, c, k, [][]float32{dy, dx}, "yx", wt)
	// dx[i,j] = Σ dy[i+a−p, j+b−p]·wt[k−1−a, k−1−b]: a forward pass with
	// the kernel rotated by 180° and no bias.
	convNHWC(l, n, h, w, c, k, dy, wt, nil, dx, true)
}

// convNHWCThen runs the forward kernel: on packed channel groups when c is
// a multiple of 512 (see packed), else in parallel over the n·h output
// rows; then, if not nil, is called on each finished piece of y.
func convNHWCThen(l isa.Level, n, h, w, c, k int, x, wt, bias, y []float32, flip bool, then func(off, m int)) {
	if n*h*w*c == 0 {
		return
	}
	kern := nhwcKernelsFor(l)
	s := nhwcPool.Get().(*nhwcScratch)
	defer nhwcPool.Put(s)
	tbl := s.table(kern, c, k, wt, bias, flip)
	s.setMask(kern.lanes, c)
	p, rs := k/2, w*c
	if packed(kern, c) {
		convPacked(kern, n, h, w, c, k, x, tbl, y, &s.mask, then)
		return
	}
	parallel.For(n*h, rowGrain(w, c, k), func(lo, hi int) {
		eachRun(lo, hi, h, k, func(img, i0, i1, a0, a1 int) {
			r := img*h + i0
			kern.fwd(k, y[r*rs:], x[(r+a0-p)*rs:], tbl, i1-i0, w, c, c, c, a0, a1-a0, &s.mask)
			if then != nil {
				then(r*rs, (i1-i0)*rs)
			}
		})
	})
}
