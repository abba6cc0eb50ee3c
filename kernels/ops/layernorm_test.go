package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

func TestLayerNormMatchesReference(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, rows := range awkward[:5] {
			for _, cols := range append(awkward, 8, 16, 48, 96) { // multiples of the lanes take the whole-row kernels
				for _, affine := range []bool{false, true} {
					x := testutil.NormVec(rng, rows*cols)
					for i := range x {
						x[i] = 3 + 2*x[i] // an offset mean exercises the two-pass variance
					}
					var g, b []float32
					if affine {
						g, b = testutil.NormVec(rng, cols), testutil.NormVec(rng, cols)
					}
					y, m, s := testutil.NaNs(rows*cols), testutil.NaNs(rows), testutil.NaNs(rows)
					layerNorm(l, x, rows, cols, g, b, 1e-5, y, m, s)
					yr, mr, sr := make([]float32, rows*cols), make([]float32, rows), make([]float32, rows)
					layerNormRef(x, rows, cols, g, b, 1e-5, yr, mr, sr)
					testutil.Close(t, "y", y, yr, 2e-5, 2e-5)
					testutil.Close(t, "mean", m, mr, 1e-5, 1e-5)
					testutil.Close(t, "rstd", s, sr, 1e-5, 1e-5)
					// In place, no saved statistics.
					layerNorm(l, x, rows, cols, g, b, 1e-5, x, nil, nil)
					testutil.Close(t, "in place", x, yr, 2e-5, 2e-5)
				}
			}
		}
	})
}

// ln64 is LayerNorm in float64, the function the gradients are checked on.
func ln64(x []float64, rows, cols int, gamma, beta []float64, eps float64) []float64 {
	y := make([]float64, len(x))
	for r := 0; r < rows; r++ {
		xr := x[r*cols : (r+1)*cols]
		m, v := 0.0, 0.0
		for _, a := range xr {
			m += a
		}
		m /= float64(cols)
		for _, a := range xr {
			v += (a - m) * (a - m)
		}
		rs := 1 / math.Sqrt(v/float64(cols)+eps)
		for i, a := range xr {
			o := (a - m) * rs
			if gamma != nil {
				o = o*gamma[i] + beta[i]
			}
			y[r*cols+i] = o
		}
	}
	return y
}

func TestLayerNormBackwardFiniteDifferences(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, sz := range [][2]int{{1, 1}, {3, 7}, {2, 17}, {5, 33}, {3, 16}, {4, 32}} {
			rows, cols := sz[0], sz[1]
			x, g, b, r := testutil.NormVec(rng, rows*cols), testutil.NormVec(rng, cols), testutil.NormVec(rng, cols), testutil.NormVec(rng, rows*cols)
			const eps = 1e-5
			y, m, s := make([]float32, rows*cols), make([]float32, rows), make([]float32, rows)
			layerNorm(l, x, rows, cols, g, b, eps, y, m, s)
			dx := testutil.NaNs(rows * cols)
			dg, db := make([]float32, cols), make([]float32, cols)
			for i := range dg {
				dg[i], db[i] = 0.5, -0.25 // accumulation: the result must add to these
			}
			layerNormBackward(l, r, x, rows, cols, g, m, s, dx, dg, db)
			x64, g64, b64 := testutil.To64(x), testutil.To64(g), testutil.To64(b)
			wantDx := testutil.NumGrad(x64, func(v []float64) float64 { return dot64(ln64(v, rows, cols, g64, b64, eps), r) })
			wantDg := testutil.NumGrad(g64, func(v []float64) float64 { return dot64(ln64(x64, rows, cols, v, b64, eps), r) })
			wantDb := testutil.NumGrad(b64, func(v []float64) float64 { return dot64(ln64(x64, rows, cols, g64, v, eps), r) })
			for i := range wantDg {
				wantDg[i] += 0.5
				wantDb[i] -= 0.25
			}
			testutil.Close64(t, "dx", dx, wantDx, 1e-3, 1e-3)
			testutil.Close64(t, "dgamma", dg, wantDg, 1e-3, 1e-3)
			testutil.Close64(t, "dbeta", db, wantDb, 1e-3, 1e-3)
			// Without affine parameters (InstanceNorm's path).
			layerNorm(l, x, rows, cols, nil, nil, eps, y, m, s)
			layerNormBackward(l, r, x, rows, cols, nil, m, s, dx, nil, nil)
			wantDx = testutil.NumGrad(x64, func(v []float64) float64 { return dot64(ln64(v, rows, cols, nil, nil, eps), r) })
			testutil.Close64(t, "dx (no affine)", dx, wantDx, 1e-3, 1e-3)
		}
	})
}

