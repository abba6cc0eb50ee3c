package pth

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
)

type indexEntry struct {
	Name   string    `json:"name"`
	DType  string    `json:"dtype"`
	Shape  []int     `json:"shape"`
	Numel  int       `json:"numel"`
	First5 []float64 `json:"first5"`
	Sum    float64   `json:"sum"`
}

func readIndex(t *testing.T) []indexEntry {
	b, err := os.ReadFile(golden.Path(t, "checkpoint_small_index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		N       int          `json:"n_tensors"`
		Tensors []indexEntry `json:"tensors"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	if idx.N != len(idx.Tensors) || idx.N != 321 {
		t.Fatalf("index lists %d of %d tensors", len(idx.Tensors), idx.N)
	}
	return idx.Tensors
}

var torchDTypes = map[string]string{"float32": "F32", "int64": "I64"}

func TestGoldenCheckpoints(t *testing.T) {
	idx := readIndex(t)
	var loaded [][]Tensor
	for _, name := range []string{"checkpoint_small.pth", "checkpoint_small_legacy.pth"} {
		ts, err := Load(golden.Path(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != len(idx) {
			t.Fatalf("%s: %d tensors, index has %d", name, len(ts), len(idx))
		}
		for i, e := range idx {
			checkIndexed(t, name, ts[i], e)
		}
		loaded = append(loaded, ts)
	}
	for i := range loaded[0] {
		a, b := loaded[0][i], loaded[1][i]
		if !slices.Equal(a.F32, b.F32) || !slices.Equal(a.I64, b.I64) {
			t.Fatalf("%s differs between the zip and legacy files", a.Name)
		}
	}
}

func checkIndexed(t *testing.T, file string, got Tensor, e indexEntry) {
	t.Helper()
	if got.Name != e.Name || string(got.DType) != torchDTypes[e.DType] || !slices.Equal(got.Shape, e.Shape) {
		t.Fatalf("%s: got %s %s %v, index %s %s %v", file, got.Name, got.DType, got.Shape, e.Name, e.DType, e.Shape)
	}
	vals := asFloat64(got)
	if len(vals) != e.Numel {
		t.Fatalf("%s: %s has %d values, index %d", file, e.Name, len(vals), e.Numel)
	}
	sum, abs := 0.0, 0.0
	for i, v := range vals {
		if i < len(e.First5) && v != e.First5[i] {
			t.Fatalf("%s: %s[%d] = %v, index %v", file, e.Name, i, v, e.First5[i])
		}
		sum += v
		abs += math.Abs(v)
	}
	// torch summed in float32; allow that rounding.
	if math.Abs(sum-e.Sum) > 1e-6*(abs+1) {
		t.Fatalf("%s: %s sums to %v, index %v", file, e.Name, sum, e.Sum)
	}
}

func asFloat64(t Tensor) []float64 {
	var out []float64
	for _, v := range t.F32 {
		out = append(out, float64(v))
	}
	for _, v := range t.I64 {
		out = append(out, float64(v))
	}
	return out
}

// The README says the checkpoint holds the same values as decoder_small.npz.
func TestGoldenCheckpointMatchesNpz(t *testing.T) {
	ts, err := Load(golden.Path(t, "checkpoint_small.pth"))
	if err != nil {
		t.Fatal(err)
	}
	f := golden.Open(t, "decoder_small.npz")
	for _, x := range ts {
		a := f.Get(t, x.Name)
		if !slices.Equal(a.Shape, x.Shape) && !(len(x.Shape) == 0 && len(a.Shape) == 0) {
			t.Fatalf("%s: shape %v, npz %v", x.Name, x.Shape, a.Shape)
		}
		if x.DType == "I64" && !slices.Equal(x.I64, a.Ints) || x.DType == "F32" && !slices.Equal(x.F32, a.Data) {
			t.Fatalf("%s: values differ from decoder_small.npz", x.Name)
		}
	}
}
