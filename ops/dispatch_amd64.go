//go:build !purego

package ops

//go:generate go run gen_asm.go

import (
	"math"

	"github.com/mambaad/mambaad/internal/isa"
)

// asmSet is one assembly level's kernels (ops_amd64.s, declared in
// kernels_amd64.go). They process whole vectors; the wrappers below finish
// each tail with the scalar twin.
type asmSet struct {
	lanes             int
	silu              func(x, y *float32, n int, c *float32)
	siluBack          func(x, dy, dx *float32, n int, c *float32)
	siluMul           func(y, z, out *float32, n int, c *float32)
	siluMulBack       func(y, z, dout, dy, dz *float32, n int, c *float32)
	sum               func(x *float32, n int) float32
	sumSqDev          func(x *float32, n int, mean float32) float32
	lnApply           func(x, y *float32, n int, mean, rstd float32)
	lnApplyAffine     func(x, y, gamma, beta *float32, n int, mean, rstd float32)
	lnBackSums        func(dy, x *float32, n int, mean, rstd float32) (float32, float32)
	lnBackSumsAffine  func(dy, x, gamma *float32, n int, mean, rstd float32) (float32, float32)
	lnBackApply       func(dy, x, dx *float32, n int, mean, rstd, mg, mgx float32)
	lnBackApplyAffine func(dy, x, gamma, dx, dgamma, dbeta *float32, n int, mean, rstd, mg, mgx float32)
	blurTap           func(out, base *float64, offs *int, half *float64, n, r int)
	addTo             func(x, acc *float32, n int)
	add, mul          func(a, b, y *float32, n int)
	scale             func(x, y *float32, n int, s float32)
	axpy              func(x, y *float32, n int, alpha float32)
	relu              func(x, y *float32, n int)
	reluBack          func(x, dy, dx *float32, n int)
	ew                ewKernels
	ln                lnKernels
	act               actKernels
	perm              permKernels
	blur              func(out, base []float64, offs []int, half []float64)
}

var asmAVX2 = newAsmSet(&asmSet{lanes: 8,
	silu: siluAVX2, siluBack: siluBackAVX2, siluMul: siluMulAVX2, siluMulBack: siluMulBackAVX2,
	sum: sumAVX2, sumSqDev: sumSqDevAVX2, lnApply: lnApplyAVX2, lnApplyAffine: lnApplyAffineAVX2,
	lnBackSums: lnBackSumsAVX2, lnBackSumsAffine: lnBackSumsAffineAVX2,
	lnBackApply: lnBackApplyAVX2, lnBackApplyAffine: lnBackApplyAffineAVX2, blurTap: blurTapAVX2,
	addTo: addToAVX2, add: addAVX2, mul: mulAVX2, scale: scaleAVX2, axpy: axpyAVX2, relu: reluAVX2, reluBack: reluBackAVX2,
})

var asmAVX512 = newAsmSet(&asmSet{lanes: 16,
	silu: siluAVX512, siluBack: siluBackAVX512, siluMul: siluMulAVX512, siluMulBack: siluMulBackAVX512,
	sum: sumAVX512, sumSqDev: sumSqDevAVX512, lnApply: lnApplyAVX512, lnApplyAffine: lnApplyAffineAVX512,
	lnBackSums: lnBackSumsAVX512, lnBackSumsAffine: lnBackSumsAffineAVX512,
	lnBackApply: lnBackApplyAVX512, lnBackApplyAffine: lnBackApplyAffineAVX512, blurTap: blurTapAVX512,
	addTo: addToAVX512, add: addAVX512, mul: mulAVX512, scale: scaleAVX512, axpy: axpyAVX512, relu: reluAVX512, reluBack: reluBackAVX512,
})

