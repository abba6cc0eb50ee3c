package ops

import (
	"math"
	"testing"
)

func TestElementwise(t *testing.T) {
	a, b := []float32{1, 2, 3}, []float32{4, -5, 6}
	y := poisoned(3)
	Add(a, b, y)
	closeTo(t, "add", y, []float32{5, -3, 9}, 0, 0)
	Mul(a, b, y)
	closeTo(t, "mul", y, []float32{4, -10, 18}, 0, 0)
	Scale(a, 2, y)
	closeTo(t, "scale", y, []float32{2, 4, 6}, 0, 0)
	Axpy(0.5, b, y)
	closeTo(t, "axpy", y, []float32{4, 1.5, 9}, 0, 0)
	AddInPlace(y, a)
	closeTo(t, "addinplace", y, []float32{5, 3.5, 12}, 0, 0)
	mustPanic(t, "length mismatch", func() { Add(a, b[:2], y) })
}

func TestSumMeanAndBackward(t *testing.T) {
	// x is (outer 2, axis 3, inner 2).
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	y := poisoned(4)
	Sum(x, 2, 3, 2, y)
	closeTo(t, "sum", y, []float32{9, 12, 27, 30}, 0, 0)
	Mean(x, 2, 3, 2, y)
	closeTo(t, "mean", y, []float32{3, 4, 9, 10}, 0, 1e-7)
	dx := poisoned(12)
	SumBackward([]float32{1, 2, 3, 4}, 2, 3, 2, dx)
	closeTo(t, "sum backward", dx, []float32{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, 0, 0)
	MeanBackward([]float32{3, 6, 9, 12}, 2, 3, 2, dx)
	closeTo(t, "mean backward", dx, []float32{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, 0, 1e-7)
}

func TestMSE(t *testing.T) {
	a, b := []float32{1, 2, 3, 4}, []float32{1, 0, 3, 7}
	if got := MSE(a, b); math.Abs(got-13.0/4) > 1e-12 {
		t.Fatalf("MSE = %g, want 3.25", got)
	}
	da := poisoned(4)
	MSEBackward(a, b, 5, da)
	closeTo(t, "da", da, []float32{0, 5, 0, -7.5}, 0, 1e-7)
	want := numGrad(to64(a), func(v []float64) float64 {
		s := 0.0
		for i := range v {
			d := v[i] - float64(b[i])
			s += d * d
		}
		return 5 * s / 4
	})
	close64(t, "da vs finite differences", da, want, 1e-6, 1e-6)
}
