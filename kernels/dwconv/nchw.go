package dwconv

import (
	"fmt"
	"sync"

	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Forward computes y = depthwise_conv(x, wt) + bias for x and y (N,C,H,W),
// wt (C,1,k,k) and bias (C) or nil. y is overwritten and must not overlap x.
func Forward(n, c, h, w, k int, x, wt, bias, y []float32) {
	forward(isa.Best(), n, c, h, w, k, x, wt, bias, y)
}

// BackwardInput overwrites dx (N,C,H,W) with the gradient of the
// convolution's input: a correlation of dy with the flipped kernel.
func BackwardInput(n, c, h, w, k int, dy, wt, dx []float32) {
	backwardInput(isa.Best(), n, c, h, w, k, dy, wt, dx)
}

// BackwardWeight accumulates the weight gradient into dwt (C,1,k,k) and, if
// dbias is not nil, the bias gradient Σ dy into dbias (C).
func BackwardWeight(n, c, h, w, k int, x, dy, dwt, dbias []float32) {
	backwardWeight(isa.Best(), n, c, h, w, k, x, dy, dwt, dbias)
}

func check(fn string, n, c, h, w, k int, planes [][]float32, names string, wt []float32) {
	if n < 0 || c < 0 || h < 0 || w < 0 {
		panic(fmt.Sprintf("dwconv.%s: negative size n=%d c=%d h=%d w=%d", fn, n, c, h, w))
	}
	if k != 3 && k != 5 && k != 7 {
		panic(fmt.Sprintf("dwconv.%s: kernel size %d, want 3, 5 or 7", fn, k))
	}
	for i, p := range planes {
		if len(p) != n*c*h*w {
			panic(fmt.Sprintf("dwconv.%s: %c has %d elements, want %d×%d×%d×%d", fn, names[i], len(p), n, c, h, w))
		}
	}
	if len(wt) != c*k*k {
		panic(fmt.Sprintf("dwconv.%s: weights have %d elements, want %d×%d×%d", fn, len(wt), c, k, k))
	}
}

func checkBias(fn string, b []float32, c int) {
	if b != nil && len(b) != c {
		panic(fmt.Sprintf("dwconv.%s: bias has %d elements, want %d", fn, len(b), c))
	}
}

// planeGrain gives each parallel chunk about 32 K multiply-adds.
func planeGrain(h, w, k int) int { return max(1, (32<<10)/max(1, h*w*k*k)) }

func forward(l isa.Level, n, c, h, w, k int, x, wt, bias, y []float32) {
	check("Forward", n, c, h, w, k, [][]float32{x, y}, "xy", wt)
	checkBias("Forward", bias, c)
	if h*w == 0 {
		return
	}
	kern := kernelsFor(l)
	parallel.For(n*c, planeGrain(h, w, k), func(lo, hi int) {
		s := kern.scratch(h, w, k)
		defer scratchPool.Put(s)
		for p := lo; p < hi; p++ {
			ch := p % c
			var b float32
			if bias != nil {
				b = bias[ch]
			}
			kern.plane(s, x[p*h*w:(p+1)*h*w], wt[ch*k*k:(ch+1)*k*k], b, y[p*h*w:(p+1)*h*w])
		}
	})
}

func backwardInput(l isa.Level, n, c, h, w, k int, dy, wt, dx []float32) {
	check("BackwardInput", n, c, h, w, k, [][]float32{dy, dx}, "yx", wt)
	if h*w == 0 {
		return
	}
	kern := kernelsFor(l)
	parallel.For(n*c, planeGrain(h, w, k), func(lo, hi int) {
		s := kern.scratch(h, w, k)
		defer scratchPool.Put(s)
		flip := s.flip[:k*k]
		for p := lo; p < hi; p++ {
			ch := p % c
			// dx[i,j] = Σ dy[i+a, j+b]·wt[p−a, p−b]: a forward pass with the
			// kernel rotated by 180°.
			src := wt[ch*k*k : (ch+1)*k*k]
			for i := range flip {
				flip[i] = src[k*k-1-i]
			}
			kern.plane(s, dy[p*h*w:(p+1)*h*w], flip, 0, dx[p*h*w:(p+1)*h*w])
		}
	})
}

func backwardWeight(l isa.Level, n, c, h, w, k int, x, dy, dwt, dbias []float32) {
	check("BackwardWeight", n, c, h, w, k, [][]float32{x, dy}, "xy", dwt)
	checkBias("BackwardWeight", dbias, c)
	if h*w == 0 {
		return
	}
	kern := kernelsFor(l)
	// Parallel over channels: each channel's gradient sums over the batch,
	// so no two workers touch the same accumulator.
	parallel.For(c, max(1, planeGrain(h, w, k)/max(n, 1)), func(lo, hi int) {
		s := kern.scratch(h, w, k)
		defer scratchPool.Put(s)
		for ch := lo; ch < hi; ch++ {
			dw := dwt[ch*k*k : (ch+1)*k*k]
			var db float64
			for b := 0; b < n; b++ {
				p := (b*c + ch) * h * w
				kern.planeWeight(s, x[p:p+h*w], dy[p:p+h*w], dw)
				if dbias != nil {
					db += float64(sumPlane(dy[p : p+h*w]))
				}
			}
			if dbias != nil {
				dbias[ch] += float32(db)
			}
		}
	})
}

// kernels are the per-plane routines of one instruction-set level. A
// scratch holds per-worker buffers (a zero-padded plane) so the plane
// routines never allocate.
type kernels struct {
	// prepare sizes s for (h, w) planes and a k×k kernel.
	prepare func(s *scratch, h, w, k int)
	// plane writes y = x ⋆ wt + b for one (h, w) plane.
	plane func(s *scratch, x, wt []float32, b float32, y []float32)
	// planeWeight adds Σ dy·x-window into dw (k·k).
	planeWeight func(s *scratch, x, dy, dw []float32)
}

// scratchPool recycles scratches between calls: a layer calls the same
// shapes every step, so a worker usually gets back buffers that are
// already sized and zero-bordered.
var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (kern kernels) scratch(h, w, k int) *scratch {
	s := scratchPool.Get().(*scratch)
	kern.prepare(s, h, w, k)
	return s
}

// scratch is one worker's buffers for planes of one geometry.
type scratch struct {
	h, w, k int
	rows    int       // padded plane rows in use, before the k−1 border rows
	stride  int       // row length of pad
	pad     []float32 // the zero-padded plane, (rows+k−1) rows of stride
	flip    [49]float32
	mask    [8]int32  // the assembly kernels' tail mask for the last vector of a row
	fwd     fwdFunc   // the assembly forward kernel for k
	loadFn  loadFunc  // the assembly plane copy
	lanes   int       // the assembly kernels' vector width
	wgt     []wPass   // the assembly weight-gradient passes for k
	dy      []float32 // zero-padded dy plane for the weight kernels, rows of dstride
	dstride int
}

// fwdFunc, loadFunc and wFunc are the assembly forward kernel, plane copy
// and weight-gradient kernel (see gen_nchw.go).
type (
	fwdFunc  func(y, pad, wt *float32, bias float32, h, w, pstride int, mask *int32)
	loadFunc func(pad *float32, pstride int, x *float32, h, w int, mask *int32)
	wFunc    func(dw, dy, pad *float32, blocks, nvec, pstride, dstride int)
)

// wPass is one weight-gradient pass: kernel columns b0..b0+nb−1, with
// blocks of rows dy rows.
type wPass struct {
	b0, nb, rows int
	f            wFunc
}

// padAlign rounds the padded row up so that vector kernels may read a whole
// vector past the last output column without leaving the buffer.
const padAlign = 16

func roundUp(n, m int) int { return (n + m - 1) / m * m }

// resize gives s a zero-bordered plane of rows (≥ h) rows for (h, w, k).
// When the geometry changes the buffers are cleared, since an old interior
// would otherwise sit in the new border.
func (s *scratch) resize(h, w, k, rows int) {
	if s.h == h && s.w == w && s.k == k && s.rows == rows {
		return
	}
	s.h, s.w, s.k, s.rows = h, w, k, rows
	s.stride = roundUp(w, padAlign) + k - 1
	s.pad = zeroed(s.pad, (rows+k-1)*s.stride+padAlign)
	s.dstride = roundUp(w, padAlign)
	s.dy = s.dy[:0] // rebuilt by dyPlane on first use
}

// dyPlane returns the zero-padded dy buffer, rows × dstride.
func (s *scratch) dyPlane() []float32 {
	if len(s.dy) == 0 {
		s.dy = zeroed(s.dy, s.rows*s.dstride)
	}
	return s.dy
}

// zeroed returns a cleared slice of n elements, reusing b's storage.
func zeroed(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	b = b[:n]
	clear(b)
	return b
}
