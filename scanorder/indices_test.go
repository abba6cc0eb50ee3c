package scanorder

import (
	"fmt"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
)

var allOrders = []Order{Sweep, Scan, ZOrder, ZigZag, Hilbert}

// TestIndicesMatchGolden compares every table scans.npz holds: the sides are
// read from its keys (<order>_<side>), not assumed.
func TestIndicesMatchGolden(t *testing.T) {
	f := golden.Open(t, "scans.npz")
	for _, o := range allOrders {
		var sides []int
		for _, k := range f.Keys() {
			var s int
			if _, err := fmt.Sscanf(k, o.String()+"_%d", &s); err == nil && k == fmt.Sprintf("%v_%d", o, s) {
				sides = append(sides, s)
			}
		}
		if len(sides) == 0 {
			t.Errorf("scans.npz has no %v tables", o)
		}
		for _, s := range sides {
			name := fmt.Sprintf("%v_%d", o, s)
			p, err := Indices(o, s)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			expectInts(t, name, p, f.Get(t, name).Ints)
			expectInts(t, name+"_inv", Inverse(p), f.Get(t, name+"_inv").Ints)
		}
	}
}

func expectInts(t *testing.T, name string, got []int32, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d entries, golden has %d", name, len(got), len(want))
	}
	for i := range want {
		if int64(got[i]) != want[i] {
			t.Fatalf("%s[%d] = %d, golden %d", name, i, got[i], want[i])
		}
	}
}

// The README's worked examples hold even without the golden directory.
func TestIndicesReadmeExamples(t *testing.T) {
	cases := []struct {
		o    Order
		s    int
		want []int32
	}{
		{Scan, 4, []int32{0, 1, 2, 3, 7, 6, 5, 4, 8, 9, 10, 11, 15, 14, 13, 12}},
		{ZigZag, 4, []int32{0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15}},
		{ZOrder, 4, []int32{0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}},
		{Hilbert, 4, []int32{0, 1, 5, 4, 8, 12, 13, 9, 10, 14, 15, 11, 7, 6, 2, 3}},
		{Hilbert, 8, []int32{0, 8, 9, 1, 2, 3, 11, 10, 18}},
	}
	for _, c := range cases {
		p, err := Indices(c.o, c.s)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p[:len(c.want)], c.want) {
			t.Errorf("%v %d: got %v, want prefix %v", c.o, c.s, p, c.want)
		}
	}
}

// Every order must be a permutation, and Hilbert and the snake must move to
// a 4-neighbour at each step, for sizes beyond those stored in the golden file.
func TestIndicesStructure(t *testing.T) {
	for _, o := range allOrders {
		for _, s := range []int{1, 2, 128, 256} {
			p, err := Indices(o, s)
			if err != nil {
				t.Fatalf("%v %d: %v", o, s, err)
			}
			q := Inverse(p)
			for j, v := range p {
				if q[v] != int32(j) {
					t.Fatalf("%v %d: not a permutation at %d", o, s, j)
				}
			}
			if o == Hilbert || o == Scan {
				checkAdjacent(t, o, s, p)
			}
		}
	}
}

func checkAdjacent(t *testing.T, o Order, s int, p []int32) {
	t.Helper()
	for j := 1; j < len(p); j++ {
		a, b := int(p[j-1]), int(p[j])
		dr, dc := a/s-b/s, a%s-b%s
		if dr*dr+dc*dc != 1 {
			t.Fatalf("%v %d: step %d jumps from %d to %d", o, s, j, a, b)
		}
	}
}

func TestIndicesErrors(t *testing.T) {
	if _, err := Indices(Hilbert, 12); err == nil {
		t.Error("hilbert with side 12 gave no error")
	}
	if _, err := Indices(ZOrder, 6); err == nil {
		t.Error("zorder with side 6 gave no error")
	}
	if p, err := Indices(ZigZag, 6); err != nil || len(p) != 36 {
		t.Errorf("zigzag with side 6: %v, %d entries", err, len(p))
	}
	if _, err := Indices(Sweep, 0); err == nil {
		t.Error("side 0 gave no error")
	}
	if _, err := Indices(Order(9), 4); err == nil {
		t.Error("unknown order gave no error")
	}
}

func TestParseOrder(t *testing.T) {
	for _, o := range allOrders {
		got, err := ParseOrder(o.String())
		if err != nil || got != o {
			t.Errorf("ParseOrder(%q) = %v, %v", o.String(), got, err)
		}
	}
	if _, err := ParseOrder("raster"); err == nil {
		t.Error("ParseOrder accepted an unknown name")
	}
	if s := Order(7).String(); s != "Order(7)" {
		t.Errorf("String of an invalid order = %q", s)
	}
}
