package golden

import (
	"fmt"
	"strings"
	"testing"
)

// The reader's tests use only what the golden README fixes (key names, the
// documented 4×4 Hilbert example) and compare sizes with the files' own
// shapes, so a golden set made with other sizes passes as well.

func TestReadScans(t *testing.T) {
	f := Open(t, "scans.npz")
	if f.Has("hilbert_4") {
		a := f.Get(t, "hilbert_4")
		want := []int64{0, 1, 5, 4, 8, 12, 13, 9, 10, 14, 15, 11, 7, 6, 2, 3}
		if len(a.Ints) != len(want) {
			t.Fatalf("hilbert_4 has %d entries, want %d", len(a.Ints), len(want))
		}
		for i := range want {
			if a.Ints[i] != want[i] {
				t.Fatalf("hilbert_4[%d] = %d, want %d (README example)", i, a.Ints[i], want[i])
			}
		}
	}
	// Every table is a permutation of its length, and _inv its inverse.
	n := 0
	for _, k := range f.Keys() {
		if strings.HasSuffix(k, "_inv") {
			continue
		}
		p, inv := f.Get(t, k).Ints, f.Get(t, k+"_inv").Ints
		if len(p) != len(inv) {
			t.Fatalf("%s: %d entries, %s_inv %d", k, len(p), k, len(inv))
		}
		for i, v := range p {
			if v < 0 || int(v) >= len(p) || inv[v] != int64(i) {
				t.Fatalf("%s is not a permutation with inverse %s_inv (at %d)", k, k, i)
			}
		}
		n++
	}
	if n == 0 {
		t.Fatal("scans.npz holds no tables")
	}
	if _, err := f.Read("no_such_array"); err == nil {
		t.Fatal("reading a missing array gave no error")
	}
}

// TestReadFloat: PatchExpand2D(dim)'s expand.weight is (4·dim, 2·dim) for
// norm.weight (dim,), and the data fill the header's shape.
func TestReadFloat(t *testing.T) {
	f := Open(t, "patch_expand.npz")
	a := f.Get(t, "expand.weight")
	dim := len(f.Get(t, "norm.weight").Data)
	if len(a.Shape) != 2 || a.Shape[0] != 4*dim || a.Shape[1] != 2*dim || len(a.Data) != a.Shape[0]*a.Shape[1] {
		t.Fatalf("expand.weight shape %v len %d for dim %d", a.Shape, len(a.Data), dim)
	}
	if s, ok := f.Shape("expand.weight"); !ok || fmt.Sprint(s) != fmt.Sprint(a.Shape) {
		t.Fatalf("Shape = %v, %v; Get's shape %v", s, ok, a.Shape)
	}
	if _, ok := f.Shape("no_such_array"); ok {
		t.Fatal("Shape of a missing array")
	}
}

// TestStrings: decay_params names state-dict entries of the training case,
// each stored as init.<name>.
func TestStrings(t *testing.T) {
	f := Open(t, "train_steps.npz")
	s, err := f.Strings("decay_params")
	if err != nil {
		t.Fatal(err)
	}
	if shape, _ := f.Shape("decay_params"); len(s) != shape[0] || len(s) == 0 {
		t.Fatalf("decay_params: %d names for shape %v", len(s), shape)
	}
	for _, name := range s {
		if !f.Has("init." + name) {
			t.Fatalf("decay_params names %q, which has no init.%s", name, name)
		}
	}
	if _, err := f.Strings("lr"); err == nil {
		t.Fatal("a float array read as strings")
	}
}

func TestReadUint8(t *testing.T) {
	f := Open(t, "metrics.npz")
	a := f.Get(t, "masks")
	maps, _ := f.Shape("anomaly_maps")
	if fmt.Sprint(a.Shape) != fmt.Sprint(maps) {
		t.Fatalf("masks shape %v, anomaly_maps %v", a.Shape, maps)
	}
	ones := 0
	for _, v := range a.Ints {
		if v != 0 && v != 1 && v != 255 {
			t.Fatalf("mask value %d", v)
		}
		if v != 0 {
			ones++
		}
	}
	if len(a.Ints) != a.Shape[0]*a.Shape[1]*a.Shape[2] || ones == 0 {
		t.Fatalf("masks: %d values, %d set", len(a.Ints), ones)
	}
}

func TestCount(t *testing.T) {
	f := Open(t, "train_steps.npz")
	n := f.Count("target%d")
	if n == 0 || !f.Has(fmt.Sprint("target", n-1)) || f.Has(fmt.Sprint("target", n)) {
		t.Fatalf("Count(target%%d) = %d", n)
	}
}
