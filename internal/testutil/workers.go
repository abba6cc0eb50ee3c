package testutil

import (
	"math"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/parallel"
)

// WorkerCounts are the worker counts SameForAnyWorkers tries: one (every
// loop on the caller), the machine's, and counts that split work
// unevenly.
var WorkerCounts = []int{1, 2, 3, 5, 8}

// SameForAnyWorkers runs f twice with each of WorkerCounts workers (see
// parallel.SetWorkers) and fails unless every run returns the same bits as
// the first. f must compute from the same inputs each time (fresh copies of
// anything it accumulates into) and return its results.
func SameForAnyWorkers(t testing.TB, what string, f func() [][]float32) {
	t.Helper()
	defer parallel.SetWorkers(parallel.SetWorkers(1))
	var want [][]float32
	for _, w := range WorkerCounts {
		parallel.SetWorkers(w)
		for rep := 0; rep < 2; rep++ {
			got := f()
			if want == nil {
				want = cloneAll(got)
				continue
			}
			if len(got) != len(want) {
				t.Fatalf("%s: %d results with %d workers, %d with 1", what, len(got), w, len(want))
			}
			for i := range got {
				if j := firstBitDiff(got[i], want[i]); j >= 0 {
					t.Fatalf("%s: result %d differs with %d workers (run %d) from 1 worker at %d: %g vs %g",
						what, i, w, rep+1, j, at(got[i], j), at(want[i], j))
				}
			}
		}
	}
}

func cloneAll(v [][]float32) [][]float32 {
	out := make([][]float32, len(v))
	for i := range v {
		out[i] = slices.Clone(v[i])
	}
	return out
}

// firstBitDiff returns the first index where a and b differ in their bits
// (NaNs compare by payload), len if only the lengths differ, or −1.
func firstBitDiff(a, b []float32) int {
	for i := range min(len(a), len(b)) {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func at(v []float32, i int) float32 {
	if i < len(v) {
		return v[i]
	}
	return float32(math.NaN())
}
