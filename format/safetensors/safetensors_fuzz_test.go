package safetensors

import (
	"bytes"
	"encoding/binary"
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
)

// FuzzParse feeds whole files to Parse and reads every tensor back. It
// checks that Parse never panics, that every error is one line naming the
// file, that memory stays in proportion to the input (a header declaring
// huge shapes or offsets must be refused, not allocated), and that what
// Encode writes from the tensors read parses back to the same tensors.
//
// The seed corpus in testdata/fuzz/FuzzParse is written by TestFuzzSeeds
// from the builders below (go test -run TestFuzzSeeds -update-fuzz-seeds).
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		const name = "fuzz.safetensors"
		var file *File
		var ts []Tensor
		var err, terr error
		if n := allocated(func() {
			if file, err = Parse(name, b); err == nil {
				ts, terr = file.Tensors()
			}
		}); n > 16<<20+64*uint64(len(b)) {
			t.Fatalf("parsing %d bytes allocated %d bytes", len(b), n)
		}
		if err != nil {
			checkErr(t, err, "safetensors: "+name+": ")
			return
		}
		if terr != nil {
			t.Fatalf("Parse accepted the file but Tensors failed: %v", terr)
		}
		for i, x := range ts {
			info := file.Infos[i]
			n, ok := Numel(x.Shape)
			if !ok || n != len(x.F32)+len(x.I64) || info.End-info.Begin != n*info.DType.Size() {
				t.Fatalf("tensor %q: %s %v holds %d+%d values in %d bytes", x.Name, x.DType, x.Shape, len(x.F32), len(x.I64), info.End-info.Begin)
			}
		}
		if slices.ContainsFunc(ts, func(x Tensor) bool { return x.Name == "" }) {
			return // a name Encode refuses to write
		}
		var buf bytes.Buffer
		if err := Encode(&buf, ts, file.Meta); err != nil {
			t.Fatalf("Encode of what Parse read: %v", err)
		}
		again, err := Parse(name, buf.Bytes())
		if err != nil {
			t.Fatalf("Parse of what Encode wrote: %v", err)
		}
		ts2, err := again.Tensors()
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(again.Meta, file.Meta) || !sameBits(ts, ts2) {
			t.Fatalf("round trip changed the file:\n%+v %v\n%+v %v", ts, file.Meta, ts2, again.Meta)
		}
	})
}

// sameBits compares names, shapes, the dtype each is written as and the
// values' bits (any NaN matching any NaN).
func sameBits(a, b []Tensor) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || !slices.Equal(x.Shape, y.Shape) || !slices.Equal(x.I64, y.I64) || len(x.F32) != len(y.F32) ||
			y.DType != stored(&x) {
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

func checkErr(t *testing.T, err error, prefix string) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, prefix) || len(msg) > 2000 {
		t.Fatalf("error is not one line starting %q (or is %d bytes long): %q", prefix, len(msg), msg)
	}
}

// rawFile builds a file from a header text and a data section, so that
// seeds can use dtypes and layouts Encode never writes.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the generated seed corpora under testdata/fuzz")

// TestFuzzSeeds writes the seed corpus (with -update-fuzz-seeds) or checks
// that the committed one matches its builders.
func TestFuzzSeeds(t *testing.T) {
	var enc bytes.Buffer
	if err := Encode(&enc, sample(), map[string]string{"format": "x", "z": `{"a": 1}`}); err != nil {
		t.Fatal(err)
	}
	good := enc.Bytes()
	dtypes := rawFile(`{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},`+
		`"bf":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},`+
		`"d":{"dtype":"F64","shape":[],"data_offsets":[6,14]},`+
		`"i":{"dtype":"I32","shape":[1,1],"data_offsets":[14,18]},`+
		`"u":{"dtype":"U8","shape":[2],"data_offsets":[18,20]},`+
		`"b":{"dtype":"BOOL","shape":[2],"data_offsets":[20,22]},`+
		`"e":{"dtype":"F32","shape":[0,5],"data_offsets":[22,22]}}`,
		[]byte{0, 0x3c, 0, 0xc0, 0x80, 0x3f, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0xff, 0xff, 0xff, 0xff, 7, 255, 0, 2})
	seeds := map[string][]byte{
		"encoded":         good,
		"dtypes":          dtypes,
		"empty-header":    rawFile(`{}`, nil),
		"truncated":       good[:len(good)-3],
		"short":           good[:5],
		"huge-header-len": append(binary.LittleEndian.AppendUint64(nil, 1<<62), good[8:]...),
		"huge-shape":      rawFile(`{"a":{"dtype":"F32","shape":[281474976710656,281474976710656],"data_offsets":[0,4]}}`, make([]byte, 4)),
		"huge-offsets":    rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[9223372036854775806,9223372036854775807]}}`, []byte{1}),
		"duplicate":       rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, []byte{1, 2}),
		"gap":             rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, []byte{1, 2}),
		"bad-dtype":       rawFile(`{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}`, []byte{1}),
		"bad-metadata":    rawFile(`{"__metadata__":{"a":1}}`, nil),
		"stray-bytes":     rawFile(`{} x`, nil),
		"not-json":        rawFile(`[1,2]`, nil),
	}
	for name, b := range seeds {
		var s strings.Builder
		fmt.Fprintf(&s, "go test fuzz v1\n[]byte(%q)\n", b)
		p := filepath.Join("testdata", "fuzz", "FuzzParse", name)
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
