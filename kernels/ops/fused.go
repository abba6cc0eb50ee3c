package ops

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Fused chains of memory-bound kernels. Each runs its kernels one block of
// rows after the other inside a single parallel loop, so a block's
// intermediate result is still in the core's cache when the next kernel
// reads it: the data crosses memory once instead of once per kernel, and
// the chain costs one hand-off to the workers instead of one per kernel.
// The blocks depend on the shape only, and each kernel computes a row (or
// an element) the same way whatever block it is in, so the results are
// those of the unfused sequence whenever the row length is a multiple of
// 16, and independent of the worker count always.

// LayerNormSiLUMul computes out = LayerNorm(x)·silu(z) over rows of cols
// values: the output norm and gate of SS2D. y, if not nil, receives the
// LayerNorm output (training keeps it for the backward pass); mean and
// rstd (rows, or nil) the statistics. out may alias x or z.
func LayerNormSiLUMul(x []float32, rows, cols int, gamma, beta []float32, eps float32, z, y, out, mean, rstd []float32) {
	layerNormSiLUMul(isa.Best(), x, rows, cols, gamma, beta, eps, z, y, out, mean, rstd)
}

// InstanceNormSiLU computes out = silu(InstanceNorm(x)) over planes of hw
// values (the norm-then-activation of the LSS convolution branches). y, if
// not nil, receives the normalised planes (the activation's input, which
// its backward pass needs); mean and rstd (planes, or nil) the
// statistics. out may alias x.
func InstanceNormSiLU(x []float32, planes, hw int, eps float32, y, out, mean, rstd []float32) {
	normAct(isa.Best(), "InstanceNormSiLU", x, planes, hw, nil, nil, eps, nil, y, out, mean, rstd)
}

func layerNormSiLUMul(l isa.Level, x []float32, rows, cols int, gamma, beta []float32, eps float32, z, y, out, mean, rstd []float32) {
	checkLen("LayerNormSiLUMul", "z", z, rows*cols)
	normAct(l, "LayerNormSiLUMul", x, rows, cols, gamma, beta, eps, z, y, out, mean, rstd)
}

// normAct is LayerNorm (or InstanceNorm: no gamma, beta) of each row
// followed by silu (z nil) or the silu gate by z, a block of rows at a
// time.
func normAct(l isa.Level, fn string, x []float32, rows, cols int, gamma, beta []float32, eps float32, z, y, out, mean, rstd []float32) {
	checkNorm(fn, x, rows, cols, gamma, beta, mean, rstd)
	checkOpt(fn, "y", y, rows*cols)
	checkLen(fn, "out", out, rows*cols)
	ln, act := lnKernelsFor(l), actKernelsFor(l)
	block := func(lo, hi int) {
		var m, s []float32
		if mean != nil {
			m = mean[lo:hi]
		}
		if rstd != nil {
			s = rstd[lo:hi]
		}
		o := out[lo*cols : hi*cols]
		t := o // the norm's output: y when kept, else out itself
		if y != nil {
			t = y[lo*cols : hi*cols]
		}
		ln.forward(x[lo*cols:hi*cols], t, hi-lo, cols, gamma, beta, eps, m, s)
		if z == nil {
			act.silu(t, o)
		} else {
			act.siluMul(t, z[lo*cols:hi*cols], o)
		}
	}
	forBlocks(rows, fusedGrain(cols), block)
}

// fusedGrain is the rows of one block of a fused chain: about 8 K values,
// so that a block and its intermediate stay in the L1 and L2 caches.
func fusedGrain(cols int) int { return max(1, (8<<10)/max(cols, 1)) }

// forBlocks calls fn on the blocks [i·g, min((i+1)·g, n)) in parallel. The
// blocks are fixed by n and g, not by the worker count, so a kernel whose
// vector tails fall at block ends still gives the same bits for any worker
// count; consecutive blocks go to the same worker.
func forBlocks(n, g int, fn func(lo, hi int)) {
	nb := (n + g - 1) / g
	if nb <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	parallel.For(nb, 2, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			fn(b*g, min((b+1)*g, n))
		}
	})
}
