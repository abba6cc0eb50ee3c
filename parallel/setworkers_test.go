package parallel

import "testing"

func TestSetWorkers(t *testing.T) {
	orig := Workers()
	defer SetWorkers(orig)
	for _, w := range []int{1, 2, 3, 16} {
		if prev := SetWorkers(w); prev < 1 {
			t.Fatalf("previous worker count %d", prev)
		}
		if got := Workers(); got != w {
			t.Fatalf("Workers() = %d after SetWorkers(%d)", got, w)
		}
		hits := make([]int32, 1000)
		For(len(hits), 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				hits[i]++ // ranges are disjoint
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("workers %d: index %d visited %d times", w, i, h)
			}
		}
	}
	if SetWorkers(0); Workers() != 1 {
		t.Fatalf("SetWorkers(0) gives %d workers, want 1", Workers())
	}
}
