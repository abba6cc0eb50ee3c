//go:build !purego

package selscan

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/isa"
)

// Assembly kernels, AVX-512 (kernels_avx512_amd64.go) and AVX2
// (kernels_avx2_amd64.go). The state loops handle N = 16 only (the model's
// size): the wrappers send any other N to the plain-Go kernels. prep works
// for any N and R, prefetch for any chunk.

//go:noescape
func prefetch16(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int)

// archKernels returns level l's assembly kernels (nil for Generic).
func archKernels(l isa.Level) *kernels {
	switch l {
	case isa.AVX512:
		return &avx512Kernels
	case isa.AVX2:
		return &avx2Kernels
	}
	return nil
}

// mustFitBwd adds the backward arrays to mustFit's checks.
func (c *chunk) mustFitBwd() {
	c.mustFit(true)
	if len(c.dy) < c.tokLen() || len(c.dAP) < 2*c.n*c.N*lanes || len(c.acc) < c.n*accLen(c.R, c.N) ||
		len(c.dtwr) < lanes*c.R+lanes || len(c.dh) < c.N*lanes || len(c.accA) < c.N*lanes ||
		len(c.accW) < c.R*lanes || len(c.accD) < lanes || len(c.accBias) < lanes {
		panic(fmt.Sprintf("selscan: backward chunk slices too short for n=%d R=%d N=%d", c.n, c.R, c.N))
	}
}

// tokLen is the length a token-major array needs to hold every pixel:
// the kernels index memory with idx, and Validate guarantees idx < L.
func (c *chunk) tokLen() int { return (c.L-1)*c.ts + lanes }

// mustFit panics unless every slice the assembly touches covers the chunk.
func (c *chunk) mustFit(state bool) {
	ok := c.n > 0 && len(c.idx) >= c.n && c.L > 0 && len(c.x) >= c.tokLen() && len(c.out) >= c.tokLen() &&
		len(c.rec) >= (c.L-1)*c.rs+c.R+2*c.N && len(c.pre) >= c.n*preLen && len(c.dtw) >= c.R*lanes && len(c.bias) >= lanes
	if state {
		ok = ok && len(c.h) >= c.N*lanes && len(c.a) >= c.N*lanes && len(c.dskip) >= lanes
	}
	if !ok {
		panic(fmt.Sprintf("selscan: chunk slices too short for n=%d R=%d N=%d", c.n, c.R, c.N))
	}
}

// prefetchAsm issues prefetches for c. Prefetches are hints that never
// fault, so only the base pointers need to exist.
func prefetchAsm(c *chunk) {
	if c.n <= 0 || len(c.idx) < c.n || len(c.rec) == 0 || len(c.x) == 0 || len(c.out) == 0 {
		return
	}
	dy := &c.x[0]
	if c.dy != nil {
		dy = &c.dy[0]
	}
	prefetch16(c.n, &c.idx[0], &c.rec[0], c.rs, &c.x[0], dy, &c.out[0], c.ts)
}

//go:noescape
func transpose16AVX512(dst, src *float32, m int)

// transposeAsm transposes the first m &^ 15 columns of a full 16-row
// block when the CPU has AVX-512 (dst and src have length 16·m, checked
// by the caller).
// It is not ops.Transpose on purpose: every work item calls it twice when
// it starts a direction, and the general tiled, parallel driver's set-up
// made the short-L backward 6–28 % slower (two side-by-side runs, D1024 L64).
func transposeAsm(dst, src []float32, m int) bool {
	if isa.Best() < isa.AVX512 || m < lanes {
		return false
	}
	transpose16AVX512(&dst[0], &src[0], m)
	return true
}
