package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

// bn64 is train-mode BatchNorm in float64 on (n, c, hw).
func bn64(x []float64, n, c, hw int, gamma, beta []float64, eps float64) []float64 {
	y := make([]float64, len(x))
	cnt := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		m, v := 0.0, 0.0
		for s := 0; s < n; s++ {
			for _, a := range x[(s*c+ch)*hw : (s*c+ch+1)*hw] {
				m += a
			}
		}
		m /= cnt
		for s := 0; s < n; s++ {
			for _, a := range x[(s*c+ch)*hw : (s*c+ch+1)*hw] {
				v += (a - m) * (a - m)
			}
		}
		rs := 1 / math.Sqrt(v/cnt+eps)
		for s := 0; s < n; s++ {
			for i := (s*c + ch) * hw; i < (s*c+ch+1)*hw; i++ {
				y[i] = (x[i]-m)*rs*gamma[ch] + beta[ch]
			}
		}
	}
	return y
}

func TestBatchNormTrainAndRunningStats(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n, c, hw := 2, 3, 5
	x, g, b := testutil.NormVec(rng, n*c*hw), testutil.NormVec(rng, c), testutil.NormVec(rng, c)
	rm, rv := []float32{0.1, 0.2, 0.3}, []float32{1, 2, 3}
	y, m, s := testutil.NaNs(n*c*hw), testutil.NaNs(c), testutil.NaNs(c)
	BatchNormTrain(x, n, c, hw, g, b, 1e-5, 0.1, rm, rv, y, m, s)
	testutil.Close64(t, "y", y, bn64(testutil.To64(x), n, c, hw, testutil.To64(g), testutil.To64(b), 1e-5), 1e-5, 1e-5)
	for ch := 0; ch < c; ch++ {
		var vals []float64
		for smp := 0; smp < n; smp++ {
			vals = append(vals, testutil.To64(x[(smp*c+ch)*hw:(smp*c+ch+1)*hw])...)
		}
		mu, ss := 0.0, 0.0
		for _, v := range vals {
			mu += v
		}
		mu /= float64(len(vals))
		for _, v := range vals {
			ss += (v - mu) * (v - mu)
		}
		wantRM := 0.9*[]float64{0.1, 0.2, 0.3}[ch] + 0.1*mu
		wantRV := 0.9*float64(ch+1) + 0.1*ss/float64(len(vals)-1) // unbiased
		if math.Abs(float64(rm[ch])-wantRM) > 1e-6 || math.Abs(float64(rv[ch])-wantRV) > 1e-6 {
			t.Fatalf("channel %d: running %g/%g, want %g/%g", ch, rm[ch], rv[ch], wantRM, wantRV)
		}
		if math.Abs(float64(s[ch])-1/math.Sqrt(ss/float64(len(vals))+1e-5)) > 1e-5 {
			t.Fatalf("channel %d: rstd %g uses the wrong variance", ch, s[ch])
		}
	}
	testutil.MustPanic(t, "one value per channel", func() {
		BatchNormTrain([]float32{1}, 1, 1, 1, nil, nil, 1e-5, 0.1, nil, nil, make([]float32, 1), nil, nil)
	})
}

func TestBatchNormBackwardFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	n, c, hw := 2, 3, 7
	x, g, b, r := testutil.NormVec(rng, n*c*hw), testutil.NormVec(rng, c), testutil.NormVec(rng, c), testutil.NormVec(rng, n*c*hw)
	y, m, s := make([]float32, n*c*hw), make([]float32, c), make([]float32, c)
	BatchNormTrain(x, n, c, hw, g, b, 1e-5, 0.1, nil, nil, y, m, s)
	dx, dg, db := testutil.NaNs(n*c*hw), []float32{1, 1, 1}, []float32{2, 2, 2}
	BatchNormBackward(r, x, n, c, hw, g, m, s, dx, dg, db)
	x64, g64, b64 := testutil.To64(x), testutil.To64(g), testutil.To64(b)
	f := func(xx, gg, bb []float64) float64 { return dot64(bn64(xx, n, c, hw, gg, bb, 1e-5), r) }
	testutil.Close64(t, "dx", dx, testutil.NumGrad(x64, func(v []float64) float64 { return f(v, g64, b64) }), 1e-3, 1e-3)
	wg := testutil.NumGrad(g64, func(v []float64) float64 { return f(x64, v, b64) })
	wb := testutil.NumGrad(b64, func(v []float64) float64 { return f(x64, g64, v) })
	for i := range wg {
		wg[i]++
		wb[i] += 2
	}
	testutil.Close64(t, "dgamma", dg, wg, 1e-3, 1e-3)
	testutil.Close64(t, "dbeta", db, wb, 1e-3, 1e-3)
}

func TestBatchNormEvalAndFold(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	n, c, hw := 2, 3, 4
	x, g, b := testutil.NormVec(rng, n*c*hw), testutil.NormVec(rng, c), testutil.NormVec(rng, c)
	rm, rv := []float32{0.5, -0.2, 0.1}, []float32{0.7, 1.3, 2}
	y := testutil.NaNs(n * c * hw)
	BatchNormEval(x, n, c, hw, g, b, rm, rv, 1e-5, y)
	for i, v := range x {
		ch := i / hw % c
		want := (float64(v)-float64(rm[ch]))/math.Sqrt(float64(rv[ch])+1e-5)*float64(g[ch]) + float64(b[ch])
		if math.Abs(float64(y[i])-want) > 1e-5 {
			t.Fatalf("eval y[%d] = %g, want %g", i, y[i], want)
		}
	}
	// Eval backward against finite differences of the (linear) eval map.
	r, dx, dg, db := testutil.NormVec(rng, n*c*hw), testutil.NaNs(n*c*hw), make([]float32, c), make([]float32, c)
	BatchNormEvalBackward(r, x, n, c, hw, g, rm, rv, 1e-5, dx, dg, db)
	eval := func(xx, gg []float64) float64 {
		s := 0.0
		for i, v := range xx {
			ch := i / hw % c
			s += ((v-float64(rm[ch]))/math.Sqrt(float64(rv[ch])+1e-5)*gg[ch] + float64(b[ch])) * float64(r[i])
		}
		return s
	}
	testutil.Close64(t, "eval dx", dx, testutil.NumGrad(testutil.To64(x), func(v []float64) float64 { return eval(v, testutil.To64(g)) }), 1e-4, 1e-4)
	testutil.Close64(t, "eval dgamma", dg, testutil.NumGrad(testutil.To64(g), func(v []float64) float64 { return eval(testutil.To64(x), v) }), 1e-4, 1e-4)
	// Folding into a 1×1 conv (cout=c, cin=2) with bias: conv then BN must
	// equal the folded conv.
	cin := 2
	w, bias := testutil.NormVec(rng, c*cin), testutil.NormVec(rng, c)
	in := testutil.NormVec(rng, cin)
	conv := func(w, bias []float32) []float32 {
		o := make([]float32, c)
		for oc := 0; oc < c; oc++ {
			o[oc] = bias[oc]
			for ic := 0; ic < cin; ic++ {
				o[oc] += w[oc*cin+ic] * in[ic]
			}
		}
		return o
	}
	ref := make([]float32, c)
	BatchNormEval(conv(w, bias), 1, c, 1, g, b, rm, rv, 1e-5, ref)
	FoldBatchNorm(w, bias, c, g, b, rm, rv, 1e-5)
	testutil.Close(t, "folded conv", conv(w, bias), ref, 1e-5, 1e-5)
	testutil.MustPanic(t, "bad cout", func() { FoldBatchNorm(w, bias, 4, g, b, rm, rv, 1e-5) })
}
