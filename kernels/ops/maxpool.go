package ops

import (
	"math"

	"github.com/mambaad/mambaad/parallel"
)

// PoolOutSize is PyTorch's output size for a pooling or convolution window
// (floor mode): (in + 2·pad − k)/stride + 1.
func PoolOutSize(in, k, stride, pad int) int {
	if !(k > 0 && stride > 0 && pad >= 0) {
		fail("PoolOutSize: bad window k=%d stride=%d pad=%d", k, stride, pad)
	}
	if !(2*pad <= k) {
		fail("PoolOutSize: pad %d exceeds half the window %d", pad, k)
	}
	return (in+2*pad-k)/stride + 1
}

// MaxPool2d pools each of planes = N·C planes (h, w) with a k×k window,
// stride s and implicit −∞ padding p into y (planes, oh, ow) with oh, ow =
// PoolOutSize(h|w, k, s, p). argmax (same size as y, may be nil in
// inference) receives the index within the input plane (row·w + col) of each
// maximum: the first one in scan order, or a NaN, as PyTorch picks it.
func MaxPool2d(x []float32, planes, h, w, k, s, p int, y []float32, argmax []int32) {
	const fn = "MaxPool2d"
	checkDims(fn, planes, h, w)
	oh, ow := PoolOutSize(h, k, s, p), PoolOutSize(w, k, s, p)
	if !(oh > 0 && ow > 0) {
		fail("%s: input %dx%d smaller than window %d (pad %d)", fn, h, w, k, p)
	}
	checkLen(fn, "x", x, planes*h*w)
	checkLen(fn, "y", y, planes*oh*ow)
	if !(argmax == nil || len(argmax) == len(y)) {
		fail("%s: argmax has %d elements, want %d", fn, len(argmax), len(y))
	}
	if argmax == nil && k == 3 && s == 2 && p == 1 {
		maxPool3s2(x, planes, h, w, oh, ow, y)
		return
	}
	parallel.For(planes, max(1, 4096/(oh*ow)), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp := x[pl*h*w : (pl+1)*h*w]
			for i := 0; i < oh; i++ {
				r0, r1 := max(i*s-p, 0), min(i*s-p+k, h)
				for j := 0; j < ow; j++ {
					c0, c1 := max(j*s-p, 0), min(j*s-p+k, w)
					best, at := float32(math.Inf(-1)), int32(r0*w+c0)
					for r := r0; r < r1; r++ {
						for c := c0; c < c1; c++ {
							if v := xp[r*w+c]; v > best || v != v {
								best, at = v, int32(r*w+c)
								if v != v {
									r, c = r1, c1 // NaN wins; stop here
								}
							}
						}
					}
					o := (pl*oh+i)*ow + j
					y[o] = best
					if argmax != nil {
						argmax[o] = at
					}
				}
			}
		}
	})
}

// maxPool3s2 is MaxPool2d's inference path for the ResNet stem's 3×3 window
// with stride 2 and padding 1: the interior takes the nine values at fixed
// offsets with the max builtin (which propagates NaN, as PyTorch does) and
// only the first row and column, which overlap the padding, use the general
// window loop.
func maxPool3s2(x []float32, planes, h, w, oh, ow int, y []float32) {
	parallel.For(planes, max(1, 4096/(oh*ow)), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp := x[pl*h*w : (pl+1)*h*w]
			yp := y[pl*oh*ow : (pl+1)*oh*ow]
			for i := 0; i < oh; i++ {
				yr := yp[i*ow : (i+1)*ow]
				if i == 0 || 2*i+1 >= h {
					for j := range yr {
						yr[j] = windowMax(xp, h, w, 2*i-1, 2*j-1)
					}
					continue
				}
				r0, r1, r2 := xp[(2*i-1)*w:(2*i)*w], xp[(2*i)*w:(2*i+1)*w], xp[(2*i+1)*w:(2*i+2)*w]
				yr[0] = windowMax(xp, h, w, 2*i-1, -1)
				for j := 1; j < ow; j++ {
					c := 2*j - 1
					if c+2 >= w {
						yr[j] = windowMax(xp, h, w, 2*i-1, c)
						continue
					}
					a := max(r0[c], r0[c+1], r0[c+2])
					b := max(r1[c], r1[c+1], r1[c+2])
					d := max(r2[c], r2[c+1], r2[c+2])
					yr[j] = max(a, b, d)
				}
			}
		}
	})
}

// windowMax is the maximum of the 3×3 window with top-left corner (r, c),
// ignoring positions outside the plane (the −∞ padding).
func windowMax(xp []float32, h, w, r, c int) float32 {
	best := float32(math.Inf(-1))
	for rr := max(r, 0); rr < min(r+3, h); rr++ {
		for cc := max(c, 0); cc < min(c+3, w); cc++ {
			best = max(best, xp[rr*w+cc])
		}
	}
	return best
}