// newAsmSet builds the slice-level kernel tables once, so dispatch is a
// table lookup and the closures are not rebuilt per call.
func newAsmSet(a *asmSet) *asmSet {
	a.ln = lnKernels{stats: a.lnStats, apply: a.lnApplyRow, backward: a.lnBackwardRow}
	a.act = actKernels{silu: a.siluSlice, siluBack: a.siluBackSlice, siluMul: a.siluMulSlice, siluMulBack: a.siluMulBackSlice}
	a.perm = permKernels{gather: gatherAsm, scatterAdd: scatterAddAsm, transpose: transposeBlockAsm}
	a.blur = a.blurSlice
	a.ew = ewKernels{
		addTo: func(x, acc []float32) {
			n := a.vec2(len(x), func(n int) { a.addTo(&x[0], &acc[0], n) })
			addToGo(x[n:], acc[n:len(x)])
		},
		add: func(p, q, y []float32) {
			n := a.vec2(len(p), func(n int) { a.add(&p[0], &q[0], &y[0], n) })
			addGo(p[n:], q[n:], y[n:])
		},
		mul: func(p, q, y []float32) {
			n := a.vec2(len(p), func(n int) { a.mul(&p[0], &q[0], &y[0], n) })
			mulGo(p[n:], q[n:], y[n:])
		},
		scale: func(x []float32, s float32, y []float32) {
			n := a.vec2(len(x), func(n int) { a.scale(&x[0], &y[0], n, s) })
			scaleGo(x[n:], s, y[n:])
		},
		axpy: func(alpha float32, x, y []float32) {
			n := a.vec2(len(x), func(n int) { a.axpy(&x[0], &y[0], n, alpha) })
			axpyGo(alpha, x[n:], y[n:])
		},
		relu: func(x, y []float32) {
			n := a.vec2(len(x), func(n int) { a.relu(&x[0], &y[0], n) })
			reluGo(x[n:], y[n:])
		},
		reluBack: func(x, dy, dx []float32) {
			n := a.vec2(len(x), func(n int) { a.reluBack(&x[0], &dy[0], &dx[0], n) })
			reluBackGo(x[n:], dy[n:], dx[n:])
		},
	}
	return a
}

// vec2 calls f with the vector part of an n-element operation (if any)
// and returns its length; the caller finishes the tail in Go.
func (a *asmSet) vec2(n int, f func(n int)) int {
	n = a.body(n)
	if n > 0 {
		f(n)
	}
	return n
}

func ewKernelsFor(l isa.Level) ewKernels {
	if a := asmFor(l); a != nil {
		return a.ew
	}
	return ewGo
}

func asmFor(l isa.Level) *asmSet {
	switch l {
	case isa.AVX512:
		return asmAVX512
	case isa.AVX2:
		return asmAVX2
	}
	return nil
}

func lnKernelsFor(l isa.Level) lnKernels {
	if a := asmFor(l); a != nil {
		return a.ln
	}
	return lnGo
}

func actKernelsFor(l isa.Level) actKernels {
	if a := asmFor(l); a != nil {
		return a.act
	}
	return actGo
}

func permKernelsFor(l isa.Level) permKernels {
	if a := asmFor(l); a != nil {
		return a.perm
	}
	return permGo
}

func blurTapFor(l isa.Level) func(out, base []float64, offs []int, half []float64) {
	if a := asmFor(l); a != nil {
		return a.blur
	}
	return blurTapGo
}

// body returns how many leading elements of an n-element slice the vector
// kernels handle.
func (a *asmSet) body(n int) int { return n &^ (a.lanes - 1) }

func (a *asmSet) siluSlice(x, y []float32) {
	y = y[:len(x)]
	if n := a.body(len(x)); n > 0 {
		a.silu(&x[0], &y[0], n, &expTable[0])
		x, y = x[n:], y[n:]
	}
	siluGo(x, y)
}

func (a *asmSet) siluBackSlice(x, dy, dx []float32) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	if n := a.body(len(x)); n > 0 {
		a.siluBack(&x[0], &dy[0], &dx[0], n, &expTable[0])
		x, dy, dx = x[n:], dy[n:], dx[n:]
	}
	siluBackGo(x, dy, dx)
}

func (a *asmSet) siluMulSlice(y, z, out []float32) {
	z, out = z[:len(y)], out[:len(y)]
	if n := a.body(len(y)); n > 0 {
		a.siluMul(&y[0], &z[0], &out[0], n, &expTable[0])
		y, z, out = y[n:], z[n:], out[n:]
	}
	siluMulGo(y, z, out)
}

func (a *asmSet) siluMulBackSlice(y, z, dout, dy, dz []float32) {
	if dy == nil || dz == nil { // the kernel writes both
		siluMulBackGo(y, z, dout, dy, dz)
		return
	}
	z, dout, dy, dz = z[:len(y)], dout[:len(y)], dy[:len(y)], dz[:len(y)]
	if n := a.body(len(y)); n > 0 {
		a.siluMulBack(&y[0], &z[0], &dout[0], &dy[0], &dz[0], n, &expTable[0])
		y, z, dout, dy, dz = y[n:], z[n:], dout[n:], dy[n:], dz[n:]
	}
	siluMulBackGo(y, z, dout, dy, dz)
}

func (a *asmSet) lnStats(x []float32, eps float32) (mean, rstd float32) {
	n := a.body(len(x))
	var s, q float32
	if n > 0 {
		s = a.sum(&x[0], n)
	}
	for _, v := range x[n:] {
		s += v
	}
	mean = s / float32(len(x))
	if n > 0 {
		q = a.sumSqDev(&x[0], n, mean)
	}
	for _, v := range x[n:] {
		d := v - mean
		q += d * d
	}
	return mean, float32(1 / math.Sqrt(float64(q/float32(len(x))+eps)))
}

