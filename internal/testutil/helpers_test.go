package testutil

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestNumGradAndCentralDiff(t *testing.T) {
	x := []float64{1, -2, 0.5}
	g := NumGrad(x, func(v []float64) float64 { return v[0]*v[0] + 3*v[1] + v[0]*v[2] })
	for i, want := range []float64{2*1 + 0.5, 3, 1} {
		if math.Abs(g[i]-want) > 1e-8 {
			t.Errorf("NumGrad[%d] = %v, want %v", i, g[i], want)
		}
	}
	if x[0] != 1 || x[1] != -2 || x[2] != 0.5 {
		t.Errorf("NumGrad changed x: %v", x)
	}
	d := CentralDiff(x, 2, 1e-3, func() float64 { return x[2] * x[2] * x[2] })
	if math.Abs(d-0.75) > 1e-5 || x[2] != 0.5 {
		t.Errorf("CentralDiff = %v (x[2] now %v), want 0.75", d, x[2])
	}
}

func TestRandomAndNaNs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range UniformVec(rng, 1000, -1, 1) {
		if !(v >= -1 && v < 1) {
			t.Fatalf("UniformVec value %v outside [-1, 1)", v)
		}
	}
	a, b := NormVec(rand.New(rand.NewPCG(3, 4)), 5), NormVec(rand.New(rand.NewPCG(3, 4)), 5)
	Close(t, "same seed", a, b, 0, 0)
	for _, v := range NaNs(3) {
		if v == v {
			t.Fatal("NaNs holds a number")
		}
	}
	if w := To64([]float32{0.5, -2}); w[0] != 0.5 || w[1] != -2 {
		t.Errorf("To64 = %v", w)
	}
}

func TestPanicValue(t *testing.T) {
	if r := PanicValue(func() { panic("boom") }); r != "boom" {
		t.Errorf("PanicValue = %v, want boom", r)
	}
	if r := PanicValue(func() {}); r != nil {
		t.Errorf("PanicValue of a normal return = %v", r)
	}
	MustPanic(t, "index", func() { _ = []int{}[len(NaNs(1))] })
}

// Close and Close64 are exercised through a recorder, so that their
// failures can be observed without failing this test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Errorf(string, ...any) { r.failed = true }

func TestCloseTolerances(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		got, want  []float32
		atol, rtol float64
		fail       bool
	}{
		{[]float32{1, 2}, []float32{1, 2}, 0, 0, false},
		{[]float32{1.1}, []float32{1}, 0.1, 0.01, false}, // 0.1 ≤ 0.1 + 0.01
		{[]float32{1.2}, []float32{1}, 0.1, 0.01, true},
		{[]float32{nan}, []float32{1}, 1, 1, true},
		{[]float32{nan}, []float32{nan}, 1, 1, true},
		{[]float32{1}, []float32{1, 2}, 1, 1, true},
	} {
		r := &recorder{TB: t}
		Close(r, "case", c.got, c.want, c.atol, c.rtol)
		if r.failed != c.fail {
			t.Errorf("Close(%v, %v, %g, %g) failed = %v, want %v", c.got, c.want, c.atol, c.rtol, r.failed, c.fail)
		}
		r = &recorder{TB: t}
		Close64(r, "case", c.got, To64(c.want), c.atol, c.rtol)
		if r.failed != c.fail {
			t.Errorf("Close64(%v, %v) failed = %v, want %v", c.got, c.want, r.failed, c.fail)
		}
	}
}
