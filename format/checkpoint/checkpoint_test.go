package checkpoint

import (
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/format/safetensors"
)

func tensors(n int) []Named {
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(i)*0.5 - 3
	}
	return []Named{
		{Name: "layers_up.0.in_proj.weight", DType: safetensors.F32, Shape: []int{n / 4, 4}, F32: w},
		{Name: "scans.index_flat", DType: safetensors.I64, Shape: []int{1, 1, 4}, I64: []int64{0, 1, 3, 2}},
		{Name: "bn.num_batches_tracked", DType: safetensors.I64, Shape: []int{}, I64: []int64{12}},
	}
}

var meta = map[string]string{"config": `{"dims":[64,32],"scan":"hilbert"}`, "train_state": `{"epoch":3}`}

func save(t *testing.T, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, "model.safetensors")
	if err := Save(p, tensors(n), meta); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTrip(t *testing.T) {
	p := save(t, t.TempDir(), 64)
	f, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Config != meta["config"] || !maps.Equal(f.Meta, meta) {
		t.Errorf("config %q meta %v, want %q %v", f.Config, f.Meta, meta["config"], meta)
	}
	want := tensors(64)
	for i, w := range want {
		g := f.Tensors[i]
		if g.Name != w.Name || g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) ||
			!slices.Equal(g.F32, w.F32) || !slices.Equal(g.I64, w.I64) {
			t.Fatalf("tensor %d: got %+v, want %+v", i, g, w)
		}
	}
	if x, ok := f.Tensor("scans.index_flat"); !ok || x.I64[2] != 3 {
		t.Errorf("Tensor(scans.index_flat) = %v, %v", x, ok)
	}
	if _, ok := f.Tensor("missing"); ok {
		t.Error("lookup of a missing name succeeded")
	}
	st, _ := safetensors.Open(p)
	if st.Meta["format"] != Format || st.Meta["version"] != Version || len(st.Meta["sha256"]) != 64 {
		t.Errorf("file metadata %v", st.Meta)
	}
}

func TestCorruptData(t *testing.T) {
	p := save(t, t.TempDir(), 64)
	b, _ := os.ReadFile(p)
	b[len(b)-20] ^= 0x01 // inside the F32 data
	os.WriteFile(p, b, 0o644)
	_, err := Load(p)
	expectErr(t, err, p, "corrupt")
}

func TestTruncated(t *testing.T) {
	p := save(t, t.TempDir(), 64)
	b, _ := os.ReadFile(p)
	for _, n := range []int{len(b) - 1, len(b) / 2, 12, 3, 0} {
		os.WriteFile(p, b[:n], 0o644)
		_, err := Load(p)
		expectErr(t, err, p, "")
	}
}

func TestWrongFormatOrVersion(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]map[string]string{
		"plain":     nil,
		"version 2": {"format": Format, "version": "2", "config": "{}"},
		"no config": {"format": Format, "version": Version},
		"no sum":    {"format": Format, "version": Version, "config": "{}"},
	}
	for name, m := range cases {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := errors.Join(safetensors.Encode(f, tensors(8), m), f.Close()); err != nil {
			t.Fatal(err)
		}
		_, err = Load(p)
		expectErr(t, err, p, "")
	}
}

func TestSaveRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x")
	for _, m := range []map[string]string{
		nil,
		{"config": "{not json"},
		{"config": "{}", "sha256": "00"},
		{"config": "{}", "format": "other"},
	} {
		expectErr(t, Save(p, tensors(8), m), p, "")
	}
	bad := tensors(8)
	bad[0].Shape = []int{3}
	expectErr(t, Save(p, bad, meta), p, "")
	assertDir(t, dir)
}

// failAfter passes n bytes through, then fails every write.
type failAfter struct {
	w io.Writer
	n int
}

var errInjected = errors.New("injected write failure")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errInjected
	}
	f.n -= len(p)
	return f.w.Write(p)
}

// A save that fails after several megabytes reached the disk must keep the
// previous checkpoint and leave no temporary file behind.
func TestFailedSaveKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	p := save(t, dir, 64)
	old, _ := os.ReadFile(p)
	wrapWriter = func(w io.Writer) io.Writer { return &failAfter{w: w, n: 5 << 20} }
	defer func() { wrapWriter = func(w io.Writer) io.Writer { return w } }()
	err := Save(p, tensors(2<<20), meta)
	if !errors.Is(err, errInjected) {
		t.Fatalf("error %v does not wrap the injected failure", err)
	}
	expectErr(t, err, p, "")
	if b, _ := os.ReadFile(p); string(b) != string(old) {
		t.Fatal("previous checkpoint was modified")
	}
	assertDir(t, dir, "model.safetensors")
	if _, err := Load(p); err != nil {
		t.Fatalf("previous checkpoint no longer loads: %v", err)
	}
}

func TestSaveIntoMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "gone", "model.safetensors")
	expectErr(t, Save(p, tensors(8), meta), p, "")
}

func assertDir(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}

func expectErr(t *testing.T, err error, path, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", path)
	}
	if testing.Verbose() {
		t.Log(err)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, substr) {
		t.Fatalf("error %q should name %s and contain %q", msg, path, substr)
	}
}
