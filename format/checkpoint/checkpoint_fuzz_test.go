package checkpoint

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/format/safetensors"
)

// FuzzLoad feeds whole checkpoint files to the loader. It checks that
// loading never panics, that every error is one line naming the file, that
// memory stays in proportion to the input, and that a checkpoint that
// loads is saved and loaded back unchanged.
//
// Mutations of the header keep the SHA-256 of the data section valid, so
// the fuzzer gets past the checksum. The seed corpus in
// testdata/fuzz/FuzzLoad is written by TestFuzzSeeds (go test -run
// TestFuzzSeeds -update-fuzz-seeds).
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		const name = "fuzz.ckpt"
		var ck *File
		var err error
		if n := allocated(func() { ck, err = parse(name, b) }); n > 16<<20+64*uint64(len(b)) {
			t.Fatalf("loading %d bytes allocated %d bytes", len(b), n)
		}
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "checkpoint: ") || !strings.Contains(msg, name) {
				t.Fatalf("error is not one line naming %s: %q", name, msg)
			}
			return
		}
		full, err := sealedMeta(ck.Tensors, ck.Meta)
		if err != nil {
			if slices.ContainsFunc(ck.Tensors, func(x Named) bool { return x.Name == "" }) {
				return // a name safetensors refuses to write
			}
			t.Fatalf("a loaded checkpoint cannot be saved: %v", err)
		}
		var buf bytes.Buffer
		if err := safetensors.Encode(&buf, ck.Tensors, full); err != nil {
			t.Fatal(err)
		}
		again, err := parse(name, buf.Bytes())
		if err != nil {
			t.Fatalf("a saved checkpoint does not load: %v", err)
		}
		if again.Config != ck.Config || !maps.Equal(again.Meta, ck.Meta) || !sameTensors(again.Tensors, ck.Tensors) {
			t.Fatalf("save and load changed the checkpoint")
		}
		for _, x := range ck.Tensors {
			if y, ok := again.Tensor(x.Name); !ok || y.Name != x.Name {
				t.Fatalf("tensor %q is not found by name", x.Name)
			}
		}
	})
}

// sameTensors compares names, shapes and value bits (any NaN matching any
// NaN); F16 stays F16 when saved, other floats become F32.
func sameTensors(a, b []Named) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || !slices.Equal(x.Shape, y.Shape) || !slices.Equal(x.I64, y.I64) || len(x.F32) != len(y.F32) {
			return false
		}
		for j, v := range x.F32 {
			w := y.F32[j]
			if math.Float32bits(v) != math.Float32bits(w) && !(v != v && w != w) {
				return false
			}
		}
	}
	return true
}

func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the generated seed corpora under testdata/fuzz")

// encodeCheckpoint is Save without the file: valid bytes for seeds.
func encodeCheckpoint(t *testing.T, ts []Named, meta map[string]string) []byte {
	t.Helper()
	full, err := sealedMeta(ts, meta)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, ts, full); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFuzzSeeds(t *testing.T) {
	good := encodeCheckpoint(t, tensors(8), meta)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-5] ^= 1
	plain := func(m map[string]string) []byte {
		var buf bytes.Buffer
		if err := safetensors.Encode(&buf, tensors(8), m); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	half := []Named{{Name: "h", DType: safetensors.F16, Shape: []int{2}, F32: []float32{0.5, -2}}}
	seeds := map[string][]byte{
		"good":          good,
		"no-tensors":    encodeCheckpoint(t, nil, map[string]string{"config": `{"a":[1,2]}`, "x": "y"}),
		"empty-tensor":  encodeCheckpoint(t, []Named{{Name: "e", DType: safetensors.F32, Shape: []int{0}, F32: []float32{}}}, map[string]string{"config": "{}"}),
		"half":          encodeCheckpoint(t, half, map[string]string{"config": "{}"}),
		"corrupt-data":  corrupt,
		"truncated":     good[:len(good)-9],
		"plain":         plain(nil),
		"version-2":     plain(map[string]string{"format": Format, "version": "2", "config": "{}"}),
		"no-sha":        plain(map[string]string{"format": Format, "version": Version, "config": "{}"}),
		"config-broken": plain(map[string]string{"format": Format, "version": Version, "config": "{", "sha256": "00"}),
	}
	for name, b := range seeds {
		var s strings.Builder
		fmt.Fprintf(&s, "go test fuzz v1\n[]byte(%q)\n", b)
		p := filepath.Join("testdata", "fuzz", "FuzzLoad", name)
		if *updateSeeds {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(s.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if old, err := os.ReadFile(p); err != nil || string(old) != s.String() {
			t.Errorf("seed %s is missing or differs from its builder; rerun with -update-fuzz-seeds", p)
		}
	}
}

// Save refuses a config that is not JSON, so Load does too, instead of
// leaving it to whoever reads the config later.
func TestLoadRejectsBrokenConfig(t *testing.T) {
	full, err := sealedMeta(tensors(8), meta)
	if err != nil {
		t.Fatal(err)
	}
	full["config"] = `{"dims": [64,`
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, tensors(8), full); err != nil {
		t.Fatal(err)
	}
	_, err = parse("broken.ckpt", buf.Bytes())
	expectErr(t, err, "broken.ckpt", "not valid JSON")
}
