package report

import (
	"math"
	"testing"
)

func TestPROCurveCutsAtMaxFPR(t *testing.T) {
	fpr := []float64{0, 0.1, 0.2, 0.4, 0.9}
	pro := []float64{0, 0.5, 0.6, 1.0, 1.0}
	c := PROCurve(fpr, pro, 0.3)
	want := [][2]float64{{0, 0}, {0.1, 0.5}, {0.2, 0.6}, {0.3, 0.8}}
	if c.Len() != len(want) {
		t.Fatalf("%d points: %v %v", c.Len(), c.X, c.Y)
	}
	for i, p := range want {
		if math.Abs(c.X[i]-p[0]) > 1e-12 || math.Abs(c.Y[i]-p[1]) > 1e-12 {
			t.Errorf("point %d = (%v, %v), want %v", i, c.X[i], c.Y[i], p)
		}
	}
}

func TestSimplify(t *testing.T) {
	var c Curve
	for i := 0; i <= 100000; i++ {
		x := float64(i) / 100000
		c.add(x, x*x, float64(-i))
	}
	s := Simplify(c, 1e-3)
	if s.Len() > 2000 || s.Len() < 1000 { // 1/eps steps in x, up to twice as many where y is steep
		t.Errorf("kept %d of %d points", s.Len(), c.Len())
	}
	if s.X[0] != 0 || s.X[s.Len()-1] != 1 || s.Y[s.Len()-1] != 1 {
		t.Error("end points lost")
	}
	for i := range s.X {
		if s.Thresholds[i] != -math.Round(s.X[i]*100000) {
			t.Fatalf("threshold of point %d does not follow it", i)
		}
		if i > 0 && s.X[i]-s.X[i-1] > 2e-3 {
			t.Fatalf("gap %v at point %d", s.X[i]-s.X[i-1], i)
		}
	}
}
