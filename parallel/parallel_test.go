package parallel

import (
	"sync/atomic"
	"testing"
)

func TestForCoversRangeOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 31, 65, 257, 10000} {
		for _, grain := range []int{0, 1, 5, 64, 100000} {
			hits := make([]int32, n)
			For(n, grain, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("n=%d grain=%d: index %d visited %d times", n, grain, i, h)
				}
			}
		}
	}
}

func TestNestedDoesNotDeadlock(t *testing.T) {
	var total atomic.Int64
	For(64, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			For(100, 1, func(a, b int) { total.Add(int64(b - a)) })
		}
	})
	if got := total.Load(); got != 6400 {
		t.Fatalf("nested total = %d, want 6400", got)
	}
}

func TestRunCallsEachIndex(t *testing.T) {
	seen := make([]int32, 100)
	Run(100, func(i int) { atomic.AddInt32(&seen[i], 1) })
	for i, s := range seen {
		if s != 1 {
			t.Fatalf("index %d called %d times", i, s)
		}
	}
}
