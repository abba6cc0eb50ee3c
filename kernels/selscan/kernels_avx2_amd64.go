//go:build !purego

package selscan

//go:noescape
func prep8AVX2(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int, r int, dtw, bias, pre *float32, flags int)

//go:noescape
func fwd8AVX2(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, pre0, h *float32)

//go:noescape
func rec8AVX2(n int, a, pre, pre0, h, dAP, accC *float32, es int)

//go:noescape
func rev8AVX2(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, pre0, dAP, accB *float32, es int, dh, accA, accD, accBias *float32)

//go:noescape
func wgrad8AVX2(n int, idx *int32, rec *float32, rs int, r int, pre, dtwr, accDt *float32, as int, accW *float32)

//go:noescape
func reduce8AVX2(n, r int, acc *float32, as int, idx *int32, dst *float32, rs int)

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
