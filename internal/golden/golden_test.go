package golden

import "testing"

func TestReadScans(t *testing.T) {
	f := Open(t, "scans.npz")
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
	if _, err := f.Read("no_such_array"); err == nil {
		t.Fatal("reading a missing array gave no error")
	}
}

func TestReadFloat(t *testing.T) {
	f := Open(t, "patch_expand.npz")
	a := f.Get(t, "expand.weight")
	if len(a.Shape) != 2 || a.Shape[0] != 32 || a.Shape[1] != 16 || len(a.Data) != 512 {
		t.Fatalf("expand.weight shape %v len %d", a.Shape, len(a.Data))
	}
}

func TestStrings(t *testing.T) {
	f := Open(t, "train_steps.npz")
	s, err := f.Strings("decay_params")
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 157 || s[0] == "" {
		t.Fatalf("decay_params: %d names, first %q", len(s), s)
	}
	if _, err := f.Strings("lr"); err == nil {
		t.Fatal("a float array read as strings")
	}
}

func TestReadUint8(t *testing.T) {
	f := Open(t, "metrics.npz")
	a := f.Get(t, "masks")
	ones := 0
	for _, v := range a.Ints {
		if v != 0 && v != 1 && v != 255 {
			t.Fatalf("mask value %d", v)
		}
		if v != 0 {
			ones++
		}
	}
	if len(a.Ints) != 40*64*64 || ones == 0 {
		t.Fatalf("masks: %d values, %d set", len(a.Ints), ones)
	}
}
