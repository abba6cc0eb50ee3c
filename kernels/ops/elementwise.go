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

// ewKernels are the streaming element-wise kernels of one level, applied
// to one contiguous chunk with lengths already checked.
type ewKernels struct {
	addTo    func(x, acc []float32)
	add      func(a, b, y []float32)
	relu     func(x, y []float32)
	reluBack func(x, dy, dx []float32)
}

// chunks runs f over [0, n) in parallel pieces of at least elemGrain whose
// boundaries are multiples of chunkAlign. The vector kernels leave the
// tail of each piece to their Go twins, which round differently where the
// assembly fuses a multiply-add (the SiLU family); with aligned pieces the
// only tail is the end of the slice, so the result does not depend on how
// many pieces the worker count makes.
func chunks(n int, f func(lo, hi int)) {
	parallel.For((n+chunkAlign-1)/chunkAlign, elemGrain/chunkAlign, func(lo, hi int) {
		f(lo*chunkAlign, min(hi*chunkAlign, n))
	})
}

// chunkAlign is a multiple of every level's vector width.
const chunkAlign = 64

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
