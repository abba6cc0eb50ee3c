package splitmix

import "testing"

// The first outputs for seed 0 are SplitMix64's published reference values.
func TestReferenceSequence(t *testing.T) {
	r := New(0)
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := r.Uint64(); got != w {
			t.Fatalf("output %d = %#x, want %#x", i, got, w)
		}
	}
}

func TestIntnAndFloatRanges(t *testing.T) {
	r := New(9)
	seen := make([]int, 7)
	for range 7000 {
		seen[r.Intn(7)]++
		if f := r.Float64(); f < 0 || f >= 1 {
			t.Fatalf("Float64 = %v", f)
		}
	}
	for v, n := range seen {
		if n < 850 || n > 1150 {
			t.Errorf("Intn(7) gave %d %d times in 7000", v, n)
		}
	}
}
