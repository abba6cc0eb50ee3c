//go:build !purego

package ops

import "github.com/mambaad/mambaad/kernels/isa"

// asmSet is one assembly level's kernels (kernels_amd64.s, declared in
// kernels_asm_amd64.go). They process whole vectors; the wrappers below finish
// each tail with the scalar twin.
type asmSet struct {
	lanes                        int
	silu                         func(x, y *float32, n int, c *float32)
	siluBack                     func(x, dy, dx *float32, n int, c *float32)
	siluMul                      func(y, z, out *float32, n int, c *float32)
	siluMulBack                  func(y, z, dout, dy, dz *float32, n int, c *float32)
	lnRows, lnRowsAffine         func(x, y, gamma, beta *float32, rows, cols int, eps, invCols float32, mean, rstd *float32, statStride int)
	lnBackRows, lnBackRowsAffine func(dy, x, gamma, dx, dgamma, dbeta *float32, rows, cols int, invCols float32, mean, rstd *float32)
	blurTap                      func(out, base *float64, offs *int, half *float64, n, r int)
	addTo                        func(x, acc *float32, n int)
	add                          func(a, b, y *float32, n int)
	relu                         func(x, y *float32, n int)
	reluBack                     func(x, dy, dx *float32, n int)
	ew                           ewKernels
	ln                           lnKernels
	act                          actKernels
	perm                         permKernels
	blur                         func(out, base []float64, offs []int, half []float64)
}

var asmAVX2 = newAsmSet(&asmSet{lanes: 8,
	silu: siluAVX2, siluBack: siluBackAVX2, siluMul: siluMulAVX2, siluMulBack: siluMulBackAVX2,
	lnRows: lnRowsAVX2, lnRowsAffine: lnRowsAffineAVX2, lnBackRows: lnBackRowsAVX2, lnBackRowsAffine: lnBackRowsAffineAVX2,
	blurTap: blurTapAVX2,
	addTo:   addToAVX2, add: addAVX2, relu: reluAVX2, reluBack: reluBackAVX2,
})

var asmAVX512 = newAsmSet(&asmSet{lanes: 16,
	silu: siluAVX512, siluBack: siluBackAVX512, siluMul: siluMulAVX512, siluMulBack: siluMulBackAVX512,
	lnRows: lnRowsAVX512, lnRowsAffine: lnRowsAffineAVX512, lnBackRows: lnBackRowsAVX512, lnBackRowsAffine: lnBackRowsAffineAVX512,
	blurTap: blurTapAVX512,
	addTo:   addToAVX512, add: addAVX512, relu: reluAVX512, reluBack: reluBackAVX512,
})

// newAsmSet builds the slice-level kernel tables once, so dispatch is a
// table lookup and the closures are not rebuilt per call.
func newAsmSet(a *asmSet) *asmSet {
	a.ln = lnKernels{forward: a.lnForward, backward: a.lnBackward}
	a.act = actKernels{silu: a.siluSlice, siluBack: a.siluBackSlice, siluMul: a.siluMulSlice, siluMulBack: a.siluMulBackSlice}
	a.perm = permKernels{transpose: transposeBlockAsm}
	if a.lanes == 16 {
		a.perm.transpose = transposeBlockZ
	}
	a.blur = a.blurSlice
	a.ew = a.ewTable()
	return a
}

// ewTable wraps the streaming kernels: vector body in assembly, tail in Go.
func (a *asmSet) ewTable() ewKernels {
	return ewKernels{
		addTo: func(x, acc []float32) {
			n := a.vec2(len(x), func(n int) { a.addTo(&x[0], &acc[0], n) })
			addToGo(x[n:], acc[n:len(x)])
		},
		add: func(p, q, y []float32) {
			n := a.vec2(len(p), func(n int) { a.add(&p[0], &q[0], &y[0], n) })
			addGo(p[n:], q[n:], y[n:])
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
	switch {
	case l >= isa.AVX512: // AVX512BF16 runs the same float32 kernels
		return asmAVX512
	case l >= isa.AVX2:
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

// lnForward runs the whole-row kernel when cols is a multiple of the
// lanes and the affine parameters, like the statistics, are both present
// or both absent (every LayerNorm and InstanceNorm of the model), and
// plain Go otherwise.
func (a *asmSet) lnForward(x, y []float32, rows, cols int, gamma, beta []float32, eps float32, mean, rstd []float32) {
	if rows == 0 || cols%a.lanes != 0 || (gamma == nil) != (beta == nil) || (mean == nil) != (rstd == nil) {
		lnForwardRowsGo(x, y, rows, cols, gamma, beta, eps, mean, rstd)
		return
	}
	var pm, ps *float32 // nil (and stride 0): the kernel does not store the statistics
	stride := 0
	if mean != nil {
		pm, ps, stride = &mean[0], &rstd[0], 4
	}
	inv := 1 / float32(cols)
	if gamma == nil {
		a.lnRows(&x[0], &y[0], nil, nil, rows, cols, eps, inv, pm, ps, stride)
	} else {
		a.lnRowsAffine(&x[0], &y[0], &gamma[0], &beta[0], rows, cols, eps, inv, pm, ps, stride)
	}
}

// lnBackward runs the whole-row kernel for the two shapes that occur
// (affine with both parameter gradients, or no affine at all) when cols is
// a multiple of the lanes, and plain Go otherwise.
func (a *asmSet) lnBackward(dy, x []float32, rows, cols int, gamma, mean, rstd, dx, dgamma, dbeta []float32) {
	affine := gamma != nil && dgamma != nil && dbeta != nil
	plain := gamma == nil && dgamma == nil && dbeta == nil
	if rows == 0 || cols%a.lanes != 0 || !(affine || plain) {
		lnBackwardRowsGo(dy, x, rows, cols, gamma, mean, rstd, dx, dgamma, dbeta)
		return
	}
	inv := 1 / float32(cols)
	if affine {
		a.lnBackRowsAffine(&dy[0], &x[0], &gamma[0], &dx[0], &dgamma[0], &dbeta[0], rows, cols, inv, &mean[0], &rstd[0])
	} else {
		a.lnBackRows(&dy[0], &x[0], nil, &dx[0], nil, nil, rows, cols, inv, &mean[0], &rstd[0])
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

// transposeBlockZ is transposeBlockAsm with the ZMM kernel.
func transposeBlockZ(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	transposeBlockWith(transpose16Z, dst, src, rows, cols, r0, r1, c0, c1)
}

func transposeBlockAsm(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	transposeBlockWith(transpose16, dst, src, rows, cols, r0, r1, c0, c1)
}

// transposeBlockWith transposes the 16×16-aligned part of the tile with the
// shuffle kernel and the ragged right and bottom edges in Go.
func transposeBlockWith(f func(dst *float32, dstStride int, src *float32, srcStride, rows, cols int),
	dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	rr, cc := (r1-r0)&^15, (c1-c0)&^15
	if rr > 0 && cc > 0 {
		f(&dst[c0*rows+r0], rows, &src[r0*cols+c0], cols, rr, cc)
	}
	if cc < c1-c0 {
		transposeBlockGo(dst, src, rows, cols, r0, r1, c0+cc, c1)
	}
	if rr < r1-r0 {
		transposeBlockGo(dst, src, rows, cols, r0+rr, r1, c0, c0+cc)
	}
}
