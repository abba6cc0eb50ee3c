package ops

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// LayerNorm normalises each of rows rows of cols values with its own mean
// and biased variance: y = (x − mean)·rstd·gamma + beta, rstd = 1/√(var+eps).
// gamma and beta (cols) may be nil for no affine transform. mean and rstd
// (rows) receive the statistics LayerNormBackward needs; pass nil in
// inference. y may alias x.
func LayerNorm(x []float32, rows, cols int, gamma, beta []float32, eps float32, y, mean, rstd []float32) {
	layerNorm(isa.Best(), x, rows, cols, gamma, beta, eps, y, mean, rstd)
}

// LayerNormBackward computes dx (overwritten) and accumulates dgamma and
// dbeta (+=; either may be nil) from dy, the forward input x and the saved
// mean and rstd. gamma may be nil (no affine). dx may alias dy.
func LayerNormBackward(dy, x []float32, rows, cols int, gamma, mean, rstd, dx, dgamma, dbeta []float32) {
	layerNormBackward(isa.Best(), dy, x, rows, cols, gamma, mean, rstd, dx, dgamma, dbeta)
}

// InstanceNorm is InstanceNorm2d without affine parameters on planes = N·C
// planes of hw values each: every plane is normalised with its own mean and
// biased variance (train and eval alike, as PyTorch does with
// track_running_stats=False). mean and rstd (planes) may be nil.
func InstanceNorm(x []float32, planes, hw int, eps float32, y, mean, rstd []float32) {
	layerNorm(isa.Best(), x, planes, hw, nil, nil, eps, y, mean, rstd)
}

// InstanceNormBackward computes dx (overwritten) from dy, the forward input
// and the saved statistics.
func InstanceNormBackward(dy, x []float32, planes, hw int, mean, rstd, dx []float32) {
	layerNormBackward(isa.Best(), dy, x, planes, hw, nil, mean, rstd, dx, nil, nil)
}

// rowGrain is how many rows one parallel chunk gets: about 16 K elements,
// enough to pay for a hand-off.
func rowGrain(cols int) int { return max(1, (16<<10)/max(cols, 1)) }

// checkNorm checks the arguments every row-normalisation kernel shares:
// the shape, the input, the optional affine parameters and statistics.
func checkNorm(fn string, x []float32, rows, cols int, gamma, beta, mean, rstd []float32) {
	checkDims(fn, rows, cols)
	checkLen(fn, "x", x, rows*cols)
	checkOpt(fn, "gamma", gamma, cols)
	checkOpt(fn, "beta", beta, cols)
	checkOpt(fn, "mean", mean, rows)
	checkOpt(fn, "rstd", rstd, rows)
	if !(cols > 0 || rows == 0) {
		fail("%s: cols must be positive", fn)
	}
}

func layerNorm(l isa.Level, x []float32, rows, cols int, gamma, beta []float32, eps float32, y, mean, rstd []float32) {
	const fn = "LayerNorm"
	checkNorm(fn, x, rows, cols, gamma, beta, mean, rstd)
	checkLen(fn, "y", y, rows*cols)
	k := lnKernelsFor(l)
	if rows <= rowGrain(cols) { // one chunk: no closure, no allocation
		k.forward(x, y, rows, cols, gamma, beta, eps, mean, rstd)
		return
	}
	parallel.For(rows, rowGrain(cols), func(lo, hi int) {
		var m, s []float32
		if mean != nil {
			m = mean[lo:hi]
		}
		if rstd != nil {
			s = rstd[lo:hi]
		}
		k.forward(x[lo*cols:hi*cols], y[lo*cols:hi*cols], hi-lo, cols, gamma, beta, eps, m, s)
	})
}

// lnBlocks is the number of row blocks LayerNormBackward splits rows rows
// of n values in all into: about 16 K values each, at most maxLNBlocks (the
// partial sums cost 2·cols floats per block). It depends on the shape only.
func lnBlocks(rows, n int) int { return min(rows, maxLNBlocks, max(1, n/(16<<10))) }

const maxLNBlocks = 256

func layerNormBackward(l isa.Level, dy, x []float32, rows, cols int, gamma, mean, rstd, dx, dgamma, dbeta []float32) {
	const fn = "LayerNormBackward"
	checkDims(fn, rows, cols)
	n := rows * cols
	checkLen(fn, "dy", dy, n)
	checkLen(fn, "x", x, n)
	checkLen(fn, "dx", dx, n)
	checkLen(fn, "mean", mean, rows)
	checkLen(fn, "rstd", rstd, rows)
	checkOpt(fn, "gamma", gamma, cols)
	checkOpt(fn, "dgamma", dgamma, cols)
	checkOpt(fn, "dbeta", dbeta, cols)
	k := lnKernelsFor(l)
	wantParams := dgamma != nil || dbeta != nil
	blocks := lnBlocks(rows, n)
	if blocks < 1 {
		return
	}
	if blocks == 1 { // accumulate straight into the caller's gradients
		k.backward(dy, x, rows, cols, gamma, mean, rstd, dx, dgamma, dbeta)
		return
	}
	// Each block accumulates its own dgamma/dbeta partial sums; they are
	// added to the caller's accumulators afterwards, in block order, so the
	// result does not depend on scheduling, and the blocks depend on the
	// shape only, so it does not depend on the worker count either.
	var part []float32
	if wantParams {
		part = make([]float32, blocks*2*cols)
	}
	parallel.Run(blocks, func(b int) {
		lo, hi := b*rows/blocks, (b+1)*rows/blocks
		var pg, pb []float32
		if wantParams {
			pg = part[2*b*cols : (2*b+1)*cols]
			pb = part[(2*b+1)*cols : (2*b+2)*cols]
		}
		k.backward(dy[lo*cols:hi*cols], x[lo*cols:hi*cols], hi-lo, cols, gamma, mean[lo:hi], rstd[lo:hi], dx[lo*cols:hi*cols], pg, pb)
	})
	for b := 0; wantParams && b < blocks; b++ {
		if dgamma != nil {
			AddInPlace(dgamma, part[2*b*cols:(2*b+1)*cols])
		}
		if dbeta != nil {
			AddInPlace(dbeta, part[(2*b+1)*cols:(2*b+2)*cols])
		}
	}
}

// lnKernels run LayerNorm over a block of rows at one instruction-set
// level. mean and rstd may be nil in forward; dgamma and dbeta (either may
// be nil) accumulate.
type lnKernels struct {
	forward  func(x, y []float32, rows, cols int, gamma, beta []float32, eps float32, mean, rstd []float32)
	backward func(dy, x []float32, rows, cols int, gamma, mean, rstd, dx, dgamma, dbeta []float32)
}
