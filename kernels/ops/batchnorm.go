package ops

import (
	"math"

	"github.com/mambaad/mambaad/parallel"
)

// BatchNorm2d on (N, C, HW) data. Statistics are formed in float64 because a
// channel's reduction runs over N·HW values (up to ~10⁵ in training).

// BatchNormTrain normalises each channel with the batch mean and biased
// variance, y = (x − mean)·rstd·gamma + beta, and, when runMean and runVar
// are non-nil, updates them in place as PyTorch does: r ← (1−momentum)·r +
// momentum·stat, with the UNBIASED variance (n/(n−1)) for runVar. mean and
// rstd (C) receive what BatchNormBackward needs (nil in a forward-only
// pass). gamma and beta may be nil (no affine). y may alias x.
func BatchNormTrain(x []float32, n, c, hw int, gamma, beta []float32, eps, momentum float32,
	runMean, runVar []float32, y, mean, rstd []float32) {
	const fn = "BatchNormTrain"
	checkBN(fn, x, n, c, hw, gamma, beta, y)
	checkOpt(fn, "runMean", runMean, c)
	checkOpt(fn, "runVar", runVar, c)
	checkOpt(fn, "mean", mean, c)
	checkOpt(fn, "rstd", rstd, c)
	cnt := n * hw
	if !(cnt > 1) {
		fail("%s: need more than one value per channel, got N·HW = %d", fn, cnt)
	}
	parallel.For(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			m, v := channelMoments(x, n, c, hw, ch)
			rs := 1 / math.Sqrt(v+float64(eps))
			applyChannel(x, y, n, c, hw, ch, gamma, beta, m, rs)
			if mean != nil {
				mean[ch] = float32(m)
			}
			if rstd != nil {
				rstd[ch] = float32(rs)
			}
			mo := float64(momentum)
			if runMean != nil {
				runMean[ch] = float32((1-mo)*float64(runMean[ch]) + mo*m)
			}
			if runVar != nil {
				unbiased := v * float64(cnt) / float64(cnt-1)
				runVar[ch] = float32((1-mo)*float64(runVar[ch]) + mo*unbiased)
			}
		}
	})
}

// BatchNormBackward is the train-mode backward: dx (overwritten) =
// gamma·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)) over each channel's N·HW
// values; dgamma += Σ dy·x̂ and dbeta += Σ dy (either may be nil). mean and
// rstd are the values BatchNormTrain saved. gamma may be nil.
func BatchNormBackward(dy, x []float32, n, c, hw int, gamma, mean, rstd, dx, dgamma, dbeta []float32) {
	const fn = "BatchNormBackward"
	checkBN(fn, x, n, c, hw, gamma, nil, dx)
	checkLen(fn, "dy", dy, len(x))
	checkLen(fn, "mean", mean, c)
	checkLen(fn, "rstd", rstd, c)
	checkOpt(fn, "dgamma", dgamma, c)
	checkOpt(fn, "dbeta", dbeta, c)
	cnt := float64(n * hw)
	parallel.For(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			m, rs := float64(mean[ch]), float64(rstd[ch])
			var sdy, sdyx float64
			forChannel(n, c, hw, ch, func(o int) {
				for i, g := range dy[o : o+hw] {
					sdy += float64(g)
					sdyx += float64(g) * (float64(x[o+i]) - m) * rs
				}
			})
			if dgamma != nil {
				dgamma[ch] += float32(sdyx)
			}
			if dbeta != nil {
				dbeta[ch] += float32(sdy)
			}
			g := 1.0
			if gamma != nil {
				g = float64(gamma[ch])
			}
			k, mdy, mdyx := g*rs, sdy/cnt, sdyx/cnt
			forChannel(n, c, hw, ch, func(o int) {
				for i, d := range dy[o : o+hw] {
					xh := (float64(x[o+i]) - m) * rs
					dx[o+i] = float32(k * (float64(d) - mdy - xh*mdyx))
				}
			})
		}
	})
}

// BatchNormEval normalises with the running statistics (inference, or a
// frozen network): y = (x − runMean)/√(runVar+eps)·gamma + beta.
func BatchNormEval(x []float32, n, c, hw int, gamma, beta, runMean, runVar []float32, eps float32, y []float32) {
	const fn = "BatchNormEval"
	checkBN(fn, x, n, c, hw, gamma, beta, y)
	checkLen(fn, "runMean", runMean, c)
	checkLen(fn, "runVar", runVar, c)
	parallel.For(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			rs := 1 / math.Sqrt(float64(runVar[ch])+float64(eps))
			applyChannel(x, y, n, c, hw, ch, gamma, beta, float64(runMean[ch]), rs)
		}
	})
}

