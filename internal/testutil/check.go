package testutil

import (
	"math"
	"testing"
)

// Close fails t unless got and want have the same length and
// |got[i] − want[i]| ≤ atol + rtol·|want[i]| for every i. A NaN on either
// side fails, so an element a kernel did not write (see NaNs) shows up.
func Close(t testing.TB, what string, got, want []float32, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		closeAt(t, what, i, got[i], float64(want[i]), atol, rtol)
	}
}

// Close64 is Close against a float64 want (a reference computed in
// float64, or a finite-difference estimate).
func Close64(t testing.TB, what string, got []float32, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		closeAt(t, what, i, got[i], want[i], atol, rtol)
	}
}

func closeAt(t testing.TB, what string, i int, got float32, want, atol, rtol float64) {
	t.Helper()
	if g := float64(got); !(math.Abs(g-want) <= atol+rtol*math.Abs(want)) {
		t.Fatalf("%s: [%d] = %g, want %g", what, i, g, want)
	}
}
