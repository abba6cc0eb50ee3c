// Package testutil holds the helpers that the tests of several packages
// share: error measures between float slices (compare.go), closeness checks
// that fail a test (check.go), random and NaN-filled inputs (random.go),
// finite-difference gradients (grad.go) and panic checks (panic.go). It is
// imported only from _test.go files.
package testutil

import "math"

// RelErr returns ‖a − b‖₂ / ‖b‖₂ computed in float64 (‖a − b‖₂ when b is 0).
// It is the parity measure the golden tests use.
func RelErr(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var num, den float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		num += d * d
		den += float64(b[i]) * float64(b[i])
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

// MaxAbsDiff returns max |a_i − b_i| (+Inf if lengths differ or a NaN appears).
func MaxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if d != d {
			return math.Inf(1)
		}
		m = max(m, d)
	}
	return m
}
