//go:build !purego

package selscan

import (
	"fmt"

	"github.com/mambaad/mambaad/internal/isa"
)

// Assembly kernels. The state loops handle N = 16 only (the model's
// size): the wrappers send any other N to the plain-Go kernels. prep works
// for any N and R.

//go:noescape
func prep16AVX512(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int, r int, dtw, bias, pre *float32, flags int)

//go:noescape
func fwd16AVX512(n int, idx *int32, out *float32, ts int, add bool, a2, dskip, pre, h *float32)

//go:noescape
func rec16AVX512(n int, a2, pre, h, dAP, accC *float32, es int)

//go:noescape
func rev16AVX512(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, dAP, accB *float32, es int, dh, accA, accD, accBias *float32)

//go:noescape
func wgrad16AVX512(n int, idx *int32, rec *float32, rs int, r int, pre, dtw, acc *float32, es int, accW *float32)

//go:noescape
func reduce16AVX512(n, r int, acc *float32, idx *int32, dst *float32, rs int)

var avx512Kernels = kernels{prep: prepAVX512, fwd: fwdAVX512, rec: recAVX512, rev: revAVX512, wgrad: wgradAVX512, reduce: reduceAVX512}

func archKernels(l isa.Level) *kernels {
	if l == isa.AVX512 {
		return &avx512Kernels
	}
	return nil
}

// mustFitBwd adds the backward arrays to mustFit's checks.
func (c *chunk) mustFitBwd() {
	c.mustFit(true)
	ev := accVecs(c.R + 2*c.N)
	tok := 0
	for _, p := range c.idx[:c.n] {
		tok = max(tok, int(p)*c.ts+lanes)
	}
	if len(c.dy) < tok || len(c.dAP) < 2*c.n*c.N*lanes || len(c.acc) < c.n*ev*lanes || len(c.dh) < c.N*lanes ||
		len(c.accA) < c.N*lanes || len(c.accW) < c.R*lanes || len(c.accD) < lanes || len(c.accBias) < lanes {
		panic(fmt.Sprintf("selscan: backward chunk slices too short for n=%d R=%d N=%d", c.n, c.R, c.N))
	}
}

// mustFit panics unless every slice the assembly touches covers the chunk:
// the kernels index memory with idx, so this is what keeps them in bounds.
func (c *chunk) mustFit(state bool) {
	pmax := int32(-1)
	for _, p := range c.idx[:c.n] {
		if p < 0 {
			pmax = -1 << 30
			break
		}
		pmax = max(pmax, p)
	}
	E, tok := c.R+2*c.N, int(pmax)*c.ts+lanes
	ok := c.n > 0 && pmax >= 0 && len(c.idx) >= c.n && len(c.x) >= tok && len(c.out) >= tok && len(c.rec) >= int(pmax)*c.rs+E &&
		len(c.pre) >= c.n*preLen && len(c.dtw) >= c.R*lanes && len(c.bias) >= lanes
	if state {
		ok = ok && len(c.h) >= c.N*lanes && len(c.a2) >= c.N*lanes && len(c.a) >= c.N*lanes &&
			len(c.dskip) >= lanes
	}
	if !ok {
		panic(fmt.Sprintf("selscan: chunk slices too short for n=%d R=%d N=%d", c.n, c.R, c.N))
	}
}

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
	fwd16AVX512(c.n, &c.idx[0], &c.out[0], c.ts, c.add, &c.a2[0], &c.dskip[0], &c.pre[0], &c.h[0])
}

func recAVX512(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		recGo(c)
		return
	}
	c.mustFitBwd()
	rec16AVX512(c.n, &c.a2[0], &c.pre[0], &c.h[0], &c.dAP[0], &c.acc[16*lanes], accVecs(c.R+32)*lanes*4)
}

func revAVX512(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		revGo(c)
		return
	}
	c.mustFitBwd()
	rev16AVX512(c.n, &c.idx[0], &c.out[0], c.ts, c.add, &c.a[0], &c.dskip[0], &c.pre[0], &c.dAP[0], &c.acc[0],
		accVecs(c.R+32)*lanes*4, &c.dh[0], &c.accA[0], &c.accD[0], &c.accBias[0])
}

func wgradAVX512(c *chunk) {
	if c.N != 16 || c.n <= 0 {
		wgradGo(c)
		return
	}
	c.mustFitBwd()
	wgrad16AVX512(c.n, &c.idx[0], &c.rec[0], c.rs, c.R, &c.pre[0], &c.dtw[0], &c.acc[32*lanes],
		accVecs(c.R+32)*lanes*4, &c.accW[0])
}

func reduceAVX512(n, R, N int, acc []float32, idx []int32, dst []float32, rs int) {
	if N != 16 || n <= 0 {
		reduceGo(n, R, N, acc, idx, dst, rs)
		return
	}
	E := R + 2*N
	pmax := int32(0)
	for _, p := range idx[:n] {
		if p < 0 {
			panic("selscan: negative pixel index")
		}
		pmax = max(pmax, p)
	}
	if len(acc) < n*accVecs(E)*lanes || len(dst) < int(pmax)*rs+E {
		panic(fmt.Sprintf("selscan: reduce slices too short for n=%d E=%d", n, E))
	}
	reduce16AVX512(n, R, &acc[0], &idx[0], &dst[0], rs)
}
