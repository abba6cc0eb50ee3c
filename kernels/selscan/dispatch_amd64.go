//go:build !purego

package selscan

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/isa"
)

// The assembly levels, AVX-512 and AVX2: the kernels of prep_amd64.s,
// fwd_amd64.s and bwd_amd64.s (declared in the *_asm_amd64.go files)
// behind wrappers that check the slices the assembly touches. The state
// loops handle N = 16 only (the model's size): the wrappers send any other
// N to the plain-Go kernels. prep works for any N and R, prefetch for any
// chunk.

// archKernels returns level l's assembly kernels (nil for Generic).
func archKernels(l isa.Level) *kernels {
	switch {
	case l >= isa.AVX512: // AVX512BF16 runs the same float32 kernels
		return &avx512Kernels
	case l >= isa.AVX2:
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

var avx512Kernels = kernels{prefetch: prefetchAsm, prep: prepAVX512, fwd: fwdAVX512, rec: recAVX512, rev: revAVX512, wgrad: wgradAVX512, reduce: reduceAVX512}

// Flags of prep16AVX512.
const (
	prepSig = 1 << iota // σ
	prepG               // gather dy
	prepBC              // gather B and C (N = 16)
)

func prepAVX512(c *chunk) {
	if c.n <= 0 {
		return
	}
	c.mustFit(false)
	flags, dy := 0, &c.x[0]
	if c.sig {
		flags |= prepSig
	}
	if c.dy != nil {
		c.mustFitBwd()
		flags, dy = flags|prepG, &c.dy[0]
	}
	if c.N == 16 {
		flags |= prepBC
	}
	prep16AVX512(c.n, &c.idx[0], &c.rec[0], c.rs, &c.x[0], dy, &c.out[0], c.ts, c.R, &c.dtw[0], &c.bias[0], &c.pre[0], flags)
}

func fwdAVX512(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		fwdGo(c)
		return
	}
	c.mustFit(true)
	fwd16AVX512(c.n, &c.idx[0], &c.out[0], c.ts, c.add, &c.a[0], &c.dskip[0], &c.pre[0], &c.h[0])
}

func recAVX512(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		recGo(c)
		return
	}
	c.mustFitBwd()
	rec16AVX512(c.n, &c.a[0], &c.pre[0], &c.h[0], &c.dAP[0], &c.acc[16*lanes], accLen(c.R, 16)*4)
}

func revAVX512(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		revGo(c)
		return
	}
	c.mustFitBwd()
	rev16AVX512(c.n, &c.idx[0], &c.out[0], c.ts, c.add, &c.a[0], &c.dskip[0], &c.pre[0], &c.dAP[0], &c.acc[0],
		accLen(c.R, 16)*4, &c.dh[0], &c.accA[0], &c.accD[0], &c.accBias[0])
}

func wgradAVX512(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		wgradGo(c)
		return
	}
	c.mustFitBwd()
	wgrad16AVX512(c.n, &c.idx[0], &c.rec[0], c.rs, c.R, &c.pre[0], &c.dtwr[0], &c.acc[32*lanes],
		accLen(c.R, 16)*4, &c.accW[0])
}

func reduceAVX512(n, R, N int, acc []float32, idx []int32, dst []float32, rs int) {
	if N != 16 || n <= 0 {
		reduceGo(n, R, N, acc, idx, dst, rs)
		return
	}
	mustFitReduce(n, R, N, acc, idx, dst, rs)
	reduce16AVX512(n, R, &acc[0], accLen(R, N)*4, &idx[0], &dst[0], rs)
}

// mustFitReduce panics unless acc and dst cover a reduce call.
func mustFitReduce(n, R, N int, acc []float32, idx []int32, dst []float32, rs int) {
	E := R + 2*N
	pmax := int32(0)
	for _, p := range idx[:n] {
		if p < 0 {
			panic("selscan: negative pixel index")
		}
		pmax = max(pmax, p)
	}
	if len(acc) < n*accLen(R, N) || len(dst) < int(pmax)*rs+E {
		panic(fmt.Sprintf("selscan: reduce slices too short for n=%d E=%d", n, E))
	}
}

// The AVX2 kernels work on one 8-lane half of a group; these wrappers run
// both halves, moving every per-lane pointer by 8 floats (half8).
var avx2Kernels = kernels{prefetch: prefetchAsm, prep: prepAVX2, fwd: fwdAVX2, rec: recAVX2, rev: revAVX2,
	wgrad: wgradAVX2, reduce: reduceAVX2}

// half8 points at lane 8·h of a per-lane array.
func half8(s []float32, h int) *float32 { return &s[8*h] }

func prepAVX2(c *chunk) {
	if c.n <= 0 {
		return
	}
	c.mustFit(false)
	flags, dy := 0, c.x
	if c.sig {
		flags |= prepSig
	}
	if c.dy != nil {
		c.mustFitBwd()
		flags, dy = flags|prepG, c.dy
	}
	for h := 0; h < 2; h++ {
		f := flags
		if c.N == 16 && h == 0 {
			f |= prepBC
		}
		prep8AVX2(c.n, &c.idx[0], &c.rec[0], c.rs, half8(c.x, h), half8(dy, h), half8(c.out, h), c.ts, c.R,
			half8(c.dtw, h), half8(c.bias, h), half8(c.pre, h), f)
	}
}

func fwdAVX2(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		fwdGo(c)
		return
	}
	c.mustFit(true)
	for h := 0; h < 2; h++ {
		fwd8AVX2(c.n, &c.idx[0], half8(c.out, h), c.ts, c.add, half8(c.a, h), half8(c.dskip, h), half8(c.pre, h),
			&c.pre[0], half8(c.h, h))
	}
}

func recAVX2(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		recGo(c)
		return
	}
	c.mustFitBwd()
	for h := 0; h < 2; h++ {
		rec8AVX2(c.n, half8(c.a, h), half8(c.pre, h), &c.pre[0], half8(c.h, h), half8(c.dAP, h),
			half8(c.acc[16*lanes:], h), accLen(c.R, 16)*4)
	}
}

func revAVX2(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		revGo(c)
		return
	}
	c.mustFitBwd()
	for h := 0; h < 2; h++ {
		rev8AVX2(c.n, &c.idx[0], half8(c.out, h), c.ts, c.add, half8(c.a, h), half8(c.dskip, h), half8(c.pre, h),
			&c.pre[0], half8(c.dAP, h), half8(c.acc, h), accLen(c.R, 16)*4, half8(c.dh, h), half8(c.accA, h),
			half8(c.accD, h), half8(c.accBias, h))
	}
}

func wgradAVX2(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		wgradGo(c)
		return
	}
	c.mustFitBwd()
	for h := 0; h < 2; h++ {
		wgrad8AVX2(c.n, &c.idx[0], &c.rec[0], c.rs, c.R, half8(c.pre, h), &c.dtwr[8*h*c.R], &c.acc[32*lanes],
			accLen(c.R, 16)*4, half8(c.accW, h))
	}
}

func reduceAVX2(n, R, N int, acc []float32, idx []int32, dst []float32, rs int) {
	if N != 16 || n <= 0 {
		reduceGo(n, R, N, acc, idx, dst, rs)
		return
	}
	mustFitReduce(n, R, N, acc, idx, dst, rs)
	reduce8AVX2(n, R, &acc[0], accLen(R, N)*4, &idx[0], &dst[0], rs)
}
