package ops

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Add computes y = a + b. y may alias a or b.
func Add(a, b, y []float32) { add(isa.Best(), a, b, y) }

// AddInPlace computes acc += x: the accumulation step of every backward
// pass that sums gradients from several branches, and of residual adds.
func AddInPlace(acc, x []float32) { addInPlace(isa.Best(), acc, x) }

// Mul computes y = a·b element-wise. Its backward is Mul again
// (da = dy·b, db = dy·a).
func Mul(a, b, y []float32) { mul(isa.Best(), a, b, y) }

// Scale computes y = s·x. y may alias x.
func Scale(x []float32, s float32, y []float32) { scale(isa.Best(), x, s, y) }

// Axpy computes y += alpha·x.
func Axpy(alpha float32, x, y []float32) { axpy(isa.Best(), alpha, x, y) }

// ewKernels are the streaming element-wise kernels of one level, applied
// to one contiguous chunk with lengths already checked.
type ewKernels struct {
	addTo    func(x, acc []float32)
	add      func(a, b, y []float32)
	mul      func(a, b, y []float32)
	scale    func(x []float32, s float32, y []float32)
	axpy     func(alpha float32, x, y []float32)
	relu     func(x, y []float32)
	reluBack func(x, dy, dx []float32)
}

var ewGo = ewKernels{addTo: addToGo, add: addGo, mul: mulGo, scale: scaleGo, axpy: axpyGo, relu: reluGo, reluBack: reluBackGo}

// chunks runs f over [0, n) in parallel pieces of at least elemGrain.
func chunks(n int, f func(lo, hi int)) { parallel.For(n, elemGrain, f) }

func addInPlace(l isa.Level, acc, x []float32) {
	checkLen("AddInPlace", "x", x, len(acc))
	f := ewKernelsFor(l).addTo
	if len(acc) <= elemGrain { // no closure, no allocation, for small calls
		f(x, acc)
		return
	}
	chunks(len(acc), func(lo, hi int) { f(x[lo:hi], acc[lo:hi]) })
}

func add(l isa.Level, a, b, y []float32) {
	checkLen("Add", "b", b, len(a))
	checkLen("Add", "y", y, len(a))
	f := ewKernelsFor(l).add
	if len(a) <= elemGrain {
		f(a, b, y)
		return
	}
	chunks(len(a), func(lo, hi int) { f(a[lo:hi], b[lo:hi], y[lo:hi]) })
}

func mul(l isa.Level, a, b, y []float32) {
	checkLen("Mul", "b", b, len(a))
	checkLen("Mul", "y", y, len(a))
	f := ewKernelsFor(l).mul
	if len(a) <= elemGrain {
		f(a, b, y)
		return
	}
	chunks(len(a), func(lo, hi int) { f(a[lo:hi], b[lo:hi], y[lo:hi]) })
}

func scale(l isa.Level, x []float32, s float32, y []float32) {
	checkLen("Scale", "y", y, len(x))
	f := ewKernelsFor(l).scale
	if len(x) <= elemGrain {
		f(x, s, y)
		return
	}
	chunks(len(x), func(lo, hi int) { f(x[lo:hi], s, y[lo:hi]) })
}

func axpy(l isa.Level, alpha float32, x, y []float32) {
	checkLen("Axpy", "y", y, len(x))
	f := ewKernelsFor(l).axpy
	if len(x) <= elemGrain {
		f(alpha, x, y)
		return
	}
	chunks(len(x), func(lo, hi int) { f(alpha, x[lo:hi], y[lo:hi]) })
}

func addToGo(x, acc []float32) {
	acc = acc[:len(x)]
	for i, v := range x {
		acc[i] += v
	}
}

func addGo(a, b, y []float32) {
	b, y = b[:len(a)], y[:len(a)]
	for i, v := range a {
		y[i] = v + b[i]
	}
}

func mulGo(a, b, y []float32) {
	b, y = b[:len(a)], y[:len(a)]
	for i, v := range a {
		y[i] = v * b[i]
	}
}

func scaleGo(x []float32, s float32, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = s * v
	}
}

func axpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Sum reduces the middle axis of an (outer, axis, inner) view of x into y
// (outer, inner), overwritten. Sums are formed in float64 so that long
// reductions (a whole batch) stay accurate.
func Sum(x []float32, outer, axis, inner int, y []float32) {
	reduce("Sum", x, outer, axis, inner, y, 1)
}

// Mean is Sum divided by axis.
func Mean(x []float32, outer, axis, inner int, y []float32) {
	if !(axis > 0) {
		fail("Mean: empty axis")
	}
	reduce("Mean", x, outer, axis, inner, y, 1/float64(axis))
}

func reduce(fn string, x []float32, outer, axis, inner int, y []float32, scale float64) {
	checkDims(fn, outer, axis, inner)
	checkLen(fn, "x", x, outer*axis*inner)
	checkLen(fn, "y", y, outer*inner)
	acc := make([]float64, inner)
	for o := 0; o < outer; o++ {
		clear(acc)
		for a := 0; a < axis; a++ {
			row := x[(o*axis+a)*inner : (o*axis+a+1)*inner]
			for i, v := range row {
				acc[i] += float64(v)
			}
		}
		for i, v := range acc {
			y[o*inner+i] = float32(v * scale)
		}
	}
}

// SumBackward broadcasts dy (outer, inner) over the axis: dx (outer, axis,
// inner) is overwritten with dx[o,a,i] = dy[o,i].
func SumBackward(dy []float32, outer, axis, inner int, dx []float32) {
	broadcast("SumBackward", dy, outer, axis, inner, dx, 1)
}

// MeanBackward is SumBackward scaled by 1/axis.
func MeanBackward(dy []float32, outer, axis, inner int, dx []float32) {
	if !(axis > 0) {
		fail("MeanBackward: empty axis")
	}
	broadcast("MeanBackward", dy, outer, axis, inner, dx, 1/float32(axis))
}

func broadcast(fn string, dy []float32, outer, axis, inner int, dx []float32, s float32) {
	checkDims(fn, outer, axis, inner)
	checkLen(fn, "dy", dy, outer*inner)
	checkLen(fn, "dx", dx, outer*axis*inner)
	for o := 0; o < outer; o++ {
		src := dy[o*inner : (o+1)*inner]
		for a := 0; a < axis; a++ {
			Scale(src, s, dx[(o*axis+a)*inner:(o*axis+a+1)*inner])
		}
	}
}

// MSE returns mean((a − b)²) accumulated in float64 (PyTorch's
// mse_loss(reduction='mean')).
func MSE(a, b []float32) float64 {
	checkLen("MSE", "b", b, len(a))
	if !(len(a) > 0) {
		fail("MSE: empty input")
	}
	var s float64
	for i, v := range a {
		d := float64(v) - float64(b[i])
		s += d * d
	}
	return s / float64(len(a))
}

// MSEBackward overwrites da with dloss·2(a − b)/n, the gradient of
// dloss·MSE(a, b) with respect to a. The target b is not differentiated
// (in MambaAD it is the frozen encoder's feature; d/db is −da).
func MSEBackward(a, b []float32, dloss float32, da []float32) {
	checkLen("MSEBackward", "b", b, len(a))
	checkLen("MSEBackward", "da", da, len(a))
	if !(len(a) > 0) {
		fail("MSEBackward: empty input")
	}
	s := 2 * dloss / float32(len(a))
	for i, v := range a {
		da[i] = s * (v - b[i])
	}
}
