package ops

import "github.com/mambaad/mambaad/kernels/isa"

// Element-wise activations. Forward: y = f(x), y overwritten and allowed to
// alias x. Backward takes the FORWARD INPUT x (not the output) and
// overwrites dx = dy·f′(x); dx may alias dy.

// elemGrain is the chunk size for parallel element-wise loops: big enough
// that a chunk (≈ 10 µs) dwarfs the hand-off.
const elemGrain = 32 << 10

// SiLU computes y = x·sigmoid(x).
func SiLU(x, y []float32) { siLU(isa.Best(), x, y) }

// SiLUBackward computes dx = dy·σ(x)·(1 + x·(1 − σ(x))).
func SiLUBackward(x, dy, dx []float32) { siLUBackward(isa.Best(), x, dy, dx) }

// SiLUMul computes out = y·silu(z), the gate of SS2D. out may alias y or z.
func SiLUMul(y, z, out []float32) { siLUMul(isa.Best(), y, z, out) }

// SiLUMulBackward computes dy = dout·silu(z) and dz = dout·y·silu′(z), both
// overwritten (either may be nil when not needed; they may alias dout).
func SiLUMulBackward(y, z, dout, dy, dz []float32) { siLUMulBackward(isa.Best(), y, z, dout, dy, dz) }

func siLU(l isa.Level, x, y []float32) {
	checkLen("SiLU", "y", y, len(x))
	f := actKernelsFor(l).silu
	if len(x) <= elemGrain {
		f(x, y)
		return
	}
	chunks(len(x), func(lo, hi int) { f(x[lo:hi], y[lo:hi]) })
}

func siLUBackward(l isa.Level, x, dy, dx []float32) {
	checkLen("SiLUBackward", "dy", dy, len(x))
	checkLen("SiLUBackward", "dx", dx, len(x))
	f := actKernelsFor(l).siluBack
	if len(x) <= elemGrain {
		f(x, dy, dx)
		return
	}
	chunks(len(x), func(lo, hi int) { f(x[lo:hi], dy[lo:hi], dx[lo:hi]) })
}

func siLUMul(l isa.Level, y, z, out []float32) {
	checkLen("SiLUMul", "z", z, len(y))
	checkLen("SiLUMul", "out", out, len(y))
	f := actKernelsFor(l).siluMul
	if len(y) <= elemGrain {
		f(y, z, out)
		return
	}
	chunks(len(y), func(lo, hi int) { f(y[lo:hi], z[lo:hi], out[lo:hi]) })
}

func siLUMulBackward(l isa.Level, y, z, dout, dy, dz []float32) {
	const fn = "SiLUMulBackward"
	n := len(y)
	checkLen(fn, "z", z, n)
	checkLen(fn, "dout", dout, n)
	checkOpt(fn, "dy", dy, n)
	checkOpt(fn, "dz", dz, n)
	if dy == nil && dz == nil {
		return
	}
	f := actKernelsFor(l).siluMulBack
	if n <= elemGrain {
		f(y, z, dout, dy, dz)
		return
	}
	chunks(n, func(lo, hi int) {
		var a, b []float32
		if dy != nil {
			a = dy[lo:hi]
		}
		if dz != nil {
			b = dz[lo:hi]
		}
		f(y[lo:hi], z[lo:hi], dout[lo:hi], a, b)
	})
}

// actKernels are the SiLU kernels of one instruction-set level; they work on
// one contiguous chunk with all lengths already checked.
type actKernels struct {
	silu        func(x, y []float32)
	siluBack    func(x, dy, dx []float32)
	siluMul     func(y, z, out []float32)
	siluMulBack func(y, z, dout, dy, dz []float32) // dy or dz may be nil
}

// ReLU computes y = max(x, 0) (a NaN stays NaN, as in PyTorch).
func ReLU(x, y []float32) { reLU(isa.Best(), x, y) }

// ReLUBackward computes dx = dy where x > 0, else 0 (PyTorch's
// threshold_backward: the gradient at exactly 0 is 0).
func ReLUBackward(x, dy, dx []float32) { reLUBackward(isa.Best(), x, dy, dx) }

func reLU(l isa.Level, x, y []float32) {
	checkLen("ReLU", "y", y, len(x))
	f := ewKernelsFor(l).relu
	if len(x) <= elemGrain {
		f(x, y)
		return
	}
	chunks(len(x), func(lo, hi int) { f(x[lo:hi], y[lo:hi]) })
}

func reLUBackward(l isa.Level, x, dy, dx []float32) {
	checkLen("ReLUBackward", "dy", dy, len(x))
	checkLen("ReLUBackward", "dx", dx, len(x))
	f := ewKernelsFor(l).reluBack
	if len(x) <= elemGrain {
		f(x, dy, dx)
		return
	}
	chunks(len(x), func(lo, hi int) { f(x[lo:hi], dy[lo:hi], dx[lo:hi]) })
}
