//go:build !purego

package legacy

import "github.com/mambaad/mambaad/internal/isa"

// Assembly kernels. The scans handle N = 16 only (the model's size); the
// wrappers send any other N to the plain-Go kernels.

//go:noescape
func fwd16AVX512(n int, delta, u, bt, ct, a *float32, dskip float32, h, y *float32)

//go:noescape
func bwd16AVX512(n int, delta, u, dy, bt, ct, a *float32, h0, dhNext, aNext, accA, dB, dC, s1, s2, hbuf, abuf, dubuf *float32)

//go:noescape
func fwd16AVX2(n int, delta, u, bt, ct, a *float32, dskip float32, h, y *float32)

//go:noescape
func bwd16AVX2(n int, delta, u, dy, bt, ct, a *float32, h0, dhNext, aNext, accA, dB, dC, s1, s2, hbuf, abuf, dubuf *float32)

//go:noescape
func softplus8AVX2(n int, x *float32, bias float32, out *float32)

//go:noescape
func dsoftplus8AVX2(n int, x *float32, bias float32, delta, grad *float32) float32

//go:noescape
func softplus16AVX512(n int, x *float32, bias float32, out *float32)

//go:noescape
func dsoftplus16AVX512(n int, x *float32, bias float32, delta, grad *float32) float32

//go:noescape
func finish8AVX2(n int, delta, u, dy *float32, dskip float32, s1, s2 *float32) float32

//go:noescape
func exp8AVX2(n int, src, dst *float32)

//go:noescape
func exp16AVX512(n int, src, dst *float32)

type fwdAsm func(n int, delta, u, bt, ct, a *float32, dskip float32, h, y *float32)

type bwdAsm func(n int, delta, u, dy, bt, ct, a *float32, h0, dhNext, aNext, accA, dB, dC, s1, s2, hbuf, abuf, dubuf *float32)

var (
	avx2Kernels   = kernels{fwd: fwd16(fwd16AVX2), bwd: bwd16(bwd16AVX2), softplus: softplusAVX2, dsoftplus: dsoftplusAVX2, finish: finishAVX2}
	avx512Kernels = kernels{fwd: fwd16(fwd16AVX512), bwd: bwd16(bwd16AVX512), softplus: softplusAVX512, dsoftplus: dsoftplusAVX512, finish: finishAVX2}
)

func archKernels(l isa.Level) *kernels {
	switch l {
	case isa.AVX2:
		return &avx2Kernels
	case isa.AVX512:
		return &avx512Kernels
	}
	return nil
}

// fwd16 wraps an assembly forward scan with the length checks of fwdGo.
func fwd16(f fwdAsm) func(n, N int, delta, u, bt, ct, a []float32, dskip float32, h, y []float32) {
	return func(n, N int, delta, u, bt, ct, a []float32, dskip float32, h, y []float32) {
		if N != 16 || n <= 0 {
			fwdGo(n, N, delta, u, bt, ct, a, dskip, h, y)
			return
		}
		mustFitFwd(n, N, delta, u, bt, ct, a, h, y)
		f(n, &delta[0], &u[0], &bt[0], &ct[0], &a[0], dskip, &h[0], &y[0])
	}
}

// bwd16 wraps an assembly backward chunk with the length checks of bwdGo.
func bwd16(f bwdAsm) func(c *bwdChunk) {
	return func(c *bwdChunk) {
		if c.N != 16 || c.n <= 0 {
			bwdGo(c)
			return
		}
		c.mustFit()
		f(c.n, &c.delta[0], &c.u[0], &c.dy[0], &c.bt[0], &c.ct[0], &c.a[0], &c.h0[0],
			&c.dhNext[0], &c.aNext[0], &c.accA[0], &c.dB[0], &c.dC[0], &c.s1[0], &c.s2[0], &c.hbuf[0], &c.abuf[0], &c.dubuf[0])
	}
}

func softplusAVX2(x []float32, bias float32, out []float32) {
	out = out[:len(x)]
	m := len(x) &^ 7
	if m > 0 {
		softplus8AVX2(m, &x[0], bias, &out[0])
	}
	softplusGo(x[m:], bias, out[m:])
}

func dsoftplusAVX2(x []float32, bias float32, delta, g []float32) float32 {
	delta, g = delta[:len(x)], g[:len(x)]
	m := len(x) &^ 7
	var s float32
	if m > 0 {
		s = dsoftplus8AVX2(m, &x[0], bias, &delta[0], &g[0])
	}
	return s + dsoftplusGo(x[m:], bias, delta[m:], g[m:])
}

func softplusAVX512(x []float32, bias float32, out []float32) {
	out = out[:len(x)]
	m := len(x) &^ 31
	if m > 0 {
		softplus16AVX512(m, &x[0], bias, &out[0])
	}
	softplusAVX2(x[m:], bias, out[m:])
}

func dsoftplusAVX512(x []float32, bias float32, delta, g []float32) float32 {
	delta, g = delta[:len(x)], g[:len(x)]
	m := len(x) &^ 63
	var s float32
	if m > 0 {
		s = dsoftplus16AVX512(m, &x[0], bias, &delta[0], &g[0])
	}
	return s + dsoftplusAVX2(x[m:], bias, delta[m:], g[m:])
}

func finishAVX2(delta, u, dy []float32, dskip float32, s1, s2 []float32) float32 {
	n := len(delta)
	u, dy, s1, s2 = u[:n], dy[:n], s1[:n], s2[:n]
	m := n &^ 7
	var s float32
	if m > 0 {
		s = finish8AVX2(m, &delta[0], &u[0], &dy[0], dskip, &s1[0], &s2[0])
	}
	return s + finishGo(delta[m:], u[m:], dy[m:], dskip, s1[m:], s2[m:])
}

// expArray applies the level's vector exp to src (test hook; the tail past
// a whole vector uses expf).
func expArray(l isa.Level, src, dst []float32) {
	dst = dst[:len(src)]
	m := 0
	switch l {
	case isa.AVX512:
		if m = len(src) &^ 15; m > 0 {
			exp16AVX512(m, &src[0], &dst[0])
		}
	case isa.AVX2:
		if m = len(src) &^ 7; m > 0 {
			exp8AVX2(m, &src[0], &dst[0])
		}
	}
	for i := m; i < len(src); i++ {
		dst[i] = expf(src[i])
	}
}