func TestLayerNormBackwardLargeMatchesSmallBlocks(t *testing.T) {
	// Enough rows for several parallel blocks: the dgamma partial sums must
	// add up to the serial result.
	rng := rand.New(rand.NewPCG(5, 6))
	rows, cols := 700, 96
	x, g, b, dy := testutil.NormVec(rng, rows*cols), testutil.NormVec(rng, cols), testutil.NormVec(rng, cols), testutil.NormVec(rng, rows*cols)
	y, m, s := make([]float32, rows*cols), make([]float32, rows), make([]float32, rows)
	LayerNorm(x, rows, cols, g, b, 1e-6, y, m, s)
	dx, dg, db := make([]float32, rows*cols), make([]float32, cols), make([]float32, cols)
	LayerNormBackward(dy, x, rows, cols, g, m, s, dx, dg, db)
	dx2, dg2, db2 := make([]float32, rows*cols), make([]float32, cols), make([]float32, cols)
	for r := 0; r < rows; r++ {
		o := r * cols
		lnBackwardGo(dy[o:o+cols], x[o:o+cols], g, m[r], s[r], dx2[o:o+cols], dg2, db2)
	}
	testutil.Close(t, "dx", dx, dx2, 1e-5, 1e-5)
	testutil.Close(t, "dgamma", dg, dg2, 1e-3, 1e-4)
	testutil.Close(t, "dbeta", db, db2, 1e-3, 1e-4)
}

func TestInstanceNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	planes, hw := 6, 65
	x := testutil.NormVec(rng, planes*hw)
	y, m, s := testutil.NaNs(planes*hw), testutil.NaNs(planes), testutil.NaNs(planes)
	InstanceNorm(x, planes, hw, 1e-5, y, m, s)
	for p := 0; p < planes; p++ {
		var mu, v float64
		for _, a := range y[p*hw : (p+1)*hw] {
			mu += float64(a)
		}
		mu /= float64(hw)
		for _, a := range y[p*hw : (p+1)*hw] {
			v += (float64(a) - mu) * (float64(a) - mu)
		}
		if math.Abs(mu) > 1e-5 || math.Abs(v/float64(hw)-1) > 1e-3 {
			t.Fatalf("plane %d: mean %g var %g after normalising", p, mu, v/float64(hw))
		}
	}
	dy, dx := testutil.NormVec(rng, planes*hw), testutil.NaNs(planes*hw)
	InstanceNormBackward(dy, x, planes, hw, m, s, dx)
	want := testutil.NumGrad(testutil.To64(x), func(v []float64) float64 { return dot64(ln64(v, planes, hw, nil, nil, 1e-5), dy) })
	testutil.Close64(t, "dx", dx, want, 1e-3, 1e-3)
}

func TestLayerNormBadSizesPanic(t *testing.T) {
	testutil.MustPanic(t, "short y", func() { LayerNorm(make([]float32, 6), 2, 3, nil, nil, 1e-5, make([]float32, 5), nil, nil) })
	testutil.MustPanic(t, "short gamma", func() {
		LayerNorm(make([]float32, 6), 2, 3, make([]float32, 2), nil, 1e-5, make([]float32, 6), nil, nil)
	})
	testutil.MustPanic(t, "missing mean", func() {
		LayerNormBackward(make([]float32, 6), make([]float32, 6), 2, 3, nil, nil, make([]float32, 2), make([]float32, 6), nil, nil)
	})
}