// BatchNormEvalBackward is the backward of BatchNormEval: dx (overwritten) =
// dy·gamma/√(runVar+eps); dgamma += Σ dy·x̂, dbeta += Σ dy (either may be
// nil).
func BatchNormEvalBackward(dy, x []float32, n, c, hw int, gamma, runMean, runVar []float32, eps float32,
	dx, dgamma, dbeta []float32) {
	const fn = "BatchNormEvalBackward"
	checkBN(fn, x, n, c, hw, gamma, nil, dx)
	checkLen(fn, "dy", dy, len(x))
	checkLen(fn, "runMean", runMean, c)
	checkLen(fn, "runVar", runVar, c)
	checkOpt(fn, "dgamma", dgamma, c)
	checkOpt(fn, "dbeta", dbeta, c)
	parallel.For(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			m := float64(runMean[ch])
			rs := 1 / math.Sqrt(float64(runVar[ch])+float64(eps))
			k := rs
			if gamma != nil {
				k *= float64(gamma[ch])
			}
			var sdy, sdyx float64
			forChannel(n, c, hw, ch, func(o int) {
				for i, d := range dy[o : o+hw] {
					sdy += float64(d)
					sdyx += float64(d) * (float64(x[o+i]) - m) * rs
					dx[o+i] = float32(k * float64(d))
				}
			})
			if dgamma != nil {
				dgamma[ch] += float32(sdyx)
			}
			if dbeta != nil {
				dbeta[ch] += float32(sdy)
			}
		}
	})
}

// FoldBatchNorm folds an eval-mode BatchNorm into the convolution before it,
// in place: each output channel o of w (cout rows of len(w)/cout weights)
// is scaled by s = gamma/√(var+eps), and b (cout; pass zeros for a conv
// without bias) becomes (b − mean)·s + beta.
func FoldBatchNorm(w, b []float32, cout int, gamma, beta, mean, variance []float32, eps float32) {
	const fn = "FoldBatchNorm"
	if !(cout > 0 && len(w)%cout == 0) {
		fail("%s: %d weights do not split into %d output channels", fn, len(w), cout)
	}
	for _, p := range []struct {
		name string
		s    []float32
	}{{"b", b}, {"gamma", gamma}, {"beta", beta}, {"mean", mean}, {"variance", variance}} {
		checkLen(fn, p.name, p.s, cout)
	}
	per := len(w) / cout
	for o := 0; o < cout; o++ {
		s := float64(gamma[o]) / math.Sqrt(float64(variance[o])+float64(eps))
		row := w[o*per : (o+1)*per]
		for i, v := range row {
			row[i] = float32(float64(v) * s)
		}
		b[o] = float32((float64(b[o])-float64(mean[o]))*s + float64(beta[o]))
	}
}

func checkBN(fn string, x []float32, n, c, hw int, gamma, beta, y []float32) {
	checkDims(fn, n, c, hw)
	checkLen(fn, "x", x, n*c*hw)
	checkLen(fn, "y/dx", y, n*c*hw)
	checkOpt(fn, "gamma", gamma, c)
	checkOpt(fn, "beta", beta, c)
}

// forChannel calls f with the offset of channel ch's plane in every sample.
func forChannel(n, c, hw, ch int, f func(off int)) {
	for s := 0; s < n; s++ {
		f((s*c + ch) * hw)
	}
}

// channelMoments returns the mean and biased variance of one channel (two
// passes, float64).
func channelMoments(x []float32, n, c, hw, ch int) (mean, variance float64) {
	var s float64
	forChannel(n, c, hw, ch, func(o int) {
		for _, v := range x[o : o+hw] {
			s += float64(v)
		}
	})
	cnt := float64(n * hw)
	mean = s / cnt
	var ss float64
	forChannel(n, c, hw, ch, func(o int) {
		for _, v := range x[o : o+hw] {
			d := float64(v) - mean
			ss += d * d
		}
	})
	return mean, ss / cnt
}

// applyChannel writes y = (x − mean)·rs·gamma + beta for one channel.
func applyChannel(x, y []float32, n, c, hw, ch int, gamma, beta []float32, mean, rs float64) {
	k, off := rs, -mean*rs
	if gamma != nil {
		k *= float64(gamma[ch])
		off *= float64(gamma[ch])
	}
	if beta != nil {
		off += float64(beta[ch])
	}
	k32, off32 := float32(k), float32(off)
	forChannel(n, c, hw, ch, func(o int) {
		for i, v := range x[o : o+hw] {
			y[o+i] = v*k32 + off32
		}
	})
}
