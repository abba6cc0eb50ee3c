package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// TestResultsIndependentOfWorkers requires bit-identical results for any
// worker count and schedule, at every instruction-set level: element-wise
// loops long enough to be split (and not multiples of any vector width, so
// that pieces have tails), and every reduction (LayerNorm's parameter
// gradients over row blocks, BatchNorm, InstanceNorm, cosine, MSE, blur).
func TestResultsIndependentOfWorkers(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(9, 9))
		const n = 5*elemGrain + 37
		x, z, dy := testutil.NormVec(rng, n), testutil.NormVec(rng, n), testutil.NormVec(rng, n)
		testutil.SameForAnyWorkers(t, "element-wise", func() [][]float32 {
			out := make([][]float32, 9)
			for i := range out {
				out[i] = make([]float32, n)
			}
			siLU(l, x, out[0])
			siLUBackward(l, x, dy, out[1])
			siLUMul(l, x, z, out[2])
			siLUMulBackward(l, x, z, dy, out[3], out[4])
			reLU(l, x, out[5])
			reLUBackward(l, x, dy, out[6])
			add(l, x, z, out[7])
			copy(out[8], dy)
			addInPlace(l, out[8], x)
			return out
		})
		for _, sh := range []struct{ rows, cols int }{{700, 96}, {5001, 64}, {97, 1000}, {3, 40000}} {
			rows, cols := sh.rows, sh.cols
			x, dy := testutil.NormVec(rng, rows*cols), testutil.NormVec(rng, rows*cols)
			gamma, beta := testutil.NormVec(rng, cols), testutil.NormVec(rng, cols)
			dg0, db0 := testutil.NormVec(rng, cols), testutil.NormVec(rng, cols)
			testutil.SameForAnyWorkers(t, fmt.Sprintf("LayerNorm %d×%d", rows, cols), func() [][]float32 {
				y, mean, rstd := make([]float32, rows*cols), make([]float32, rows), make([]float32, rows)
				layerNorm(l, x, rows, cols, gamma, beta, 1e-5, y, mean, rstd)
				dx := make([]float32, rows*cols)
				dg, db := slices.Clone(dg0), slices.Clone(db0)
				layerNormBackward(l, dy, x, rows, cols, gamma, mean, rstd, dx, dg, db)
				dxi := make([]float32, rows*cols)
				layerNorm(l, x, rows, cols, nil, nil, 1e-5, y, mean, rstd)
				layerNormBackward(l, dy, x, rows, cols, nil, mean, rstd, dxi, nil, nil)
				return [][]float32{y, mean, rstd, dx, dg, db, dxi}
			})
		}
	})
	rng := rand.New(rand.NewPCG(10, 10))
	const bn, bc, bhw = 5, 37, 29 * 31
	x, dy := testutil.NormVec(rng, bn*bc*bhw), testutil.NormVec(rng, bn*bc*bhw)
	gamma, beta := testutil.NormVec(rng, bc), testutil.NormVec(rng, bc)
	testutil.SameForAnyWorkers(t, "BatchNorm", func() [][]float32 {
		y, mean, rstd := make([]float32, len(x)), make([]float32, bc), make([]float32, bc)
		rm, rv := slices.Clone(gamma), slices.Clone(beta)
		BatchNormTrain(x, bn, bc, bhw, gamma, beta, 1e-5, 0.1, rm, rv, y, mean, rstd)
		dx, dg, db := make([]float32, len(x)), slices.Clone(beta), slices.Clone(gamma)
		BatchNormBackward(dy, x, bn, bc, bhw, gamma, mean, rstd, dx, dg, db)
		ye, dxe := make([]float32, len(x)), make([]float32, len(x))
		for i := range rv {
			rv[i] = float32(math.Abs(float64(rv[i])))
		}
		BatchNormEval(x, bn, bc, bhw, gamma, beta, rm, rv, 1e-5, ye)
		BatchNormEvalBackward(dy, x, bn, bc, bhw, gamma, rm, rv, 1e-5, dxe, dg, db)
		return [][]float32{y, mean, rstd, rm, rv, dx, dg, db, ye, dxe}
	})
	testutil.SameForAnyWorkers(t, "cosine, MSE, bilinear, pooling, transpose", func() [][]float32 {
		cos := make([]float32, bn*bhw)
		CosineSimilarity(x, dy, bn, bc, bhw, cos)
		mse := MSE(x, dy)
		da := make([]float32, len(x))
		MSEBackward(x, dy, 5, da)
		up := make([]float32, bn*bc*64*64)
		Bilinear(x[:bn*bc*29*29], bn*bc, 29, 29, 64, 64, true, up)
		oh := PoolOutSize(29, 3, 2, 1)
		pool, arg := make([]float32, bn*bc*oh*oh), make([]int32, bn*bc*oh*oh)
		MaxPool2d(x[:bn*bc*29*29], bn*bc, 29, 29, 3, 2, 1, pool, arg)
		tr := make([]float32, len(x))
		Transpose(tr, x, bn, bc, bhw)
		argf := make([]float32, len(arg))
		for i, a := range arg {
			argf[i] = float32(a)
		}
		return [][]float32{cos, f64bits(mse), da, up, pool, argf, tr}
	})
	const h, w = 173, 211
	img := make([]float64, h*w)
	for i := range img {
		img[i] = rng.Float64()
	}
	testutil.SameForAnyWorkers(t, "GaussianBlur", func() [][]float32 {
		out := make([]float64, h*w)
		GaussianBlur(img, h, w, 4, out)
		return [][]float32{f64bits(out...)}
	})
}

// f64bits spreads float64 values over float32 slots, bit for bit, for the
// float32 comparisons of SameForAnyWorkers.
func f64bits(v ...float64) []float32 {
	out := make([]float32, 2*len(v))
	for i, x := range v {
		b := math.Float64bits(x)
		out[2*i], out[2*i+1] = math.Float32frombits(uint32(b)), math.Float32frombits(uint32(b>>32))
	}
	return out
}
