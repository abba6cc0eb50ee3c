package ops

import "math"

// The plain-Go LayerNorm rows: the Generic level, the purego build and the
// shapes the row kernels do not take.

var lnGo = lnKernels{forward: lnForwardRowsGo, backward: lnBackwardRowsGo}

func lnForwardRowsGo(x, y []float32, rows, cols int, gamma, beta []float32, eps float32, mean, rstd []float32) {
	for r := 0; r < rows; r++ {
		xr, yr := x[r*cols:(r+1)*cols], y[r*cols:(r+1)*cols]
		m, s := lnStatsGo(xr, eps)
		lnApplyGo(xr, yr, gamma, beta, m, s)
		if mean != nil {
			mean[r] = m
		}
		if rstd != nil {
			rstd[r] = s
		}
	}
}

func lnBackwardRowsGo(dy, x []float32, rows, cols int, gamma, mean, rstd, dx, dgamma, dbeta []float32) {
	for r := 0; r < rows; r++ {
		o := r * cols
		lnBackwardGo(dy[o:o+cols], x[o:o+cols], gamma, mean[r], rstd[r], dx[o:o+cols], dgamma, dbeta)
	}
}

// lnStatsGo uses two passes (mean, then squared deviations) with eight
// partial sums each: as accurate as PyTorch's float32 moments and the same
// summation shape as the vector kernels.
func lnStatsGo(x []float32, eps float32) (mean, rstd float32) {
	mean = sum8(x) / float32(len(x))
	var a [8]float32
	i := 0
	for ; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		for j := range a {
			d := v[j] - mean
			a[j] += d * d
		}
	}
	for ; i < len(x); i++ {
		d := x[i] - mean
		a[0] += d * d
	}
	v := ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
	return mean, float32(1 / math.Sqrt(float64(v/float32(len(x))+eps)))
}

// sum8 adds x with eight partial sums.
func sum8(x []float32) float32 {
	var a [8]float32
	i := 0
	for ; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		for j := range a {
			a[j] += v[j]
		}
	}
	for ; i < len(x); i++ {
		a[0] += x[i]
	}
	return ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
}

func lnApplyGo(x, y, gamma, beta []float32, mean, rstd float32) {
	y = y[:len(x)]
	switch {
	case gamma == nil && beta == nil:
		for i, v := range x {
			y[i] = (v - mean) * rstd
		}
	case gamma == nil:
		beta = beta[:len(x)]
		for i, v := range x {
			y[i] = (v-mean)*rstd + beta[i]
		}
	case beta == nil:
		gamma = gamma[:len(x)]
		for i, v := range x {
			y[i] = (v - mean) * rstd * gamma[i]
		}
	default:
		gamma, beta = gamma[:len(x)], beta[:len(x)]
		for i, v := range x {
			y[i] = (v-mean)*rstd*gamma[i] + beta[i]
		}
	}
}

// lnBackwardGo uses dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·gamma.
func lnBackwardGo(dy, x, gamma []float32, mean, rstd float32, dx, dgamma, dbeta []float32) {
	n := len(x)
	dy, dx = dy[:n], dx[:n]
	var sg, sgx float32
	for i, v := range x {
		xh := (v - mean) * rstd
		g := dy[i]
		if gamma != nil {
			g *= gamma[i]
		}
		sg += g
		sgx += g * xh
	}
	mg, mgx := sg/float32(n), sgx/float32(n)
	for i, v := range x {
		xh := (v - mean) * rstd
		g := dy[i]
		if gamma != nil {
			g *= gamma[i]
		}
		if dgamma != nil {
			dgamma[i] += dy[i] * xh
		}
		if dbeta != nil {
			dbeta[i] += dy[i]
		}
		dx[i] = rstd * (g - mg - xh*mgx)
	}
}
