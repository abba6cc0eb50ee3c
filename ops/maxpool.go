package ops

import (
	"fmt"
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

// MaxPool2dBackward overwrites dx (planes, h, w) with dy (planes, oh, ow)
// routed to the saved argmax positions (summed where windows overlap).
func MaxPool2dBackward(dy []float32, argmax []int32, planes, h, w, oh, ow int, dx []float32) {
	const fn = "MaxPool2dBackward"
	checkDims(fn, planes, h, w, oh, ow)
	checkLen(fn, "dy", dy, planes*oh*ow)
	if !(len(argmax) == len(dy)) {
		fail("%s: argmax has %d elements, want %d", fn, len(argmax), len(dy))
	}
	checkLen(fn, "dx", dx, planes*h*w)
	parallel.For(planes, max(1, 4096/max(h*w, 1)), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			dp := dx[pl*h*w : (pl+1)*h*w]
			clear(dp)
			for o, g := range dy[pl*oh*ow : (pl+1)*oh*ow] {
				at := argmax[pl*oh*ow+o]
				if at < 0 || int(at) >= h*w {
					panic(fmt.Sprintf("ops: %s: argmax %d outside the %dx%d plane", fn, at, h, w))
				}
				dp[at] += g
			}
		}
	})
}
