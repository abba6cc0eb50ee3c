// Package ops holds mambaad's element-wise, normalisation, resampling and
// permutation kernels, each forward next to its backward.
//
// Conventions shared with every compute kernel in mambaad:
//   - arrays are plain row-major []float32 slices plus explicit sizes;
//   - forward outputs and input gradients are OVERWRITTEN (never read), so
//     callers need not clear them;
//   - parameter gradients (dgamma, dbeta, …) are ACCUMULATED (+=), so callers
//     can sum over micro-batches;
//   - wrong slice lengths are programming errors and panic with a message
//     naming the function and the sizes.
//
// Hot kernels (LayerNorm, InstanceNorm, SiLU, SiLUMul, Transpose, Gather,
// ScatterAdd, GaussianBlur) have a fast path chosen by isa.Best() and a
// plain-Go reference that the tests compare every instruction-set level
// against. Numerical conventions (eps placement, biased or unbiased variance,
// softplus threshold, align_corners, scipy's 'reflect') follow PyTorch 1.13
// and SciPy 1.10 exactly as the golden files record them.
package ops

import "fmt"

// need panics with a message prefixed by the package name when ok is false.
// Size mismatches are programming errors in hot kernels, hence a panic rather
// than an error return.
func need(ok bool, format string, args ...any) {
	if !ok {
		panic("ops: " + fmt.Sprintf(format, args...))
	}
}

// checkLen panics unless len(s) == n. Arguments are passed unboxed so that
// the check does not allocate on the success path.
func checkLen(fn, name string, s []float32, n int) {
	if len(s) != n {
		panic(fmt.Sprintf("ops: %s: %s has %d elements, want %d", fn, name, len(s), n))
	}
}

// checkOpt is checkLen for optional slices: nil is accepted.
func checkOpt(fn, name string, s []float32, n int) {
	if s != nil {
		checkLen(fn, name, s, n)
	}
}

// checkDims panics if any size is negative.
func checkDims(fn string, dims ...int) {
	for _, d := range dims {
		if d < 0 {
			// The copy keeps dims from escaping, so the check does not allocate.
			panic(fmt.Sprintf("ops: %s: negative size in %v", fn, append([]int(nil), dims...)))
		}
	}
}
