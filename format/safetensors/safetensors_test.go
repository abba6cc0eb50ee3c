package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func sample() []Tensor {
	return []Tensor{
		{Name: "b.weight", DType: F32, Shape: []int{2, 3}, F32: []float32{1, -2, 3.5, 0, float32(math.Inf(1)), 1e-30}},
		{Name: "a.steps", DType: I64, Shape: []int{}, I64: []int64{-7}},
		{Name: "empty", DType: F32, Shape: []int{0, 4}, F32: []float32{}},
		{Name: "idx", DType: I64, Shape: []int{1, 1, 3}, I64: []int64{2, 0, math.MaxInt64}},
	}
}

// writeFile encodes tensors and metadata into a file at path.
func writeFile(path string, tensors []Tensor, meta map[string]string) error {
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, meta); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	in := sample()
	meta := map[string]string{"format": "x", "z": "{\"a\": 1}"}
	if err := writeFile(path, in, meta); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Meta, meta) {
		t.Errorf("meta %v, want %v", f.Meta, meta)
	}
	got, err := f.Tensors()
	if err != nil {
		t.Fatal(err)
	}
	if !sameTensors(got, in) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, in)
	}
	if info, ok := f.Info("idx"); !ok || info.DType != I64 || info.End-info.Begin != 24 {
		t.Errorf("Info(idx) = %+v, %v", info, ok)
	}
}

func TestWriteIsDeterministicAndAligned(t *testing.T) {
	dir := t.TempDir()
	meta := map[string]string{"b": "2", "a": "1", "c": "3"}
	var files [2][]byte
	for i := range files {
		p := filepath.Join(dir, "f"+string(rune('0'+i)))
		if err := writeFile(p, sample(), meta); err != nil {
			t.Fatal(err)
		}
		files[i], _ = os.ReadFile(p)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("two writes of the same input differ")
	}
	n := binary.LittleEndian.Uint64(files[0])
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	if !bytes.Contains(files[0], []byte(`{"__metadata__":{"a":"1","b":"2","c":"3"},"b.weight"`)) {
		t.Errorf("header does not start with sorted metadata then tensors in order: %s", files[0][8:8+n])
	}
}

// F16 tensors are written as F16, other floating dtypes as F32, integer
// ones as I64.
func TestWriteConvertsDTypes(t *testing.T) {
	in := []Tensor{
		{Name: "h", DType: F16, Shape: []int{1}, F32: []float32{0.5}},
		{Name: "b", DType: BF16, Shape: []int{1}, F32: []float32{0.5}},
		{Name: "m", DType: BOOL, Shape: []int{2}, I64: []int64{1, 0}},
	}
	var buf bytes.Buffer
	if err := Encode(&buf, in, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Parse("mem", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := f.Info("h"); h.DType != F16 {
		t.Errorf("F16 tensor stored as %s", h.DType)
	}
	if b, _ := f.Info("b"); b.DType != F32 {
		t.Errorf("BF16 tensor stored as %s", b.DType)
	}
	if m, _ := f.Info("m"); m.DType != I64 {
		t.Errorf("BOOL tensor stored as %s", m.DType)
	}
	if len(f.Meta) != 0 {
		t.Errorf("nil metadata read back as %v", f.Meta)
	}
}

func TestWriteRejectsBadTensors(t *testing.T) {
	bad := [][]Tensor{
		{{Name: "", DType: F32, Shape: []int{1}, F32: []float32{1}}},
		{{Name: "__metadata__", DType: F32, Shape: []int{1}, F32: []float32{1}}},
		{{Name: "a", DType: F32, Shape: []int{2}, F32: []float32{1}}},
		{{Name: "a", DType: I64, Shape: []int{1}, F32: []float32{1}}},
		{{Name: "a", DType: "Q8", Shape: []int{1}, F32: []float32{1}}},
		{{Name: "a", DType: F32, Shape: []int{-1}}},
		{{Name: "a", DType: F32, Shape: []int{1}, F32: []float32{1}}, {Name: "a", DType: F32, Shape: []int{1}, F32: []float32{1}}},
	}
	for i, ts := range bad {
		var buf bytes.Buffer
		if err := Encode(&buf, ts, nil); err == nil {
			t.Errorf("case %d: no error", i)
		}
		if buf.Len() != 0 {
			t.Errorf("case %d: %d bytes written before the error", i, buf.Len())
		}
	}
}

// sameTensors compares tensors treating nil and empty slices alike.
func sameTensors(a, b []Tensor) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.DType != y.DType || !slices.Equal(x.Shape, y.Shape) ||
			!slices.Equal(x.F32, y.F32) || !slices.Equal(x.I64, y.I64) {
			return false
		}
	}
	return true
}
