//go:build !purego

package selscan

import "fmt"

//go:noescape
func prep16AVX512(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int, r int, dtw, bias, pre *float32, flags int)

//go:noescape
func fwd16AVX512(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, h *float32)

//go:noescape
func rec16AVX512(n int, a, pre, h, dAP, accC *float32, es int)

//go:noescape
func rev16AVX512(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, dAP, accB *float32, es int, dh, accA, accD, accBias *float32)

//go:noescape
func wgrad16AVX512(n int, idx *int32, rec *float32, rs int, r int, pre, dtwr, accDt *float32, as int, accW *float32)

//go:noescape
func reduce16AVX512(n, r int, acc *float32, as int, idx *int32, dst *float32, rs int)

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
