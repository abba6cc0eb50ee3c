// Package golden finds and reads the reference tensors in ../shared/golden
// (produced by the official PyTorch MambaAD; see its README). Tests use it to
// check parity. When the directory is absent the tests skip with a message,
// so a fresh clone passes; CI sets MAMBAAD_REQUIRE_GOLDEN=1 so that a missing
// directory fails instead of silently skipping.
package golden

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"
)

// Dir returns the golden directory: $MAMBAAD_GOLDEN, else ../shared/golden
// next to the module root. It returns "" if neither exists.
func Dir() string {
	if d := os.Getenv("MAMBAAD_GOLDEN"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		return ""
	}
	root := moduleRoot()
	if root == "" {
		return ""
	}
	d := filepath.Join(root, "..", "shared", "golden")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

func moduleRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Path returns the path of a golden file, skipping the test (or failing it
// when MAMBAAD_REQUIRE_GOLDEN=1) if the golden directory or file is absent.
func Path(t testing.TB, name string) string {
	t.Helper()
	d := Dir()
	if d == "" {
		missing(t, "golden directory not found (set MAMBAAD_GOLDEN or place it at ../shared/golden)")
		return ""
	}
	p := filepath.Join(d, name)
	if _, err := os.Stat(p); err != nil {
		missing(t, fmt.Sprintf("golden file %s not found", p))
		return ""
	}
	return p
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("MAMBAAD_REQUIRE_GOLDEN") == "1" {
		t.Fatal(msg + " and MAMBAAD_REQUIRE_GOLDEN=1")
	}
	t.Skip(msg + "; skipping")
}

// Array is one array of an npz file, converted to float32 (Data) or kept as
// int64 (Ints) or float64 (F64) according to its stored dtype.
type Array struct {
	Shape []int
	Dtype string
	Data  []float32 // float32 and float64 arrays, converted
	F64   []float64 // float64 arrays only, exact
	Ints  []int64   // integer arrays
}

// File is an opened npz file, read lazily.
type File struct {
	Path string
	r    *npz.Reader
}

// Open opens a golden npz file by name (for example "ss2d_hilbert.npz").
func Open(t testing.TB, name string) *File {
	t.Helper()
	p := Path(t, name)
	r, err := npz.Open(p)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	t.Cleanup(func() { r.Close() })
	return &File{Path: p, r: r}
}

// Keys lists the array names (without the .npy suffix), sorted.
func (f *File) Keys() []string {
	var ks []string
	for _, k := range f.r.Keys() {
		ks = append(ks, trimNpy(k))
	}
	sort.Strings(ks)
	return ks
}

// Has reports whether the file holds an array of that name.
func (f *File) Has(name string) bool { return f.r.Header(name+".npy") != nil }

// Shape returns the shape of an array from its header, without reading the
// data; ok is false if the file has no array of that name.
func (f *File) Shape(name string) (shape []int, ok bool) {
	h := f.r.Header(name + ".npy")
	if h == nil {
		return nil, false
	}
	return append([]int(nil), h.Descr.Shape...), true
}

// Count returns how many arrays format (with one %d) names for 0, 1, 2, …
// before the first absent one: Count("target%d") is 3 when target0..2
// exist.
func (f *File) Count(format string) int {
	n := 0
	for f.Has(fmt.Sprintf(format, n)) {
		n++
	}
	return n
}

// Get reads one array; it fails the test if the array is absent.
func (f *File) Get(t testing.TB, name string) *Array {
	t.Helper()
	a, err := f.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Read reads one array.
func (f *File) Read(name string) (*Array, error) {
	key := name + ".npy"
	h := f.r.Header(key)
	if h == nil {
		return nil, fmt.Errorf("%s: no array %q", f.Path, name)
	}
	dtype := strings.Trim(h.Descr.Type, "'\"")
	a := &Array{Shape: append([]int(nil), h.Descr.Shape...), Dtype: dtype}
	var err error
	switch dtype {
	case "<f4":
		err = f.r.Read(key, &a.Data)
	case "<f8":
		if err = f.r.Read(key, &a.F64); err == nil {
			a.Data = make([]float32, len(a.F64))
			for i, v := range a.F64 {
				a.Data[i] = float32(v)
			}
		}
	case "<i8", "<i4":
		err = f.r.Read(key, &a.Ints)
	case "|u1", "|b1":
		var u []uint8
		if err = f.r.Read(key, &u); err == nil {
			a.Ints = make([]int64, len(u))
			for i, v := range u {
				a.Ints[i] = int64(v)
			}
		}
	default:
		err = fmt.Errorf("unsupported dtype %s", h.Descr.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: array %q: %w", f.Path, name, err)
	}
	return a, nil
}

func trimNpy(k string) string {
	if len(k) > 4 && k[len(k)-4:] == ".npy" {
		return k[:len(k)-4]
	}
	return k
}

// Strings reads a 1-D numpy unicode array (dtype '<Un', UTF-32LE with NUL
// padding), such as train_steps.npz's decay_params.
func (f *File) Strings(name string) ([]string, error) {
	h := f.r.Header(name + ".npy")
	if h == nil {
		return nil, fmt.Errorf("%s: no array %q", f.Path, name)
	}
	dtype := strings.Trim(h.Descr.Type, "'\"")
	var width int
	if _, err := fmt.Sscanf(dtype, "<U%d", &width); err != nil || len(h.Descr.Shape) != 1 {
		return nil, fmt.Errorf("%s: array %q is %s %v, not a 1-D unicode array", f.Path, name, dtype, h.Descr.Shape)
	}
	rc, err := f.r.Open(name + ".npy")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: array %q: %w", f.Path, name, err)
	}
	n := h.Descr.Shape[0]
	size := n * width * 4
	if len(raw) < size {
		return nil, fmt.Errorf("%s: array %q is truncated", f.Path, name)
	}
	data := raw[len(raw)-size:] // the header precedes the data
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for j := 0; j < width; j++ {
			r := binary.LittleEndian.Uint32(data[(i*width+j)*4:])
			if r == 0 {
				break
			}
			b.WriteRune(rune(r))
		}
		out[i] = b.String()
	}
	return out, nil
}