func (a *asmSet) lnApplyRow(x, y, gamma, beta []float32, mean, rstd float32) {
	n := a.body(len(x))
	switch {
	case n == 0 || (gamma == nil) != (beta == nil):
		n = 0 // one affine parameter only: rare, left to Go
	case gamma == nil:
		a.lnApply(&x[0], &y[0], n, mean, rstd)
	default:
		a.lnApplyAffine(&x[0], &y[0], &gamma[0], &beta[0], n, mean, rstd)
		gamma, beta = gamma[n:], beta[n:]
	}
	lnApplyGo(x[n:], y[n:], gamma, beta, mean, rstd)
}

// lnBackwardRow runs the vector kernels when the call is one of the two
// shapes that occur (affine with both parameter gradients, or no affine at
// all) and plain Go otherwise.
func (a *asmSet) lnBackwardRow(dy, x, gamma []float32, mean, rstd float32, dx, dgamma, dbeta []float32) {
	affine := gamma != nil && dgamma != nil && dbeta != nil
	plain := gamma == nil && dgamma == nil && dbeta == nil
	n := a.body(len(x))
	if n == 0 || !(affine || plain) {
		lnBackwardGo(dy, x, gamma, mean, rstd, dx, dgamma, dbeta)
		return
	}
	var sg, sgx float32
	if affine {
		sg, sgx = a.lnBackSumsAffine(&dy[0], &x[0], &gamma[0], n, mean, rstd)
	} else {
		sg, sgx = a.lnBackSums(&dy[0], &x[0], n, mean, rstd)
	}
	for i := n; i < len(x); i++ {
		xh, g := (x[i]-mean)*rstd, dy[i]
		if affine {
			g *= gamma[i]
		}
		sg += g
		sgx += g * xh
	}
	mg, mgx := sg/float32(len(x)), sgx/float32(len(x))
	if affine {
		a.lnBackApplyAffine(&dy[0], &x[0], &gamma[0], &dx[0], &dgamma[0], &dbeta[0], n, mean, rstd, mg, mgx)
	} else {
		a.lnBackApply(&dy[0], &x[0], &dx[0], n, mean, rstd, mg, mgx)
	}
	for i := n; i < len(x); i++ {
		xh, g := (x[i]-mean)*rstd, dy[i]
		if affine {
			g *= gamma[i]
			dgamma[i] += dy[i] * xh
			dbeta[i] += dy[i]
		}
		dx[i] = rstd * (g - mg - xh*mgx)
	}
}

// blurSlice runs the vector taps over the whole vectors of out and the Go
// loop over the tail (base shifted so offsets still line up).
func (a *asmSet) blurSlice(out, base []float64, offs []int, half []float64) {
	n := len(out) &^ (a.lanes/2 - 1)
	if n > 0 {
		r := len(half) - 1
		for _, o := range offs {
			if o < 0 || o+len(out) > len(base) {
				panic("ops: blur offsets outside the base line")
			}
		}
		a.blurTap(&out[0], &base[0], &offs[0], &half[0], n, r)
	}
	if n < len(out) {
		blurTapGo(out[n:], base[n:], offs, half)
	}
}

func gatherAsm(dst, src []float32, rows, cols int, idx []int32) {
	l := len(idx)
	if l == 0 {
		return
	}
	for r := 0; r < rows; r++ {
		gatherRow(&dst[r*l], &src[r*cols], &idx[0], l)
	}
}

func scatterAddAsm(dst, src []float32, rows, cols int, idx []int32) {
	l := len(idx)
	if l == 0 {
		return
	}
	for r := 0; r < rows; r++ {
		scatterAddRow(&dst[r*cols], &src[r*l], &idx[0], l)
	}
}

// transposeBlockAsm transposes the 8×8-aligned part of the tile with the
// shuffle kernel and the ragged right and bottom edges in Go.
func transposeBlockAsm(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	rr, cc := (r1-r0)&^7, (c1-c0)&^7
	if rr > 0 && cc > 0 {
		transpose8(&dst[c0*rows+r0], rows, &src[r0*cols+c0], cols, rr, cc)
	}
	if cc < c1-c0 {
		transposeBlockGo(dst, src, rows, cols, r0, r1, c0+cc, c1)
	}
	if rr < r1-r0 {
		transposeBlockGo(dst, src, rows, cols, r0+rr, r1, c0, c0+cc)
	}
}
