package pth

import (
	"archive/zip"
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/format/safetensors"
	"github.com/mambaad/mambaad/internal/exporttest"
)

// sampleTensors covers what a MambaAD state_dict holds: 1- to 4-D float32
// tensors, int64 index buffers, an int64 scalar of shape [] (BatchNorm's
// num_batches_tracked), a size-0 axis, special float values, and numbers
// that need each pickle integer opcode (sizes ≥ 256 and ≥ 65536).
func sampleTensors() []Tensor {
	r := rand.New(rand.NewPCG(1, 2))
	f := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.NaN())}
	return []Tensor{
		{Name: "net_s.layers_up.0.blocks.0.smm_blocks.0.self_attention.A_logs", Shape: []int{8, 16}, F32: f(128)},
		{Name: "mff_oce.bn1.num_batches_tracked", Shape: []int{}, I64: []int64{123456789012}},
		{Name: "net_t.conv1.weight", Shape: []int{64, 3, 7, 7}, F32: f(64 * 3 * 7 * 7)},
		{Name: "scans.index_flat", Shape: []int{1, 1, 300}, I64: slices.Collect(func(yield func(int64) bool) {
			for i := range 300 {
				if !yield(int64(299 - i)) {
					return
				}
			}
		})},
		{Name: "wide", Shape: []int{70000}, F32: f(70000)},
		{Name: "empty", Shape: []int{0, 4}, F32: []float32{}},
		{Name: "special", Shape: []int{7}, F32: special},
		{Name: "negative", Shape: []int{3}, I64: []int64{-1, math.MinInt64, math.MaxInt64}},
		{Name: "unicode.Σ", Shape: []int{1}, F32: []float32{1}},
	}
}

// TestSaveLoadRoundTrip writes tensors and reads them back with this
// package's reader: same names in the same order, shapes, dtypes and bits.
func TestSaveLoadRoundTrip(t *testing.T) {
	ts := sampleTensors()
	path := filepath.Join(t.TempDir(), "sd.pth")
	if err := SaveFile(path, ts); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ts) {
		t.Fatalf("%d tensors back, want %d", len(got), len(ts))
	}
	for i, w := range ts {
		g := got[i]
		wantDT := safetensors.F32
		if w.I64 != nil {
			wantDT = safetensors.I64
		}
		if g.Name != w.Name || !slices.Equal(g.Shape, w.Shape) || g.DType != wantDT {
			t.Fatalf("tensor %d: %s %v %v, want %s %v %v", i, g.Name, g.Shape, g.DType, w.Name, w.Shape, wantDT)
		}
		if w.I64 != nil && !slices.Equal(g.I64, w.I64) {
			t.Fatalf("%s: int64 values differ", w.Name)
		}
		if w.F32 != nil && !bytes.Equal(f32Bytes(g.F32...), f32Bytes(w.F32...)) {
			t.Fatalf("%s: float32 bits differ", w.Name)
		}
	}
}

// TestSaveDeterministicAndAligned: the same tensors give the same bytes,
// and every storage record starts at a multiple of 64 bytes.
func TestSaveDeterministicAndAligned(t *testing.T) {
	var a, b bytes.Buffer
	if err := Save(&a, sampleTensors()); err != nil {
		t.Fatal(err)
	}
	if err := Save(&b, sampleTensors()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two saves of the same tensors differ")
	}
	zr := zipReader(t, a.Bytes())
	n := 0
	for _, f := range zr.File {
		if filepath.Dir(f.Name) != archiveName+"/data" {
			continue
		}
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		if off%storageAlignment != 0 {
			t.Errorf("%s starts at %d, not a multiple of %d", f.Name, off, storageAlignment)
		}
		n++
	}
	if n != len(sampleTensors()) {
		t.Fatalf("%d storage records, want %d", n, len(sampleTensors()))
	}
}

func TestSaveRefusesBadTensors(t *testing.T) {
	for name, ts := range map[string][]Tensor{
		"duplicate": {{Name: "a", Shape: []int{1}, F32: []float32{1}}, {Name: "a", Shape: []int{1}, F32: []float32{1}}},
		"count":     {{Name: "a", Shape: []int{2}, F32: []float32{1}}},
		"both":      {{Name: "a", Shape: []int{1}, F32: []float32{1}, I64: []int64{1}}},
		"bad shape": {{Name: "a", Shape: []int{-1}, F32: []float32{}}},
		"not utf-8": {{Name: "a\xff", Shape: []int{1}, F32: []float32{1}}},
	} {
		if err := Save(&bytes.Buffer{}, ts); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestTorchLoadsSaved: PyTorch's own torch.load(weights_only=True) reads the
// file and every tensor matches exactly (tools/export/check_pth.py).
func TestTorchLoadsSaved(t *testing.T) {
	py := exporttest.NeedPython(t, "torch", "python3-torch")
	ts := sampleTensors()
	dir := t.TempDir()
	path := filepath.Join(dir, "sd.pth")
	if err := SaveFile(path, ts); err != nil {
		t.Fatal(err)
	}
	manifest, blob := exporttest.WriteStateDictExpectation(t, dir, ts)
	out := exporttest.Python(t, py, "check_pth.py", path, manifest, blob)
	t.Log(out)
}

func zipReader(t *testing.T, b []byte) *zip.Reader {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}
